"""The POST /forecast handler: JSON series in, forecasts and intervals out; BadInput for bad bodies."""

from __future__ import annotations

import json

import pytest

from actions.forecasting.errors import BadInput
from actions.forecasting.http import forecast_request


def _body(visits, **kw):
    series = {
        "id": "visits",
        "values": [float(v) for v in visits.values],
        "timestamps": [str(t) for t in visits.timestamps],
    }
    return {"series": [series], "horizon": 48, "level": [80, 95], **kw}


def test_forecasts_and_intervals(visits):
    out = forecast_request(_body(visits))
    json.dumps(out)  # plain JSON
    (fc,) = out["forecasts"]
    assert fc["id"] == "visits" and fc["horizon"] == 48 and len(fc["mean"]) == 48
    assert len(fc["intervals"]["95"]["lower"]) == 48 and fc["timestamps"][0] == "2026-01-26T00:00:00"


def test_values_and_freq_without_timestamps(visits):
    out = forecast_request(
        {"series": [{"id": "a", "values": list(visits.values), "freq": "H"}], "horizon": 5}
    )
    assert len(out["forecasts"][0]["mean"]) == 5 and "timestamps" not in out["forecasts"][0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"horizon": 500}, "above the maximum"),
        ({"series": []}, "non-empty list"),
        ({"series": [{"id": "x", "values": [1, "two", 3]}]}, "'two', not a number"),
        ({"series": [{"id": "x", "values": [1.0, None] * 30}]}, "missing"),
        ({"series": [{"id": "x", "values": [2.0] * 60}]}, "constant"),
        ({"series": [{"id": "x", "values": [1.0, 2.0] * 5}]}, "needs at least 48"),
        ({"colour": "red"}, "unknown keys"),
        ({"level": [101]}, "level"),
    ],
)
def test_bad_bodies(visits, change, message):
    with pytest.raises(BadInput, match=message) as e:
        forecast_request(_body(visits, **change), max_horizon=336)
    assert e.value.kind == "bad_input"


def test_missing_horizon(visits):
    body = _body(visits)
    del body["horizon"]
    with pytest.raises(BadInput, match="'horizon' is missing"):
        forecast_request(body)
