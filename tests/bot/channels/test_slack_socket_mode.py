"""Socket Mode for real: slack_sdk's client connects (apps.connections.open on the fake Web API, then a
WebSocket on loopback that plays Slack's side), gets an event envelope, acks it, and the reply is posted."""

from __future__ import annotations

import json
import queue
import threading

import pytest
from flask import Flask
from simple_websocket import ConnectionClosed, Server
from werkzeug.serving import make_server

from bot.channels.slack import SlackInput
from bot.channels.slack_fake import BOT_USER_ID, FakeSlackAPI
from bot.channels.slack_settings import SlackSettings

ENVELOPE = {
    "envelope_id": "env-1",
    "type": "events_api",
    "accepts_response_payload": False,
    "retry_attempt": 0,
    "payload": {
        "type": "event_callback",
        "event_id": "EvSocket1",
        "authorizations": [{"user_id": BOT_USER_ID, "is_bot": True}],
        "event": {
            "type": "message",
            "channel_type": "im",
            "channel": "D1",
            "user": "U1",
            "text": "hi",
            "ts": "1.1",
        },
    },
}


class SlackSocket:
    """Slack's end of a Socket Mode connection: hello, one envelope, then it collects what the app sends."""

    def __init__(self) -> None:
        self.received: queue.Queue[dict] = queue.Queue()

        def app(environ, start_response):
            ws = Server(environ)
            ws.send(json.dumps({"type": "hello", "num_connections": 1}))
            ws.send(json.dumps(ENVELOPE))
            try:
                while True:
                    message = ws.receive(timeout=30)
                    if message is None:
                        break
                    self.received.put(json.loads(message))
            except ConnectionClosed:
                pass
            raise ConnectionError  # werkzeug: the socket was taken over, no HTTP response follows

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"ws://127.0.0.1:{self.server.server_port}/link"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def socket_and_api():
    slack = SlackSocket()
    with FakeSlackAPI(socket_url=slack.url) as api:
        yield slack, api
    slack.close()


def test_socket_mode_connects_acks_the_envelope_and_replies(socket_and_api, redis_client):
    slack, api = socket_and_api
    settings = SlackSettings.model_validate(
        {
            "slack_token": "xoxb-s",
            "slack_signing_secret": "s",
            "api_url": api.url,
            "socket_mode": True,
            "slack_app_token": "xapp-1",
        }
    )
    channel = SlackInput(settings, redis=redis_client)
    heard = []

    def on_message(message, output):
        heard.append((message.sender_id, message.text))
        output.send_text(message.sender_id, "Hello over the socket")
        return []

    app = Flask("socket")
    app.register_blueprint(channel.blueprint(on_message))  # connects, as `parley run` would at start-up
    try:
        assert slack.received.get(timeout=10) == {"envelope_id": "env-1"}
        assert api.wait_for(lambda: len(api.posts()) == 1, timeout=10)
        assert heard == [("U1", "hi")] and api.posts()[0]["text"] == "Hello over the socket"
        assert api.attempts("apps.connections.open")[0].token == "xapp-1"
    finally:
        channel.close()
