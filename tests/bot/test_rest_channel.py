"""The REST channel: Rasa's request/response shape, and a clear 4xx for every kind of bad input."""

from __future__ import annotations

import json

import pytest


def post(client, body, **kwargs):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/webhooks/rest/webhook", data=data, content_type="application/json", **kwargs)


def test_greeting_gets_a_greeting_in_rasas_shape(client):
    response = post(client, {"sender": "u1", "message": "hello there"})
    assert response.status_code == 200
    replies = response.get_json()
    assert isinstance(replies, list) and replies
    assert replies[0]["recipient_id"] == "u1"
    assert "Parley" in replies[0]["text"]


def test_help_reply_carries_buttons(client):
    replies = post(client, {"sender": "u2", "message": "what can you do?"}).get_json()
    assert any(r.get("buttons") for r in replies)


def test_the_event_log_records_the_turn(client):
    post(client, {"sender": "u3", "message": "bye"})
    tracker = client.get("/conversations/u3/tracker").get_json()
    kinds = [e["event"] for e in tracker["events"]]
    assert kinds[:2] == ["action", "session_started"]  # Rasa's order: the action, then its event
    assert tracker["events"][0]["name"] == "action_session_start"
    assert "user" in kinds and "bot" in kinds
    assert kinds[-1] == "action" and tracker["events"][-1]["name"] == "action_listen"
    user = next(e for e in tracker["events"] if e["event"] == "user")
    assert user["text"] == "bye" and user["parse_data"]["intent"]["name"] == "goodbye"


@pytest.mark.parametrize(
    ("body", "code", "hint"),
    [
        ("this is not json", "invalid_json", "not JSON"),
        ("", "invalid_json", "empty"),
        ('["a", "list"]', "validation_failed", "JSON object"),
        ({"message": "hi"}, "validation_failed", "'sender'"),
        ({"sender": "u1"}, "validation_failed", "'message'"),
        ({"sender": 42, "message": "hi"}, "validation_failed", "'sender' must be a string"),
        ({"sender": "u1", "message": ["hi"]}, "validation_failed", "'message' must be a string"),
        ({"sender": "u1", "message": "hi", "metadata": "x"}, "validation_failed", "'metadata'"),
    ],
)
def test_bad_input_gets_a_400_saying_what_to_fix(client, body, code, hint):
    response = post(client, body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["reason"] == code
    assert hint in payload["message"]


def test_non_utf8_bytes_get_a_400(client):
    response = post(client, b'{"sender": "u1", "message": "caf\xe9"}')
    assert response.status_code == 400
    assert response.get_json()["reason"] == "invalid_encoding"


def test_over_long_message_gets_a_413_with_the_limit(client):
    response = post(client, {"sender": "u1", "message": "x" * 5001})
    assert response.status_code == 413
    assert "5000" in response.get_json()["message"]


def test_empty_message_gets_a_valid_reply(client):
    response = post(client, {"sender": "u-empty", "message": ""})
    assert response.status_code == 200
    replies = response.get_json()
    assert replies and replies[0]["text"]


def test_redis_down_is_a_503_with_a_clear_message(client, redis_server):
    redis_server.stop()
    try:
        response = post(client, {"sender": "u1", "message": "hi"})
        assert response.status_code == 503
        body = response.get_json()
        assert body["reason"] == "store_unavailable"
        assert "Redis" in body["message"]
        health = client.get("/health")
        assert health.status_code == 503
    finally:
        redis_server.start()


def test_health_reports_redis_and_model(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert body["checks"]["redis"] == "ok" and body["checks"]["nlu_model"] == "ok"


def test_a_failing_action_leaves_a_consistent_log_and_the_conversation_goes_on(client, services):
    class Broken:
        def name(self):
            return "action_translate"

        def run(self, dispatcher, tracker, domain):
            raise RuntimeError("model exploded")

    services.agent.actions.project_actions["action_translate"] = Broken
    response = post(client, {"sender": "u-broken", "message": '/translate{"text": "good morning"}'})
    assert response.status_code == 500
    assert response.get_json()["reason"] == "internal_error"
    events = client.get("/conversations/u-broken/tracker").get_json()["events"]
    assert any(e["event"] == "user" and e["text"].startswith("/translate") for e in events)
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
    assert post(client, {"sender": "u-broken", "message": "/greet"}).status_code == 200
