"""The M4 measures against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from actions.forecasting import metrics


def test_smape_hand_computed():
    # 200/2 * (10/210 + 20/380)
    assert metrics.smape([100, 200], [110, 180]) == pytest.approx(10.025062, abs=1e-6)
    assert metrics.smape([0, 5], [0, 5]) == 0.0  # 0/0 counts as no error


def test_mase_scale_is_the_in_sample_seasonal_naive_error():
    assert metrics.mase_scale(np.array([1, 2, 4, 7]), 1) == 2.0  # |1|, |2|, |3|
    assert metrics.mase_scale(np.array([1, 2, 4, 7, 5, 9]), 2) == 2.75  # |3|, |5|, |1|, |2|
    assert metrics.mase([8, 10], [9, 9], np.array([1, 2, 4, 7]), 1) == 0.5


def test_msis_hand_computed():
    y, lo, hi = [10, 20, 5], [8, 8, 6], [12, 18, 9]
    # widths 4, 10, 3; penalties 2/0.05 * (2 above, 1 below) = 80, 40 -> (4 + 90 + 43) / 3, scale 2
    assert metrics.msis(y, lo, hi, np.array([1, 2, 4, 7]), 1, 95) == pytest.approx(137 / 3 / 2)
    assert metrics.coverage(y, lo, hi) == pytest.approx(1 / 3)


def test_owa_is_relative_to_naive2_on_the_totals():
    assert metrics.owa(10.0, 1.0, 20.0, 2.0) == 0.5
    assert metrics.owa(18.383, 2.395, 18.383, 2.395) == 1.0
