"""`parley test nlu`: intent and entity reports, plots and errors for a model on test data, and
cross-validation. Like `rasa test nlu`, into one output folder:

    intent_report.json            per intent precision / recall / f1-score / support, accuracy, averages
    intent_confusion_matrix.png   rows: true intent, columns: predicted
    intent_histogram.png          confidence of correct vs wrong predictions
    entity_report.json            per entity precision / recall / f1 on exact spans, micro and macro averages
    errors.json                   every example with a wrong intent or wrong entities
    response_selection_report.json  (with a ResponseSelector) per `faq/<key>`, as for the intents
    cross_validation.json         (with --cross-validation) per-fold figures, mean and std
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.data.split import folds as make_folds
from nlu.data.training_data import Example, TrainingData
from nlu.results import ParseResult

log = logging.getLogger(__name__)
REPORT_FILES = (
    "intent_report.json",
    "intent_confusion_matrix.png",
    "intent_histogram.png",
    "entity_report.json",
    "errors.json",
)


@dataclass(frozen=True)
class EvaluationSummary:
    examples: int
    intent_accuracy: float
    intent_macro_f1: float
    intent_weighted_f1: float
    entity_micro_f1: float | None
    out_dir: Path
    response_selection_accuracy: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 6), "recall": round(r, 6), "f1-score": round(f, 6)}


def intent_report(truth: Sequence[str], predicted: Sequence[str | None]) -> dict[str, Any]:
    labels = sorted(set(truth) | {p for p in predicted if p is not None})
    tp, fp, fn = Counter(), Counter(), Counter()
    confused: dict[str, Counter] = defaultdict(Counter)
    for t, p in zip(truth, predicted, strict=True):
        if t == p:
            tp[t] += 1
        else:
            fn[t] += 1
            if p is not None:
                fp[p] += 1
            confused[t][str(p)] += 1
    support = Counter(truth)
    report: dict[str, Any] = {}
    for label in labels:
        report[label] = {
            **_prf(tp[label], fp[label], fn[label]),
            "support": support[label],
            "confused_with": dict(confused[label].most_common(3)),
        }
    n = len(truth)
    report["accuracy"] = round(sum(tp.values()) / n, 6) if n else 0.0
    true_labels = [lab for lab in labels if support[lab]]
    for avg, weights in (("macro avg", {lab: 1 for lab in true_labels}), ("weighted avg", support)):
        total = sum(weights[lab] for lab in true_labels) or 1
        report[avg] = {
            k: round(sum(report[lab][k] * weights[lab] for lab in true_labels) / total, 6)
            for k in ("precision", "recall", "f1-score")
        } | {"support": n}
    return report


def _spans(entities) -> set[tuple[int, int, str]]:
    return {(e.start, e.end, e.entity) for e in entities}


def entity_report(examples: Sequence[Example], results: Sequence[ParseResult]) -> dict[str, Any]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for ex, res in zip(examples, results, strict=True):
        gold, pred = _spans(ex.entities), _spans(res.entities)
        for s in gold & pred:
            tp[s[2]] += 1
        for s in pred - gold:
            fp[s[2]] += 1
        for s in gold - pred:
            fn[s[2]] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    report: dict[str, Any] = {
        lab: {**_prf(tp[lab], fp[lab], fn[lab]), "support": tp[lab] + fn[lab]} for lab in labels
    }
    report["micro avg"] = {
        **_prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
        "support": sum(tp.values()) + sum(fn.values()),
    }
    gold_labels = [lab for lab in labels if report[lab]["support"]]
    report["macro avg"] = {
        k: round(sum(report[lab][k] for lab in gold_labels) / max(len(gold_labels), 1), 6)
        for k in ("precision", "recall", "f1-score")
    } | {"support": report["micro avg"]["support"]}
    return report


def error_list(examples: Sequence[Example], results: Sequence[ParseResult]) -> list[dict[str, Any]]:
    errors = []
    for ex, res in zip(examples, results, strict=True):
        wrong_intent = res.intent.name != ex.intent
        wrong_entities = _spans(ex.entities) != _spans(res.entities)
        if wrong_intent or wrong_entities:
            errors.append(
                {
                    "text": ex.text,
                    "intent": ex.intent,
                    "intent_prediction": res.intent.to_dict(),
                    "entities": [a.to_dict() for a in ex.entities],
                    "predicted_entities": [e.to_dict() for e in res.entities],
                    "wrong": [
                        w for w, bad in (("intent", wrong_intent), ("entities", wrong_entities)) if bad
                    ],
                }
            )
    errors.sort(key=lambda e: -e["intent_prediction"]["confidence"])
    return errors


def write_reports(
    examples: Sequence[Example], results: Sequence[ParseResult], out_dir: Path
) -> EvaluationSummary:
    from nlu.plots import plot_confusion_matrix, plot_histogram

    out_dir.mkdir(parents=True, exist_ok=True)
    truth = [ex.intent for ex in examples]
    predicted = [r.intent.name for r in results]
    intents = intent_report(truth, predicted)
    entities = entity_report(examples, results)
    _write_json(out_dir / "intent_report.json", intents)
    _write_json(out_dir / "entity_report.json", entities)
    _write_json(out_dir / "errors.json", error_list(examples, results))
    plot_confusion_matrix(truth, predicted, out_dir / "intent_confusion_matrix.png")
    confidences = [r.intent.confidence for r in results]
    correct = [t == p for t, p in zip(truth, predicted, strict=True)]
    plot_histogram(confidences, correct, out_dir / "intent_histogram.png")
    has_entities = any(ex.entities for ex in examples)
    selection = response_selection_report(examples, results)
    if selection is not None:
        _write_json(out_dir / "response_selection_report.json", selection)
    return EvaluationSummary(
        response_selection_accuracy=None if selection is None else selection["accuracy"],
        examples=len(examples),
        intent_accuracy=intents["accuracy"],
        intent_macro_f1=intents["macro avg"]["f1-score"],
        intent_weighted_f1=intents["weighted avg"]["f1-score"],
        entity_micro_f1=entities["micro avg"]["f1-score"] if has_entities else None,
        out_dir=out_dir,
    )


def response_selection_report(
    examples: Sequence[Example], results: Sequence[ParseResult]
) -> dict[str, Any] | None:
    """Rasa's response selection report: the selected `faq/<key>` against the example's, for the
    examples of retrieval intents; None without a ResponseSelector."""
    keyed = [(ex, r) for ex, r in zip(examples, results, strict=True) if ex.response_key]
    if not keyed or not any(r.response_selector for _, r in keyed):
        return None
    predicted = []
    for ex, r in keyed:
        found = r.response_selector or {}
        selector = found.get(ex.intent) or found.get("default") or {}
        predicted.append((selector.get("response") or {}).get("intent_response_key"))
    return intent_report([str(ex.response_key) for ex, _ in keyed], predicted)


def evaluate_model(model, data: TrainingData, out_dir: Path) -> EvaluationSummary:
    """Parse every example of `data` with `model` (an `NLUModel`) and write the reports."""
    from tqdm import tqdm

    examples = data.examples
    results: list[ParseResult] = []
    for s in tqdm(
        range(0, len(examples), 256),
        desc="evaluating",
        unit="batch",
        leave=False,
        disable=len(examples) < 512,
    ):
        results.extend(model.parse_batch([ex.text for ex in examples[s : s + 256]]))
    summary = write_reports(examples, results, Path(out_dir))
    log.info("event=nlu.evaluate.done %s", " ".join(f"{k}={v}" for k, v in summary.to_dict().items()))
    return summary


def cross_validate(
    config, data: TrainingData, n_folds: int, out_dir: Path, seed: int | None = None
) -> dict[str, Any]:
    """Train on n-1 folds, test on the held-out one, n times. Reports over all held-out predictions,
    plus `cross_validation.json` with each fold's figures and their mean and std."""
    import statistics

    from nlu.model import NLUModel
    from nlu.train import train_on_data

    out_dir = Path(out_dir)
    all_examples: list[Example] = []
    all_results: list[ParseResult] = []
    per_fold = []
    for k, (train, test) in enumerate(make_folds(data.examples, n_folds)):
        if not test:
            continue
        log.info("event=nlu.cv.fold fold=%d/%d train=%d test=%d", k + 1, n_folds, len(train), len(test))
        with tempfile.TemporaryDirectory(prefix="parley-cv-") as tmp:
            train_on_data(config, data.with_examples(train), Path(tmp) / "model", force=True, seed=seed)
            model = NLUModel.load(Path(tmp) / "model")
            results = model.parse_batch([ex.text for ex in test])
        fold = write_reports(test, results, out_dir / f"fold_{k + 1}")
        per_fold.append(fold.to_dict())
        all_examples += test
        all_results += results
    total = write_reports(all_examples, all_results, out_dir)
    summary: dict[str, Any] = {"folds": per_fold, "overall": total.to_dict()}
    for key in ("intent_accuracy", "intent_macro_f1", "entity_micro_f1"):
        values = [f[key] for f in per_fold if f[key] is not None]
        if values:
            summary[f"{key}_mean"] = round(statistics.mean(values), 6)
            summary[f"{key}_std"] = round(statistics.pstdev(values), 6)
    _write_json(out_dir / "cross_validation.json", summary)
    return summary


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False))
