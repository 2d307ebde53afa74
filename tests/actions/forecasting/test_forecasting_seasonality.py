"""Naive2's 90 % autocorrelation test at lag m and its multiplicative decomposition."""

from __future__ import annotations

import numpy as np
import pytest

from actions.forecasting.benchmarks import naive2, seasonal_naive
from actions.forecasting.seasonality import acf, deseasonalise, seasonal_indices, seasonality_test


def test_acf_matches_r():
    # R: acf(1:4, plot = FALSE) -> 0.25, -0.30 at lags 1, 2
    assert acf(np.array([1.0, 2, 3, 4]), 2) == pytest.approx([0.25, -0.3])


def test_seasonality_test_by_hand():
    # [2, 4] repeated: r_1 = -(n-1)/n, r_2 = (n-2)/n; limit = 1.645 sqrt((1 + 2 r_1^2) / n)
    short = np.tile([2.0, 4.0], 3)  # n=6: r_2 = 0.667 < limit 1.038 -> not seasonal
    longer = np.tile([2.0, 4.0], 6)  # n=12: r_2 = 0.833 > limit 0.778 -> seasonal
    assert not seasonality_test(short, 2)
    assert seasonality_test(longer, 2)


def test_seasonality_test_needs_three_seasons_and_m_above_one():
    # [1, 1, 1, 9] x 3: r = -0.25, -0.278, -0.306, 0.667; limit 1.645 sqrt(1.466 / 12) = 0.575
    x = np.tile([1.0, 1, 1, 9], 3)
    assert seasonality_test(x, 4)
    assert not seasonality_test(x[1:], 4)  # 11 < 3 * m points
    assert not seasonality_test(x, 1)
    daily = np.tile(np.sin(np.linspace(0, 2 * np.pi, 24, endpoint=False)) + 2, 10)
    assert seasonality_test(daily, 24)


def test_noise_is_not_seasonal():
    x = np.random.default_rng(0).normal(10, 1, 500)
    assert not seasonality_test(x, 24)


def test_indices_and_naive2_forecast():
    x = np.tile([2.0, 4.0], 6)
    assert seasonal_indices(x, 2) == pytest.approx([2 / 3, 4 / 3])
    des = deseasonalise(x, 2)
    assert des.seasonal and des.values == pytest.approx(np.full(12, 3.0))
    # the last deseasonalised value (3) times the indices of the next positions
    assert naive2(x, 3, 2).mean == pytest.approx([2.0, 4.0, 2.0])
    assert seasonal_naive(x, 3, 2).mean == pytest.approx([2.0, 4.0, 2.0])


def test_naive2_is_naive_without_seasonality():
    x = np.random.default_rng(1).normal(10, 1, 100)
    p = naive2(x, 5, 24, (95,))
    assert p.mean == pytest.approx(np.full(5, x[-1]))
    assert np.all(np.diff(p.upper[95] - p.lower[95]) > 0)  # intervals widen with the horizon
