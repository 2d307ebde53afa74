"""Input checks: every problem a user can fix raises `BadInput` with what to fix and the numbers involved."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import BadInput
from .series import SEASON_LENGTH, STEP, Series, normalise_freq

MIN_POINTS = 10  # below this no model here is worth its name
DEFAULT_MAX_HORIZON = 336


class UnknownSeries(BadInput):
    """A series name the project does not declare."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown series {name!r}; known series: {', '.join(sorted(known)) or 'none'}")
        self.name, self.known = name, sorted(known)


def to_values(raw: Sequence, series_id: str) -> np.ndarray:
    """Raw values (numbers or numeric strings) -> float array; names the first value that is not a number."""
    out = np.empty(len(raw), float)
    for i, v in enumerate(raw):
        if isinstance(v, bool):
            raise BadInput(f"series {series_id!r}: value {i} is {v!r}, not a number")
        try:
            out[i] = float(v) if v is not None else np.nan
        except (TypeError, ValueError):
            raise BadInput(f"series {series_id!r}: value {i} is {v!r}, not a number") from None
    return out


def to_freq(freq: str) -> str:
    try:
        return normalise_freq(freq)
    except ValueError as e:
        raise BadInput(str(e)) from None


def check_horizon(horizon: object, max_horizon: int) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
        raise BadInput(f"horizon must be a whole number of steps, got {horizon!r}")
    if horizon < 1:
        raise BadInput(f"horizon is {horizon}; ask for at least 1 step")
    if horizon > max_horizon:
        raise BadInput(f"horizon {horizon} is above the maximum of {max_horizon} steps; ask for fewer")
    return int(horizon)


def check_levels(levels: Sequence[object]) -> tuple[int, ...]:
    out = []
    for level in levels:
        if isinstance(level, bool) or not isinstance(level, int | float | np.integer | np.floating):
            raise BadInput(f"interval level {level!r} is not a number; use e.g. 80 or 95 (percent)")
        if not 50 <= float(level) < 100 or float(level) != int(level):
            raise BadInput(f"interval level {level} must be a whole percent from 50 to 99, e.g. 80 or 95")
        out.append(int(level))
    if not out:
        raise BadInput("give at least one interval level, e.g. 95")
    return tuple(sorted(set(out)))


def check_series(s: Series) -> Series:
    """Raises BadInput for NaNs, infinities, gaps in the timestamps, too little history, a constant series."""
    if s.freq not in SEASON_LENGTH:
        raise BadInput(f"series {s.id!r}: unknown frequency {s.freq!r}; use one of {sorted(SEASON_LENGTH)}")
    y = np.asarray(s.values, float)
    missing = np.flatnonzero(~np.isfinite(y))
    if len(missing):
        raise BadInput(
            f"series {s.id!r} has {len(missing)} missing or infinite values (first at position "
            f"{int(missing[0])}); fill or drop them so the series has no gaps"
        )
    need = max(MIN_POINTS, 2 * s.m)
    if len(y) < need:
        raise BadInput(
            f"series {s.id!r} has {len(y)} points; frequency {s.freq} (season {s.m}) needs "
            f"at least {need}: give a longer history"
        )
    if np.ptp(y) == 0:
        raise BadInput(
            f"series {s.id!r} is constant (every value is {y[0]:g}); there is nothing to "
            "forecast beyond that value"
        )
    if s.timestamps is not None:
        _check_timestamps(s)
    return s


def _check_timestamps(s: Series) -> None:
    ts = np.asarray(s.timestamps).astype("datetime64[s]")
    if len(ts) != len(s.values):
        raise BadInput(f"series {s.id!r} has {len(ts)} timestamps for {len(s.values)} values")
    if np.any(np.isnat(ts)):
        raise BadInput(f"series {s.id!r}: a timestamp could not be read")
    diffs = np.diff(ts)
    if np.any(diffs <= np.timedelta64(0, "s")):
        i = int(np.flatnonzero(diffs <= np.timedelta64(0, "s"))[0])
        raise BadInput(f"series {s.id!r}: timestamps are not increasing at {ts[i]} -> {ts[i + 1]}; sort them")
    step = STEP.get(s.freq)
    if step is not None:
        bad = np.flatnonzero(diffs != step)
        if len(bad):
            i = int(bad[0])
            raise BadInput(
                f"series {s.id!r} has a gap: {ts[i]} is followed by {ts[i + 1]}, expected one "
                f"step of {s.freq}; fill the missing {s.freq} steps"
            )
