"""The engine: forecasts with intervals, and a BadInput that says what to fix for each bad input."""

from __future__ import annotations

import numpy as np
import pytest

from actions.forecasting.engine import forecast
from actions.forecasting.errors import BadInput, ForecastError
from actions.forecasting.horizon import parse_horizon
from actions.forecasting.series import Series
from actions.forecasting.validate import UnknownSeries


def test_forecast_has_points_intervals_and_timestamps(visits):
    (fc,) = forecast([visits], 48, levels=(80, 95))
    assert fc.horizon == 48 and fc.model.startswith("auto: ")
    assert np.all(fc.lower[95] <= fc.lower[80]) and np.all(fc.lower[80] <= fc.mean)
    assert np.all(fc.mean <= fc.upper[80]) and np.all(fc.upper[80] <= fc.upper[95])
    assert fc.timestamps[0] == visits.timestamps[-1] + np.timedelta64(1, "h")
    # the demo series peaks mid-afternoon and is quiet at night: the forecast keeps the daily cycle
    hours = (fc.timestamps.astype("datetime64[h]").astype(int)) % 24
    assert fc.mean[hours == 15].mean() > 1.5 * fc.mean[hours == 3].mean()
    body = fc.to_dict()
    assert set(body["intervals"]) == {"80", "95"} and len(body["mean"]) == 48


def test_auto_picks_the_weekly_pattern_of_the_demo_series():
    # 8 weeks of visits ending on a Sunday: the next 48 hours are a Monday and a Tuesday, busier
    # than the weekend; only models that see the week (the weekly seasonal naive) know it
    from actions.forecasting.data import demo_visits

    s = demo_visits()
    (fc,) = forecast([s], 48, levels=(95,))
    assert "snaive_week" in fc.model
    assert fc.mean.mean() > 1.2 * s.values[-48:].mean()


@pytest.mark.parametrize(
    "model", ["naive", "snaive", "naive2", "ses", "holt", "damped", "theta", "com", "snaive_week", "ensemble"]
)
def test_every_benchmark_runs_through_the_engine(visits, model):
    (fc,) = forecast([visits], 12, levels=(95,), model=model)
    assert fc.mean.shape == (12,) and np.all(np.isfinite(fc.upper[95]))


def _bad(series, horizon=24, **kw):
    with pytest.raises(BadInput) as e:
        forecast(series, horizon, **kw)
    assert e.value.kind == "bad_input" and isinstance(e.value, ForecastError)
    return str(e.value)


def test_horizon_above_the_maximum(visits):
    assert "above the maximum of 100" in _bad([visits], 200, max_horizon=100)
    assert "at least 1" in _bad([visits], 0)
    assert "whole number" in _bad([visits], 2.5)


def test_too_little_history_for_the_season():
    s = Series("short", np.arange(1.0, 31.0), "H")  # 30 points, an hourly season needs 48
    assert "needs at least 48" in _bad([s])


def test_nans_and_gaps(visits):
    values = visits.values.copy()
    values[10] = np.nan
    assert "missing" in _bad([Series("v", values, "H")])
    stamps = visits.timestamps.copy()
    stamps[20:] += np.timedelta64(1, "h")
    assert "gap" in _bad([Series("v", visits.values, "H", stamps)])


def test_constant_series():
    assert "constant" in _bad([Series("flat", np.full(100, 3.0), "H")])


def test_unknown_model_and_level_and_frequency(visits):
    assert "use one of" in _bad([visits], model="prophet")
    assert "level" in _bad([visits], levels=(120,))
    assert "frequency" in _bad([Series("v", visits.values, "X")])


def test_unknown_series_is_bad_input():
    e = UnknownSeries("sales", ["visits"])
    assert e.kind == "bad_input" and "known series: visits" in str(e)


def test_nbeats_trains_on_the_request_when_no_model_is_given(visits):
    (fc,) = forecast([visits], 24, levels=(95,), model="nbeats")
    assert fc.model == "nbeats" and fc.mean.shape == (24,)


@pytest.mark.parametrize(
    ("text", "freq", "steps"),
    [
        ("48 hours", "H", 48),
        ("the next 2 weeks", "H", 336),
        ("next week", "H", 168),
        ("3 days", "D", 3),
        ("tomorrow", "H", 24),
        ("12", "H", 12),
        ("two weeks", "W", 2),
    ],
)
def test_parse_horizon(text, freq, steps):
    assert parse_horizon(text, freq) == steps


def test_unreadable_horizon():
    with pytest.raises(BadInput, match="48 hours"):
        parse_horizon("soon", "H")
