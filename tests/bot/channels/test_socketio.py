"""The socketio channel speaks Rasa's socket.io protocol, checked with python-socketio's own client:
session_request/session_confirm, user_uttered/bot_uttered in Rasa's message shapes, configurable event
names, session persistence across reconnects, and jwt_key refusing a client without a valid token."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import socketio
import yaml
from werkzeug.serving import make_server

from bot.stores.embedded import free_port
from bot.stores.redis import RedisTrackerStore
from tests.bot.channels.widget_server import build_app, write_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("socketio"), [])


def serve(project: Path, redis_url: str, socketio_section: dict) -> tuple[str, object]:
    credentials = yaml.safe_load((project / "credentials.yml").read_text())
    credentials["socketio"] = socketio_section
    (project / "credentials.yml").write_text(yaml.safe_dump(credentials))
    port = free_port()
    server = make_server("127.0.0.1", port, build_app(project, redis_url), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


@pytest.fixture
def rasa_like(project: Path, redis_server, redis_client, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("PARLEY_WIDGET_SECRET", "test-secret-0123456789abcdef")
    url, server = serve(
        project,
        redis_server.url,
        {"user_message_evt": "user_says", "bot_message_evt": "bot_says", "session_persistence": True},
    )
    yield url
    server.shutdown()


class Client:
    def __init__(self, url: str, user_evt: str = "user_says", bot_evt: str = "bot_says", **connect) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.said: queue.Queue = queue.Queue()
        self.confirmed: queue.Queue = queue.Queue()
        self.user_evt = user_evt
        self.sio.on(bot_evt, self.said.put)
        self.sio.on("session_confirm", self.confirmed.put)
        self.sio.connect(url, wait_timeout=10, **connect)

    def session(self, session_id: str | None = None) -> str:
        self.sio.emit("session_request", {"session_id": session_id})
        return self.confirmed.get(timeout=10)

    def say(self, text: str, session_id: str) -> None:
        self.sio.emit(self.user_evt, {"message": text, "session_id": session_id})

    def replies(self, n: int) -> list[dict]:
        return [self.said.get(timeout=10) for _ in range(n)]

    def close(self) -> None:
        self.sio.disconnect()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_rasa_protocol_with_configured_event_names(rasa_like: str, transport: str, redis_client):
    client = Client(rasa_like, transports=[transport])
    try:
        session_id = client.session()
        assert isinstance(session_id, str) and len(session_id) == 32
        client.say("/greet", session_id)
        assert client.replies(1) == [{"text": "Hello! I am the test bot."}]
        client.say("/show", session_id)
        assert client.replies(1) == [
            {
                "text": "Pick a city",
                "quick_replies": [
                    {"content_type": "text", "title": "Berlin", "payload": '/inform{"city": "Berlin"}'},
                    {"content_type": "text", "title": "Paris", "payload": '/inform{"city": "Paris"}'},
                ],
            }
        ]
    finally:
        client.close()
    stored = RedisTrackerStore(redis_client, key_prefix="tracker:").events(session_id)
    assert stored  # the session id is the conversation


def test_a_persisted_session_continues_on_a_new_socket(rasa_like: str):
    first = Client(rasa_like, transports=["polling"])  # WebSocket is covered above (its close takes 3 s)
    session_id = first.session()
    first.say("/show", session_id)
    first.replies(1)
    first.close()
    second = Client(rasa_like, transports=["polling"])
    try:
        assert second.session(session_id) == session_id
        second.say('/inform{"city": "Paris"}', session_id)
        assert second.replies(1) == [{"text": "You picked Paris."}]
    finally:
        second.close()


def test_jwt_key_refuses_clients_without_a_valid_token(
    project: Path, redis_server, redis_client, monkeypatch
):
    monkeypatch.setenv("PARLEY_WIDGET_SECRET", "test-secret-0123456789abcdef")
    url, server = serve(project, redis_server.url, {"jwt_key": "s3cret-key-for-tests-0123456789ab"})
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(url, "user_uttered", "bot_uttered", auth={"token": "not-a-jwt"}, transports=["polling"])
        token = jwt.encode({"user": "ann"}, "s3cret-key-for-tests-0123456789ab", algorithm="HS256")
        client = Client(url, "user_uttered", "bot_uttered", auth={"token": token}, transports=["polling"])
        try:
            client.session()
            client.say("/greet", "ignored-without-persistence")
            assert client.replies(1) == [{"text": "Hello! I am the test bot."}]
        finally:
            client.close()
    finally:
        server.shutdown()
