"""Sessions as Rasa's `session_config`, and the tracker's cap, on a real Redis with a clock the tests move.

A message after `session_expiration_time` minutes starts a new session (action_session_start,
session_started, the slots carried over when configured); a turn loads only the latest session; a
conversation over `max_events` archives its older sessions and never loses an accepted event.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.agent import Agent, UserMessage
from bot.dialogue.domain import load_domain
from bot.dialogue.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from bot.dialogue.model import DialogueModel
from bot.errors import ConfigError
from bot.stores.base import TrackerFull
from bot.stores.redis import RedisLockStore, RedisTrackerStore
from tests.conftest import rule_project

DOMAIN = """
version: "3.1"
intents: [greet, tell]
entities: [name]
slots:
  name:
    type: text
    mappings: [{type: from_entity, entity: name}]
responses:
  utter_greet: [{text: "Hi {name}!"}]
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: CARRY
"""
RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: tell
  steps: [{intent: tell}, {action: utter_greet}]
"""


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, minutes: float) -> None:
        self.offset += minutes * 60


@pytest.fixture(scope="module", params=["true", "false"])
def project(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    domain = DOMAIN.replace("CARRY", request.param)
    return rule_project(tmp_path_factory.mktemp(f"sessions_{request.param}"), domain, RULES)


def _agent(project: Path, store: RedisTrackerStore, redis_client, clock: Clock) -> Agent:
    return Agent(
        load_domain(project / "domain.yml"),
        None,
        DialogueModel.load(project / "models"),
        store,
        RedisLockStore(redis_client, key_prefix="l:"),
        clock=clock,
    )


def _texts(agent: Agent, text: str, sender: str = "ann") -> list[str]:
    return [m["text"] for m in agent.handle(UserMessage(text=text, sender_id=sender))]


def test_a_message_after_the_expiration_time_starts_a_new_session(project, redis_client):
    carry = load_domain(project / "domain.yml").session_config.carry_over_slots_to_new_session
    clock = Clock()
    store = RedisTrackerStore(redis_client, key_prefix="t:")
    agent = _agent(project, store, redis_client, clock)
    assert _texts(agent, '/tell{"name": "Ann"}') == ["Hi Ann!"]
    clock.advance(59)
    assert _texts(agent, "/greet") == ["Hi Ann!"]  # within the hour: the same session
    assert sum(isinstance(e, SessionStarted) for e in store.events("ann")) == 1
    clock.advance(61)  # an hour and a minute after the user's last message
    assert _texts(agent, "/greet") == ["Hi Ann!" if carry else "Hi None!"]
    events = store.events("ann")
    starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
    assert len(starts) == 2
    second = events[starts[1] - 1 :]
    assert isinstance(second[0], ActionExecuted) and second[0].name == "action_session_start"
    carried = [(e.name, e.value) for e in second if isinstance(e, SlotSet)]
    assert carried[:1] == ([("name", "Ann")] if carry else [])
    # a turn reads only the latest session
    session = store.session_events("ann")
    assert session == second
    assert [e.text for e in session if isinstance(e, UserUttered)] == ["/greet"]


def test_sessions_never_expire_with_an_expiration_time_of_0(tmp_path, redis_client):
    project = rule_project(tmp_path, DOMAIN.replace("60", "0").replace("CARRY", "true"), RULES)
    clock = Clock()
    store = RedisTrackerStore(redis_client, key_prefix="t:")
    agent = _agent(project, store, redis_client, clock)
    _texts(agent, "/greet", "zed")
    clock.advance(60 * 24 * 365)
    _texts(agent, "/greet", "zed")
    assert sum(isinstance(e, SessionStarted) for e in store.events("zed")) == 1


def test_a_long_conversation_archives_old_sessions_and_loses_nothing(project, redis_client):
    clock = Clock()
    store = RedisTrackerStore(redis_client, key_prefix="t:", max_events=40)
    agent = _agent(project, store, redis_client, clock)
    for i in range(30):
        _texts(agent, f'/tell{{"name": "n{i}"}}', "long")
    everything = store.events("long")
    users = [e.text for e in everything if isinstance(e, UserUttered)]
    assert users == [f'/tell{{"name": "n{i}"}}' for i in range(30)]  # every accepted message kept
    assert redis_client.llen("t:{long}") <= 40  # the live list stays under the cap
    assert redis_client.llen("t:{long}:archive") > 0
    assert sum(isinstance(e, SessionStarted) for e in everything) > 2  # rolled over as the session grew
    assert len(store.session_events("long")) <= 20 + 10  # a turn reads one (short) session
    assert agent.tracker("long").slots["name"] == "n29"


def test_events_posted_past_the_cap_are_a_400_and_nothing_is_stored(redis_client):
    store = RedisTrackerStore(redis_client, key_prefix="t:", max_events=5)
    store.append("full", [ActionExecuted(name="action_listen")] * 4)
    with pytest.raises(TrackerFull) as caught:
        store.append("full", [ActionExecuted(name="action_listen")] * 2)
    assert "limit of 5" in caught.value.message and caught.value.kind == "bad_input"
    assert redis_client.llen("t:{full}") == 4
    # a new session makes room: the old one is archived, nothing is lost
    store.append("full", [ActionExecuted(name="action_session_start"), SessionStarted()])
    assert redis_client.llen("t:{full}") == 2 and len(store.events("full")) == 6


def test_an_unindexed_conversation_is_indexed_on_first_read(redis_client):
    import json

    old = [UserUttered(text="a"), ActionExecuted(name="action_session_start"), SessionStarted()]
    old.append(UserUttered(text="b"))
    redis_client.rpush("t:{legacy}", *[json.dumps(e.to_dict()) for e in old])
    store = RedisTrackerStore(redis_client, key_prefix="t:")
    assert [e.type_name for e in store.session_events("legacy")] == ["action", "session_started", "user"]
    assert redis_client.get("t:{legacy}:session") == b"1"
    assert len(store.events("legacy")) == 4


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ("session_expiration_tme: 5", "session_config.session_expiration_tme"),
        ("session_expiration_time: -1", "0 or more"),
        ("session_expiration_time: soon", "number of minutes"),
        ("carry_over_slots_to_new_session: maybe", "true or false"),
    ],
)
def test_session_config_mistakes_name_the_key(tmp_path, section, says):
    (tmp_path / "domain.yml").write_text(f'version: "3.1"\nintents: [greet]\nsession_config:\n  {section}\n')
    with pytest.raises(ConfigError, match=says):
        load_domain(tmp_path / "domain.yml")


def test_a_message_after_expiry_starts_a_new_session_visible_in_the_tracker(client, services):
    clock = Clock()
    services.agent.clock = clock
    send = {"sender": "rest-session", "message": "/greet"}
    assert client.post("/webhooks/rest/webhook", json=send).status_code == 200
    clock.advance(61)  # the demo's session_config: 60 minutes
    assert client.post("/webhooks/rest/webhook", json=send).status_code == 200
    events = client.get("/conversations/rest-session/tracker").get_json()["events"]
    assert [e["event"] for e in events].count("session_started") == 2
    names = [e.get("name") for e in events if e["event"] == "action"]
    assert names.count("action_session_start") == 2
    assert [e["text"] for e in events if e["event"] == "user"] == ["/greet", "/greet"]
