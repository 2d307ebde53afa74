"""Bad input never breaks a conversation: every crafted payload is refused with a 4xx saying what is
wrong, nothing of it is stored, and the conversation answers normally afterwards.

The table is tests/bot/bad_inputs.json (also read by bench/reliability.py); hypothesis adds generated
bodies on top. One app serves the whole table: building one loads the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CORPUS = json.loads((Path(__file__).parent / "bad_inputs.json").read_text())["inputs"]


def _send(client, row: dict, sender: str):
    body = bytes.fromhex(row["body_hex"]) if "body_hex" in row else row["body"].encode("utf-8")
    headers = {"Content-Type": row["content_type"]} if row["content_type"] else {}
    return client.post(row["path"].format(sender=sender), data=body, headers=headers)


def _events(client, sender: str) -> list[dict]:
    reply = client.get(f"/conversations/{sender}/tracker")
    assert reply.status_code == 200
    return json.loads(reply.get_data(as_text=True), parse_constant=_no_constant)["events"]


def _no_constant(name: str):
    raise AssertionError(f"the tracker was served with {name}, which is not JSON")


def test_the_corpus_covers_the_findings():
    names = {row["name"] for row in CORPUS}
    for finding in ("nested_arrays_1000", "lone_high_surrogate", "int_5000_digits", "nan", "text_plain"):
        assert finding in names
    assert sum(row["name"].startswith("event_") for row in CORPUS) >= 40
    assert sum(row["name"].startswith("trigger_") for row in CORPUS) >= 10
    assert len(CORPUS) >= 200


def test_every_crafted_payload_is_refused_saying_why_and_the_conversation_still_works(client):
    sender = "victim"
    assert client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "hi"}).status_code == 200
    before = len(_events(client, sender))
    wrong = []
    for row in CORPUS:
        reply = _send(client, row, sender)
        error = reply.get_json(silent=True) or {}
        if reply.status_code != row["status"] or row["says"] not in error.get("message", ""):
            wrong.append(f"{row['name']} {row['path']}: {reply.status_code} {error.get('message', '')[:120]}")
        elif error.get("status") != "failure" or error.get("code") != row["status"]:
            wrong.append(f"{row['name']} {row['path']}: not Rasa's error body: {error}")
    assert wrong == []
    assert len(_events(client, sender)) == before  # nothing of the refused events was stored
    reply = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "thank you"})
    assert reply.status_code == 200 and reply.get_json()
    assert len(_events(client, sender)) > before


def test_a_body_over_the_size_limit_is_413(client):
    huge = b'{"sender": "s", "message": "' + b"x" * 2_000_000 + b'"}'
    reply = client.post("/webhooks/rest/webhook", data=huge, content_type="application/json")
    assert reply.status_code == 413 and reply.get_json()["reason"] == "payload_too_large"


def test_too_many_events_in_one_request_or_in_a_session_is_a_400_naming_the_limit(client, services):
    many = [{"event": "bot", "text": "x"}] * 1001
    reply = client.post("/conversations/many/tracker/events", json=many)
    assert reply.status_code == 400 and "limit is 1000" in reply.get_json()["message"]
    assert _events(client, "many") == []
    services.tracker_store.max_events = 5
    five = client.post("/conversations/capped/tracker/events", json=[{"event": "bot", "text": "x"}] * 5)
    assert five.status_code == 200
    full = client.post("/conversations/capped/tracker/events", json={"event": "bot", "text": "one more"})
    error = full.get_json()
    assert full.status_code == 400 and error["reason"] == "tracker_full", error
    assert "limit of 5" in error["message"] and error["details"]["limit"] == 5
    assert len(_events(client, "capped")) == 5  # nothing of the refused request was stored


def test_valid_events_of_every_type_are_still_accepted(client):
    good = [
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 1}}},
        {"event": "bot", "text": "hello", "timestamp": 1_700_000_000},
        {"event": "action", "name": "utter_greet", "policy": "RulePolicy", "confidence": 1.0},
        {"event": "slot", "name": "language", "value": "german"},
        {"event": "slot", "name": "text", "value": None},
        {"event": "entities", "entities": [{"entity": "text", "value": "Hallo", "start": 0, "end": 5}]},
        {"event": "active_loop", "name": None},
        {"event": "loop_interrupted", "is_interrupted": False},
        {"event": "reminder", "intent": "greet", "date_time": "2030-01-01T10:00:00+00:00", "name": "r1"},
        {"event": "cancel_reminder", "name": "r1"},
        {"event": "reset_slots"},
        {"event": "action", "name": "action_listen", "unknown_field": "ignored as in Rasa"},
    ]
    reply = client.post("/conversations/good/tracker/events", json=good)
    assert reply.status_code == 200, reply.get_json()
    assert [e["event"] for e in _events(client, "good")][-len(good) :] == [e["event"] for e in good]


_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
)
_event_like = st.fixed_dictionaries(
    {"event": st.sampled_from(["user", "bot", "action", "slot", "reminder", "entities", "followup", "x"])},
    optional={
        "text": _json,
        "name": _json,
        "value": _json,
        "timestamp": _json,
        "parse_data": _json,
        "entities": _json,
        "date_time": _json,
        "metadata": _json,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(_json, _event_like, st.lists(_event_like, max_size=3)))
def test_generated_bodies_never_give_a_server_error(client, body):
    for path in ("/conversations/gen/tracker/events", "/conversations/gen/trigger_intent", "/model/parse"):
        reply = client.post(path, data=json.dumps(body, allow_nan=True), content_type="application/json")
        assert reply.status_code < 500, (path, body, reply.get_data(as_text=True)[:300])
    _events(client, "gen")  # the conversation is still served as valid JSON
