"""Benchmark: English->German on Multi30k (test_2016_flickr), Transformer and RNN, on this CPU.

    python bench/translation.py --transformer-minutes 70 --rnn-minutes 35   # prepare, train, report
    python bench/translation.py --report-only                               # evaluate existing runs
    python bench/translation.py --demo      # score the demo's models (demo/models/translation/*) only

Training resumes from the checkpoints under --work, so a later session continues a run by passing a
larger budget. Writes bench/results/translation.json and bench/results/translation_bleu_vs_time.png.
Data: ../shared/data/multi30k_en_de beside the clone (never copied into the repo).

Scoring: the raw test2016 files as published (test_2016_flickr.en/.de), never the cleaned split that
`prepare` writes; detokenised hypotheses, sacrebleu BLEU and chrF with their signatures and the SHA-256
of the reference file in the JSON. The FLOP share divides the training rate by this machine's peak fp32
rate as measured now (bench/machine.py: best of several large matmuls in numpy and TF), not by a
constant from a data sheet; the CPU model is read from /proc/cpuinfo.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "multi30k_en_de"
RESULTS = REPO / "bench" / "results"
CONFIGS = {
    "transformer": REPO / "translation/configs/multi30k_transformer.yml",
    "rnn": REPO / "translation/configs/multi30k_rnn.yml",
}
RAW_TEST = {"en": DATA / "test_2016_flickr.en", "de": DATA / "test_2016_flickr.de"}

log = logging.getLogger("bench.translation")


def train_flops_per_target_token(model_cfg: dict, vocab: int, src_per_tgt: float) -> float:
    """Multiply-adds of the weight matrices x 2 (FLOPs) x 3 (forward + backward), per target token.
    Attention score/softmax terms are left out (short sentences: < 10% here)."""
    if model_cfg["name"] == "transformer":
        d, ff, n = model_cfg["d_model"], model_cfg["ff_dim"], model_cfg["layers"]
        enc = n * (4 * d * d + 2 * d * ff)  # per source token
        dec = n * (8 * d * d + 2 * d * ff) + d * vocab  # per target token incl. output projection
    else:
        e, u = model_cfg["embedding_dim"], model_cfg["units"]
        h = u // 2
        enc = 2 * 3 * (e * h + h * h)  # bidirectional GRU
        dec = (
            3 * ((e + u) * u + u * u) + 2 * u * u + 2 * u * u + u * vocab
        )  # cell, attention, combine, output
    return 6.0 * (dec + enc * src_per_tgt)


def measure_serve_rss(model_dir: Path) -> float:
    """Peak RSS (MB, VmHWM) of a fresh process serving /translate with the model loaded, after one request."""
    code = f"""
