"""Ensembles of model outputs: the median, per step, of the members' forecasts and interval bounds, a
weighted blend of two, and the choices (members, blend weight, interval source) by validation scores."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from . import metrics
from .series import Prediction


def median(preds: Sequence[Prediction]) -> Prediction:
    if not preds:
        raise ValueError("an ensemble needs at least one member")
    levels = preds[0].lower.keys()
    return Prediction(
        np.median([p.mean for p in preds], axis=0),
        {lv: np.median([p.lower[lv] for p in preds], axis=0) for lv in levels},
        {lv: np.median([p.upper[lv] for p in preds], axis=0) for lv in levels},
    )


def blend(a: Prediction, b: Prediction, weight: float) -> Prediction:
    """weight * a + (1 - weight) * b, forecasts and bounds."""
    w = float(weight)
    return Prediction(
        w * a.mean + (1 - w) * b.mean,
        {lv: w * a.lower[lv] + (1 - w) * b.lower[lv] for lv in a.lower},
        {lv: w * a.upper[lv] + (1 - w) * b.upper[lv] for lv in a.upper},
    )


def choose_blend(
    base: Sequence[Prediction],
    candidates: Mapping[str, Sequence[Prediction]],
    histories: Sequence[np.ndarray],
    actuals: Sequence[np.ndarray],
    m: int,
    naive2: tuple[float, float],
    weights: Sequence[float] = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7),
) -> tuple[str | None, float, float]:
    """The partner and weight w for w * base + (1 - w) * partner with the best validation OWA ->
    (partner or None when no blend beats base alone, w, owa)."""
    best: tuple[str | None, float, float] = (None, 1.0, set_owa(base, histories, actuals, m, *naive2))
    for name, preds in candidates.items():
        for w in weights:
            mixed = [blend(a, b, w) for a, b in zip(base, preds, strict=True)]
            score = set_owa(mixed, histories, actuals, m, *naive2)
            if score < best[2]:
                best = (name, float(w), score)
    return best


def set_owa(
    preds: Sequence[Prediction],
    histories: Sequence[np.ndarray],
    actuals: Sequence[np.ndarray],
    m: int,
    naive2_smape: float,
    naive2_mase: float,
) -> float:
    s = float(np.mean([metrics.smape(y, p.mean) for y, p in zip(actuals, preds, strict=True)]))
    a = float(
        np.mean([metrics.mase(y, p.mean, x, m) for x, y, p in zip(histories, actuals, preds, strict=True)])
    )
    return metrics.owa(s, a, naive2_smape, naive2_mase)


def choose_members(
    candidates: Mapping[str, Sequence[Prediction]],
    histories: Sequence[np.ndarray],
    actuals: Sequence[np.ndarray],
    m: int,
    naive2: tuple[float, float],
    max_size: int = 3,
) -> tuple[tuple[str, ...], float]:
    """The subset (size 1..max_size) of candidate models whose median has the best validation OWA."""
    best: tuple[tuple[str, ...], float] = ((), float("inf"))
    names = sorted(candidates)
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(names, size):
            preds = [median([candidates[n][i] for n in combo]) for i in range(len(actuals))]
            score = set_owa(preds, histories, actuals, m, *naive2)
            if score < best[1]:
                best = (combo, score)
    return best


def recentred(point: Prediction, source: Prediction, factor: float = 1.0, centre: bool = True) -> Prediction:
    """`point`'s forecast with `source`'s intervals scaled by `factor` around `source`'s own forecast,
    then moved onto `point`'s forecast (`centre`) or left where they are."""
    shift = point.mean - source.mean if centre else 0.0
    return Prediction(
        point.mean,
        {lv: source.mean + shift - (source.mean - lo) * factor for lv, lo in source.lower.items()},
        {lv: source.mean + shift + (hi - source.mean) * factor for lv, hi in source.upper.items()},
    )


def choose_interval_source(
    point: Sequence[Prediction],
    candidates: Mapping[str, Sequence[Prediction]],
    histories: Sequence[np.ndarray],
    actuals: Sequence[np.ndarray],
    m: int,
    factors: Sequence[float] = tuple(np.round(np.arange(0.5, 2.01, 0.1), 2)),
) -> tuple[str, float, bool, float]:
    """The candidate whose intervals, scaled and recentred on `point` or left in place, give the lowest
    95 % MSIS on this (validation) split -> (name, factor, centre, msis)."""
    best = ("", 1.0, True, float("inf"))
    for name, preds in candidates.items():
        for centre in (True, False):
            for f in factors:
                moved = (recentred(p, s, f, centre) for p, s in zip(point, preds, strict=True))
                value = float(
                    np.mean(
                        [
                            metrics.msis(y, q.lower[95], q.upper[95], x, m)
                            for x, y, q in zip(histories, actuals, moved, strict=True)
                        ]
                    )
                )
                if value < best[3]:
                    best = (name, float(f), centre, value)
    return best
