"""`action_translate`: translate the `text` entity (or slot) with Parley's own translation engine."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from actions.base import Dispatcher

if TYPE_CHECKING:
    from bot.dialogue.domain import Domain
    from bot.dialogue.events import Event
    from bot.dialogue.tracker import Tracker

log = logging.getLogger(__name__)

LANGUAGE_CODES = {"german": "de", "deutsch": "de", "de": "de", "english": "en", "englisch": "en", "en": "en"}


class Translator(Protocol):
    def pairs(self) -> list[tuple[str, str]]: ...

    def translate(self, texts: list[str], source: str, target: str, *, beam: int = 4) -> list[Any]: ...


class TranslateAction:
    def __init__(
        self, translator: Translator | None, source_language: str = "en", default_target: str = "de"
    ) -> None:
        self.translator = translator
        self.source = source_language
        self.default_target = default_target

    def name(self) -> str:
        return "action_translate"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        from bot.dialogue.events import SlotSet

        latest = tracker.latest_message
        entities = latest.entities if latest is not None else []
        text = _entity(entities, "text") or None
        language = (_entity(entities, "language") or self.default_target).lower()
        target = LANGUAGE_CODES.get(language, language)
        if not text:
            if "utter_ask_text" in domain.responses:
                dispatcher.utter_message(response="utter_ask_text")
            else:
                dispatcher.utter_message(text="What should I translate? Put the text in quotes.")
            return []
        if self.translator is None:
            dispatcher.utter_message(text="Translation is not set up here: no translation model is loaded.")
            return [SlotSet(name="text", value=text)]
        available = self.translator.pairs()
        if (self.source, target) not in available:
            pairs = ", ".join(f"{s}->{t}" for s, t in available) or "none"
            dispatcher.utter_message(
                text=f"I can't translate {self.source} into {target!r} yet. Available: {pairs}."
            )
            return [SlotSet(name="text", value=text)]
        result = self.translator.translate([text], self.source, target)[0]
        dispatcher.utter_message(text=result.text)
        return [SlotSet(name="text", value=text), SlotSet(name="language", value=language)]


def _entity(entities: list[dict[str, Any]], name: str) -> str | None:
    for entity in entities:
        if entity.get("entity") == name and entity.get("value") is not None:
            return str(entity["value"])
    return None
