"""summarize_request: the function the server mounts as POST /summarize."""

from __future__ import annotations

import pytest

from actions.summarization.errors import BadInput
from actions.summarization.http import summarize_request


def test_text_in_summary_out(summarizer, article):
    out = summarize_request({"text": article, "sentences": 2}, summarizer)
    assert len(out["sentences"]) == 2
    assert out["summary"] == " ".join(out["sentences"])
    assert out["input_sentences"] == 10 and out["budget"] == {"sentences": 2}
    assert summarize_request({"text": article, "words": 30}, summarizer)["summary_words"] <= 30
    assert len(summarize_request({"text": article}, summarizer)["sentences"]) == 3


def test_a_conversation_in_a_hand_off_out(summarizer):
    turns = [
        {"speaker": "user", "text": "Do you deliver on Sundays?"},
        {"speaker": "bot", "text": "Yes, until 6 pm."},
    ]
    out = summarize_request({"turns": turns}, summarizer)
    assert out["questions"][0]["answer"] == "Yes, until 6 pm."
    assert out["open_questions"] == []
    assert "Do you deliver on Sundays?" in out["summary"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (["not", "an", "object"], "must be a JSON object"),
        ({"text": "A. B.", "lenght": 3}, r"unknown field\(s\) \['lenght'\]"),
        ({}, "either 'text'"),
        ({"text": 42}, "'text' must be a string"),
        ({"text": "One. Two.", "sentences": "three"}, "whole number"),
        ({"text": "One. Two.", "sentences": 2, "words": 5}, "not both"),
        ({"text": ""}, "empty"),
        ({"turns": [{"speaker": "user"}]}, "turn 0 must be an object"),
    ],
)
def test_bad_requests_raise_bad_input(summarizer, body, says):
    with pytest.raises(BadInput, match=says):
        summarize_request(body, summarizer)
