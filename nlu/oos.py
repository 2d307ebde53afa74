"""Out-of-scope figures: how an NLU model treats messages that belong to none of its intents.

A test example whose intent is one of `oos_labels` (Rasa's `nlu_fallback` and the conventional
`out_of_scope` by default) is out of scope; a prediction in `oos_labels` is a refusal. A correct
refusal of an out-of-scope message counts as right, as in the BANKING77-OOS / CLINC150 protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from nlu.components.fallback import FALLBACK_INTENT

OOS_LABELS: frozenset[str] = frozenset({FALLBACK_INTENT, "out_of_scope"})


@dataclass(frozen=True)
class OOSReport:
    inscope_examples: int
    oos_examples: int
    inscope_accuracy: float  # in-scope examples given their own intent (a refusal is wrong)
    inscope_refused: float  # in-scope examples refused (predicted out of scope)
    oos_recall: float  # out-of-scope examples refused
    oos_precision: float  # refusals that were out of scope
    oos_f1: float
    accuracy: float  # all examples: right intent, or a refusal of an out-of-scope one

    def to_dict(self) -> dict[str, float | int]:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def oos_labels_from(names: Iterable[str] | None) -> frozenset[str]:
    """The label set: the defaults plus any configured names (e.g. a data set's own `oos`)."""
    return OOS_LABELS | frozenset(names or ())


def oos_report(
    truth: Sequence[str], predicted: Sequence[str | None], oos_labels: Iterable[str] = OOS_LABELS
) -> OOSReport | None:
    """None when the truth has no out-of-scope example (nothing to measure)."""
    labels = frozenset(oos_labels)
    pairs = list(zip(truth, predicted, strict=True))
    oos = [(t, p) for t, p in pairs if t in labels]
    if not oos:
        return None
    inscope = [(t, p) for t, p in pairs if t not in labels]
    refused_oos = sum(p in labels for _, p in oos)
    refused_in = sum(p in labels for _, p in inscope)
    right_in = sum(t == p for t, p in inscope)
    refusals = refused_oos + refused_in
    recall = refused_oos / len(oos)
    precision = refused_oos / refusals if refusals else 0.0
    return OOSReport(
        inscope_examples=len(inscope),
        oos_examples=len(oos),
        inscope_accuracy=right_in / len(inscope) if inscope else 0.0,
        inscope_refused=refused_in / len(inscope) if inscope else 0.0,
        oos_recall=recall,
        oos_precision=precision,
        oos_f1=2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        accuracy=(right_in + refused_oos) / len(pairs),
    )


@dataclass(frozen=True)
class RefusalChoice:
    """Thresholds chosen on a development split, and what they gave there."""

    threshold: float  # FallbackClassifier: refuse below this top confidence
    ambiguity_threshold: float  # FallbackClassifier: refuse when the top two are closer than this
    detector_threshold: float | None  # OutOfScopeDetector: refuse above this score (None: not used)
    oos_recall: float
    inscope_drop: float  # in-scope accuracy lost to refusals (a share of the in-scope examples)
    inscope_refused: float


def refused(
    confidence: np.ndarray,
    gap: np.ndarray,
    score: np.ndarray | None,
    threshold: float,
    ambiguity_threshold: float,
    detector_threshold: float | None,
) -> np.ndarray:
    """Which messages the FallbackClassifier (and the OutOfScopeDetector after it) would refuse, from
    each one's top confidence, the gap to the second and the detector's score (arrays of one length)."""
    out = (confidence < threshold) | (gap < ambiguity_threshold)
    if score is not None and detector_threshold is not None:
        out |= score > detector_threshold
    return out


def tune_refusal(
    correct: Sequence[bool],
    is_oos: Sequence[bool],
    confidence: Sequence[float],
    gap: Sequence[float],
    score: Sequence[float] | None = None,
    *,
    max_inscope_drop: float = 0.015,
    thresholds: Sequence[float] = tuple(round(0.025 * i, 3) for i in range(39)),
    ambiguity_thresholds: Sequence[float] = (0.0, 0.025, 0.05, 0.1),
    detector_candidates: int = 400,
) -> RefusalChoice:
    """The thresholds with the highest OOS recall whose refusals cost at most `max_inscope_drop` of
    in-scope accuracy (refusing an in-scope example the classifier got wrong costs nothing); ties go to
    the smaller loss. `correct`: the closed-set prediction was right (in-scope examples); `is_oos`: the
    example is out of scope. Meant for a development split, never the test split."""
    correct_a, oos_a = np.asarray(correct, bool), np.asarray(is_oos, bool)
    conf, gap_a = np.asarray(confidence, float), np.asarray(gap, float)
    score_a = None if score is None else np.asarray(score, float)
    if not oos_a.any() or oos_a.all():
        raise ValueError("tuning needs both in-scope and out-of-scope examples")
    inscope = ~oos_a
    candidates: list[float | None] = [None]
    if score_a is not None:
        qs = np.quantile(score_a[inscope], np.linspace(0.5, 1.0, detector_candidates))
        candidates += [float(q) for q in np.unique(qs)]
    best: tuple | None = None
    for t in thresholds:
        for a in ambiguity_thresholds:
            for d in candidates:
                r = refused(conf, gap_a, score_a, t, a, d)
                drop = float(np.mean(r[inscope] & correct_a[inscope]))
                if drop > max_inscope_drop:
                    continue
                recall = float(np.mean(r[oos_a]))
                key = (recall, -drop)
                if best is None or key > best[0]:
                    best = (key, RefusalChoice(t, a, d, recall, drop, float(np.mean(r[inscope]))))
    if best is None:  # nothing within the budget: refuse nothing
        return RefusalChoice(0.0, 0.0, None, 0.0, 0.0, 0.0)
    return best[1]
