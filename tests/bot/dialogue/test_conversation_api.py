"""Conversation API on a real Redis: trigger_intent, the story, sessions, reminders, export."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bot.agent import Agent, UserMessage
from bot.dialogue.domain import load_domain
from bot.dialogue.model import DialogueModel, train_dialogue
from bot.stores.redis import RedisLockStore, RedisTrackerStore

from .conftest import write_project

DOMAIN = """
version: "3.1"
intents: [greet, EXTERNAL_dry_plant, remind, forget, EXTERNAL_reminder]
entities: [plant]
slots:
  plant:
    type: text
    mappings: [{type: from_entity, entity: plant}]
  name:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Hi {name}!"}]
  utter_water: [{text: "Your {plant} needs water."}]
  utter_will_remind: [{text: "I will remind you."}]
  utter_reminded: [{text: "Reminder!"}]
  utter_forgot: [{text: "Forgotten."}]
actions: [action_remind, action_forget]
session_config:
  session_expiration_time: 1
  carry_over_slots_to_new_session: true
"""

RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: plant
  steps: [{intent: EXTERNAL_dry_plant}, {action: utter_water}]
- rule: remind
  steps: [{intent: remind}, {action: action_remind}]
- rule: forget
  steps: [{intent: forget}, {action: action_forget}]
- rule: reminded
  steps: [{intent: EXTERNAL_reminder}, {action: utter_reminded}]
"""


class RemindAction:
    def name(self) -> str:
        return "action_remind"

    def run(self, dispatcher, tracker, domain):
        from datetime import datetime, timedelta

        dispatcher.utter_message(response="utter_will_remind")
        when = (datetime.now() + timedelta(seconds=0.5)).isoformat()
        # rasa_sdk style: plain dicts are accepted as events too
        return [
            {
                "event": "reminder",
                "intent": "EXTERNAL_reminder",
                "date_time": when,
                "name": "r1",
                "kill_on_user_msg": False,
            }
        ]


class ForgetAction:
    def name(self) -> str:
        return "action_forget"

    def run(self, dispatcher, tracker, domain):
        from bot.dialogue.events import ReminderCancelled

        dispatcher.utter_message(response="utter_forgot")
        return [ReminderCancelled(name="r1")]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_project(tmp_path_factory.mktemp("api"), DOMAIN, {"rules.yml": RULES})
    train_dialogue(
        [{"name": "RulePolicy"}],
        load_domain(root / "domain.yml"),
        [root / "data"],
        root / "models",
        config_source=root / "config.yml",
    )
    return root


@pytest.fixture
def agent(project: Path, redis_client) -> Agent:
    from bot.dialogue.reminders import InMemoryReminders

    built = Agent(
        load_domain(project / "domain.yml"),
        None,
        DialogueModel.load(project / "models"),
        RedisTrackerStore(redis_client, key_prefix="tracker:"),
        RedisLockStore(redis_client),
        {"action_remind": RemindAction, "action_forget": ForgetAction},
    )
    built.reminders = InMemoryReminders(built)  # the Redis queue's own tests: tests/bot/jobs
    return built


@pytest.fixture
def client(project: Path, agent: Agent, redis_server, redis_client):
    from bot.app import create_app
    from bot.channels.registry import load_channels
    from bot.config import load_project
    from bot.media import RedisMediaStore
    from bot.services import Services

    services = Services(
        load_project(project, env={}),
        agent.domain,
        agent,
        None,
        None,
        agent.tracker_store,
        agent.lock_store,
        redis_server.url,
        load_channels({}),
        RedisMediaStore(redis_client),
    )
    from bot.api.auth import AuthSettings

    client = create_app(services, AuthSettings(token="conversation-api-token")).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer conversation-api-token"  # the API needs it
    return client


