"""Out-of-scope figures: how an NLU model treats messages that belong to none of its intents.

A test example whose intent is one of `oos_labels` (Rasa's `nlu_fallback` and the conventional
`out_of_scope` by default) is out of scope; a prediction in `oos_labels` is a refusal. A correct
refusal of an out-of-scope message counts as right, as in the BANKING77-OOS / CLINC150 protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

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
