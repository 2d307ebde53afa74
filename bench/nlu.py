"""NLU benchmark, protocol "dev-tuned": BANKING77 (intent accuracy), BANKING77-OOS (out-of-scope
refusal) and SNIPS 2017 (intent accuracy, entity micro-F1 on exact spans) with the default pipeline (or
--config), on this machine. Writes bench/results/nlu.json and prints a table.

    .venv/bin/python bench/nlu.py                      # all three, default pipeline, seed 0
    .venv/bin/python bench/nlu.py --sets snips --config my_config.yml
    .venv/bin/python bench/nlu.py --no-test --out /tmp/dev.json   # while tuning: dev figures only

Protocol. Each set's train file is cut by `nlu.data.split.split_examples(train, 0.1, salt="dev")`: 10 %
of every intent, by a hash of the example's text, is the development split; the model is trained on
the other 90 %. Defaults are chosen on dev figures (run with --no-test); the test split (BANKING77's
test.csv, SNIPS's validate_*.json) is scored once per change kept. Every figure names its split in the
`splits` map of the JSON and its pipeline in `config_of` (-> `configs`).

BANKING77-OOS. `nlu.data.split.hashed_subset(intents, 0.25, "oos")`: the 77 intents sorted by
`example_hash(name, "oos")`, the first 19 (a quarter, rounded down) are out of scope. None of their
examples is trained on; their train examples join the dev split as out-of-scope examples, their test
examples are the test split's out-of-scope examples (label `out_of_scope`). The pipeline is the default
one plus an `OutOfScopeDetector` after the FallbackClassifier; the FallbackClassifier's thresholds and
the detector's threshold are chosen on dev (`nlu.oos.tune_refusal`: the highest dev OOS recall costing
at most --oos-max-drop of in-scope accuracy), then the test split is scored once. The closed-set figure
is the same model's top intent, refusals ignored, on the same in-scope test examples. A
confidence-threshold-only variant, tuned the same way, is reported beside it.

Seeds. --seed goes to `train_on_data` (python, numpy and TensorFlow seeds; the classifier's batch order
derives from them). `seed_repeat_identical`: BANKING77 trained twice with that seed, both models' test
predictions (intent, confidence, entities) compared.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
log = logging.getLogger("bench.nlu")

DEV_FRACTION, DEV_SALT = 0.1, "dev"
OOS_SALT, OOS_SHARE, OOS_LABEL = "oos", 0.25, "out_of_scope"
DETECTOR = {"name": "OutOfScopeDetector"}


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}


def _commit() -> str | None:
    """The git commit of the code measured (`git archive` snapshots carry it in COMMIT)."""
    import subprocess

    if (REPO / "COMMIT").is_file():
        return (REPO / "COMMIT").read_text().strip()
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True)
    except OSError:
        return None
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True)
    return out.stdout.strip() + ("+uncommitted changes" if dirty.stdout.strip() else "") or None


def _raw_pipeline(config_path: Path | None) -> tuple[str, list[dict[str, Any]]]:
    from nlu.config import DEFAULT_PIPELINE, load_pipeline_config

    if config_path is None:
        return "en", [dict(c) for c in DEFAULT_PIPELINE]
    config = load_pipeline_config(config_path)
    return config.language, [{"name": s.name, **s.raw} for s in config.components]


def _parse(model, examples) -> list:
    out = []
    for s in range(0, len(examples), 256):
        out += model.parse_batch([ex.text for ex in examples[s : s + 256]])
    return out


def _closed_set(result) -> str | None:
    """The classifier's own top intent, past any refusal put in front of it."""
    from nlu.oos import OOS_LABELS

    return next((p.name for p in result.intent_ranking if p.name not in OOS_LABELS), result.intent.name)


def _train(name: str, language: str, raw: list[dict], data, root: Path, seed: int) -> tuple[Any, dict]:
    from nlu.config import parse_pipeline
    from nlu.model import NLUModel
    from nlu.train import train_on_data

    config = parse_pipeline([dict(c) for c in raw], language, f"bench {name}")
    started = time.perf_counter()
    outcome = train_on_data(config, data, root / name, force=True, seed=seed)
    train_s = time.perf_counter() - started
    comps = outcome.summary["components"]
    info = {
        "train_s": round(train_s, 1),
        "classifier": comps.get("IntentEntityClassifier", {}),
        **({"detector": comps["OutOfScopeDetector"]} if "OutOfScopeDetector" in comps else {}),
    }
    return NLUModel.load(root / name), info


