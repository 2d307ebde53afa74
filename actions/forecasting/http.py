"""The JSON handler behind `POST /forecast` (the server mounts it; this module knows no web framework).

   {"series": [{"id": "visits", "values": [...], "timestamps": [...]} | {"id": ..., "values": [...],
    "freq": "H"}], "horizon": 48, "level": [80, 95], "model": "auto"}
-> {"forecasts": [{"id", "model", "horizon", "mean", "intervals": {"95": {"lower", "upper"}}, ...}]}
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import forecast
from .errors import BadInput
from .series import Series
from .validate import DEFAULT_MAX_HORIZON, to_freq, to_values

MAX_SERIES = 1000
KEYS = {"series", "horizon", "level", "model"}
SERIES_KEYS = {"id", "values", "timestamps", "freq", "unit"}


def _series(item: Any, index: int) -> Series:
    if not isinstance(item, dict):
        raise BadInput(f"series[{index}] must be an object with 'values' (and 'id', 'freq' or 'timestamps')")
    unknown = sorted(set(item) - SERIES_KEYS)
    if unknown:
        raise BadInput(f"series[{index}] has unknown keys {unknown}; valid: {sorted(SERIES_KEYS)}")
    sid = str(item.get("id", f"series_{index}"))
    raw = item.get("values")
    if not isinstance(raw, list):
        raise BadInput(f"series {sid!r}: 'values' must be a list of numbers")
    values = to_values(raw, sid)
    timestamps = None
    if item.get("timestamps") is not None:
        stamps = item["timestamps"]
        if not isinstance(stamps, list) or len(stamps) != len(raw):
            raise BadInput(f"series {sid!r}: 'timestamps' must be a list as long as 'values' ({len(raw)})")
        try:
            timestamps = np.array([np.datetime64(str(t).replace(" ", "T").rstrip("Z"), "s") for t in stamps])
        except ValueError:
            raise BadInput(
                f"series {sid!r}: a timestamp is not ISO 8601 (e.g. 2026-01-05T13:00:00)"
            ) from None
    return Series(sid, values, to_freq(item.get("freq", "H")), timestamps, str(item.get("unit", "")))


def forecast_request(body: dict, *, max_horizon: int = DEFAULT_MAX_HORIZON) -> dict:
    """Parses and checks the request (BadInput says what to fix), forecasts, and returns the JSON body."""
    if not isinstance(body, dict):
        raise BadInput("the request body must be a JSON object with 'series' and 'horizon'")
    unknown = sorted(set(body) - KEYS)
    if unknown:
        raise BadInput(f"unknown keys {unknown}; valid: {sorted(KEYS)}")
    items = body.get("series")
    if not isinstance(items, list) or not items:
        raise BadInput("'series' must be a non-empty list of {'id', 'values', 'freq' | 'timestamps'}")
    if len(items) > MAX_SERIES:
        raise BadInput(f"{len(items)} series in one request; the maximum is {MAX_SERIES}")
    if "horizon" not in body:
        raise BadInput("'horizon' is missing: the number of steps to forecast")
    levels = body.get("level", [80, 95])
    if not isinstance(levels, list):
        levels = [levels]
    series = [_series(item, i) for i, item in enumerate(items)]
    forecasts = forecast(
        series,
        body["horizon"],
        levels=levels,
        model=str(body.get("model", "auto")),
        max_horizon=max_horizon,
    )
    return {"forecasts": [fc.to_dict() for fc in forecasts]}
