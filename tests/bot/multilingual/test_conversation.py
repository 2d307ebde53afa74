"""Translate in before the NLU, replies out: the language record, variations, machine translation."""

from __future__ import annotations

import logging

import pytest

from bot.channels.base import UserMessage
from bot.dialogue.domain import domain_from_dict
from bot.dialogue.events import UserUttered
from bot.languages import LanguageSettings
from bot.multilingual.conversation import SWITCHED, UNSUPPORTED, Multilingual
from bot.multilingual.detection import Detection, LinguaDetector
from bot.multilingual.translate import DictTranslation, MessageTranslator

DE_EN = {
    "Wie wird das Wetter morgen?": "What will the weather be like tomorrow?",
    "hallo zusammen": "hello everyone",
}
EN_DE = {
    "You're welcome!": "Gern geschehen!",
    "The weather in {city} is nice.": "Das Wetter in {city} ist schön.",
    "Help me": "Hilf mir",
}
DOMAIN = domain_from_dict(
    {
        "responses": {
            "utter_greet": [{"text": "Hi!"}, {"text": "Hallo!", "language": "de"}],
            "utter_thank": [
                {"text": "You're welcome!", "buttons": [{"title": "Help me", "payload": "/help"}]}
            ],
            "utter_weather": [{"text": "The weather in {city} is nice."}],
        }
    }
)


@pytest.fixture(scope="module")
def detector() -> LinguaDetector:
    return LinguaDetector(["en", "de"], recognise=["fr", "es", "it", "nl"])


@pytest.fixture
def engine() -> DictTranslation:
    return DictTranslation({("de", "en"): DE_EN, ("en", "de"): EN_DE})


@pytest.fixture
def multilingual(detector, engine) -> Multilingual:
    return Multilingual(LanguageSettings("en", ("en", "de")), detector, MessageTranslator(engine))


def said(text: str, **kwargs) -> UserMessage:
    return UserMessage(text=text, sender_id="u", **kwargs)


def in_language(code: str) -> list[UserUttered]:
    return [UserUttered(text="x", parse_data={"language": {"conversation": code}})]


def test_a_german_message_reaches_the_nlu_in_english_and_the_record_keeps_both(multilingual):
    incoming = multilingual.incoming(said("Wie wird das Wetter morgen?"), [])
    assert incoming.nlu_text == "What will the weather be like tomorrow?"
    assert incoming.language == "de" and incoming.reply is None
    record = incoming.annotate({"text": incoming.nlu_text})["language"]
    assert record["original"] == "Wie wird das Wetter morgen?"
    assert record["translation"] == "What will the weather be like tomorrow?"
    assert record["detected"] == "de" and record["confidence"] >= 0.8 and record["source"] == "detected"
    assert record["machine_translated"] is True


def test_an_english_message_passes_untouched(multilingual, engine):
    incoming = multilingual.incoming(said("What will the weather be like tomorrow?"), [])
    assert incoming.nlu_text == "What will the weather be like tomorrow?" and incoming.language == "en"
    assert engine.calls == []


@pytest.mark.parametrize("text", ["ok", "Berlin"])
def test_short_messages_keep_the_conversations_language(multilingual, text):
    incoming = multilingual.incoming(said(text), in_language("de"))
    assert incoming.language == "de" and incoming.record["source"] == "kept"
    assert incoming.nlu_text == f"[en] {text}"  # translated de->en (the double marks unknown texts)


def test_the_channels_hint_wins_over_detection(multilingual):
    incoming = multilingual.incoming(said("hallo zusammen", language="de-AT"), [])
    assert incoming.record["source"] == "channel" and incoming.nlu_text == "hello everyone"
    english = multilingual.incoming(said("Wie wird das Wetter morgen?", language="en"), [])
    assert english.language == "en" and english.nlu_text == "Wie wird das Wetter morgen?"


def test_an_explicit_switch_changes_the_language_and_is_acknowledged_in_it(multilingual):
    incoming = multilingual.incoming(said("can we speak German?"), [])
    assert incoming.language == "de" and incoming.reply == SWITCHED
    reply = multilingual.direct_reply(incoming, DOMAIN, {}, None)
    assert reply["text"] == "[de] Sure, let's continue in Deutsch."  # slot filled after translation
    back = multilingual.incoming(said("auf Englisch bitte"), in_language("de"))
    assert back.language == "en" and back.reply == SWITCHED
    assert multilingual.direct_reply(back, DOMAIN, {}, None)["text"] == "Sure, let's continue in English."


