"""Ensembles of model outputs: the median, per step, of the members' forecasts and interval bounds, and
the choice of members by their validation OWA."""

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


def recentred(point: Prediction, source: Prediction, factor: float = 1.0) -> Prediction:
    """`point`'s forecast with `source`'s interval half-widths (times `factor`) around it."""
    return Prediction(
        point.mean,
        {lv: point.mean - (source.mean - lo) * factor for lv, lo in source.lower.items()},
        {lv: point.mean + (hi - source.mean) * factor for lv, hi in source.upper.items()},
    )


def choose_interval_source(
    point: Sequence[Prediction],
    candidates: Mapping[str, Sequence[Prediction]],
    histories: Sequence[np.ndarray],
    actuals: Sequence[np.ndarray],
    m: int,
    factors: Sequence[float] = tuple(np.round(np.arange(0.5, 2.01, 0.1), 2)),
) -> tuple[str, float, float]:
    """The candidate whose interval widths, recentred on `point` and scaled, give the lowest 95 % MSIS
    on this (validation) split -> (name, factor, msis)."""
    best = ("", 1.0, float("inf"))
    for name, preds in candidates.items():
        for f in factors:
            scores = [
                metrics.msis(y, q.lower[95], q.upper[95], x, m)
                for x, y, q in zip(
                    histories,
                    actuals,
                    (recentred(p, s, f) for p, s in zip(point, preds, strict=True)),
                    strict=True,
                )
            ]
            value = float(np.mean(scores))
            if value < best[2]:
                best = (name, float(f), value)
    return best
