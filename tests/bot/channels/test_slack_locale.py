"""A Slack user's locale as a multilingual bot's first language: users.info (include_locale) asked once
per user by the turn worker, the locale in the message's metadata, the conversation started in it."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from bot.agent import Agent
from bot.app import register_error_handlers
from bot.channels.slack import SlackInput
from bot.channels.slack_fake import BOT_USER_ID, FakeSlackAPI, slack_signature
from bot.channels.slack_locale import UserLocales
from bot.channels.slack_render import web_client
from bot.channels.slack_settings import SlackSettings
from bot.dialogue.domain import domain_from_dict
from bot.dialogue.model import DialogueModel, train_dialogue
from bot.languages import LanguageSettings
from bot.multilingual.conversation import Multilingual
from bot.multilingual.detection import StaticDetector
from bot.multilingual.translate import DictTranslation, MessageTranslator
from bot.stores.redis import RedisLockStore, RedisTrackerStore

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOMAIN = {
    "intents": ["greet"],
    "responses": {"utter_greet": [{"text": "Hello!"}, {"text": "Hallo!", "language": "de"}]},
}
RULES = 'version: "3.1"\nrules:\n- {rule: greet, steps: [{intent: greet}, {action: utter_greet}]}\n'


@pytest.fixture
def api():
    with FakeSlackAPI(locales={"UDE": "de-DE", "UEN": "en-US"}) as fake:
        yield fake


def test_a_locale_is_asked_once_per_user_and_remembered(api):
    locales = UserLocales(web_client("xoxb-1", api.url))
    assert locales.locale("UDE") == "de-DE" and locales.locale("UDE") == "de-DE"
    assert locales.locale("UNONE") is None
    asked = api.attempts("users.info")
    assert [c.args["user"] for c in asked] == ["UDE", "UNONE"]
    assert all(c.args["include_locale"] in ("1", "true", "True") for c in asked)


def test_a_failed_lookup_is_no_hint_and_is_logged_once(api, caplog):
    locales = UserLocales(web_client("xoxb-1", api.url))
    api.fail_next(2, status=200, error="missing_scope")  # Slack's answer without the users:read scope
    with caplog.at_level(logging.WARNING):
        assert locales.locale("U1") is None and locales.locale("U2") is None
        assert locales.locale("U1") is None  # remembered: not asked again
    assert len(api.attempts("users.info")) == 2
    assert caplog.text.count("event=slack.locale.unavailable error=missing_scope") == 1
    assert "users:read" in caplog.text


@pytest.fixture
def dialogue(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("slack-locale")
    (root / "data").mkdir()
    (root / "data" / "rules.yml").write_text(RULES)
    (root / "config.yml").write_text("language: en\n")
    train_dialogue(
        [{"name": "RulePolicy"}],
        domain_from_dict(DOMAIN),
        [root / "data"],
        root / "model",
        config_source=root / "config.yml",
    )
    return root / "model"


def event(text: str, user: str, event_id: str) -> bytes:
    body = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": event_id,
        "authorizations": [{"team_id": "T1", "user_id": BOT_USER_ID, "is_bot": True}],
        "event": {
            "type": "message",
            "user": user,
            "text": text,
            "ts": "1700000000.000100",
            "channel": f"D{user}",
            "channel_type": "im",
        },
    }
    return json.dumps(body).encode()


def test_a_german_slack_user_is_greeted_in_german_and_an_english_one_in_english(api, dialogue, redis_client):
    multilingual = Multilingual(
        LanguageSettings("en", ("en", "de")), StaticDetector({}), MessageTranslator(DictTranslation({}))
    )
    tracker_store = RedisTrackerStore(redis_client, key_prefix="locale-t:")
    agent = Agent(
        domain_from_dict(DOMAIN),
        None,
        DialogueModel.load(dialogue),
        tracker_store,
        RedisLockStore(redis_client, key_prefix="locale-l:"),
        multilingual=multilingual,
    )
    settings = SlackSettings.model_validate(
        {"slack_token": "xoxb-1", "slack_signing_secret": SECRET, "api_url": api.url}
    )
    channel = SlackInput(settings)
    app = Flask("slack-locale")
    app.extensions["parley"] = SimpleNamespace(
        tracker_store=SimpleNamespace(client=redis_client), media=None, agent=agent
    )
    app.register_blueprint(channel.blueprint(agent.handle))
    register_error_handlers(app)
    client = app.test_client()
    try:
        for i, (user, text) in enumerate([("UDE", "/greet"), ("UEN", "/greet"), ("UDE", "/greet")]):
            body = event(text, user, f"Ev{i}")
            reply = client.post(
                "/webhooks/slack/events",
                data=body,
                headers=slack_signature(body, SECRET),
                content_type="application/json",
            )
            assert reply.status_code == 200
            assert api.wait_for(lambda n=i: len(api.posts()) == n + 1)
    finally:
        channel.pool.wait_idle(15)
        channel.close()
    assert [(p["channel"], p["text"]) for p in api.posts()] == [
        ("DUDE", "Hallo!"),
        ("DUEN", "Hello!"),
        ("DUDE", "Hallo!"),
    ]
    assert [c.args["user"] for c in api.attempts("users.info")] == ["UDE", "UEN"]  # remembered
    german = [e for e in agent.tracker("UDE").events if e.to_dict()["event"] == "user"][0]
    assert german.metadata["locale"] == "de-DE"
    assert german.parse_data["language"] == {"conversation": "de", "source": "locale"}


def test_a_monolingual_bot_asks_slack_for_no_locale(api, redis_client):
    settings = SlackSettings.model_validate(
        {"slack_token": "xoxb-1", "slack_signing_secret": SECRET, "api_url": api.url}
    )
    channel = SlackInput(settings)
    app = Flask("slack-mono")
    app.extensions["parley"] = SimpleNamespace(
        tracker_store=SimpleNamespace(client=redis_client),
        media=None,
        agent=SimpleNamespace(multilingual=None),
    )
    app.register_blueprint(channel.blueprint(lambda message, output: []))
    try:
        assert channel.locales is None
    finally:
        channel.close()