def _score(model, examples, out_dir: Path) -> tuple[Any, list]:
    from nlu.evaluate import write_reports

    results = _parse(model, examples)
    return write_reports(examples, results, out_dir), results


def _fingerprint(results) -> list:
    return [
        (r.intent.name, r.intent.confidence, [(e.entity, e.start, e.end, e.value) for e in r.entities])
        for r in results
    ]


def _split(train):
    from nlu.data.split import split_data

    return split_data(train, DEV_FRACTION, DEV_SALT)


def bench_banking77(args, language, raw, root, result, splits, config_of) -> None:
    from nlu.data.importers import read_csv

    train = read_csv(DATA / "banking77" / "train.csv")
    test = read_csv(DATA / "banking77" / "test.csv")
    fit, dev = _split(train)
    model, info = _train("banking77", language, raw, fit, root, args.seed)
    dev_summary, _ = _score(model, dev.examples, root / "banking77_dev_reports")
    result.update(
        banking77_dev_accuracy=round(100 * dev_summary.intent_accuracy, 2),
        banking77_dev_macro_f1=round(100 * dev_summary.intent_macro_f1, 2),
        banking77_train_s=info["train_s"],
        banking77_train_examples=len(fit.examples),
        banking77_dev_examples=len(dev.examples),
        banking77_classifier=info["classifier"],
    )
    splits.update(
        banking77_dev_accuracy="banking77 dev (10 % of train.csv, salt 'dev')",
        banking77_dev_macro_f1="banking77 dev",
    )
    config_of.update(banking77_dev_accuracy="default", banking77_dev_macro_f1="default")
    if args.no_test:
        return
    summary, results = _score(model, test.examples, root / "banking77_reports")
    top1 = np.mean([_closed_set(r) == ex.intent for ex, r in zip(test.examples, results, strict=True)])
    result.update(
        banking77_accuracy=round(100 * summary.intent_accuracy, 2),
        banking77_macro_f1=round(100 * summary.intent_macro_f1, 2),
        banking77_accuracy_no_fallback=round(100 * float(top1), 2),
        banking77_test_examples=len(test.examples),
    )
    for key in ("banking77_accuracy", "banking77_macro_f1", "banking77_accuracy_no_fallback"):
        splits[key] = "banking77 test (official test.csv)"
        config_of[key] = "default"
    if args.seed_repeat:
        again, _ = _train("banking77_repeat", language, raw, fit, root, args.seed)
        first, second = _fingerprint(results), _fingerprint(_parse(again, test.examples))
        result.update(
            seed=args.seed,
            seed_repeat_identical=first == second,
            seed_repeat_same_intents=sum(a[0] == b[0] for a, b in zip(first, second, strict=True)),
            seed_repeat_max_confidence_diff=max(abs(a[1] - b[1]) for a, b in zip(first, second, strict=True)),
            seed_repeat_note="BANKING77 (dev-tuned train part) trained twice with --seed; identical = "
            "every test prediction's intent, confidence and entities equal",
        )
        splits["seed_repeat_identical"] = "banking77 test"
        config_of["seed_repeat_identical"] = "default"


def _oos_arrays(model, examples) -> dict[str, np.ndarray]:
    """Per example: the classifier's top intent, its confidence, the gap to the second and the
    detector's score, with the pipeline's refusing components left out."""
    from nlu.components.base import Message

    messages = [Message(ex.text) for ex in examples]
    detector = None
    for comp in model.pipeline.components:
        if comp.name == "OutOfScopeDetector":
            detector = comp
        elif comp.name != "FallbackClassifier":
            comp.process(messages)
    conf = np.array([m.intent.confidence if m.intent else 0.0 for m in messages])
    second = np.array([m.ranking[1].confidence if len(m.ranking) > 1 else 0.0 for m in messages])
    out = {
        "intent": np.array([m.intent.name if m.intent else None for m in messages], dtype=object),
        "confidence": conf,
        "gap": conf - second,
        "score": None if detector is None else detector.scores(messages),
        "distance": None,
    }
    if detector is not None:  # the distance part alone, for tuning the confidence weight
        weighted = detector.config
        detector.config = dataclasses.replace(weighted, confidence_weight=0.0)
        out["distance"] = detector.scores(messages)
        detector.config = weighted
    return out


