"""Built-in replies in the user's language: `utter_action_failed` (and, without one in the domain, the
agent's own apology) are translated out like any response, and marked `machine_translated`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.agent import APOLOGY, Agent
from bot.channels.base import UserMessage
from bot.config import ActionEndpoint
from bot.dialogue.domain import domain_from_dict
from bot.dialogue.model import DialogueModel, train_dialogue
from bot.languages import LanguageSettings
from bot.multilingual.conversation import Multilingual
from bot.multilingual.detection import StaticDetector
from bot.multilingual.translate import DictTranslation, MessageTranslator
from bot.stores.embedded import free_port
from bot.stores.memory import InMemoryLockStore, InMemoryTrackerStore

FAILED = "Sorry, that did not work."
EN_DE = {FAILED: "Das hat leider nicht geklappt."}
RULES = """
version: "3.1"
rules:
- {rule: book, steps: [{intent: book}, {action: action_book}]}
"""


def domain(with_failed_response: bool):
    responses = {"utter_greet": [{"text": "Hi!"}, {"text": "Hallo!", "language": "de"}]}
    if with_failed_response:
        responses["utter_action_failed"] = [{"text": FAILED}]
    return domain_from_dict({"intents": ["book"], "actions": ["action_book"], "responses": responses})


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("builtin")
    (root / "data").mkdir()
    (root / "data" / "rules.yml").write_text(RULES)
    (root / "config.yml").write_text("language: en\n")
    train_dialogue(
        [{"name": "RulePolicy"}],
        domain(True),
        [root / "data"],
        root / "model",
        config_source=root / "config.yml",
    )
    return root / "model"


def agent(dialogue: Path, with_failed_response: bool) -> Agent:
    multilingual = Multilingual(
        LanguageSettings("en", ("en", "de")),
        StaticDetector({}),
        MessageTranslator(DictTranslation({("en", "de"): EN_DE})),
    )
    return Agent(
        domain(with_failed_response),
        None,
        DialogueModel.load(dialogue),
        InMemoryTrackerStore(),
        InMemoryLockStore(),
        action_endpoint=ActionEndpoint(f"http://127.0.0.1:{free_port()}/webhook", timeout=2),  # nobody there
        multilingual=multilingual,
    )


def test_utter_action_failed_is_translated_for_a_german_conversation(dialogue):
    replies = agent(dialogue, True).handle(UserMessage("/book", "de1", language="de"))
    assert [r["text"] for r in replies] == ["Das hat leider nicht geklappt."]
    assert replies[0]["metadata"] == {"machine_translated": True, "language": "de"}


def test_without_utter_action_failed_the_agents_apology_is_translated(dialogue):
    replies = agent(dialogue, False).handle(UserMessage("/book", "de2", language="de"))
    assert [r["text"] for r in replies] == [f"[de] {APOLOGY}"]  # the test double marks what it translated
    assert replies[0]["metadata"]["machine_translated"] is True


def test_an_english_conversation_keeps_the_english_apology(dialogue):
    replies = agent(dialogue, True).handle(UserMessage("/book", "en1"))
    assert [r["text"] for r in replies] == [FAILED] and "metadata" not in replies[0]
