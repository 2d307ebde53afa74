"""`action_forecast`: forecasts a series the project declares and replies with a summary and the plot.

Its options (endpoints.yml `actions: action_forecast:`) are described in `options.py`.

It reads the `series` entity (or slot; the only series when there is one) and the horizon from the
`horizon` or `duration` entity (or the text): "48 hours", "the next 2 weeks". Every problem the user
can fix gets a plain reply; the action never raises for them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from actions.sdk import Action, ActionSettings, CollectingDispatcher, EventDict, SlotSet, Tracker

from .errors import BadInput
from .horizon import parse_horizon
from .options import ForecastOptions, SeriesSource
from .series import Forecast, Series
from .summary import summarise
from .validate import UnknownSeries

log = logging.getLogger(__name__)


def _first(tracker: Tracker, *names: str) -> Any:
    for name in names:
        for value in tracker.get_latest_entity_values(name):
            if value not in (None, ""):
                return value
    for name in names:
        if tracker.get_slot(name) not in (None, ""):
            return tracker.get_slot(name)
    return None


def _horizon_text(value: Any) -> str:
    """Entity values: "2 weeks", 48, or a duration dict like {"value": 2, "unit": "week"}."""
    if isinstance(value, dict):
        if "value" in value and "unit" in value:
            return f"{value['value']} {value['unit']}"
        if "normalized" in value and isinstance(value["normalized"], dict):  # duckling: seconds
            return f"{float(value['normalized'].get('value', 0)) / 3600:g} hours"
    return str(value)


class ForecastAction(Action):
    def __init__(self, options: ForecastOptions, media: Any = None) -> None:
        self.options, self.media = options, media

    def name(self) -> str:
        return "action_forecast"

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> ForecastAction:
        return cls(
            ForecastOptions.parse(dict(settings.options or {}), Path(settings.project_root)), settings.media
        )

    def _source(self, tracker: Tracker) -> SeriesSource:
        name = _first(tracker, "series")
        if name is None:
            if len(self.options.series) == 1:
                return next(iter(self.options.series.values()))
            raise BadInput(f"which series? I can forecast {', '.join(sorted(self.options.series))}")
        key = str(name).strip().lower()
        for source in self.options.series.values():
            if source.name.lower() == key:
                return source
        raise UnknownSeries(str(name), list(self.options.series))

    def _horizon(self, tracker: Tracker, freq: str) -> int:
        value = _first(tracker, "horizon", "duration")
        if value is not None:
            return parse_horizon(_horizon_text(value), freq)
        try:
            return parse_horizon(tracker.latest_text(), freq)
        except BadInput:
            return self.options.default_horizon

    def forecast(self, tracker: Tracker) -> tuple[Series, Forecast]:
        from .engine import forecast

        source = self._source(tracker)
        horizon = self._horizon(tracker, source.freq)
        series = source.load()
        (fc,) = forecast(
            [series],
            horizon,
            levels=self.options.levels,
            model=self.options.model,
            max_horizon=self.options.max_horizon,
        )
        return series, fc

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventDict]:
        try:
            series, fc = self.forecast(tracker)
        except BadInput as e:
            dispatcher.utter_message(text=f"I can't forecast that: {e.message}")
            return []
        dispatcher.utter_message(text=summarise(series, fc))
        if self.media is not None:
            from .plot import forecast_png

            url = self.media.publish(forecast_png(series, fc), "image/png")
            dispatcher.utter_message(image=url)
        slots = (domain or {}).get("slots") or {}
        return [SlotSet("series", series.id)] if "series" in slots else []
