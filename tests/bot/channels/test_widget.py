"""The widget channel over HTTP (no browser): session tokens, the origin allow-list, de-duplicated
resends, the event stream's replay from Last-Event-ID, later replies, and Rasa-shaped 4xx bodies."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner

from bot.channels.registry import load_channels
from bot.channels.session_token import SessionTokens, signing_keys
from bot.errors import ConfigError, Unauthorized
from bot.stores.redis import RedisTrackerStore
from tests.bot.channels.widget_server import build_app, write_project

ORIGIN = "https://shop.example"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("widget"), [ORIGIN])


@pytest.fixture
def app(project: Path, redis_server, redis_client, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PARLEY_WIDGET_SECRET", "test-secret-0123456789abcdef")
    app = build_app(project, redis_server.url)
    yield app
    app.extensions["parley.widget"].runtime.close()


@pytest.fixture
def client(app):
    return app.test_client()


def new_session(client) -> tuple[str, str]:
    reply = client.post("/webhooks/widget/session", json={})
    assert reply.status_code == 200
    body = reply.get_json()
    return body["token"], body["session_id"]


def post(client, token: str, message: str, message_id: str, **extra):
    return client.post(
        "/webhooks/widget/webhook",
        json={"message": message, "message_id": message_id, **extra},
        headers={"Authorization": f"Bearer {token}"},
    )


class Stream:
    """Reads a live SSE response event by event (the test client runs the generator in this thread)."""

    def __init__(self, client, token: str, last_id: int | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        self.response = client.get("/webhooks/widget/stream", headers=headers, buffered=False)
        self.chunks = iter(self.response.response)
        self.buffer = ""

    def next_event(self) -> tuple[str, dict | None]:
        while "\n\n" not in self.buffer:
            chunk = next(self.chunks)
            self.buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        block, self.buffer = self.buffer.split("\n\n", 1)
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":")
        if "data" not in fields:
            return ("comment" if block.startswith(":") or block.startswith("retry") else "?"), None
        return fields.get("event", "message"), json.loads(fields["data"])

    def until_synced(self) -> list[dict]:
        messages = []
        while True:
            kind, data = self.next_event()
            if kind == "synced":
                return messages
            if kind == "message":
                messages.append(data)

    def messages(self, n: int) -> list[dict]:
        out = []
        while len(out) < n:
            kind, data = self.next_event()
            if kind == "message":
                out.append(data)
        return out

    def close(self) -> None:
        self.response.close()


def test_a_conversation_is_replayed_from_the_tracker_and_resumed_after_last_event_id(client):
    token, sender = new_session(client)
    assert post(client, token, "/greet", "m1", hidden=True).get_json()["status"] == "accepted"
    assert post(client, token, "/show", "m2").status_code == 200
    stream = Stream(client, token)
    history = stream.until_synced()
    stream.close()
    # the hidden initial payload is not shown; the rest is, each with its tracker index as id
    assert [(m["from"], m["text"]) for m in history] == [
        ("bot", "Hello! I am the test bot."),
        ("user", "/show"),
        ("bot", "Pick a city"),
    ]
    assert history[2]["buttons"][0] == {"title": "Berlin", "payload": '/inform{"city": "Berlin"}'}
    ids = [m["id"] for m in history]
    assert ids == sorted(ids) and len(set(ids)) == 3
    # resume after the user's message: only the bot's reply, nothing twice
    resumed = Stream(client, token, last_id=history[1]["id"])
    assert [m["text"] for m in resumed.until_synced()] == ["Pick a city"]
    resumed.close()
    # a click shows the button's title, not its payload, on reload too
    post(client, token, '/inform{"city": "Berlin"}', "m3", title="Berlin")
    again = Stream(client, token, last_id=history[-1]["id"])
    assert [(m["from"], m["text"]) for m in again.until_synced()] == [
        ("user", "Berlin"),
        ("bot", "You picked Berlin."),
    ]
    again.close()
    assert sender.startswith("web-")


def test_a_resend_with_the_same_message_id_is_handled_once(client, redis_client):
    token, sender = new_session(client)
    assert post(client, token, "/greet", "same-id").get_json()["status"] == "accepted"
    assert post(client, token, "/greet", "same-id").get_json() == {
        "status": "duplicate",
        "message_id": "same-id",
    }
    events = [e.to_dict() for e in RedisTrackerStore(redis_client, key_prefix="tracker:").events(sender)]
    assert [e["event"] for e in events].count("user") == 1
    assert [e.get("text") for e in events if e["event"] == "bot"] == ["Hello! I am the test bot."]


def test_a_reply_stored_later_by_someone_else_reaches_an_open_stream(client, app):
    token, sender = new_session(client)
    stream = Stream(client, token)
    assert stream.until_synced() == []
    agent = app.extensions["parley"].agent
    # a reminder fires in another thread (any process would do: the stream watches Redis, not memory)
    threading.Timer(0.3, agent.trigger_intent, args=(sender, "later")).start()
    (message,) = stream.messages(1)
    assert (message["from"], message["text"]) == ("bot", "A later reply.")
    stream.close()


def test_one_session_cannot_read_or_write_another(client, redis_client):
    token_a, sender_a = new_session(client)
    token_b, sender_b = new_session(client)
    assert sender_a != sender_b
    post(client, token_a, "/greet", "a1")
    stream_b = Stream(client, token_b)
    assert stream_b.until_synced() == []
    stream_b.close()
    # a guessed sender id is no token
    forged = client.get("/webhooks/widget/stream", headers={"Authorization": f"Bearer {sender_a}"})
    assert forged.status_code == 401 and forged.get_json()["reason"] == "token_invalid"
    assert RedisTrackerStore(redis_client, key_prefix="tracker:").events(sender_b) == []


def test_tokens_expire_rotate_and_are_checked(monkeypatch):
    tokens = SessionTokens(["k" * 20], lifetime_s=3600, rotate_after_s=60)
    token, session = tokens.new()
    assert tokens.verify(token).sender_id == session.sender_id
    assert tokens.refresh(token)[2] is False  # young: kept
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 120)
    old, _ = tokens.issue(session.sender_id)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    fresh, renewed, rotated = tokens.refresh(old)
    assert rotated and fresh != old and renewed.sender_id == session.sender_id
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 7200)
    expired, _ = tokens.issue(session.sender_id)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    with pytest.raises(Unauthorized) as err:
        tokens.verify(expired)
    assert err.value.code == "token_expired"
    # a new signing key: old tokens still work and are rotated to the newest key
    rolled = SessionTokens(["k" * 20, "n" * 20], lifetime_s=3600, rotate_after_s=60)
    assert rolled.refresh(token)[2] is True


def test_the_signing_key_comes_from_the_environment_or_a_named_warning(redis_client, caplog):
    assert signing_keys(redis_client, "p:", {"PARLEY_WIDGET_SECRET": "a" * 16 + " " + "b" * 16}) == [
        "a" * 16,
        "b" * 16,
    ]
    with pytest.raises(ConfigError, match="PARLEY_WIDGET_SECRET"):
        signing_keys(redis_client, "p:", {"PARLEY_WIDGET_SECRET": "short"})
    first = signing_keys(redis_client, "p:", {})
    assert first == signing_keys(redis_client, "p:", {})  # every worker gets the same generated key
    assert "event=widget.secret.generated" in caplog.text and first[0] not in caplog.text


def test_origins_not_on_the_list_are_refused(client):
    evil = client.post("/webhooks/widget/session", json={}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert evil.get_json()["reason"] == "origin_not_allowed" and evil.get_json()["status"] == "failure"
    assert "Access-Control-Allow-Origin" not in evil.headers
    preflight = client.options("/webhooks/widget/webhook", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 403
    ok = client.options(
        "/webhooks/widget/webhook",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert ok.status_code == 200 and ok.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
    own = client.post("/webhooks/widget/session", json={}, headers={"Origin": "http://localhost"})
    assert own.status_code == 200  # the server's own origin (GET /chat) is always allowed


def test_bad_requests_get_rasas_error_body(client):
    token, _ = new_session(client)
    missing = client.post("/webhooks/widget/webhook", json={"message": "hi", "message_id": "x"})
    assert missing.status_code == 401 and missing.get_json()["reason"] == "token_missing"
    assert post(client, token, "", "x").status_code == 400
    bad_id = post(client, token, "hi", "no spaces allowed")
    assert bad_id.status_code == 400 and "message_id" in bad_id.get_json()["message"]
    too_long = post(client, token, "x" * 5001, "long")
    assert too_long.status_code == 413 and "5001" in too_long.get_json()["message"]
    assert post(client, token, "hi", "l1", language="not a language").status_code == 400
    not_json = client.post("/webhooks/widget/webhook", data="{", headers={"Authorization": f"Bearer {token}"})
    assert not_json.status_code == 400 and not_json.get_json()["code"] == 400
    last = client.get(
        "/webhooks/widget/stream", headers={"Authorization": f"Bearer {token}", "Last-Event-ID": "x"}
    )
    assert last.status_code == 400


def test_a_wrong_widget_setting_is_a_start_up_error_naming_the_key():
    with pytest.raises(Exception) as err:
        load_channels({"widget": {"allowed_origins": ["https://shop.example/path"]}}, "credentials.yml")
    assert "allowed_origins" in str(err.value) and "scheme://host" in str(err.value)
    with pytest.raises(Exception) as err:
        load_channels({"widget": {"token_lifetime": 5}}, "credentials.yml")
    assert "widget.token_lifetime" in str(err.value)


def test_the_script_and_the_chat_page_are_served(client):
    script = client.get("/widget.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert b"textContent" in script.data and b"innerHTML" not in script.data
    page = client.get("/chat")
    assert page.status_code == 200 and b'data-title="Test bot"' in page.data
    assert b'src="/widget.js"' in page.data


def test_a_held_stream_leaves_the_server_thread_and_still_follows_the_conversation(app, client):
    """Served by a real server, the stream is handed to the writer thread: the request thread returns,
    replies and later replies still arrive, and a visitor who leaves frees the stream."""
    import requests
    from werkzeug.serving import make_server

    from bot.stores.embedded import free_port

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        token, sender = new_session(client)
        base = f"http://127.0.0.1:{port}"
        stream = requests.get(
            f"{base}/webhooks/widget/stream",
            headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN},
            stream=True,
            timeout=10,
        )
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "Server" not in stream.headers  # written by the writer thread, not by the server
        lines = stream.iter_lines(chunk_size=1, decode_unicode=True)
        assert next(line for line in lines if line.startswith("event:")) == "event: synced"
        requests.post(
            f"{base}/webhooks/widget/webhook",
            json={"message": "/greet", "message_id": "h1"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        app.extensions["parley"].agent.trigger_intent(sender, "later")
        found = (json.loads(line[6:]) for line in lines if line.startswith("data: ") and '"from"' in line)
        data = [next(found) for _ in range(3)]
        assert [m["text"] for m in data] == ["/greet", "Hello! I am the test bot.", "A later reply."]
        runtime = app.extensions["parley.widget"].runtime
        assert runtime.handoff.count == 1
        stream.close()
        deadline = time.monotonic() + 5
        while runtime.handoff.count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime.handoff.count == 0 and runtime.hub.streams == 0
    finally:
        server.shutdown()
