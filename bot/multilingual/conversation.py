"""What the agent calls: `incoming()` before the NLU, `outgoing()` when it renders replies.

The conversation's language is Parley-internal: each user event's `parse_data["language"]` records it,

    {"conversation": "de", "detected": "de", "confidence": 0.97, "source": "detected",
     "original": "Wie wird das Wetter?", "translation": "What will the weather be like?",
     "machine_translated": true}

and the next message starts from the last one recorded (`source`: channel | switch | detected | kept).
A message in the bot's language passes untouched; one in another configured language is translated
for the NLU (entities then come from the translation); a message confidently in an unconfigured
language, or a request to switch to one, gets a polite reply in the bot's language; an explicit switch
("can we speak German?") gets `utter_language_switched` (or a built-in line) in the new language.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.channels.base import UserMessage
from bot.dialogue.domain import Domain
from bot.dialogue.events import Event, UserUttered
from bot.dialogue.responses import fill_template, has_language
from bot.languages import LanguageSettings
from bot.multilingual.alignment import original_spans
from bot.multilingual.detection import Detection, LanguageDetector, word_count
from bot.multilingual.switch import native_name, requested_language, spoken_list
from bot.multilingual.translate import MessageTranslator

log = logging.getLogger(__name__)

KEY = "language"  # parse_data[KEY]: the language record of a user message
SWITCHED = "utter_language_switched"  # optional domain responses; built-in texts otherwise
UNSUPPORTED = "utter_language_unsupported"
SWITCHED_TEXT = "Sure, let's continue in {language_name}."
UNSUPPORTED_TEXT = "Sorry, I can only talk with you in {languages}."


@dataclass(frozen=True)
class Incoming:
    """One message's language: the text the NLU parses, the record for the tracker, a direct reply."""

    nlu_text: str
    language: str  # the conversation's language after this message
    record: dict[str, Any] = field(default_factory=dict)
    reply: str | None = None  # SWITCHED | UNSUPPORTED: the agent answers this and runs no policy
    translation: Any = field(default=None, compare=False, repr=False)  # the engine's, with its alignment

    def annotate(self, parse_data: dict[str, Any]) -> dict[str, Any]:
        """The NLU's parse with the language record; entities get their span in the original text
        where the alignment allows (alignment.py)."""
        if not self.record:
            return parse_data
        out = {**parse_data, KEY: self.record}
        if self.translation is not None and parse_data.get("entities"):
            original = str(self.record.get("original", ""))
            out["entities"] = original_spans(
                parse_data["entities"], self.translation, original, self.nlu_text
            )
        return out


class Multilingual:
    def __init__(
        self, settings: LanguageSettings, detector: LanguageDetector, translator: MessageTranslator
    ) -> None:
        self.settings, self.detector, self.translator = settings, detector, translator
        self.bot = settings.bot

    # ------------------------------------------------------------------ in
    def conversation_language(self, events: Sequence[Event]) -> str:
        return self._recorded(events) or self.bot

    def _recorded(self, events: Sequence[Event]) -> str | None:
        """The language the last user message recorded; None at the start of a conversation."""
        for event in reversed(events):
            if isinstance(event, UserUttered):
                record = event.parse_data.get(KEY)
                if isinstance(record, dict) and record.get("conversation") in self.settings.users:
                    return str(record["conversation"])
        return None

    def incoming(self, message: UserMessage, events: Sequence[Event]) -> Incoming:
        text = message.text
        hint = _base(message.language)
        # a new conversation starts in the user's locale (Slack's), where the channel knows it
        current, kept = self._recorded(events), "kept"
        if current is None:
            locale = _base(str(message.metadata.get("locale") or "")) if message.metadata else None
            current, kept = (str(locale), "locale") if locale in self.settings.users else (self.bot, "kept")
        if message.parse_data is not None or (text.startswith("/") and len(text) > 1):
            if hint in self.settings.users:  # a German page's initial `/greet` greets in German
                return Incoming(text, str(hint), {"conversation": hint, "source": "channel"})
            return Incoming(text, current, {"conversation": current, "source": kept})
        detection = self.detector.detect(text, prior=current)
        requested = requested_language(text)
        reply = None
        if requested is not None:
            if requested in self.settings.users:
                language, source, reply = requested, "switch", SWITCHED
            else:
                language, source, reply = current, "switch", UNSUPPORTED
        elif hint in self.settings.users:
            language, source = hint, "channel"
        elif detection.unsupported:
            language, source, reply = current, "detected", UNSUPPORTED
        elif detection.language in self.settings.users and self._confident(detection, text):
            language, source = str(detection.language), "detected"
        else:
            language, source = current, kept
        record: dict[str, Any] = {
            "conversation": language,
            "detected": detection.language,
            "confidence": round(detection.confidence, 4),
            "source": source,
        }
        if detection.unsupported or (requested and reply == UNSUPPORTED):
            record["unsupported"] = detection.unsupported or requested
        if language == self.bot or reply is not None:
            return Incoming(text, language, record, reply)
        result = self.translator.aligned(text, language, self.bot)
        translation = None if result is None else str(result.text)
        record.update(original=text, translation=translation, machine_translated=translation is not None)
        if translation is None:
            record["translation_failed"] = True
        return Incoming(translation or text, language, record, reply, result)

    def _confident(self, detection: Detection, text: str) -> bool:
        floor = self.settings.detection
        needed = floor.min_confidence if word_count(text) >= 2 else floor.short_min_confidence
        return detection.confidence >= needed

    # ------------------------------------------------------------------ out
    def outgoing(self, events: Sequence[Event]) -> ReplyLanguage | None:
        """How replies are rendered in this conversation; None when it is in the bot's language."""
        language = self.conversation_language(events)
        if language == self.bot:
            return None
        return ReplyLanguage(language, self.bot, self.translator, self.detector)

    def direct_reply(self, incoming: Incoming, domain: Domain, slots: dict[str, Any], channel: str | None):
        """The reply to a switch or to an unconfigured language (Incoming.reply), rendered."""
        if incoming.reply == SWITCHED:
            values = {**slots, "language_name": native_name(incoming.language)}
            out = self.outgoing([UserUttered(parse_data={KEY: {"conversation": incoming.language}})])
            if out is None:
                return domain.render(SWITCHED, values, channel) or {
                    "text": fill_template(SWITCHED_TEXT, values)
                }
            return out.render(domain, SWITCHED, values, channel) or out.template(SWITCHED_TEXT, values)
        values = {**slots, "languages": spoken_list(self.settings.users)}
        # in the bot's language: the user's language is one the bot cannot translate
        return domain.render(UNSUPPORTED, values, channel) or {
            "text": fill_template(UNSUPPORTED_TEXT, values)
        }


