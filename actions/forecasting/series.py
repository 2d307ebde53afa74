"""The data that crosses the engine's boundary: a `Series` in, a `Forecast` out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# season length m per frequency, as M4 uses them (weekly m=1: a 52-week season is too long to estimate)
SEASON_LENGTH = {"H": 24, "D": 7, "W": 1, "M": 12, "Q": 4, "Y": 1}
# the step of each frequency, for timestamps (months, quarters and years are calendar steps)
STEP = {"H": np.timedelta64(1, "h"), "D": np.timedelta64(1, "D"), "W": np.timedelta64(7, "D")}
FREQ_ALIASES = {
    "h": "H",
    "hourly": "H",
    "d": "D",
    "daily": "D",
    "w": "W",
    "weekly": "W",
    "m": "M",
    "monthly": "M",
    "q": "Q",
    "quarterly": "Q",
    "y": "Y",
    "a": "Y",
    "yearly": "Y",
}


def normalise_freq(freq: str) -> str:
    """'h', 'hourly', 'H' -> 'H'; raises ValueError naming the valid ones."""
    key = str(freq).strip()
    canon = key if key in SEASON_LENGTH else FREQ_ALIASES.get(key.lower())
    if canon is None:
        raise ValueError(f"unknown frequency {freq!r}; use one of {sorted(SEASON_LENGTH)}")
    return canon


@dataclass(frozen=True)
class Series:
    """One observed series: values in time order, its frequency, optionally its timestamps."""

    id: str
    values: np.ndarray  # (n,) float
    freq: str = "H"
    timestamps: np.ndarray | None = None  # (n,) datetime64[s], or None
    unit: str = ""

    @property
    def m(self) -> int:
        return SEASON_LENGTH[self.freq]

    def future_timestamps(self, h: int) -> np.ndarray | None:
        if self.timestamps is None or self.freq not in STEP:
            return None
        return self.timestamps[-1] + STEP[self.freq] * np.arange(1, h + 1)

    def head(self, n: int) -> Series:
        """The first n points (the training part when the last points are held out)."""
        ts = None if self.timestamps is None else self.timestamps[:n]
        return Series(self.id, self.values[:n], self.freq, ts, self.unit)


@dataclass(frozen=True)
class Prediction:
    """One model's output for one series: point forecast and intervals per level (percent)."""

    mean: np.ndarray  # (h,)
    lower: dict[int, np.ndarray] = field(default_factory=dict)  # level -> (h,)
    upper: dict[int, np.ndarray] = field(default_factory=dict)

    def clipped(self, floor: float = 0.0) -> Prediction:
        return Prediction(
            np.maximum(self.mean, floor),
            {k: np.maximum(v, floor) for k, v in self.lower.items()},
            {k: np.maximum(v, floor) for k, v in self.upper.items()},
        )


@dataclass(frozen=True)
class Forecast:
    """What the engine returns for one series."""

    series_id: str
    model: str
    mean: np.ndarray  # (h,)
    lower: dict[int, np.ndarray]
    upper: dict[int, np.ndarray]
    timestamps: np.ndarray | None = None  # (h,) datetime64, when the series had timestamps
    unit: str = ""

    @property
    def horizon(self) -> int:
        return len(self.mean)

    def to_dict(self) -> dict:
        out: dict = {
            "id": self.series_id,
            "model": self.model,
            "horizon": self.horizon,
            "mean": [round(float(v), 6) for v in self.mean],
            "intervals": {
                str(level): {
                    "lower": [round(float(v), 6) for v in self.lower[level]],
                    "upper": [round(float(v), 6) for v in self.upper[level]],
                }
                for level in sorted(self.lower)
            },
        }
        if self.timestamps is not None:
            out["timestamps"] = [str(t) for t in self.timestamps.astype("datetime64[s]")]
        if self.unit:
            out["unit"] = self.unit
        return out
