"""The Redis tracker store against a real redis-server."""

from __future__ import annotations

import time

import pytest

from bot.dialogue.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from bot.errors import StoreUnavailable
from bot.stores.redis import RedisTrackerStore, connect


def test_events_come_back_in_order_with_their_fields(redis_client, redis_server):
    store = RedisTrackerStore(redis_client, key_prefix="t:", url=redis_server.url)
    store.append("u1", [UserUttered(text="hi", parse_data={"intent": {"name": "greet", "confidence": 0.9}})])
    store.append(
        "u1",
        [ActionExecuted(name="utter_greet"), BotUttered(text="Hello!"), SlotSet(name="city", value="Berlin")],
    )
    events = store.events("u1")
    assert [e.type_name for e in events] == ["user", "action", "bot", "slot"]
    assert events[0].intent_name == "greet"
    assert events[2].text == "Hello!"
    assert events[3].value == "Berlin"
    assert list(store.senders()) == ["u1"]


def test_conversation_keys_carry_the_prefix(redis_client, redis_server):
    store = RedisTrackerStore(redis_client, key_prefix="myapp:tracker:", url=redis_server.url)
    store.append("abc", [BotUttered(text="x")])
    assert redis_client.exists("myapp:tracker:{abc}")


def test_a_conversation_stored_under_the_old_key_moves_to_the_hash_tagged_one(redis_client, redis_server):
    import json

    redis_client.rpush("t:old", json.dumps(BotUttered(text="from before").to_dict()))
    redis_client.set("t:media:0123.png", b"png")  # other keys under the prefix are not conversations
    store = RedisTrackerStore(redis_client, key_prefix="t:", url=redis_server.url)
    assert [e.text for e in store.events("old")] == ["from before"]
    assert redis_client.exists("t:{old}") and not redis_client.exists("t:old")
    assert list(store.senders()) == ["old"]


def test_ttl_expires_a_conversation(redis_client, redis_server):
    store = RedisTrackerStore(redis_client, key_prefix="t:", record_exp=1, url=redis_server.url)
    store.append("short", [UserUttered(text="hi")])
    assert store.events("short")
    deadline = time.monotonic() + 5
    while store.events("short") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.events("short") == []


def test_events_survive_a_redis_restart(redis_server):
    client = redis_server.client()
    client.flushdb()
    store = RedisTrackerStore(client, key_prefix="t:", url=redis_server.url)
    store.append("durable", [UserUttered(text="remember me"), ActionExecuted(name="action_listen")])
    redis_server.stop(kill=True)  # no clean shutdown: only the AOF keeps the data
    redis_server.start()
    store = RedisTrackerStore(redis_server.client(), key_prefix="t:", url=redis_server.url)
    assert [e.type_name for e in store.events("durable")] == ["user", "action"]
    assert store.events("durable")[0].text == "remember me"


def test_unreachable_redis_is_a_clear_error_not_a_fallback():
    from bot.stores.embedded import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    store = RedisTrackerStore(connect(url), url=url)
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.append("u1", [UserUttered(text="hi")])
    with pytest.raises(StoreUnavailable):
        store.ping()
