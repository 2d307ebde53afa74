"""Series from files: a CSV reader (timestamp + value columns, or values alone) and the demo bot's own
series, hourly site visits with daily and weekly seasonality."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .errors import BadInput
from .series import Series
from .validate import to_freq, to_values


def read_csv(
    path: Path, *, freq: str = "H", series_id: str | None = None, column: str | None = None, unit: str = ""
) -> Series:
    """A CSV with a header: a `timestamp` (or `ds`, `date`, `time`) column when there is one, and the
    value column (`column`, else `value`/`y`, else the last one)."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"CSV file {path} does not exist")
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if len(rows) < 2:
        raise BadInput(f"{path} has no data rows; expected a header and one row per time step")
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]
    if column is not None:
        if column not in header:
            raise BadInput(f"{path} has no column {column!r}; columns: {header}")
        vi = header.index(column)
    else:
        vi = next((lower.index(c) for c in ("value", "y") if c in lower), len(header) - 1)
    ti = next((lower.index(c) for c in ("timestamp", "ds", "date", "time") if c in lower), None)
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    values = to_values([r[vi].strip() if vi < len(r) and r[vi].strip() else None for r in body], str(path))
    timestamps = None
    if ti is not None and ti != vi:
        try:
            timestamps = np.array([np.datetime64(r[ti].strip().replace(" ", "T"), "s") for r in body])
        except ValueError as e:
            raise BadInput(f"{path}: a timestamp could not be read ({e}); use ISO 8601") from None
    return Series(series_id or path.stem, values, to_freq(freq), timestamps, unit)


def demo_visits(weeks: int = 8, seed: int = 7, start: str = "2026-01-05T00:00:00") -> Series:
    """Hourly site visits: a daily cycle (peak mid-afternoon), quieter weekends, a gentle upward trend
    and noise. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n = weeks * 7 * 24
    t = np.arange(n)
    hour, day = t % 24, (t // 24) % 7
    daily = 1.0 + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24)
    weekly = np.where(day >= 5, 0.65, 1.0)
    trend = 1.0 + 0.002 * t / 24
    values = np.round(120 * daily * weekly * trend * rng.lognormal(0, 0.08, n))
    ts = np.datetime64(start, "s") + np.arange(n) * np.timedelta64(1, "h")
    return Series("visits", values.astype(float), "H", ts, "visits")


def write_csv(series: Series, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "value"])
        stamps = series.timestamps if series.timestamps is not None else np.arange(len(series.values))
        for ts, v in zip(stamps, series.values, strict=True):
            w.writerow([str(ts), f"{v:g}"])
    return path


def write_demo_csv(path: Path, weeks: int = 8, seed: int = 7) -> Path:
    """Writes the demo series (see `demo_visits`) as `timestamp,value` rows."""
    return write_csv(demo_visits(weeks, seed), path)
