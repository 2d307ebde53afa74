"""The median ensemble, its member choice and the interval source chosen by validation MSIS."""

from __future__ import annotations

import numpy as np
import pytest

from actions.forecasting import ensemble
from actions.forecasting.series import Prediction


def _p(mean, half):
    mean = np.asarray(mean, float)
    return Prediction(mean, {95: mean - half}, {95: mean + half})


def test_median_of_forecasts_and_bounds():
    out = ensemble.median([_p([1, 2], 1), _p([3, 4], 2), _p([10, 10], 5)])
    assert out.mean == pytest.approx([3, 4]) and out.lower[95] == pytest.approx([1, 2])


def test_recentred_keeps_the_point_and_takes_the_widths():
    out = ensemble.recentred(_p([10, 10], 1), _p([0, 0], 3), factor=2.0)
    assert out.mean == pytest.approx([10, 10])
    assert out.lower[95] == pytest.approx([4, 4]) and out.upper[95] == pytest.approx([16, 16])
    kept = ensemble.recentred(_p([10, 10], 1), _p([0, 0], 3), factor=2.0, centre=False)
    assert kept.mean == pytest.approx([10, 10]) and kept.lower[95] == pytest.approx([-6, -6])


def test_choices_on_a_validation_split():
    history = [np.arange(10.0)]
    actual = [np.array([10.0, 11.0])]
    good, bad = _p([10, 11], 0.5), _p([0, 0], 50)
    members, owa = ensemble.choose_members({"good": [good], "bad": [bad]}, history, actual, 1, (10.0, 1.0))
    assert members == ("good",) and owa == 0.0
    # the narrow intervals cover the actual values exactly; the wide ones only cost width
    name, factor, _, _ = ensemble.choose_interval_source(
        [good], {"narrow": [good], "wide": [bad]}, history, actual, 1
    )
    assert name == "narrow" and factor == 0.5


def test_blend_and_its_weight():
    out = ensemble.blend(_p([10, 10], 2), _p([0, 20], 2), 0.75)
    assert out.mean == pytest.approx([7.5, 12.5]) and out.lower[95] == pytest.approx([5.5, 10.5])
    history, actual = [np.arange(10.0)], [np.array([8.0, 8.0])]
    partner, weight, _ = ensemble.choose_blend(
        [_p([10, 10], 1)], {"low": [_p([0, 0], 1)]}, history, actual, 1, (1, 1)
    )
    assert partner == "low" and weight == 0.8  # 0.8 * 10 + 0.2 * 0 = 8
