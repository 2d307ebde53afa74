"""`parley test nlu`: intent and entity reports, plots and errors for a model on test data, and
cross-validation. Like `rasa test nlu`, into one output folder:

    intent_report.json            per intent precision / recall / f1-score / support, accuracy, averages
    intent_confusion_matrix.png   rows: true intent, columns: predicted; past 30 intents only the 30
                                  involved in the most confusions, clustered (nlu/plots.py)
    intent_confusions.json        the most frequent (true, predicted) confusions
    intent_histogram.png          the classifier's own top confidence, correct vs wrong, refusals marked
    entity_report.json            (test data with entities) per entity precision / recall / f1 on exact
                                  spans, micro and macro averages
    oos_report.json               (test data with an out-of-scope label) in-scope accuracy, OOS recall
                                  and precision (nlu/oos.py)
    errors.json                   every example with a wrong intent or wrong entities
    response_selection_report.json  (with a ResponseSelector) per `faq/<key>`, as for the intents
    cross_validation.json         (with --cross-validation) per-fold figures, mean and std

A test example labelled with one of the out-of-scope labels (`nlu_fallback`, `out_of_scope` and any
given) is answered right by a refusal: any prediction in those labels. FallbackClassifier (and
OutOfScopeDetector) put `nlu_fallback` first in the ranking with their own confidence, so the reports
take the classifier's real top intent and confidence from the entry after it (`top_intent`).
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.components.fallback import FALLBACK_INTENT
from nlu.data.split import folds as make_folds
from nlu.data.training_data import Example, TrainingData
from nlu.oos import oos_labels_from, oos_report
from nlu.results import IntentPrediction, ParseResult

log = logging.getLogger(__name__)
REPORT_FILES = (
    "intent_report.json",
    "intent_confusion_matrix.png",
    "intent_histogram.png",
    "intent_confusions.json",
    "errors.json",
)  # always written; entity_report.json and oos_report.json only when the test data calls for them
TOP_CONFUSIONS = 20


@dataclass(frozen=True)
class EvaluationSummary:
    examples: int
    intent_accuracy: float
    intent_macro_f1: float
    intent_weighted_f1: float
    entity_micro_f1: float | None  # None: the test data has no entities
    out_dir: Path
    response_selection_accuracy: float | None = None
    oos_examples: int = 0
    inscope_accuracy: float | None = None  # these three: None without out-of-scope test examples
    oos_recall: float | None = None
    oos_precision: float | None = None
    refused: int = 0  # predictions that were a refusal (nlu_fallback or another out-of-scope label)
    top_confusions: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}
        out["top_confusions"] = list(self.top_confusions)
        return out


def top_intent(result: ParseResult) -> IntentPrediction:
    """The classifier's own top intent and confidence. A refusal puts `nlu_fallback` (confidence: the
    fallback's threshold or the detector's score) first in the ranking; the classifier's top is next."""
    ranking = result.intent_ranking
    if is_fallback(result) and len(ranking) > 1:
        return ranking[1]
    return result.intent


def is_fallback(result: ParseResult) -> bool:
    ranking = result.intent_ranking
    return result.intent.name == FALLBACK_INTENT and bool(ranking) and ranking[0] == result.intent


def scored(truth: Sequence[str], predicted: Sequence[str | None], oos_labels: frozenset[str]) -> list:
    """The predictions as the reports score them: a refusal (any out-of-scope label) of an
    out-of-scope example is right, so it takes the example's own label; when the test data has one
    out-of-scope label, every refusal takes it (one `refused` row and column in the matrix)."""
    present = {t for t in truth if t in oos_labels}
    only = next(iter(present)) if len(present) == 1 else None
    return [
        t if t in oos_labels and p in oos_labels else (only if only and p in oos_labels else p)
        for t, p in zip(truth, predicted, strict=True)
    ]


