"""The channel interface: a new channel is one class plus one registry line; credentials.yml is checked
at start-up; replies reach the channel's output through `send_*`; the callback channel posts them."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from flask import Blueprint, Flask, request

from bot.agent import Agent
from bot.app import register_error_handlers
from bot.channels import registry
from bot.channels.base import ChannelSettings, InputChannel, OnMessage, OutputChannel, UserMessage
from bot.errors import ConfigError
from bot.stores.embedded import free_port
from nlu.yamlio import ConfigFileError
from tests.conftest import rule_project

DOMAIN = """
version: "3.1"
intents: [greet, show]
responses:
  utter_greet: [{text: "Hello!"}]
  utter_show:
  - text: "Pick one"
    buttons: [{title: "Yes", payload: "/affirm"}, {title: "No", payload: "/deny"}]
    image: "https://example.org/cat.png"
"""
RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: show
  steps: [{intent: show}, {action: utter_show}]
"""


# --- the example channel: a plain-text webhook, one reply per line (the whole of a new channel) -------
class PlainSettings(ChannelSettings):
    prefix: str = ""


class PlainOutput(OutputChannel):
    def __init__(self, prefix: str) -> None:
        self.prefix, self.lines = prefix, []

    def send_text(self, recipient_id: str, text: str) -> None:
        self.lines.append(self.prefix + text)


class PlainInput(InputChannel):
    name = "plain"
    Settings = PlainSettings

    def blueprint(self, on_message: OnMessage) -> Blueprint:
        bp = Blueprint("plain", __name__)

        @bp.post("/webhooks/plain/webhook")
        def receive():
            sender = request.headers.get("X-Sender", "anonymous")
            output = PlainOutput(self.settings.prefix)
            on_message(UserMessage(request.get_data(as_text=True), sender, self.name), output)
            return "\n".join(output.lines), 200, {"Content-Type": "text/plain; charset=utf-8"}

        return bp


# ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rule_project(tmp_path_factory.mktemp("channels"), DOMAIN, RULES)


@pytest.fixture
def agent(project: Path, redis_agent) -> Agent:
    return redis_agent(project)


def app_for(channels, agent: Agent) -> Flask:
    app = Flask("test")
    for channel in channels:
        app.register_blueprint(channel.blueprint(agent.handle))
    register_error_handlers(app)
    return app


def test_a_new_channel_is_one_class_and_one_registry_line(agent, monkeypatch):
    monkeypatch.setitem(registry.CHANNELS, "plain", PlainInput)
    channels = registry.load_channels({"plain": {"prefix": "bot> "}})
    assert sorted(c.name for c in channels) == ["plain", "rest"]
    client = app_for(channels, agent).test_client()
    reply = client.post("/webhooks/plain/webhook", data="/show", headers={"X-Sender": "ann"})
    # buttons and the image reach a text-only channel through OutputChannel's default send_* methods
    assert reply.get_data(as_text=True).splitlines() == [
        "bot> Pick one",
        "1: Yes (/affirm)",
        "2: No (/deny)",
        "bot> Image: https://example.org/cat.png",
    ]
    assert [e.to_dict()["event"] for e in agent.tracker("ann").events][-3:] == ["action", "bot", "action"]


def test_the_rest_channel_keeps_rasas_reply_shape(agent):
    client = app_for(registry.load_channels({}), agent).test_client()
    reply = client.post("/webhooks/rest/webhook", json={"sender": "bo", "message": "/show"})
    assert reply.status_code == 200
    assert reply.get_json() == [
        {
            "recipient_id": "bo",
            "text": "Pick one",
            "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            "image": "https://example.org/cat.png",
        }
    ]


def test_an_unknown_credentials_key_is_a_start_up_error_naming_file_key_and_channels():
    with pytest.raises(ConfigError) as err:
        registry.load_channels({"webchat": {"url": "x"}}, Path("proj/credentials.yml"))
    message = str(err.value)
    assert "proj/credentials.yml" in message and "'webchat'" in message
    assert "rest, callback" in message


def test_a_rasa_channel_parley_does_not_serve_is_named_in_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.channels.registry"):
        channels = registry.load_channels({"telegram": {"access_token": "t"}, "rest": None})
    assert [c.name for c in channels] == ["rest"]
    assert "event=channels.not_served" in caplog.text and "telegram" in caplog.text


def test_a_wrong_channel_setting_names_the_key_and_the_valid_ones():
    with pytest.raises(ConfigFileError) as err:
        registry.load_channels({"rest": {"max_chars": 10}}, "credentials.yml")
    assert "rest.max_chars" in str(err.value) and "max_message_chars" in str(err.value)
    with pytest.raises(ConfigFileError) as err:
        registry.load_channels({"callback": {}}, "credentials.yml")
    assert "callback.url" in str(err.value)


class _Sink(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Sink.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_callback_channel_posts_each_reply_to_the_url(agent):
    port = free_port()
    server = HTTPServer(("127.0.0.1", port), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        channels = registry.load_channels({"callback": {"url": f"http://127.0.0.1:{port}/bot"}})
        client = app_for(channels, agent).test_client()
        reply = client.post("/webhooks/callback/webhook", json={"sender": "cy", "message": "/greet"})
        assert reply.status_code == 200 and reply.get_data(as_text=True) == "success"
        assert _Sink.received == [{"recipient_id": "cy", "text": "Hello!"}]
        bad = client.post("/webhooks/callback/webhook", json={"message": "/greet"})
        assert bad.status_code == 400 and "'sender'" in bad.get_json()["message"]
    finally:
        server.shutdown()