def test_an_unconfigured_language_gets_a_polite_reply_naming_the_languages(multilingual, engine):
    incoming = multilingual.incoming(said("Bonjour, quel temps fera-t-il demain à Paris ?"), [])
    assert incoming.reply == UNSUPPORTED and incoming.record["unsupported"] == "fr"
    assert incoming.language == "en"
    reply = multilingual.direct_reply(incoming, DOMAIN, {}, None)
    assert reply["text"] == "Sorry, I can only talk with you in English and German."
    asked = multilingual.incoming(said("can we speak French?"), [])
    assert asked.reply == UNSUPPORTED and asked.record["unsupported"] == "fr"
    assert engine.calls == []


def test_a_failing_translator_falls_back_to_the_original_with_a_warning(detector, caplog):
    broken = Multilingual(
        LanguageSettings("en", ("en", "de")), detector, MessageTranslator(DictTranslation({}, fail=True))
    )
    with caplog.at_level(logging.WARNING, logger="bot.multilingual.translate"):
        incoming = broken.incoming(said("Wie wird das Wetter morgen?"), [])
        reply = broken.outgoing(in_language("de")).render(DOMAIN, "utter_thank", {}, None)
    assert incoming.nlu_text == "Wie wird das Wetter morgen?"
    assert incoming.record["translation_failed"] is True
    assert reply["text"] == "You're welcome!"
    assert reply["metadata"] == {"machine_translated": False, "language": "en", "translation_failed": True}
    assert "event=multilingual.translation_failed pair=de-en" in caplog.text


def test_a_language_variation_comes_first(multilingual, engine):
    reply = multilingual.outgoing(in_language("de")).render(DOMAIN, "utter_greet", {}, None)
    assert reply["text"] == "Hallo!" and "metadata" not in reply
    assert engine.calls == []
    assert DOMAIN.render("utter_greet", {}) == {"text": "Hi!"}  # English users never see it


def test_without_a_variation_text_and_button_titles_are_machine_translated_never_payloads(multilingual):
    reply = multilingual.outgoing(in_language("de")).render(DOMAIN, "utter_thank", {}, None)
    assert reply["text"] == "Gern geschehen!"
    assert reply["buttons"] == [{"title": "Hilf mir", "payload": "/help"}]
    assert reply["metadata"] == {"machine_translated": True, "language": "de"}


def test_slot_values_are_not_translated(multilingual, engine):
    reply = multilingual.outgoing(in_language("de")).render(DOMAIN, "utter_weather", {"city": "Munich"}, None)
    assert reply["text"] == "Das Wetter in Munich ist schön."
    assert all("Munich" not in text for _, _, text in engine.calls)


def test_an_actions_own_text_is_translated_unless_already_in_the_language(multilingual):
    out = multilingual.outgoing(in_language("de"))
    assert out.message({"text": "Help me"})["text"] == "Hilf mir"
    german = {"text": "Wird es morgen in Berlin sonnig sein?"}
    assert out.message(german) == german


def test_repeated_texts_come_from_the_cache(multilingual, engine):
    for _ in range(3):
        multilingual.incoming(said("Wie wird das Wetter morgen?"), [])
    assert len(engine.calls) == 1


def test_a_template_whose_placeholder_the_model_drops_is_translated_piece_by_piece(detector):
    engine = DictTranslation(
        {
            ("en", "de"): {
                "Hello {name}, welcome!": "Hallo, willkommen!",
                "Hello": "Hallo",
                ", welcome!": ", willkommen!",
            }
        }
    )
    translator = MessageTranslator(engine)
    assert translator.template("Hello {name}, welcome!", "en", "de") == "Hallo {name}, willkommen!"


def test_detections_are_recorded_even_for_the_bots_language(multilingual):
    record = multilingual.incoming(said("What will the weather be like tomorrow?"), []).record
    assert record["conversation"] == "en" and "original" not in record
    assert Detection("en", 1.0).to_dict() == {"language": "en", "confidence": 1.0}


def test_a_channels_locale_starts_the_conversation_in_its_language(multilingual):
    first = multilingual.incoming(said("ok", metadata={"locale": "de-DE"}), [])
    assert first.language == "de" and first.record["source"] == "locale"
    greeting = multilingual.incoming(said("/greet", metadata={"locale": "de-DE"}), [])
    assert greeting.language == "de" and greeting.record == {"conversation": "de", "source": "locale"}
    # detection still wins over the locale, and a recorded language over a locale
    english = multilingual.incoming(
        said("What will the weather be like tomorrow?", metadata={"locale": "de"}), []
    )
    assert english.language == "en" and english.record["source"] == "detected"
    later = multilingual.incoming(said("ok", metadata={"locale": "de-DE"}), in_language("en"))
    assert later.language == "en" and later.record["source"] == "kept"


def test_a_locale_in_no_user_language_is_ignored(multilingual):
    incoming = multilingual.incoming(said("ok", metadata={"locale": "fr-FR"}), [])
    assert incoming.language == "en" and incoming.record["source"] == "kept"
