"""`auto`: the model chosen per series. Each candidate forecasts the series' own last h points from the
points before them; the two with the lowest MASE there are refit on the whole series and their
forecasts averaged (the median of two). Series too short for a holdout get the plain ensemble."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import ensemble, metrics
from .benchmarks import LOCAL_MODELS
from .series import Prediction, Series

CANDIDATES = ("snaive", "snaive_week", "naive2", "theta", "damped")
FALLBACK = ("theta", "damped", "snaive")


def holdout_errors(
    s: Series, horizon: int, candidates: Sequence[str] = CANDIDATES
) -> dict[str, float] | None:
    """MASE of each candidate on the series' last `horizon` points; None when the rest is too short."""
    n = len(s.values)
    if n - horizon < max(3 * s.m, 10) + 1:
        return None
    history, actual = s.values[: n - horizon], s.values[n - horizon :]
    if np.ptp(history) == 0:
        return None
    out = {}
    for name in candidates:
        p = LOCAL_MODELS[name](history, horizon, s.m, (95,))
        out[name] = metrics.mase(actual, p.mean, history, s.m if len(history) > s.m else 1)
    return out


def auto_prediction(s: Series, horizon: int, levels: tuple[int, ...]) -> tuple[Prediction, tuple[str, ...]]:
    errors = holdout_errors(s, horizon)
    chosen = FALLBACK if errors is None else tuple(sorted(errors, key=errors.__getitem__)[:2])
    preds = [LOCAL_MODELS[name](s.values, horizon, s.m, levels) for name in chosen]
    return ensemble.median(preds), chosen
