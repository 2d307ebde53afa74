"""Entities found in the translation are located in the original through the attention alignment."""

from __future__ import annotations

from bot.channels.base import UserMessage
from bot.languages import LanguageSettings
from bot.multilingual.alignment import original_spans, piece_offsets
from bot.multilingual.conversation import Multilingual
from bot.multilingual.detection import Detection, StaticDetector
from bot.multilingual.translate import DictTranslation, MessageTranslator

ORIGINAL = "Wie wird das Wetter in München?"
TRANSLATED = "What is the weather in Munich?"
SOURCE = ("▁Wie", "▁wird", "▁das", "▁Wetter", "▁in", "▁Mün", "chen", "?", "</s>")
TARGET = ("▁What", "▁is", "▁the", "▁weather", "▁in", "▁Munich", "?", "</s>")
# one row per target piece: most attention on the source piece at the same position
ROWS = tuple(tuple(0.9 if j == i else 0.1 / 8 for j in range(len(SOURCE))) for i in range(len(TARGET)))
CITY = {"entity": "city", "start": 23, "end": 29, "value": "Munich"}


def test_pieces_spell_their_text():
    assert piece_offsets(SOURCE, ORIGINAL)[5:7] == [(23, 26), (26, 30)]
    assert piece_offsets(("▁Hallo",), "Hello") is None  # not this text: no offsets


def test_an_entity_of_the_translation_gets_its_span_in_the_original():
    from bot.multilingual.translate import _Result

    [city] = original_spans([CITY], _Result(TRANSLATED, ROWS, SOURCE, TARGET), ORIGINAL, TRANSLATED)
    assert (city["original_start"], city["original_end"], city["original_value"]) == (23, 30, "München")
    assert city["value"] == "Munich" and (city["start"], city["end"]) == (23, 29)  # the NLU's, untouched


def test_without_an_alignment_entities_are_left_as_they_are():
    from bot.multilingual.translate import _Result

    assert original_spans([CITY], _Result(TRANSLATED), ORIGINAL, TRANSLATED) == [CITY]


def test_the_parse_of_a_german_message_carries_the_original_span():
    engine = DictTranslation(
        {("de", "en"): {ORIGINAL: TRANSLATED}}, alignments={ORIGINAL: (ROWS, SOURCE, TARGET)}
    )
    detector = StaticDetector({ORIGINAL: Detection("de", 0.99)})
    multilingual = Multilingual(LanguageSettings("en", ("en", "de")), detector, MessageTranslator(engine))
    incoming = multilingual.incoming(UserMessage(text=ORIGINAL, sender_id="u"), [])
    parse = incoming.annotate({"text": incoming.nlu_text, "entities": [CITY]})
    assert parse["entities"][0]["original_value"] == "München"
    assert parse["language"]["original"] == ORIGINAL
