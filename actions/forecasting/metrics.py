"""The M4 error measures, exactly as the competition defines them (M4 README, IJF 2020).

sMAPE = 200/h * sum |y - f| / (|y| + |f|)
MASE  = mean |y - f| / scale,  scale = mean_{t>m} |x_t - x_{t-m}| over the history x (seasonal naive)
MSIS  = mean[(U - L) + 2/a (L - y) 1{y < L} + 2/a (y - U) 1{y > U}] / scale, a = 1 - level/100
OWA   = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2, on the totals (means over all series) of a set
"""

from __future__ import annotations

import numpy as np


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent (0..200) over one horizon."""
    y, f = np.asarray(actual, float), np.asarray(forecast, float)
    denom = np.abs(y) + np.abs(f)
    ratio = np.where(denom == 0, 0.0, np.abs(y - f) / np.where(denom == 0, 1.0, denom))
    return float(200.0 * np.mean(ratio))


def mase_scale(history: np.ndarray, m: int) -> float:
    """In-sample mean absolute error of the seasonal naive forecast with period m (m=1: naive)."""
    x = np.asarray(history, float)
    if len(x) <= m:
        raise ValueError(f"history has {len(x)} points, the MASE scale needs more than m={m}")
    return float(np.mean(np.abs(x[m:] - x[:-m])))


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, m: int) -> float:
    scale = mase_scale(history, m)
    return float(np.mean(np.abs(np.asarray(actual, float) - np.asarray(forecast, float))) / scale)


def msis(
    actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, history: np.ndarray, m: int, level: float = 95
) -> float:
    """Mean scaled interval score of the `level` % interval [lower, upper]."""
    y, lo, hi = (np.asarray(v, float) for v in (actual, lower, upper))
    a = 1.0 - level / 100.0
    score = (hi - lo) + (2.0 / a) * (lo - y) * (y < lo) + (2.0 / a) * (y - hi) * (y > hi)
    return float(np.mean(score) / mase_scale(history, m))


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of the actual values inside [lower, upper] (0..1)."""
    y, lo, hi = (np.asarray(v, float) for v in (actual, lower, upper))
    return float(np.mean((y >= lo) & (y <= hi)))


def owa(smape_total: float, mase_total: float, naive2_smape: float, naive2_mase: float) -> float:
    """Overall weighted average relative to Naive2, from the set totals."""
    return 0.5 * (smape_total / naive2_smape + mase_total / naive2_mase)
