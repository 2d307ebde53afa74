"""action_forecast with a hand-built Tracker and CollectingDispatcher."""

from __future__ import annotations

import pytest

from actions.forecasting.action import ForecastAction
from actions.forecasting.errors import ConfigError
from actions.sdk import ActionSettings, CollectingDispatcher, Tracker


class Media:
    def __init__(self) -> None:
        self.published: list[tuple[bytes, str]] = []

    def publish(self, data: bytes, content_type: str) -> str:
        self.published.append((data, content_type))
        return f"/media/{len(self.published)}.png"


@pytest.fixture
def action(visits_csv) -> tuple[ForecastAction, Media]:
    media = Media()
    options = {
        "series": {"visits": {"csv": visits_csv.name, "freq": "H", "unit": "visits"}},
        "max_horizon": 336,
    }
    settings = ActionSettings(
        name="action_forecast", options=options, project_root=visits_csv.parent, media=media
    )
    return ForecastAction.from_settings(settings), media


def _run(action: ForecastAction, text: str, entities: list[dict]) -> tuple[list[dict], list]:
    tracker = Tracker(sender_id="u1", latest_message={"text": text, "entities": entities})
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {"slots": {"series": {}}})
    return dispatcher.messages, events


def test_forecast_reply_with_summary_and_plot(action):
    act, media = action
    entities = [{"entity": "series", "value": "visits"}, {"entity": "duration", "value": "2 days"}]
    messages, events = _run(act, "forecast visits for the next 2 days", entities)
    assert act.name() == "action_forecast"
    text = messages[0]["text"]
    assert "Forecast of visits for the next 48 hours" in text and "interval" in text and "Trend" in text
    assert messages[1]["image"] == "/media/1.png"
    assert media.published[0][1] == "image/png" and media.published[0][0][:4] == b"\x89PNG"
    assert events[0]["event"] == "slot" and events[0]["value"] == "visits"


def test_horizon_read_from_the_text(action):
    messages, _ = _run(
        action[0], "visits over the next week please", [{"entity": "series", "value": "Visits"}]
    )
    assert "next 168 hours" in messages[0]["text"]


def test_unknown_series_gets_a_text_reply(action):
    messages, events = _run(action[0], "forecast sales", [{"entity": "series", "value": "sales"}])
    assert events == [] and len(messages) == 1
    assert "unknown series 'sales'" in messages[0]["text"] and "visits" in messages[0]["text"]


def test_horizon_above_the_maximum_gets_a_text_reply(action):
    messages, _ = _run(action[0], "forecast visits for 3 months", [{"entity": "series", "value": "visits"}])
    assert "above the maximum of 336" in messages[0]["text"]


def test_demo_series_needs_no_file(tmp_path):
    options = {"series": {"visits": {"demo": "visits", "unit": "visits"}}}
    act = ForecastAction.from_settings(
        ActionSettings(name="action_forecast", options=options, project_root=tmp_path)
    )
    messages, _ = _run(act, "how many visits in the next 24 hours?", [])
    assert "Forecast of visits for the next 24 hours" in messages[0]["text"]
    assert len(messages) == 1  # no media store: no image


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"serie": {}}, "unknown keys"),
        ({"series": {"a": {}}}, "either 'csv'"),
        ({"series": {"a": {"csv": "missing.csv"}}}, "does not exist"),
        ({"series": {"a": {"demo": "visits"}}, "model": "prophet"}, "unknown model 'prophet'"),
        ({"series": {"a": {"demo": "visits", "freq": "fortnightly"}}}, "unknown frequency"),
        ({"series": {"a": {"demo": "visits"}}, "default_horizon": 500}, "default_horizon 500"),
    ],
)
def test_bad_options_fail_at_start_up(tmp_path, options, message):
    with pytest.raises(ConfigError, match=message) as e:
        ForecastAction.from_settings(
            ActionSettings(name="action_forecast", options=options, project_root=tmp_path)
        )
    assert e.value.kind == "config"
