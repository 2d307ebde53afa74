"""A project's forecasting options (endpoints.yml `actions: action_forecast:`), checked at start-up:
unknown keys, a missing CSV file, an unknown model or frequency fail with the key and the valid choices.

    action_forecast:
      series:
        visits: {csv: data/visits.csv, freq: H, unit: visits}   # timestamp,value rows
        demo_visits: {demo: visits}                             # the engine's own demo series
      max_horizon: 336        # steps
      default_horizon: 48     # when the user names none
      model: auto
      levels: [80, 95]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BadInput, ConfigError
from .series import Series, normalise_freq
from .validate import DEFAULT_MAX_HORIZON, check_levels

WHERE = "endpoints.yml actions.action_forecast"
OPTION_KEYS = {"series", "max_horizon", "default_horizon", "model", "levels"}
SERIES_KEYS = {"csv", "demo", "freq", "unit", "column"}
DEMOS = ("visits",)


@dataclass(frozen=True)
class SeriesSource:
    """Where one declared series comes from: a CSV file, or a demo series the engine generates."""

    name: str
    freq: str
    unit: str = ""
    csv: Path | None = None
    column: str | None = None
    demo: str | None = None

    def load(self) -> Series:
        from .data import demo_visits, read_csv

        if self.csv is None:
            s = demo_visits()
            return Series(self.name, s.values, s.freq, s.timestamps, self.unit or s.unit)
        return read_csv(self.csv, freq=self.freq, series_id=self.name, column=self.column, unit=self.unit)


def _source(name: str, spec: Any, root: Path) -> SeriesSource:
    where = f"{WHERE}.series.{name}"
    if not isinstance(spec, dict) or ("csv" in spec) == ("demo" in spec):
        raise ConfigError(f"{where}: give either 'csv' (a file of timestamp,value rows) or 'demo' ({DEMOS})")
    bad = sorted(set(spec) - SERIES_KEYS)
    if bad:
        raise ConfigError(f"{where}: unknown keys {bad}; valid: {sorted(SERIES_KEYS)}")
    try:
        freq = normalise_freq(spec.get("freq", "H"))
    except ValueError as e:
        raise ConfigError(f"{where}.freq: {e}") from None
    unit = str(spec.get("unit", ""))
    if "demo" in spec:
        if spec["demo"] not in DEMOS:
            raise ConfigError(f"{where}.demo: unknown demo series {spec['demo']!r}; valid: {list(DEMOS)}")
        return SeriesSource(name, "H", unit, demo=spec["demo"])
    path = Path(spec["csv"])
    path = path if path.is_absolute() else root / path
    if not path.is_file():
        raise ConfigError(f"{where}.csv: {path} does not exist")
    return SeriesSource(name, freq, unit, path, spec.get("column"))


@dataclass(frozen=True)
class ForecastOptions:
    series: dict[str, SeriesSource]
    max_horizon: int = DEFAULT_MAX_HORIZON
    default_horizon: int = 48
    model: str = "auto"
    levels: tuple[int, ...] = (80, 95)

    @classmethod
    def parse(cls, options: dict[str, Any], root: Path) -> ForecastOptions:
        from .engine import MODEL_NAMES

        unknown = sorted(set(options) - OPTION_KEYS)
        if unknown:
            raise ConfigError(f"{WHERE}: unknown keys {unknown}; valid: {sorted(OPTION_KEYS)}")
        raw = options.get("series") or {}
        if not isinstance(raw, dict) or not raw:
            raise ConfigError(f"{WHERE}.series: name at least one series, e.g. visits: {{csv: data/v.csv}}")
        sources = {str(name): _source(str(name), spec, root) for name, spec in raw.items()}
        model = str(options.get("model", "auto"))
        if model not in MODEL_NAMES:
            raise ConfigError(f"{WHERE}.model: unknown model {model!r}; valid: {list(MODEL_NAMES)}")
        try:
            max_horizon = int(options.get("max_horizon", DEFAULT_MAX_HORIZON))
            default_horizon = int(options.get("default_horizon", 48))
            levels = check_levels(list(options.get("levels", (80, 95))))
        except (TypeError, ValueError, BadInput) as e:
            raise ConfigError(f"{WHERE}: {e}") from None
        if not 1 <= default_horizon <= max_horizon:
            raise ConfigError(
                f"{WHERE}: default_horizon {default_horizon} must be from 1 to max_horizon {max_horizon}"
            )
        return cls(sources, max_horizon, default_horizon, model, levels)