import types, sys
sys.path.insert(0, {str(REPO)!r})
from flask import Flask
from bot.api.translate import bp
from translation.service import TranslationService
svc = TranslationService.load({{("en", "de"): {str(model_dir)!r}}})
app = Flask("bench")
app.extensions["parley"] = types.SimpleNamespace(translation=svc)
app.register_blueprint(bp)
texts = ["A man in a blue shirt is standing on a ladder."] * 8
r = app.test_client().post("/translate", json={{"texts": texts, "source": "en", "target": "de", "beam": 4}})
assert r.status_code == 200, r.data
# VmHWM, not ru_maxrss: Linux carries the forking parent's peak RSS over exec into ru_maxrss
status = open("/proc/self/status").read().splitlines()
print(int([line for line in status if line.startswith("VmHWM:")][0].split()[1]) / 1024)
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def model_mb(model_dir: Path) -> float:
    files = [p for p in model_dir.iterdir() if p.is_file() and p.suffix in (".h5", ".model", ".json")]
    return round(sum(p.stat().st_size for p in files) / 1e6, 2)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--work", default=str(REPO / ".parley/bench/translation"), help="runs and prepared data"
    )
    parser.add_argument("--transformer-minutes", type=float, default=70.0, help="training budget (total)")
    parser.add_argument("--rnn-minutes", type=float, default=35.0, help="training budget (total); 0 = skip")
    parser.add_argument("--report-only", action="store_true", help="do not train; evaluate existing runs")
    for name in CONFIGS:
        parser.add_argument(f"--{name}-dir", help=f"{name} model directory (default WORK/{name})")
    parser.add_argument(
        "--note", default="", help="free text stored in the JSON (e.g. how the runs were trained)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="score the demo models on the raw demo test split, nothing else"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.demo:
        return demo()
    if not DATA.is_dir():
        print(f"benchmark data not found at {DATA}", file=sys.stderr)
        return 1
    load_start = os.getloadavg()
    started = time.time()

    from bench.machine import cpu_model, describe, peak_flops
    from translation.config import load_config
    from translation.data import prepare, read_lines, read_parallel
    from translation.evaluation import evaluate
    from translation.training import train
    from translation.translator import Translator

    flops_runs = [peak_flops()]
    work = Path(args.work)
    prepared = work / "multi30k"
    have_models = any(
        (Path(getattr(args, f"{n}_dir") or work / n) / "model.weights.h5").is_file() for n in CONFIGS
    )
    if not (prepared / "meta.json").is_file() and (not args.report_only or have_models):
        cfg = load_config(CONFIGS["transformer"])
        splits = {
            "train": read_parallel(DATA / "train.en", DATA / "train.de"),
            "dev": read_parallel(DATA / "val.en", DATA / "val.de"),
            "test": read_parallel(DATA / "test_2016_flickr.en", DATA / "test_2016_flickr.de"),
        }
        prepare(prepared, "en", "de", cfg.data, cfg.subwords, splits)
    sources = read_lines(RAW_TEST["en"])
    references = read_lines(RAW_TEST["de"])  # raw, as published: not prepared/test.de
    budgets = {"transformer": args.transformer_minutes, "rnn": args.rnn_minutes}
    previous_file = RESULTS / "translation.json"
    previous = json.loads(previous_file.read_text(encoding="utf-8")) if previous_file.is_file() else {}
    runs: dict[str, dict] = {}
    for name in ("transformer", "rnn"):
        model_dir = Path(getattr(args, f"{name}_dir") or work / name)
        cfg = load_config(CONFIGS[name])
        if not args.report_only and budgets[name] > 0:
            train(prepared, model_dir, cfg, max_minutes=budgets[name])
        if not (model_dir / "model.weights.h5").is_file():
            if name in previous.get("runs", {}):
                # not re-measured now: keep the earlier measurement, labelled with its own date
                earlier = previous["runs"][name]
                since = earlier.get("carried_over_from") or previous.get("date")  # the measurement's own
                cpu = earlier.get("measured_on_cpu") or (
                    "not recorded"
                    if earlier.get("carried_over_from")
                    else previous.get("machine", {}).get("cpu_model", "not recorded")
                )
                runs[name] = {**earlier, "carried_over_from": since, "measured_on_cpu": cpu}
                log.warning("event=bench.carried_over model=%s date=%s", name, previous.get("date"))
            else:
                log.warning("event=bench.not_measured model=%s", name)
            continue
        translator = Translator.load(model_dir)
        report = evaluate(
            translator,
            sources,
            references,
            RESULTS / f"translation_{name}_test2016.json",
            beam=4,
            plot_sentence=0,
            references_from=RAW_TEST["de"],
        )
        trained = json.loads((model_dir / "train_log.json").read_text(encoding="utf-8"))
        summary = trained["summary"]
        train_src = sum(
            len(x) for x in translator.subwords.encode_source(read_lines(prepared / "train.en")[:3000])
        )
        train_tgt = sum(
            len(x) for x in translator.subwords.encode_target(read_lines(prepared / "train.de")[:3000])
        )
        flops = train_flops_per_target_token(
            cfg.model, translator.subwords.target_vocab_size, train_src / train_tgt
        )
        runs[name] = {
            "test2016_bleu": report["bleu"],
            "test2016_chrf": report["chrf"],
            "bleu_signature": report["bleu_signature"],
            "chrf_signature": report["chrf_signature"],
            "references": report["references"],
            "scored_on": "raw test_2016_flickr references, detokenised hypotheses (sacrebleu)",
            "train_hours": round(summary["elapsed_s"] / 3600, 3),
            "train_steps": summary["steps"],
            "train_epochs_completed": summary["epochs"],
            "train_target_tokens_per_s": summary["target_tokens_per_s"],
            "train_flops_per_target_token": round(flops),
            "test2016_beam4_s": report["seconds"],
            "test2016_beam4_target_tokens_per_s": report["target_tokens_per_s"],
            "model_mb": model_mb(model_dir),
            "params": json.loads((model_dir / "config.json").read_text())["params"],
            "stopped_because": summary["stopped_because"],
            "measured_on_cpu": cpu_model(),
            "history": trained["history"],
        }
        log.info("event=bench.model name=%s bleu=%.2f", name, report["bleu"])

    flops_runs.append(peak_flops())  # before and after the training: the better one is the peak
    flops = max(flops_runs, key=lambda f: f["peak_fp32_flop_per_s"])
    peak = flops["peak_fp32_flop_per_s"]
    t = runs.get("transformer", {})
    r = runs.get("rnn", {})
    transformer_dir = Path(args.transformer_dir or work / "transformer")
    result = {
        "transformer_test2016_bleu": t.get("test2016_bleu"),
        "rnn_test2016_bleu": r.get("test2016_bleu"),
        "transformer_train_hours": t.get("train_hours"),
        "train_target_tokens_per_s": t.get("train_target_tokens_per_s"),
        "test2016_beam4_s": t.get("test2016_beam4_s"),
        "model_mb": t.get("model_mb"),
        "serve_rss_mb": (
            measure_serve_rss(transformer_dir)
            if (transformer_dir / "model.weights.h5").is_file()
            else previous.get("serve_rss_mb") if t.get("carried_over_from") else None
        ),  # a carried-over run keeps its earlier figure (the model is not on disk to measure)
        "flop_limit_per_s": peak,
        "flop_limit_note": f"measured by this run, before and after training: {flops['method']} "
        f"({flops['peak_from']}); 1-min load {flops['loadavg_during'][0]} while measuring",
        "flop_limit_runs": flops_runs,
        # a share needs the rate and the peak from one run on one machine: a carried-over rate has none
        "train_flop_share": (
            round(t["train_target_tokens_per_s"] * t["train_flops_per_target_token"] / peak, 4)
            if t and not t.get("carried_over_from")
            else None
        ),
        "train_flop_share_note": (
            f"not computed: the training rate is from the run of {t['carried_over_from']} (CPU "
            f"{t.get('measured_on_cpu')}); the peak above was measured now on {cpu_model()}"
            if t.get("carried_over_from")
            else "training target tokens/s x FLOPs per target token / the measured peak"
        ),
        "splits": {"bleu": "test2016 (raw test_2016_flickr), touched once per kept change",
                   "dev_bleu_history": "val (300 sentences, greedy), during training"},  # fmt: skip
        "targets": {
            "transformer_test2016_bleu": ">= 36 within 2 h",
            "test2016_beam4_s": "<= 20",
            "model_mb": "<= 100",
            "serve_rss_mb": "<= 1024",
        },
        "runs": runs,
        "command": " ".join(["python", *sys.argv]),
        "note": args.note,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "bench_wall_s": round(time.time() - started, 1),
        "machine": describe(load_start, flops),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "translation.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    plot(runs, RESULTS / "translation_bleu_vs_time.png")
    print(f"{'metric':32} value")
    for key in (
        "transformer_test2016_bleu",
        "rnn_test2016_bleu",
        "transformer_train_hours",
        "train_target_tokens_per_s",
        "train_flop_share",
        "test2016_beam4_s",
        "model_mb",
        "serve_rss_mb",
    ):
        print(f"{key:32} {result[key]}")
    return 0


def demo() -> int:
    """The demo's trained models on the raw test split of `parley translate demo-data` (its default seed):
    the same files `make demo-translation` prepares from, scored before any cleaning."""
    import tempfile

    from bench.machine import describe
    from translation.data import read_lines
    from translation.demo_data import write_demo_data
    from translation.evaluation import evaluate
    from translation.translator import Translator

    load_start = os.getloadavg()
    models = sorted(p for p in (REPO / "demo/models/translation").glob("*") if (p / "config.json").is_file())
    result: dict = {"models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(Path(tmp))
        for model_dir in models:
            translator = Translator.load(model_dir)
            src, tgt = translator.source, translator.target
            report = evaluate(
                translator,
                read_lines(Path(tmp) / f"test.{src}"),
                read_lines(Path(tmp) / f"test.{tgt}"),
                Path(tmp) / f"{model_dir.name}.json",
                plot_sentence=None,
                references_from=Path(tmp) / f"test.{tgt}",
            )
            report["references"]["from"] = f"parley translate demo-data (seed 7): test.{tgt}, raw"
            result["models"][model_dir.name] = {
                k: report[k]
                for k in ("bleu", "chrf", "bleu_signature", "chrf_signature", "sacrebleu_version",
                          "references", "sentences_count", "beam", "seconds")
            }  # fmt: skip
            log.info("event=bench.demo model=%s bleu=%.2f", model_dir.name, report["bleu"])
    result.update(
        absent=[p for p in ("en-de", "de-en") if p not in result["models"]],
        split="demo-data test split (150 pairs), raw, not cleaned; pairs never seen in training, but made "
        "from the same templates and lexicons as the training pairs: an in-domain figure, not a general BLEU",
        multi30k="the Multi30k models of bench/results/translation.json are not on this disk; not re-scored",
        command="python bench/translation.py --demo",
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        machine=describe(load_start),
    )
    out = RESULTS / "translation_demo.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, r in result["models"].items():
        print(f"{name}: BLEU {r['bleu']:.2f} chrF {r['chrf']:.2f} ({r['sentences_count']} raw test pairs)")
    print(f"wrote {out}")
    return 0


def plot(runs: dict[str, dict], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, run in runs.items():
        points = [h for h in run["history"] if "averaged" not in h]
        (line,) = ax.plot(
            [h["elapsed_s"] / 3600 for h in points],
            [h["dev_bleu"] for h in points],
            marker="o",
            label=f"{name}: dev BLEU (300 sentences, greedy)",
        )
        ax.scatter(
            [run["train_hours"]],
            [run["test2016_bleu"]],
            marker="*",
            s=160,
            color=line.get_color(),
            label=f"{name}: test2016 BLEU, beam 4 ({run['test2016_bleu']:.1f})",
            zorder=3,
        )
    ax.axhline(36, color="grey", linestyle="--", label="target: 36 BLEU within 2 h")
    ax.set_xlabel("training time (hours, 2 shared CPU cores)")
    ax.set_ylabel("BLEU (sacrebleu)")
    ax.set_title("Multi30k English->German: BLEU against training time")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
