"""The text a person reads about a forecast: the next values, the trend, the interval."""

from __future__ import annotations

import numpy as np

from .series import Forecast, Series

STEP_WORDS = {"H": "hour", "D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def summarise(series: Series, fc: Forecast, shown: int = 3) -> str:
    step = STEP_WORDS.get(series.freq, "step")
    unit = f" {series.unit}" if series.unit else ""
    nxt = ", ".join(_num(v) for v in fc.mean[:shown])
    recent = float(np.mean(series.values[-fc.horizon :]))
    ahead = float(np.mean(fc.mean))
    change = 100.0 * (ahead - recent) / abs(recent) if recent else 0.0
    trend = "flat" if abs(change) < 2 else ("rising" if change > 0 else "falling")
    top = max(fc.lower)
    parts = [
        f"Forecast of {series.id} for the next {fc.horizon} {step}s ({fc.model}): "
        f"next {min(shown, fc.horizon)} {step}s {nxt}{unit}.",
        f"Trend: {trend} ({change:+.1f} % on average against the last {fc.horizon} {step}s, "
        f"{_num(ahead)} vs {_num(recent)}{unit}).",
        f"{top} % interval: next {step} {_num(fc.lower[top][0])} to {_num(fc.upper[top][0])}, "
        f"last {step} {_num(fc.lower[top][-1])} to {_num(fc.upper[top][-1])}{unit}.",
    ]
    return " ".join(parts)