def _with_weight(d: dict[str, np.ndarray], weight: float) -> np.ndarray:
    return d["distance"] + weight * -np.log(np.clip(d["confidence"], 1e-12, 1.0))


def bench_banking77_oos(args, language, raw, root, result, splits, config_of, configs) -> None:
    from nlu.data.importers import read_csv
    from nlu.data.split import hashed_subset
    from nlu.oos import oos_report, refused, tune_refusal

    train = read_csv(DATA / "banking77" / "train.csv")
    test = read_csv(DATA / "banking77" / "test.csv")
    held_out = set(hashed_subset(train.intents, OOS_SHARE, OOS_SALT))
    fit, dev = _split(train)
    fit_in = fit.with_examples([ex for ex in fit.examples if ex.intent not in held_out])
    relabel = lambda ex: dataclasses.replace(ex, intent=OOS_LABEL)  # noqa: E731
    dev_ex = [ex for ex in dev.examples if ex.intent not in held_out]
    dev_ex += [relabel(ex) for ex in train.examples if ex.intent in held_out]
    test_ex = [ex if ex.intent not in held_out else relabel(ex) for ex in test.examples]

    pipeline = [*(dict(c) for c in raw), dict(DETECTOR, **args.detector)]
    model, info = _train("banking77_oos", language, pipeline, fit_in, root, args.seed)
    # Tune on dev: the FallbackClassifier's thresholds with and without the detector.
    d = _oos_arrays(model, dev_ex)
    truth = np.array([ex.intent for ex in dev_ex], dtype=object)
    is_oos, correct = truth == OOS_LABEL, d["intent"] == truth
    budget = args.oos_max_drop / 100
    by_weight = {
        w: tune_refusal(
            correct, is_oos, d["confidence"], d["gap"], _with_weight(d, w), max_inscope_drop=budget
        )
        for w in args.confidence_weights
    }
    weight = max(by_weight, key=lambda w: (by_weight[w].oos_recall, -by_weight[w].inscope_drop, -w))
    both = by_weight[weight]
    plain = tune_refusal(correct, is_oos, d["confidence"], d["gap"], None, max_inscope_drop=budget)
    tuned = []
    for c in pipeline:
        if c["name"] == "FallbackClassifier":
            c = {**c, "threshold": both.threshold, "ambiguity_threshold": both.ambiguity_threshold}
        if c["name"] == "OutOfScopeDetector":
            c = {**c, "threshold": both.detector_threshold, "confidence_weight": weight}
        tuned.append(c)
    configs["banking77_oos"] = tuned
    dev_closed = float(np.mean(correct[~is_oos]))
    result.update(
        banking77_oos_intents=sorted(held_out),
        banking77_oos_rule="nlu.data.split.hashed_subset(intents, 0.25, 'oos'): the 77 intent names "
        "sorted by example_hash(name, 'oos'), the first 19 are out of scope (never trained on; label "
        "out_of_scope in dev and test)",
        banking77_oos_train_examples=len(fit_in.examples),
        banking77_oos_dev_examples={"inscope": int((~is_oos).sum()), "oos": int(is_oos.sum())},
        banking77_oos_train_s=info["train_s"],
        banking77_oos_detector=info.get("detector", {}),
        banking77_oos_dev_closed_set_accuracy=round(100 * dev_closed, 2),
        banking77_oos_dev_tuned={
            "detector": {"confidence_weight": weight, **dataclasses.asdict(both)},
            "by_confidence_weight": {str(w): c.oos_recall for w, c in by_weight.items()},
            "threshold_only": dataclasses.asdict(plain),
            "rule": f"highest dev OOS recall with dev in-scope accuracy loss <= {args.oos_max_drop} points",
        },
    )
    splits.update(banking77_oos_dev_tuned="banking77-oos dev (in-scope dev + held-out intents' train)")
    config_of.update(banking77_oos_dev_tuned="banking77_oos")
    if args.no_test:
        return
    # The test split, once: the real pipeline with the thresholds chosen on dev.
    for comp in model.pipeline.components:
        if comp.name == "FallbackClassifier":
            comp.config = dataclasses.replace(
                comp.config, threshold=both.threshold, ambiguity_threshold=both.ambiguity_threshold
            )
        if comp.name == "OutOfScopeDetector":
            comp.config = dataclasses.replace(comp.config, confidence_weight=weight)
            comp.threshold = both.detector_threshold
    results = _parse(model, test_ex)
    truth_t = [ex.intent for ex in test_ex]
    report = oos_report(truth_t, [r.intent.name for r in results])
    closed = [_closed_set(r) for r in results]
    inscope = [i for i, t in enumerate(truth_t) if t != OOS_LABEL]
    closed_acc = float(np.mean([closed[i] == truth_t[i] for i in inscope]))
    t = _oos_arrays(model, test_ex)  # the same decisions from the arrays: a check of the simulation
    sim = refused(
        t["confidence"],
        t["gap"],
        t["score"],
        both.threshold,
        both.ambiguity_threshold,
        both.detector_threshold,
    )
    real = np.array([r.intent.name == "nlu_fallback" for r in results])
    only = oos_report(
        truth_t,
        [
            "nlu_fallback" if r else p
            for p, r in zip(
                t["intent"],
                refused(t["confidence"], t["gap"], None, plain.threshold, plain.ambiguity_threshold, None),
                strict=True,
            )
        ],
    )
    result.update(
        banking77_oos_recall=round(100 * report.oos_recall, 2),
        banking77_oos_precision=round(100 * report.oos_precision, 2),
        banking77_oos_inscope_accuracy=round(100 * report.inscope_accuracy, 2),
        banking77_oos_closed_set_accuracy=round(100 * closed_acc, 2),
        banking77_oos_inscope_drop=round(100 * (closed_acc - report.inscope_accuracy), 2),
        banking77_oos_test_examples={"inscope": report.inscope_examples, "oos": report.oos_examples},
        banking77_oos_report=report.to_dict(),
        banking77_oos_threshold_only={
            "oos_recall": round(100 * only.oos_recall, 2),
            "oos_precision": round(100 * only.oos_precision, 2),
            "inscope_accuracy": round(100 * only.inscope_accuracy, 2),
        },
        banking77_oos_simulation_matches=bool((sim == real).all()),
    )
    for key in (
        "banking77_oos_recall",
        "banking77_oos_precision",
        "banking77_oos_inscope_accuracy",
        "banking77_oos_closed_set_accuracy",
        "banking77_oos_inscope_drop",
        "banking77_oos_threshold_only",
    ):
        splits[key] = "banking77-oos test (test.csv; held-out intents relabelled out_of_scope)"
        config_of[key] = "banking77_oos"