def test_trigger_intent_runs_the_bot_as_if_the_user_said_it(client):
    reply = client.post(
        "/conversations/gardener/trigger_intent",
        json={"name": "EXTERNAL_dry_plant", "entities": {"plant": "orchid"}},
    )
    assert reply.status_code == 200
    body = reply.get_json()
    assert [m["text"] for m in body["messages"]] == ["Your orchid needs water."]
    assert body["tracker"]["slots"]["plant"] == "orchid"


def test_trigger_intent_rejects_bad_input(client):
    assert client.post("/conversations/x/trigger_intent", json={}).status_code == 400
    reply = client.post("/conversations/x/trigger_intent", json={"name": "no_such_intent"})
    assert reply.status_code == 404 and "no_such_intent" in reply.get_json()["message"]


def test_the_conversation_as_a_story(client, agent):
    agent.handle(UserMessage(text="/greet", sender_id="s"))
    agent.handle(UserMessage(text='/EXTERNAL_dry_plant{"plant": "fern"}', sender_id="s"))
    story = client.get("/conversations/s/story").get_data(as_text=True)
    import yaml

    steps = yaml.safe_load(story)["stories"][0]["steps"]
    assert steps == [
        {"intent": "greet"},
        {"action": "utter_greet"},
        {"intent": "EXTERNAL_dry_plant", "entities": [{"plant": "fern"}]},
        {"slot_was_set": [{"plant": "fern"}]},
        {"action": "utter_water"},
    ]


def test_session_expires_and_carries_slots_over(agent):
    from bot.dialogue.events import SessionStarted, SlotSet

    agent.append_events(
        "old",
        [
            SessionStarted(timestamp=time.time() - 600),
            SlotSet(name="name", value="Ada", timestamp=time.time() - 600),
        ],
    )
    assert [m["text"] for m in agent.handle(UserMessage(text="/greet", sender_id="old"))] == ["Hi Ada!"]
    events = agent.tracker("old").events
    assert sum(isinstance(e, SessionStarted) for e in events) == 2  # expired after 1 minute: a new session


def test_session_without_carry_over_forgets_slots(project, redis_client):
    from dataclasses import replace

    from bot.dialogue.events import SessionStarted, SlotSet

    domain = load_domain(project / "domain.yml")
    domain = replace(
        domain, session_config=replace(domain.session_config, carry_over_slots_to_new_session=False)
    )
    agent = Agent(
        domain,
        None,
        DialogueModel.load(project / "models"),
        RedisTrackerStore(redis_client),
        RedisLockStore(redis_client),
    )
    agent.append_events(
        "old",
        [
            SessionStarted(timestamp=time.time() - 600),
            SlotSet(name="name", value="Ada", timestamp=time.time() - 600),
        ],
    )
    assert [m["text"] for m in agent.handle(UserMessage(text="/greet", sender_id="old"))] == ["Hi None!"]


def test_reminders_fire_and_can_be_cancelled(agent):
    assert [m["text"] for m in agent.handle(UserMessage(text="/remind", sender_id="r"))] == [
        "I will remind you."
    ]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "utter_reminded" not in _actions(agent, "r"):
        time.sleep(0.1)
    assert "utter_reminded" in _actions(agent, "r")

    agent.handle(UserMessage(text="/remind", sender_id="q"))
    agent.handle(UserMessage(text="/forget", sender_id="q"))
    time.sleep(1.5)
    assert "utter_reminded" not in _actions(agent, "q")


def _actions(agent: Agent, sender: str) -> list[str]:
    return [getattr(e, "name", None) for e in agent.tracker(sender).events]


def test_export_writes_one_json_line_per_conversation(agent, tmp_path: Path):
    from bot.export import export_conversations

    agent.handle(UserMessage(text="/greet", sender_id="a"))
    agent.handle(UserMessage(text="/greet", sender_id="b"))
    out = tmp_path / "conversations.jsonl"
    assert export_conversations(agent.tracker_store, out) == 2
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["sender_id"] for line in lines] == ["a", "b"]
    assert [e["event"] for e in lines[0]["events"][:2]] == ["action", "session_started"]
