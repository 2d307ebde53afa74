"""Two threads sending to one sender: the log stays complete and each turn stays whole."""

from __future__ import annotations

import json
import threading


def test_concurrent_messages_from_one_sender_are_processed_one_turn_at_a_time(client):
    errors: list[int] = []

    def send(i: int) -> None:
        r = client.post(
            "/webhooks/rest/webhook",
            data=json.dumps({"sender": "busy", "message": "/greet", "metadata": {"i": i}}),
            content_type="application/json",
        )
        if r.status_code != 200:
            errors.append(r.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    events = client.get("/conversations/busy/tracker").get_json()["events"]
    users = [e for e in events if e["event"] == "user"]
    assert len(users) == 8
    # Each user message is followed by its own turn, closed by action_listen, before the next message.
    kinds = [(e["event"], e.get("name")) for e in events]
    for i, (kind, _) in enumerate(kinds):
        if kind == "user" and i > 0:
            assert kinds[i - 1] == ("action", "action_listen")