def bench_snips(args, language, raw, root, result, splits, config_of) -> None:
    from nlu.data.importers import read_snips

    folder = DATA / "snips_nlu_benchmark_2017"
    train = read_snips(sorted(folder.glob("*/train_*_full.json")))
    test = read_snips(sorted(folder.glob("*/validate_*.json")))
    fit, dev = _split(train)
    model, info = _train("snips", language, raw, fit, root, args.seed)
    dev_summary, _ = _score(model, dev.examples, root / "snips_dev_reports")
    result.update(
        snips_dev_intent_accuracy=round(100 * dev_summary.intent_accuracy, 2),
        snips_dev_entity_f1=round(100 * (dev_summary.entity_micro_f1 or 0.0), 2),
        snips_train_s=info["train_s"],
        snips_train_examples=len(fit.examples),
        snips_dev_examples=len(dev.examples),
        snips_classifier=info["classifier"],
    )
    for key in ("snips_dev_intent_accuracy", "snips_dev_entity_f1"):
        splits[key] = "snips dev (10 % of train_*_full.json, salt 'dev')"
        config_of[key] = "default"
    if args.no_test:
        return
    summary, _ = _score(model, test.examples, root / "snips_reports")
    result.update(
        snips_intent_accuracy=round(100 * summary.intent_accuracy, 2),
        snips_entity_f1=round(100 * (summary.entity_micro_f1 or 0.0), 2),
        snips_test_examples=len(test.examples),
    )
    for key in ("snips_intent_accuracy", "snips_entity_f1"):
        splits[key] = "snips test (validate_*.json)"
        config_of[key] = "default"
    p50, p99 = _latency(
        root / "snips",
        [ex.text for ex in fit.examples[:20]],
        list(dict.fromkeys(ex.text for ex in test.examples)),
    )
    result.update(
        parse_p50_ms=round(p50, 2),
        parse_p99_ms=round(p99, 2),
        parse_latency_note="one utterance per call, in-process, SNIPS model (intent + entities); "
        "the 700 test texts each parsed once by a freshly loaded model (no embedding-cache hits)",
    )
    splits.update(parse_p50_ms="snips test texts", parse_p99_ms="snips test texts")


