"""Language detection (lingua, restricted to the configured languages) and explicit switches."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.multilingual.detection import LinguaDetector, frame
from bot.multilingual.switch import requested_language, spoken_list


@pytest.fixture(scope="module")
def detector() -> LinguaDetector:
    return LinguaDetector(["en", "de"], recognise=["fr", "es", "it", "nl"])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Wie wird das Wetter morgen in Berlin?", "de"),
        ("Erinnere mich morgen früh an den Zahnarzttermin", "de"),
        ("What will the weather be like in Berlin tomorrow?", "en"),
        ("Set an alarm for seven in the morning", "en"),
    ],
)
def test_sentences_are_told_apart_confidently(detector, text, language):
    detection = detector.detect(text)
    assert detection.language == language
    assert detection.confidence >= 0.8
    assert detection.unsupported is None


@pytest.mark.parametrize("text", ["ok", "Berlin", "hi"])
def test_short_ambiguous_messages_are_not_confident(detector, text):
    assert detector.detect(text).confidence < 0.95


def test_a_sentence_in_an_unconfigured_language_is_reported_as_such(detector):
    detection = detector.detect("Bonjour, quel temps fera-t-il demain à Paris ?")
    assert detection.unsupported == "fr"


def test_an_empty_or_symbol_only_message_has_no_language(detector):
    assert detector.detect("  ").language is None
    assert detector.detect("42 :)").language is None


def test_an_unknown_language_code_is_a_config_error_naming_it():
    with pytest.raises(ConfigError, match="'xx'"):
        LinguaDetector(["en", "xx"])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("can we speak German?", "de"),
        ("Können wir Deutsch sprechen?", "de"),
        ("auf Englisch bitte", "en"),
        ("in English please", "en"),
        ("en français s'il vous plaît", "fr"),
        ("translate good morning into German", None),
        ("what is the weather in Germany", None),
        ("German", None),
    ],
)
def test_explicit_switch_requests(text, language):
    assert requested_language(text) == language


def test_the_spoken_languages_read_as_a_sentence():
    assert spoken_list(("en", "de")) == "English and German"
    assert spoken_list(("en", "de", "fr")) == "English, German and French"


def test_the_frame_drops_capitalised_words_after_the_first():
    assert frame("spiele das Album Everybody Happy von Lee Aaron") == "spiele das von"
    assert frame("Set an alarm for seven") == "Set an alarm for seven"


@pytest.mark.parametrize(
    "text",  # German requests for English titles: lingua alone takes them for English
    ["spiele das Album Everybody Happy von Lee Aaron", "Zeig mir Happiness Was Free ."],
)
def test_a_german_request_for_an_english_title_is_german(detector, text):
    assert detector.detect(text, prior="en").language == "de"


def test_an_ambiguous_message_keeps_the_prior_language(detector):
    assert detector.detect("alarm on").language == "de"  # lingua alone, no prior
    assert detector.detect("alarm on", prior="en").language == "en"
