"""The engine on the real encoder: budgets, order, determinism, and a clear BadInput for each bad input."""

from __future__ import annotations

import pytest

from actions.summarization import BadInput, Budget, SummarizerConfig
from actions.summarization.errors import ConfigError

GERMAN = (
    "Der Stadtrat hat am Dienstag beschlossen, eine neue Brücke über den Fluss zu bauen. Die Brücke soll "
    "die Altstadt mit den wachsenden nördlichen Vierteln verbinden. Der Bau beginnt im nächsten Frühjahr."
)
RUSSIAN = "Городской совет решил построить новый мост. Мост соединит старый город с северными районами."


def test_a_sentence_budget_gives_that_many_sentences_in_input_order(summarizer, article):
    summary = summarizer.summarize(article, Budget(sentences=2))
    assert len(summary.sentences) == 2
    indices = [s.index for s in summary.sentences]
    assert indices == sorted(indices)
    assert summary.input_sentences == 10
    assert all(s.text in article for s in summary.sentences)
    assert summary.sentences[0].index == 0  # news-style text: the lead sentence opens the summary


def test_the_default_budget_is_three_sentences(summarizer, article):
    assert len(summarizer.summarize(article).sentences) == 3


def test_a_word_budget_is_respected(summarizer, article):
    summary = summarizer.summarize(article, Budget(words=40))
    assert 0 < summary.words <= 40
    assert summary.to_dict()["summary_words"] == summary.words


def test_the_same_text_gives_the_same_summary(summarizer, article):
    assert summarizer.summarize(article).to_dict() == summarizer.summarize(article).to_dict()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   \n\n  ", "empty"),
        ("The council voted to build a bridge across the river.", "single sentence"),
        (GERMAN, "English"),
        (RUSSIAN, "Latin alphabet"),
        ("A text.\x00\x01 With a NUL byte in it.", "binary"),
        (b"bytes, not text. Two sentences.", "string"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix(summarizer, text, says):
    with pytest.raises(BadInput, match=says) as info:
        summarizer.summarize(text)
    assert info.value.kind == "bad_input"


def test_too_long_input_names_the_numbers(summarizer, article):
    small = summarizer.with_config(SummarizerConfig(max_chars=100))
    with pytest.raises(BadInput, match=r"has \d+ characters, the maximum is 100"):
        small.summarize(article)
    few = summarizer.with_config(SummarizerConfig(max_sentences=5))
    with pytest.raises(BadInput, match="has 10 sentences, the maximum is 5"):
        few.summarize(article)


@pytest.mark.parametrize("budget", [{"sentences": 0}, {"words": -3}, {"sentences": 2, "words": 10}, {}])
def test_a_bad_budget_is_bad_input(budget):
    with pytest.raises(BadInput):
        Budget(**budget)


def test_unknown_or_mistyped_options_fail_with_the_key():
    with pytest.raises(ConfigError, match=r"unknown option\(s\) \['sentence'\]; valid: .*'sentences'"):
        SummarizerConfig.from_options({"sentence": 3}, "endpoints.yml actions.action_summarize")
    with pytest.raises(ConfigError, match="option 'redundancy' must be float"):
        SummarizerConfig.from_options({"redundancy": "high"})
    assert SummarizerConfig.from_options({"redundancy": 0, "words": 50}).redundancy == 0.0