def _latency(model_dir: Path, warmup: list[str], texts: list[str]) -> tuple[float, float]:
    """p50 / p99 of `parse` on texts the freshly loaded model has never seen (no embedding-cache hits)."""
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
        default=["banking77", "banking77_oos", "snips"],
        choices=["banking77", "banking77_oos", "snips"],
        help="which benchmarks to run (default all)",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="config.yml with the pipeline (default: Parley's)"
    )
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument(
        "--no-seed-repeat",
        dest="seed_repeat",
        action="store_false",
        help="skip the second BANKING77 training that checks seed determinism",
    )
    parser.add_argument(
        "--no-test", action="store_true", help="dev figures only (for tuning): the test split is not read"
    )
    parser.add_argument(
        "--oos-max-drop",
        type=float,
        default=1.5,
        help="in-scope accuracy points the tuned refusals may cost on dev (default 1.5)",
    )
    parser.add_argument(
        "--confidence-weights",
        type=float,
        nargs="+",
        default=[0.0, 0.5, 1.0, 2.0, 4.0, 8.0],
        help="OutOfScopeDetector confidence_weight values tried on dev (default 0 0.5 1 2 4 8)",
    )
    parser.add_argument(
        "--detector",
        type=json.loads,
        default={},
        help='OutOfScopeDetector options as JSON, e.g. \'{"method": "cosine"}\'',
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "nlu.json", help="result JSON"
    )
    parser.add_argument(
        "--reports", type=Path, default=None, help="keep models and reports here (default: temp)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    language, raw = _raw_pipeline(args.config)
    result: dict = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {**_machine(), "loadavg_start": os.getloadavg()},
        "protocol": "dev-tuned",
        "protocol_note": "train = 90 % of each train file, dev = the other 10 % (split_examples(train, "
        "0.1, salt='dev'): stratified, by a hash of the text); choices made on dev, test scored once",
        "pipeline": raw,
        "test_evaluated": not args.no_test,
        "commit": _commit(),
    }
    splits: dict[str, str] = {}
    config_of: dict[str, str] = {}
    configs: dict[str, Any] = {"default": raw}
    if args.out.exists():  # keep the other sets' figures when running some
        previous = json.loads(args.out.read_text())
        splits.update(previous.get("splits", {}))
        config_of.update(previous.get("config_of", {}))
        configs = {**previous.get("configs", {}), **configs}
        result = {**{k: v for k, v in previous.items() if k not in result}, **result}

    def write() -> None:  # after each set, so that a later failure keeps what was measured
        result.update(splits=splits, config_of=config_of, configs=configs)
        result["machine"]["loadavg_end"] = os.getloadavg()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, default=float) + "\n")

    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        root = args.reports or Path(tmp)
        if "banking77" in args.sets:
            bench_banking77(args, language, raw, root, result, splits, config_of)
            write()
        if "banking77_oos" in args.sets:
            bench_banking77_oos(args, language, raw, root, result, splits, config_of, configs)
            write()
        if "snips" in args.sets:
            bench_snips(args, language, raw, root, result, splits, config_of)
            write()
    rows = [
        ("BANKING77 dev accuracy", "banking77_dev_accuracy", "%"),
        ("BANKING77 test accuracy", "banking77_accuracy", "%"),
        ("BANKING77-OOS OOS recall", "banking77_oos_recall", "%"),
        ("BANKING77-OOS OOS precision", "banking77_oos_precision", "%"),
        ("BANKING77-OOS in-scope acc", "banking77_oos_inscope_accuracy", "%"),
        ("  closed-set, same examples", "banking77_oos_closed_set_accuracy", "%"),
        ("SNIPS dev intent accuracy", "snips_dev_intent_accuracy", "%"),
        ("SNIPS dev entity micro-F1", "snips_dev_entity_f1", "%"),
        ("SNIPS test intent accuracy", "snips_intent_accuracy", "%"),
        ("SNIPS test entity micro-F1", "snips_entity_f1", "%"),
        ("BANKING77 training", "banking77_train_s", "s"),
        ("SNIPS training", "snips_train_s", "s"),
        ("parse p50", "parse_p50_ms", "ms"),
        ("parse p99", "parse_p99_ms", "ms"),
        ("seed repeat identical", "seed_repeat_identical", ""),
    ]
    for label, key, unit in rows:
        if key in result:
            print(f"{label:30s} {result[key]!s:>8} {unit}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
