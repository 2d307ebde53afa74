"""Every model call over HTTP has a length cap (a 400 naming the length and the limit, before any model
runs) and a deadline (a 503 at the deadline; the worker is free for other requests meanwhile)."""

from __future__ import annotations

import threading
import time
import types

import pytest
from flask import Flask

from bot.api.limits import ModelLimits
from bot.app import register_error_handlers
from bot.errors import ConfigError


class _SlowTranslation:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def translate(self, texts, source, target, *, beam=4, alignments=False):
        time.sleep(self.seconds)
        return [types.SimpleNamespace(to_dict=lambda t=t: {"text": t.upper(), "score": 0.0}) for t in texts]


class _SlowNLU:
    def parse(self, text):
        time.sleep(5)
        raise AssertionError("never answered")


def _client(monkeypatch, deadline: str = "0.5", **services):
    from bot.api.engines import bp as engines
    from bot.api.parse import bp as parse
    from bot.api.translate import bp as translate

    monkeypatch.setenv("PARLEY_MODEL_DEADLINE_S", deadline)
    monkeypatch.setenv("PARLEY_TRANSLATE_MAX_CHARS", "100")
    monkeypatch.setenv("PARLEY_SUMMARIZE_MAX_CHARS", "200")
    app = Flask("test")
    app.extensions["parley"] = types.SimpleNamespace(channels=[], **services)
    for bp in (translate, parse, engines):
        app.register_blueprint(bp)
    register_error_handlers(app)
    return app.test_client()


def test_a_text_over_the_translate_cap_is_a_400_naming_length_and_limit(monkeypatch):
    client = _client(monkeypatch, translation=_SlowTranslation(0))
    reply = client.post("/translate", json={"text": "x" * 101, "source": "en", "target": "de"})
    assert reply.status_code == 400, reply.get_json()
    body = reply.get_json()
    assert body["reason"] == "input_too_long"
    assert "101 characters, the limit is 100" in body["message"]
    many = client.post("/translate", json={"texts": ["y" * 60] * 2, "source": "en", "target": "de"})
    assert many.status_code == 400 and "the 2 texts together has 120 characters" in many.get_json()["message"]
    fits = client.post("/translate", json={"text": "x" * 100, "source": "en", "target": "de"})
    assert fits.status_code == 200 and fits.get_json()["translations"][0]["text"] == "X" * 100


def test_a_translation_past_its_deadline_is_a_503_and_the_worker_is_free(monkeypatch):
    client = _client(monkeypatch, translation=_SlowTranslation(3))
    started = time.monotonic()
    reply = client.post("/translate", json={"text": "slow", "source": "en", "target": "de"})
    took = time.monotonic() - started
    assert reply.status_code == 503, reply.get_json()
    body = reply.get_json()
    assert body["reason"] == "deadline_exceeded" and "deadline of 0.5 s" in body["message"]
    assert took < 2.0  # answered at the deadline, not when the model finished
    # meanwhile the server answers other requests (the slow call runs on a model thread)
    other = client.post("/translate", json={"text": "x" * 101, "source": "en", "target": "de"})
    assert other.status_code == 400


def test_parse_too_long_is_a_400_and_a_stuck_parse_a_503(monkeypatch):
    client = _client(monkeypatch, nlu=_SlowNLU())
    long = client.post("/model/parse", json={"text": "a" * 5001})
    assert long.status_code == 400 and "5001 characters, the limit is 5000" in long.get_json()["message"]
    started = time.monotonic()
    stuck = client.post("/model/parse", json={"text": "hello"})
    assert stuck.status_code == 503 and stuck.get_json()["reason"] == "deadline_exceeded"
    assert time.monotonic() - started < 2.0


def test_summarize_over_its_cap_is_a_400_before_any_model_loads(monkeypatch):
    import actions.summarization.engine as engine

    monkeypatch.setattr(engine, "default_summarizer", lambda: pytest.fail("no model for a refused input"))
    client = _client(monkeypatch)
    reply = client.post("/summarize", json={"text": "word " * 41})
    assert reply.status_code == 400 and "205 characters, the limit is 200" in reply.get_json()["message"]
    turns = [{"sender": "user", "text": "t" * 150}, {"sender": "bot", "text": "u" * 60}]
    reply = client.post("/summarize", json={"turns": turns})
    assert reply.status_code == 400 and "210 characters" in reply.get_json()["message"]


def test_concurrent_slow_calls_do_not_hold_the_request_threads(monkeypatch):
    client = _client(monkeypatch, translation=_SlowTranslation(2))
    statuses: list[int] = []

    def call() -> None:
        r = client.post("/translate", json={"text": "slow", "source": "en", "target": "de"})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [503] * 8 and time.monotonic() - started < 3.0


@pytest.mark.parametrize("value", ["0", "-3", "soon", "inf"])
def test_a_wrong_limit_in_the_environment_names_the_variable(value):
    with pytest.raises(ConfigError, match="PARLEY_MODEL_DEADLINE_S"):
        ModelLimits.from_env({"PARLEY_MODEL_DEADLINE_S": value})
    assert ModelLimits.from_env({}) == ModelLimits(5000, 50_000, 10.0)


_DOMAIN = """
version: "3.1"
intents: [summarize, greet]
responses:
  utter_greet: [{text: "Hello!"}]
actions: [action_summarize]
"""
_RULES = """
version: "3.1"
rules:
- rule: summarize
  steps: [{intent: summarize}, {action: action_summarize}]
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
"""


def test_a_model_backed_action_past_its_deadline_is_an_apology_and_the_turn_ends(
    tmp_path, redis_agent, monkeypatch
):
    import bot.agent
    from actions.sdk import Action
    from bot.agent import UserMessage
    from tests.conftest import rule_project

    class SlowSummary(Action):
        def name(self) -> str:
            return "action_summarize"

        def run(self, dispatcher, tracker, domain):
            time.sleep(3)
            dispatcher.utter_message(text="a late summary")
            return []

    monkeypatch.setattr(bot.agent, "MODEL_DEADLINE_S", 0.3)
    agent = redis_agent(rule_project(tmp_path, _DOMAIN, _RULES), {"action_summarize": SlowSummary})
    started = time.monotonic()
    said = agent.handle(UserMessage("/summarize", "sum"))
    assert time.monotonic() - started < 2.0
    assert len(said) == 1 and "not answering" in said[0]["text"]  # the apology, not the late summary
    events = agent.tracker("sum").events
    failed = [e for e in events if e.type_name == "bot" and e.metadata.get("failed_action")]
    assert failed and failed[0].metadata["failed_action"] == "action_summarize"
    assert events[-1].to_dict()["name"] == "action_listen"
    assert [m["text"] for m in agent.handle(UserMessage("/greet", "sum"))] == ["Hello!"]
    time.sleep(3)  # the late summary finishes on its model thread and is dropped
    assert "a late summary" not in [e.to_dict().get("text") for e in agent.tracker("sum").events]