def top_confusions(
    truth: Sequence[str], predicted: Sequence[str | None], n: int = TOP_CONFUSIONS
) -> list[dict[str, Any]]:
    """The n most frequent (true intent, predicted intent) pairs that differ, most frequent first."""
    pairs = Counter((t, str(p)) for t, p in zip(truth, predicted, strict=True) if t != p)
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [{"intent": t, "predicted": p, "count": c} for (t, p), c in ranked]


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


def error_list(
    examples: Sequence[Example],
    results: Sequence[ParseResult],
    predicted: Sequence[str | None] | None = None,
    with_entities: bool = True,
) -> list[dict[str, Any]]:
    """Each wrong example: `predicted` is the decision scored (a refusal of an out-of-scope example is
    right), `intent_prediction` the classifier's own top intent and confidence, `fallback` whether the
    decision was a fallback refusal. Most confident first."""
    if predicted is None:
        predicted = [r.intent.name for r in results]
    errors = []
    for ex, res, decision in zip(examples, results, predicted, strict=True):
        wrong_intent = decision != ex.intent
        wrong_entities = with_entities and _spans(ex.entities) != _spans(res.entities)
        if wrong_intent or wrong_entities:
            errors.append(
                {
                    "text": ex.text,
                    "intent": ex.intent,
                    "predicted": res.intent.name,
                    "intent_prediction": top_intent(res).to_dict(),
                    "fallback": is_fallback(res),
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
    examples: Sequence[Example],
    results: Sequence[ParseResult],
    out_dir: Path,
    *,
    oos_labels: Iterable[str] | None = None,
) -> EvaluationSummary:
    """All report files of `results` against `examples` into `out_dir`. `oos_labels`: out-of-scope
    labels beyond `nlu_fallback` and `out_of_scope`."""
    from nlu.plots import plot_confusion_matrix, plot_histogram

    out_dir.mkdir(parents=True, exist_ok=True)
    labels = oos_labels_from(oos_labels)
    truth = [ex.intent for ex in examples]
    predicted = scored(truth, [r.intent.name for r in results], labels)
    intents = intent_report(truth, predicted)
    _write_json(out_dir / "intent_report.json", intents)
    confusions = top_confusions(truth, predicted)
    _write_json(
        out_dir / "intent_confusions.json",
        {
            "intents": len(set(truth)),
            "wrong": sum(t != p for t, p in zip(truth, predicted, strict=True)),
            "top_confusions": confusions,
        },
    )
    has_entities = any(ex.entities for ex in examples)
    entity_micro_f1 = None
    if has_entities:
        entities = entity_report(examples, results)
        _write_json(out_dir / "entity_report.json", entities)
        entity_micro_f1 = entities["micro avg"]["f1-score"]
    else:  # nothing to measure: no file, no figure (and no stale one from an earlier run)
        (out_dir / "entity_report.json").unlink(missing_ok=True)
    oos = oos_report(truth, [r.intent.name for r in results], labels)
    if oos is not None:
        _write_json(out_dir / "oos_report.json", {**oos.to_dict(), "oos_labels": sorted(labels)})
    else:
        (out_dir / "oos_report.json").unlink(missing_ok=True)
    _write_json(out_dir / "errors.json", error_list(examples, results, predicted, has_entities))
    plot_confusion_matrix(truth, predicted, out_dir / "intent_confusion_matrix.png")
    tops = [top_intent(r) for r in results]
    refusals = [r.intent.name in labels for r in results]
    plot_histogram(
        [t.confidence for t in tops],
        [t == p for t, p in zip(truth, predicted, strict=True)],
        out_dir / "intent_histogram.png",
        refused=refusals,
    )
    selection = response_selection_report(examples, results)
    if selection is not None:
        _write_json(out_dir / "response_selection_report.json", selection)
    return EvaluationSummary(
        response_selection_accuracy=None if selection is None else selection["accuracy"],
        examples=len(examples),
        intent_accuracy=intents["accuracy"],
        intent_macro_f1=intents["macro avg"]["f1-score"],
        intent_weighted_f1=intents["weighted avg"]["f1-score"],
        entity_micro_f1=entity_micro_f1,
        out_dir=out_dir,
        oos_examples=0 if oos is None else oos.oos_examples,
        inscope_accuracy=None if oos is None else round(oos.inscope_accuracy, 6),
        oos_recall=None if oos is None else round(oos.oos_recall, 6),
        oos_precision=None if oos is None else round(oos.oos_precision, 6),
        refused=sum(refusals),
        top_confusions=tuple(confusions),
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


def parse_all(model, texts: Sequence[str], desc: str = "evaluating") -> list[ParseResult]:
    """`model.parse_batch` in batches of 256, with a progress bar past 512 texts."""
    from tqdm import tqdm

    results: list[ParseResult] = []
    for s in tqdm(range(0, len(texts), 256), desc=desc, unit="batch", leave=False, disable=len(texts) < 512):
        results.extend(model.parse_batch(list(texts[s : s + 256])))
    return results


def evaluate_model(
    model, data: TrainingData, out_dir: Path, *, oos_labels: Iterable[str] | None = None
) -> EvaluationSummary:
    """Parse every example of `data` with `model` (an `NLUModel`) and write the reports."""
    examples = data.examples
    results = parse_all(model, [ex.text for ex in examples])
    summary = write_reports(examples, results, Path(out_dir), oos_labels=oos_labels)
    figures = {k: v for k, v in summary.to_dict().items() if k != "top_confusions"}
    log.info("event=nlu.evaluate.done %s", " ".join(f"{k}={v}" for k, v in figures.items()))
    return summary


CV_FIGURES = (
    "intent_accuracy",
    "intent_macro_f1",
    "inscope_accuracy",
    "oos_recall",
    "oos_precision",
    "entity_micro_f1",
)


def cross_validate(
    config,
    data: TrainingData,
    n_folds: int,
    out_dir: Path,
    seed: int | None = None,
    *,
    oos_labels: Iterable[str] | None = None,
    progress: Callable[[int, int, EvaluationSummary, float], None] | None = None,
) -> dict[str, Any]:
    """Train on n-1 folds, test on the held-out one, n times. Reports over all held-out predictions,
    plus `cross_validation.json` with each fold's figures and their mean and std. `progress(fold,
    n_folds, fold_summary, seconds)` is called after each fold."""
    import statistics
    import time

    from nlu.model import NLUModel
    from nlu.train import train_on_data

    if n_folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {n_folds}")
    out_dir = Path(out_dir)
    all_examples: list[Example] = []
    all_results: list[ParseResult] = []
    per_fold = []
    for k, (train, test) in enumerate(make_folds(data.examples, n_folds)):
        if not test:
            continue
        log.info("event=nlu.cv.fold fold=%d/%d train=%d test=%d", k + 1, n_folds, len(train), len(test))
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="parley-cv-") as tmp:
            train_on_data(config, data.with_examples(train), Path(tmp) / "model", force=True, seed=seed)
            model = NLUModel.load(Path(tmp) / "model")
            results = parse_all(model, [ex.text for ex in test])
        fold = write_reports(test, results, out_dir / f"fold_{k + 1}", oos_labels=oos_labels)
        if progress is not None:
            progress(k + 1, n_folds, fold, time.perf_counter() - started)
        per_fold.append(fold.to_dict())
        all_examples += test
        all_results += results
    total = write_reports(all_examples, all_results, out_dir, oos_labels=oos_labels)
    summary: dict[str, Any] = {"folds": per_fold, "overall": total.to_dict()}
    for key in CV_FIGURES:
        values = [f[key] for f in per_fold if f[key] is not None]
        if values:
            summary[f"{key}_mean"] = round(statistics.mean(values), 6)
            summary[f"{key}_std"] = round(statistics.pstdev(values), 6)
    _write_json(out_dir / "cross_validation.json", summary)
    return summary


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=1, ensure_ascii=False))
