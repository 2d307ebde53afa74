"""The action-facing API (actions/sdk.py) and the model-backed action registry, through a real agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.custom import load_custom_actions
from actions.errors import ActionConfigError
from actions.registry import MODEL_BACKED, build_model_backed
from actions.sdk import ActionSettings, CollectingDispatcher, SlotSet, Tracker
from actions.translate import TranslateAction
from bot.agent import UserMessage
from tests.conftest import rule_project

DOMAIN = """
version: "3.1"
intents: [count]
entities: [thing]
slots:
  counted:
    type: float
    mappings: [{type: custom}]
responses:
  utter_counted: [{text: "That makes {counted}."}]
actions: [action_count]
"""
RULES = """
version: "3.1"
rules:
- rule: count
  steps: [{intent: count}, {action: action_count}]
"""
ACTIONS = """
from actions.sdk import Action, SlotSet


class CountAction(Action):
    def name(self):
        return "action_count"

    def run(self, dispatcher, tracker, domain):
        things = list(tracker.get_latest_entity_values("thing"))
        total = (tracker.get_slot("counted") or 0) + len(things)
        assert "utter_counted" in domain["responses"]
        dispatcher.utter_message(text=f"{tracker.sender_id} said {tracker.latest_message['text']!r}")
        dispatcher.utter_message(response="utter_counted", counted=total)
        return [SlotSet("counted", total)]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rule_project(tmp_path_factory.mktemp("action_api"), DOMAIN, RULES, actions_py=ACTIONS)


def test_a_project_action_sees_the_tracker_view_and_its_events_are_applied(project, redis_agent):
    agent = redis_agent(project, load_custom_actions(project))
    said = agent.handle(UserMessage(text='/count{"thing": "apple"}', sender_id="kim"))
    assert [m["text"] for m in said] == ['kim said \'/count{"thing": "apple"}\'', "That makes 1."]
    agent.handle(UserMessage(text='/count{"thing": "pear"}', sender_id="kim"))
    assert agent.tracker("kim").slots["counted"] == 2


def test_an_unknown_model_backed_action_names_the_known_ones():
    with pytest.raises(ActionConfigError) as err:
        build_model_backed({"action_weather": {}}, lambda name, options: ActionSettings(name, options))
    assert "actions.action_weather" in str(err.value)
    for known in MODEL_BACKED:
        assert known in str(err.value)


def test_a_model_backed_action_refuses_an_option_it_does_not_implement():
    with pytest.raises(ActionConfigError) as err:
        TranslateAction.from_settings(ActionSettings("action_translate", {"beam_size": 8}))
    assert "actions.action_translate.beam_size" in str(err.value) and "default_target" in str(err.value)


class _Echo:
    def pairs(self):
        return [("en", "de")]

    def translate(self, texts, source, target, *, beam=4):
        return [type("T", (), {"text": f"[{target}] {t}"})() for t in texts]


def test_the_translate_action_on_the_view_types():
    built = build_model_backed(
        {"action_translate": {}},
        lambda name, options: ActionSettings(name, options, engines={"translation": _Echo()}),
    )
    action = built["action_translate"]()
    tracker = Tracker.from_dict(
        {
            "sender_id": "x",
            "latest_message": {
                "text": "translate",
                "entities": [{"entity": "text", "value": "good morning"}],
            },
        }
    )
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {"responses": {}})
    assert dispatcher.messages[0]["text"] == "[de] good morning"
    assert [(e["event"], e["name"], e["value"]) for e in events] == [
        ("slot", "text", "good morning"),
        ("slot", "language", "de"),
    ]
    assert SlotSet("a", 1)["event"] == "slot"
