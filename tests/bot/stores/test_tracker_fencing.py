"""Fencing on append, against a real redis-server: a turn whose lock expired and was taken over by
another turn cannot write into the conversation any more (bot/stores/redis.py, bot/agent.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from actions.sdk import Action
from bot.agent import Agent, UserMessage
from bot.dialogue.domain import load_domain
from bot.dialogue.events import BotUttered, UserUttered
from bot.dialogue.model import DialogueModel
from bot.errors import http_status
from bot.stores.base import StaleLock
from bot.stores.redis import RedisLockStore, RedisTrackerStore
from tests.conftest import rule_project

DOMAIN = """
version: "3.1"
intents: [greet, slow]
responses:
  utter_greet: [{text: "Hello!"}]
actions: [action_slow]
"""
RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: slow
  steps: [{intent: slow}, {action: action_slow}]
"""


def _texts(store: RedisTrackerStore, sender: str) -> list[str]:
    return [e.text for e in store.events(sender) if isinstance(e, UserUttered | BotUttered) and e.text]


def test_a_writer_whose_lock_was_taken_over_cannot_append(redis_client, redis_server):
    locks = RedisLockStore(redis_client, key_prefix="l:", lifetime_s=0.3)
    store = RedisTrackerStore(redis_client, key_prefix="t:", url=redis_server.url)
    with locks.lock("c") as old:
        store.claim("c", old.token)
        store.append("c", [UserUttered(text="first")], fence=old.token)
        redis_client.delete(f"l:{{c}}:ticket:{old.token}")  # its worker froze: no more renewals

        def other_turn() -> None:
            with locks.lock("c") as new:
                store.claim("c", new.token)
                store.append("c", [UserUttered(text="second")], fence=new.token)

        thread = threading.Thread(target=other_turn)
        thread.start()
        thread.join(10)
        with pytest.raises(StaleLock) as caught:
            store.append("c", [BotUttered(text="late reply to first")], fence=old.token)
    assert _texts(store, "c") == ["first", "second"]
    assert http_status(caught.value) == 503 and caught.value.code == "lock_lost"
    assert "were not stored" in caught.value.message
    assert caught.value.details["not_stored"] == 1
    with pytest.raises(StaleLock):  # a stale turn cannot claim the conversation back either
        store.claim("c", old.token)


def test_tickets_keep_growing_when_the_lock_counter_is_lost(redis_client):
    """A lock Redis that lost its keys (or a counter idle for 24 h) must not hand out tickets below a
    claim the tracker store still holds, or no one could write to the conversation again."""
    locks = RedisLockStore(redis_client, key_prefix="l:")
    store = RedisTrackerStore(redis_client, key_prefix="t:")
    with locks.lock("reset") as first:
        store.claim("reset", first.token)
    redis_client.delete("l:{reset}:tickets", "l:{reset}:serving")
    with locks.lock("reset") as second:
        assert second.token >= first.token
        store.claim("reset", second.token)
        store.append("reset", [UserUttered(text="still writable")], fence=second.token)
    assert _texts(store, "reset") == ["still writable"]


class _Stall(Action):
    """While it runs, its worker "freezes" past the lock's lifetime and another turn takes over."""

    def __init__(self, freeze) -> None:
        self.freeze = freeze

    def name(self) -> str:
        return "action_slow"

    def run(self, dispatcher, tracker, domain):
        self.freeze()
        dispatcher.utter_message(text="slow answer")
        return []


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rule_project(tmp_path_factory.mktemp("fencing"), DOMAIN, RULES)


def test_an_agent_turn_that_outlived_its_lock_stores_nothing_more(project, redis_client):
    locks = RedisLockStore(redis_client, key_prefix="l:", lifetime_s=0.3)
    store = RedisTrackerStore(redis_client, key_prefix="t:")

    def agent(actions=None) -> Agent:
        return Agent(
            load_domain(project / "domain.yml"),
            None,
            DialogueModel.load(project / "models"),
            store,
            locks,
            actions,
        )

    other = agent()
    replies: list = []

    def freeze() -> None:
        token = int(redis_client.get("l:{kim}:serving"))
        redis_client.delete(f"l:{{kim}}:ticket:{token}")  # renewals stopped, the lock expires
        thread = threading.Thread(target=lambda: replies.extend(other.handle(UserMessage("/greet", "kim"))))
        thread.start()
        thread.join(10)

    stalled = agent({"action_slow": lambda: _Stall(freeze)})
    with pytest.raises(StaleLock):
        stalled.handle(UserMessage("/slow", "kim"))
    assert [r["text"] for r in replies] == ["Hello!"]
    texts = _texts(store, "kim")
    assert texts == ["/slow", "/greet", "Hello!"]  # the stalled turn's reply never landed in the log
    events = store.events("kim")
    assert events[-1].to_dict()["name"] == "action_listen"  # the other turn's log is whole