@dataclass
class ReplyLanguage:
    """Replies in a user language: the domain's `language:` variations first, else machine translation."""

    language: str
    bot: str
    translator: MessageTranslator
    detector: LanguageDetector

    def render(
        self, domain: Domain, name: str, slots: dict[str, Any], channel: str | None
    ) -> dict[str, Any] | None:
        variations = domain.responses.get(name)
        if variations is None:
            return None
        if has_language(variations, self.language):
            return domain.render(name, slots, channel, language=self.language)
        failed: list[str] = []

        def translate(template: str) -> str:
            translated = self.translator.template(template, self.bot, self.language)
            if translated is None:
                failed.append(template)
            return template if translated is None else translated

        message = domain.render(name, slots, channel, language=self.language, transform=translate)
        return self._mark(message, failed) if message is not None else None

    def builtin(
        self, domain: Domain, name: str, fallback: str, slots: dict[str, Any], channel: str | None
    ) -> dict[str, Any]:
        """A built-in reply (`utter_action_failed`, else the agent's own apology) in the language."""
        return self.render(domain, name, slots, channel) or self.template(fallback, slots)

    def template(self, template: str, values: dict[str, Any]) -> dict[str, Any]:
        translated = self.translator.template(template, self.bot, self.language)
        text = fill_template(translated or template, values)
        return self._mark({"text": text}, [] if translated is not None else [template])

    def message(self, message: dict[str, Any]) -> dict[str, Any]:
        """An action's own text and button titles (never payloads), unless already in the language."""
        text, buttons = message.get("text"), message.get("buttons")
        if not text and not buttons:
            return message
        if text and self._already_in_language(text):
            return message
        failed: list[str] = []
        out = dict(message)
        if text:
            out["text"] = self._text(text, failed)
        if buttons:
            out["buttons"] = [{**b, "title": self._text(str(b.get("title", "")), failed)} for b in buttons]
        return self._mark(out, failed)

    def _text(self, text: str, failed: list[str]) -> str:
        translated = self.translator.text(text, self.bot, self.language, self.translator.beam_out)
        if translated is None:
            failed.append(text)
        return text if translated is None else translated

    def _already_in_language(self, text: str) -> bool:
        detection = self.detector.detect(text)
        return detection.language == self.language and detection.confidence >= 0.9

    def _mark(self, message: dict[str, Any], failed: list[str]) -> dict[str, Any]:
        meta = dict(message.get("metadata") or {})
        if failed:  # the engine failed: the reply stays in the bot's language (logged by the translator)
            meta.update(machine_translated=False, language=self.bot, translation_failed=True)
        else:
            meta.update(machine_translated=True, language=self.language)
        return {**message, "metadata": meta}


def _base(code: str | None) -> str | None:
    """'de-AT' -> 'de'."""
    return code.split("-")[0].split("_")[0].lower() if code else None
