"""Sentence splitting: pysbd for cased prose, plus the standalone-period rule for lowercased text."""

from __future__ import annotations

from actions.summarization.splitting import count_words, split_sentences


def test_abbreviations_and_decimals_do_not_end_sentences():
    text = "Dr. Smith paid $3.50 at 5 p.m. in the U.S. He left! Did he come back? No."
    assert split_sentences(text) == [
        "Dr. Smith paid $3.50 at 5 p.m. in the U.S.",
        "He left!",
        "Did he come back?",
        "No.",
    ]


def test_paragraphs_end_sentences_and_hard_wraps_join():
    text = "A heading without a stop\n\nThe first line of a\nwrapped sentence ends here. Then another."
    assert split_sentences(text) == [
        "A heading without a stop",
        "The first line of a wrapped sentence ends here.",
        "Then another.",
    ]


def test_lowercased_tokenized_text_splits_on_standalone_periods():
    text = "tehran agreed to halt the program . obama said he understands . the u.s. and mr. kerry agreed ."
    assert split_sentences(text) == [
        "tehran agreed to halt the program .",
        "obama said he understands .",
        "the u.s. and mr. kerry agreed .",
    ]


def test_a_closing_quote_stays_with_its_sentence_and_an_opening_one_with_the_next():
    assert split_sentences("`` we will win . '' the crowd cheered .") == [
        "`` we will win . ''",
        "the crowd cheered .",
    ]
    assert split_sentences('He left. "Hello," she said.') == ["He left.", '"Hello," she said.']


def test_empty_and_whitespace_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t ") == []
    assert count_words("three words here") == 3
