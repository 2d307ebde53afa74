"""NLU benchmark: BANKING77 (intent accuracy) and SNIPS 2017 (intent accuracy, entity micro-F1 on exact
spans), trained on the full train sets and scored on the official test sets, with the default
pipeline (or --config), on this machine. Writes bench/results/nlu.json and prints a table.

    .venv/bin/python bench/nlu.py                  # both sets, default pipeline
    .venv/bin/python bench/nlu.py --sets snips --config my_config.yml
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
log = logging.getLogger("bench.nlu")


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}


def _pipeline(config_path: Path | None):
    from nlu.config import DEFAULT_PIPELINE, load_pipeline_config, parse_pipeline

    if config_path is not None:
        return load_pipeline_config(config_path)
    return parse_pipeline([dict(c) for c in DEFAULT_PIPELINE], "en", "default pipeline")


def _train_and_test(name: str, config, train, test, out_root: Path) -> tuple[dict, object]:
    from nlu.evaluate import write_reports
    from nlu.model import NLUModel
    from nlu.train import train_on_data

    model_dir = out_root / name
    started = time.perf_counter()
    outcome = train_on_data(config, train, model_dir, force=True, seed=0)
    train_s = time.perf_counter() - started
    model = NLUModel.load(model_dir)
    started = time.perf_counter()
    results = []
    for s in range(0, len(test.examples), 256):
        results += model.parse_batch([ex.text for ex in test.examples[s : s + 256]])
    test_s = time.perf_counter() - started
    summary = write_reports(test.examples, results, out_root / f"{name}_reports")
    log.info("%s: %s train_s=%.1f", name, summary.to_dict(), train_s)
    return {
        "train_s": round(train_s, 1),
        "test_s": round(test_s, 1),
        "summary": summary,
        "classifier": outcome.summary["components"].get("IntentEntityClassifier", {}),
    }, model


def _latency(model_dir: Path, warmup: list[str], texts: list[str]) -> tuple[float, float]:
    """p50 / p99 of `parse` on texts the freshly loaded model has never seen (no embedding-cache hits)."""
    import numpy as np

    from nlu.model import NLUModel

    model = NLUModel.load(model_dir)
    for text in warmup:
        model.parse(text)
    times = []
    for text in texts:
        started = time.perf_counter()
        model.parse(text)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        nargs="+",
        default=["banking77", "snips"],
        choices=["banking77", "snips"],
        help="which benchmarks to run (default both)",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="config.yml with the pipeline (default: Parley's)"
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "nlu.json", help="result JSON"
    )
    parser.add_argument(
        "--reports", type=Path, default=None, help="keep models and reports here (default: temp)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from nlu.data.importers import read_csv, read_snips

    config = _pipeline(args.config)
    result: dict = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {**_machine(), "loadavg_start": os.getloadavg()},
        "pipeline": config.to_dict()["pipeline"],
    }
    if args.out.exists():  # keep the other set's figures when running one set
        previous = json.loads(args.out.read_text())
        result = {**{k: v for k, v in previous.items() if k not in result}, **result}
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        root = args.reports or Path(tmp)
        if "banking77" in args.sets:
            train = read_csv(DATA / "banking77" / "train.csv")
            test = read_csv(DATA / "banking77" / "test.csv")
            run, _ = _train_and_test("banking77", config, train, test, root)
            result.update(
                banking77_accuracy=round(100 * run["summary"].intent_accuracy, 2),
                banking77_macro_f1=round(100 * run["summary"].intent_macro_f1, 2),
                banking77_train_s=run["train_s"],
                banking77_train_examples=len(train.examples),
                banking77_test_examples=len(test.examples),
                banking77_classifier=run["classifier"],
            )
        if "snips" in args.sets:
            folder = DATA / "snips_nlu_benchmark_2017"
            train = read_snips(sorted(folder.glob("*/train_*_full.json")))
            test = read_snips(sorted(folder.glob("*/validate_*.json")))
            run, _ = _train_and_test("snips", config, train, test, root)
            p50, p99 = _latency(
                root / "snips",
                [ex.text for ex in train.examples[:20]],
                list(dict.fromkeys(ex.text for ex in test.examples)),
            )
            result.update(
                snips_intent_accuracy=round(100 * run["summary"].intent_accuracy, 2),
                snips_entity_f1=round(100 * (run["summary"].entity_micro_f1 or 0.0), 2),
                snips_train_s=run["train_s"],
                snips_train_examples=len(train.examples),
                snips_test_examples=len(test.examples),
                snips_classifier=run["classifier"],
            )
            result.update(
                parse_p50_ms=round(p50, 2),
                parse_p99_ms=round(p99, 2),
                parse_latency_note="one utterance per call, in-process, SNIPS model (intent + entities); "
                "the 700 "
                "test texts each parsed once by a freshly loaded model (no embedding-cache hits)",
            )
    result["machine"]["loadavg_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    rows = [
        ("BANKING77 intent accuracy", "banking77_accuracy", "%"),
        ("SNIPS intent accuracy", "snips_intent_accuracy", "%"),
        ("SNIPS entity micro-F1", "snips_entity_f1", "%"),
        ("BANKING77 training", "banking77_train_s", "s"),
        ("SNIPS training", "snips_train_s", "s"),
        ("parse p50", "parse_p50_ms", "ms"),
        ("parse p99", "parse_p99_ms", "ms"),
    ]
    for label, key, unit in rows:
        if key in result:
            print(f"{label:28s} {result[key]:>8} {unit}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
