"""A retried message_id is answered from the stored replies, never processed twice; a 503 says honestly
whether the message was stored (bot/idempotency.py)."""

from __future__ import annotations

import threading

import pytest

from bot.channels.base import UserMessage
from bot.dialogue.events import BotUttered, UserUttered
from bot.errors import StoreUnavailable, http_status
from bot.idempotency import Idempotent
from bot.stores.memory import InMemoryTrackerStore


def _users(client, sender: str) -> list[dict]:
    events = client.get(f"/conversations/{sender}/tracker").get_json()["events"]
    return [e for e in events if e["event"] == "user"]


def test_a_retried_message_id_gets_the_same_replies_and_is_stored_once(client):
    body = {"sender": "retry", "message": "hi", "message_id": "m-1"}
    first = client.post("/webhooks/rest/webhook", json=body)
    again = client.post("/webhooks/rest/webhook", json=body)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json() and first.get_json()
    assert [u["message_id"] for u in _users(client, "retry")] == ["m-1"]
    other = client.post("/webhooks/rest/webhook", json={**body, "message_id": "m-2"})
    assert other.status_code == 200 and len(_users(client, "retry")) == 2


def test_concurrent_duplicates_are_processed_once(client):
    body = {"sender": "twins", "message": "hi", "message_id": "same"}
    replies: list = []

    def send() -> None:
        replies.append(client.post("/webhooks/rest/webhook", json=body).get_json())

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_users(client, "twins")) == 1
    assert all(r == replies[0] for r in replies)


def test_a_bad_message_id_is_a_400(client):
    for bad in (5, "", "x" * 129):
        reply = client.post(
            "/webhooks/rest/webhook", json={"sender": "s", "message": "hi", "message_id": bad}
        )
        assert reply.status_code == 400 and "message_id" in reply.get_json()["message"]


class _Flaky:
    """A handle that stores the user message (and maybe a reply), then fails like a Redis blip."""

    def __init__(self, store: InMemoryTrackerStore, *, store_first: bool) -> None:
        self.store, self.store_first, self.calls = store, store_first, 0

    def __call__(self, message: UserMessage, output=None):
        self.calls += 1
        if self.calls == 1:
            if self.store_first:
                self.store.append(
                    message.sender_id, [UserUttered(text=message.text, message_id=message.message_id)]
                )
                self.store.append(message.sender_id, [BotUttered(text="half a reply")])
            raise StoreUnavailable("Redis at 127.0.0.1 cannot be reached (TimeoutError); nothing was stored")
        self.store.append(message.sender_id, [UserUttered(text=message.text, message_id=message.message_id)])
        return [{"recipient_id": message.sender_id, "text": "full reply"}]


@pytest.mark.parametrize("store_first", [True, False], ids=["stored_then_failed", "failed_before_storing"])
def test_the_503_says_whether_the_message_was_stored_and_the_retry_is_safe(redis_client, store_first):
    store = InMemoryTrackerStore()
    handle = _Flaky(store, store_first=store_first)
    once = Idempotent(handle, redis_client, store)
    message = UserMessage(text="hi", sender_id="blip", message_id="m-9")
    with pytest.raises(StoreUnavailable) as caught:
        once(message)
    error = caught.value
    assert http_status(error) == 503 and error.details["stored"] is store_first
    if store_first:
        assert "was stored" in error.message and "nothing was stored" not in error.message
        assert once(message) == [{"recipient_id": "blip", "text": "half a reply"}]  # what was stored
        assert handle.calls == 1  # not processed twice
    else:
        assert "nothing of this message was stored" in error.message
        assert once(message) == [{"recipient_id": "blip", "text": "full reply"}]
        assert handle.calls == 2
    users = [e for e in store.events("blip") if isinstance(e, UserUttered)]
    assert len(users) == 1


def test_redis_down_is_a_503_that_says_nothing_was_stored(client, redis_server):
    redis_server.stop()
    try:
        reply = client.post(
            "/webhooks/rest/webhook", json={"sender": "down", "message": "hi", "message_id": "d1"}
        )
    finally:
        redis_server.start()
    assert reply.status_code == 503
    error = reply.get_json()
    assert error["details"]["stored"] is False and "nothing of this message was stored" in error["message"]
