"""Remote actions against a real rasa_sdk server, conversations in a real Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.agent import Agent, UserMessage
from bot.config import ActionEndpoint
from bot.dialogue.domain import load_domain
from bot.dialogue.events import ActionExecuted, BotUttered, SlotSet
from bot.dialogue.model import DialogueModel, train_dialogue
from bot.stores.redis import RedisLockStore, RedisTrackerStore

from .conftest import write_restaurant_project


@pytest.fixture(scope="module")
def restaurant(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, DialogueModel]:
    root = write_restaurant_project(tmp_path_factory.mktemp("restaurant"))
    domain = load_domain(root / "domain.yml")
    train_dialogue(
        [{"name": "RulePolicy"}], domain, [root / "data"], root / "models", config_source=root / "config.yml"
    )
    return domain, DialogueModel.load(root / "models")


def make_agent(restaurant, redis_client, url: str, timeout: float = 10.0) -> Agent:
    domain, model = restaurant
    return Agent(
        domain,
        None,
        model,
        RedisTrackerStore(redis_client, key_prefix="t:"),
        RedisLockStore(redis_client, key_prefix="l:"),
        action_endpoint=ActionEndpoint(url, timeout),
    )


def say(agent: Agent, text: str, sender: str = "ann") -> list[str]:
    return [m.get("text") for m in agent.handle(UserMessage(text=text, sender_id=sender))]


def test_a_remote_action_speaks_and_sets_slots(restaurant, redis_client, action_server):
    agent = make_agent(restaurant, redis_client, action_server)
    assert say(agent, "/hello") == ["Hello ann, this came from the action server."]
    assert agent.tracker("ann").get_slot("greeted") is True


def test_form_validated_by_the_action_server(restaurant, redis_client, action_server):
    agent = make_agent(restaurant, redis_client, action_server)
    assert say(agent, "/request_restaurant") == ["What cuisine?"]
    assert say(agent, '/inform{"cuisine": "klingon"}') == ["I don't know that cuisine.", "What cuisine?"]
    assert say(agent, '/inform{"cuisine": "Greek"}') == ["How many people?"]
    assert say(agent, "/chitchat") == [
        "Nice chat.",
        "How many people?",
    ]  # interruption, then back to the form
    assert say(agent, '/inform{"number": "-2"}') == ["That is not a number of people.", "How many people?"]
    assert say(agent, '/inform{"number": "4"}') == ["Outside?"]
    assert say(agent, "/affirm") == ["Booked greek for 4."]
    tracker = agent.tracker("ann")
    assert tracker.slots["cuisine"] == "greek" and tracker.slots["num_people"] == 4
    assert tracker.slots["outdoor_seating"] is True and tracker.active_loop_name is None


def _tail_is_consistent(agent: Agent, sender: str) -> list:
    events = agent.tracker(sender).events
    assert isinstance(events[-1], ActionExecuted) and events[-1].name == "action_listen"
    return events


def test_unknown_action_404_gives_the_fallback_and_a_consistent_tracker(
    restaurant, redis_client, action_server
):
    agent = make_agent(restaurant, redis_client, action_server)
    assert say(agent, "/missing", "bob") == ["Sorry, that did not work. Please try again."]
    events = _tail_is_consistent(agent, "bob")
    assert not any(isinstance(e, ActionExecuted) and e.name == "action_missing" for e in events)
    failed = [e for e in events if isinstance(e, BotUttered) and e.metadata.get("failed_action")]
    assert failed and failed[0].metadata["error"] == "action_not_found"
    assert say(agent, "/greet", "bob") == ["Hi! Want a table?"]  # the conversation goes on


def test_action_server_timeout_gives_the_fallback(restaurant, redis_client, action_server):
    agent = make_agent(restaurant, redis_client, action_server, timeout=0.5)
    assert say(agent, "/slow", "cy") == ["Sorry, that did not work. Please try again."]
    events = _tail_is_consistent(agent, "cy")
    assert not any(isinstance(e, SlotSet) and e.name == "greeted" for e in events)


def test_action_server_down_gives_the_fallback(restaurant, redis_client):
    from bot.stores.embedded import free_port

    agent = make_agent(restaurant, redis_client, f"http://127.0.0.1:{free_port()}/webhook", timeout=2)
    assert say(agent, "/hello", "dee") == ["Sorry, that did not work. Please try again."]
    _tail_is_consistent(agent, "dee")


def test_validation_failure_on_the_server_keeps_the_form_consistent(restaurant, redis_client):
    from bot.stores.embedded import free_port

    agent = make_agent(restaurant, redis_client, f"http://127.0.0.1:{free_port()}/webhook", timeout=2)
    assert say(agent, "/request_restaurant", "eve") == ["What cuisine?"]
    assert say(agent, '/inform{"cuisine": "greek"}', "eve") == ["Sorry, that did not work. Please try again."]
    tracker = agent.tracker("eve")
    assert tracker.active_loop_name == "restaurant_form"  # still in the form, still asking for the cuisine
    assert tracker.slots["requested_slot"] == "cuisine"


def test_the_same_module_runs_in_process(restaurant, redis_client, tmp_path: Path):
    """A project's actions.py built on rasa_sdk also runs without an action server."""
    from actions.custom import load_custom_actions

    source = Path(__file__).with_name("sdk_actions_source.py").read_text()
    (tmp_path / "actions.py").write_text(source)
    domain, model = restaurant
    agent = Agent(
        domain,
        None,
        model,
        RedisTrackerStore(redis_client, key_prefix="t:"),
        RedisLockStore(redis_client, key_prefix="l:"),
        load_custom_actions(tmp_path),
    )
    assert say(agent, "/request_restaurant", "fay") == ["What cuisine?"]
    assert say(agent, '/inform{"cuisine": "klingon"}', "fay") == [
        "I don't know that cuisine.",
        "What cuisine?",
    ]
    assert say(agent, "/hello", "gus") == ["Hello gus, this came from the action server."]
