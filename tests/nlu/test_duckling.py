"""DucklingEntityExtractor: real Duckling in process, and Rasa's `url:` mode against a stand-in server."""

from __future__ import annotations

import logging

import pytest

from nlu.components.base import Message
from nlu.components.duckling import DucklingConfig, DucklingEntityExtractor
from nlu.config import parse_pipeline
from nlu.errors import PipelineConfigError
from nlu.rasa_compat import translate_rasa_pipeline
from tests.nlu.duckling_standin import duckling_standin

pytest.importorskip("duckling")


@pytest.fixture(autouse=True)
def _no_tz_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TZ", raising=False)  # Rasa's override of `timezone`
    monkeypatch.delenv("RASA_DUCKLING_HTTP_URL", raising=False)


def _entities(config: DucklingConfig, text: str) -> list[dict]:
    msg = Message(text)
    DucklingEntityExtractor(config).process([msg])
    return [e.to_dict() for e in msg.entities]


def test_numbers_and_emails_come_back_as_rasas_duckling_entities():
    config = DucklingConfig(dimensions=("number", "email"))
    found = _entities(config, "a table for four, mail bob@example.com")
    assert found == [
        {
            "entity": "number", "value": 4, "start": 12, "end": 16, "confidence": 1.0,
            "extractor": "DucklingEntityExtractor", "role": None, "group": None, "text": "four",
            "additional_info": {"value": 4, "type": "value"},
        },
        {
            "entity": "email", "value": "bob@example.com", "start": 23, "end": 38, "confidence": 1.0,
            "extractor": "DucklingEntityExtractor", "role": None, "group": None,
            "text": "bob@example.com", "additional_info": {"value": "bob@example.com", "type": "value"},
        },
    ]  # fmt: skip


def test_dimensions_keep_only_what_was_asked_for():
    assert [e["entity"] for e in _entities(DucklingConfig(dimensions=("email",)), "4 mails to a@b.de")] == [
        "email"
    ]
    every = {e["entity"] for e in _entities(DucklingConfig(), "20 euros tomorrow at 3pm")}
    assert {"amount-of-money", "time"} <= every


def test_time_follows_timezone_and_an_interval_is_from_to():
    (when,) = _entities(DucklingConfig(dimensions=("time",), timezone="Europe/Berlin"), "tomorrow at 3pm")
    assert when["value"].endswith("T15:00:00.000+01:00") and when["additional_info"]["grain"] == "hour"
    (span,) = _entities(DucklingConfig(dimensions=("time",), timezone="UTC"), "from 2pm to 5pm tomorrow")
    assert set(span["value"]) == {"from", "to"} and span["additional_info"]["type"] == "interval"


def test_german_from_the_language_of_config_yml():
    config = parse_pipeline(
        [{"name": "RegexTokenizer"}, {"name": "DucklingEntityExtractor", "dimensions": ["number"]}], "de"
    ).components[1].config
    assert config.language == "de"
    assert [(e["value"], e["text"]) for e in _entities(config, "für vier Personen")] == [(4, "vier")]


def test_url_mode_calls_the_duckling_server_as_rasa_does():
    with duckling_standin() as (url, seen):
        config = DucklingConfig(dimensions=("number",), url=url, timezone="Europe/Berlin", locale="en_GB")
        found = _entities(config, "for 7 people")
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in found] == [("number", 7, 4, 5)]
    (request,) = seen
    assert request["path"] == "/parse" and request["content-type"].startswith("application/x-www-form")
    assert request["text"] == "for 7 people" and request["locale"] == "en_GB"
    assert request["tz"] == "Europe/Berlin" and request["dims"] == '["number"]'
    assert int(request["reftime"]) > 1_700_000_000_000  # milliseconds


def test_rasa_duckling_http_url_overrides_the_url_and_locale_defaults_as_rasa_sends_it(monkeypatch):
    with duckling_standin() as (url, seen):
        monkeypatch.setenv("RASA_DUCKLING_HTTP_URL", url)
        found = _entities(DucklingConfig(url="http://127.0.0.1:9"), "2 people")
    assert [e["value"] for e in found] == [2]
    assert seen[0]["locale"] == "en_EN" and "tz" not in seen[0] and seen[0]["dims"] == "null"


@pytest.mark.parametrize("status", [500, None])
def test_a_server_that_fails_or_is_down_is_logged_and_gives_no_entities(status, caplog):
    with caplog.at_level(logging.ERROR, logger="nlu.components.duckling"):
        if status is None:
            found = _entities(DucklingConfig(url="http://127.0.0.1:9", timeout=1), "2 people")
        else:
            with duckling_standin(status) as (url, _):
                found = _entities(DucklingConfig(url=url), "2 people")
    assert found == []
    assert ("event=nlu.duckling.failed" if status else "event=nlu.duckling.unreachable") in caplog.text


def test_a_rasa_pipeline_runs_duckling_after_the_regex_extractor_with_its_keys():
    out = translate_rasa_pipeline(
        [
            {"name": "WhitespaceTokenizer"},
            {"name": "DucklingEntityExtractor", "url": "http://localhost:8000", "dimensions": ["number"],
             "locale": "de_DE", "timezone": "Europe/Berlin", "timeout": 2},
            {"name": "DIETClassifier"},
        ]  # fmt: skip
    )
    names = [c["name"] for c in out]
    assert names.index("DucklingEntityExtractor") == names.index("RegexEntityExtractor") + 1
    assert out[names.index("DucklingEntityExtractor")] == {
        "name": "DucklingEntityExtractor", "url": "http://localhost:8000", "dimensions": ["number"],
        "locale": "de_DE", "timezone": "Europe/Berlin", "timeout": 2,
    }  # fmt: skip
    parse_pipeline(out)  # and Parley accepts them


def test_a_wrong_duckling_key_is_an_error_naming_it():
    with pytest.raises(PipelineConfigError, match=r"pipeline\[1\]\.dimension.*DucklingEntityExtractor"):
        parse_pipeline([{"name": "RegexTokenizer"}, {"name": "DucklingEntityExtractor", "dimension": ["x"]}])
