"""`action_translate`: translate the `text` entity (or slot) with Parley's own translation engine."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from actions.sdk import Action, ActionSettings, CollectingDispatcher, EventDict, SlotSet, Tracker

log = logging.getLogger(__name__)

LANGUAGE_CODES = {"german": "de", "deutsch": "de", "de": "de", "english": "en", "englisch": "en", "en": "en"}


class Translator(Protocol):
    def pairs(self) -> list[tuple[str, str]]: ...

    def translate(self, texts: list[str], source: str, target: str, *, beam: int = 4) -> list[Any]: ...


class TranslateAction(Action):
    engines = ("translation",)

    def __init__(
        self, translator: Translator | None, source_language: str = "en", default_target: str = "de"
    ) -> None:
        self.translator = translator
        self.source = source_language
        self.default_target = default_target

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> TranslateAction:
        unknown = sorted(set(settings.options) - {"default_target"})
        if unknown:
            from actions.errors import ActionConfigError

            raise ActionConfigError(
                "endpoints.yml",
                f"actions.{settings.name}.{unknown[0]}",
                "unknown option; valid: default_target",
            )
        return cls(
            settings.engines.get("translation"),
            source_language=settings.language,
            default_target=str(settings.options.get("default_target", "de")),
        )

    def name(self) -> str:
        return "action_translate"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventDict]:
        text = next(iter(tracker.get_latest_entity_values("text")), None) or None
        language = str(next(iter(tracker.get_latest_entity_values("language")), None) or self.default_target)
        language = language.lower()
        target = LANGUAGE_CODES.get(language, language)
        if not text:
            if "utter_ask_text" in (domain.get("responses") or {}):
                dispatcher.utter_message(response="utter_ask_text")
            else:
                dispatcher.utter_message(text="What should I translate? Put the text in quotes.")
            return []
        text = str(text)
        if self.translator is None:
            dispatcher.utter_message(text="Translation is not set up here: no translation model is loaded.")
            return [SlotSet("text", text)]
        available = self.translator.pairs()
        if (self.source, target) not in available:
            pairs = ", ".join(f"{s}->{t}" for s, t in available) or "none"
            dispatcher.utter_message(
                text=f"I can't translate {self.source} into {target!r} yet. Available: {pairs}."
            )
            return [SlotSet("text", text)]
        result = self.translator.translate([text], self.source, target)[0]
        dispatcher.utter_message(text=result.text)
        return [SlotSet("text", text), SlotSet("language", language)]
