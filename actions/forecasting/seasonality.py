"""Naive2's deseasonalisation, as the M4 benchmarks (R, `forecast` package) do it.

The 90 % autocorrelation test at lag m: seasonal when |r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k^2) / n),
and only for series with at least 3 * m points. A seasonal series is divided by the seasonal indices
of a classical multiplicative decomposition (R's `decompose(type="multiplicative")`): a centred
2 x m moving average as the trend, the mean ratio to it per position in the cycle, normalised to mean 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TCRIT_90 = 1.645


def acf(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelations r_1..r_max_lag (R's `acf`: the biased estimator, divided by n)."""
    x = np.asarray(x, float)
    d = x - x.mean()
    denom = float(np.dot(d, d))
    if denom == 0.0:
        return np.zeros(max_lag)
    return np.array([np.dot(d[:-k], d[k:]) / denom for k in range(1, max_lag + 1)])


def seasonality_test(x: np.ndarray, m: int) -> bool:
    """True when the 90 % autocorrelation test finds seasonality at lag m."""
    n = len(x)
    if m <= 1 or n < 3 * m:
        return False
    r = acf(x, m)
    limit = TCRIT_90 * np.sqrt((1.0 + 2.0 * np.sum(r[: m - 1] ** 2)) / n)
    return bool(abs(r[m - 1]) > limit)


def seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """The m multiplicative seasonal indices (cycle positions 0..m-1, position of x[0] is 0), mean 1."""
    x = np.asarray(x, float)
    n = len(x)
    if m % 2 == 0:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        weights = np.ones(m) / m
    half = len(weights) // 2
    trend = np.full(n, np.nan)
    trend[half : n - half] = np.convolve(x, weights, mode="valid")  # symmetric, centred
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = x / trend
    figure = np.array([np.nanmean(ratio[i::m]) for i in range(m)])
    return figure / figure.mean()


@dataclass(frozen=True)
class Deseasonalised:
    """A series divided by its seasonal indices, and the indices to multiply its forecasts by."""

    values: np.ndarray  # (n,)
    indices: np.ndarray  # (m,) with mean 1, or (1,) = [1.0] when not seasonal
    seasonal: bool

    def future(self, h: int, n: int) -> np.ndarray:
        """Seasonal factors for the h steps after a history of n points."""
        m = len(self.indices)
        return self.indices[(n + np.arange(h)) % m]


def deseasonalise(x: np.ndarray, m: int) -> Deseasonalised:
    """Naive2's adjustment: divide by the multiplicative indices only when the test finds seasonality."""
    x = np.asarray(x, float)
    if not seasonality_test(x, m):
        return Deseasonalised(x, np.ones(1), False)
    idx = seasonal_indices(x, m)
    if not np.all(np.isfinite(idx)) or np.any(idx <= 0):
        return Deseasonalised(x, np.ones(1), False)
    factors = idx[np.arange(len(x)) % m]
    return Deseasonalised(x / factors, idx, True)
