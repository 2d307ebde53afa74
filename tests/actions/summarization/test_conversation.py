"""The hand-off summary: who asked what, what was decided, which questions are still open."""

from __future__ import annotations

import pytest

from actions.summarization.conversation import Turn, summarize_conversation, turns_from_dicts
from actions.summarization.errors import BadInput

TURNS = [
    Turn("user", "Hi. Can I book a table for four tonight?"),
    Turn("bot", "Sure, we have tables at 7 pm and 9 pm."),
    Turn("user", "Let's take 7 pm. Do you have parking?"),
    Turn("bot", "Sorry, I didn't get that."),
    Turn("user", "Ok, I will come by bus then."),
    Turn("bot", "Booked: a table for four at 7 pm."),
]


def test_questions_answers_decisions_and_open_questions():
    summary = summarize_conversation(TURNS)
    assert summary.turns == 6 and summary.speakers == {"user": 3, "bot": 3}
    asked = {q.text: q.answer for q in summary.questions}
    assert asked["Can I book a table for four tonight?"] == "Sure, we have tables at 7 pm and 9 pm."
    assert asked["Do you have parking?"] is None  # the only reply was a non-answer
    assert [q.text for q in summary.open_questions] == ["Do you have parking?"]
    assert [d.text for d in summary.decisions] == [
        "Let's take 7 pm.",
        "Ok, I will come by bus then.",
        "Booked: a table for four at 7 pm.",
    ]
    text = summary.render()
    assert text.startswith("Conversation so far: 6 turns (user 3, bot 3).")
    assert "Open questions:\n- user asked: Do you have parking?" in text


def test_a_question_nobody_answered_yet_is_open():
    summary = summarize_conversation([Turn("user", "What are your opening hours?")])
    assert [q.text for q in summary.open_questions] == ["What are your opening hours?"]


def test_with_the_engine_a_gist_is_added(summarizer, article):
    turns = [Turn("user", article), Turn("bot", "Thanks, noted.")]
    summary = summarize_conversation(turns, summarizer)
    assert len(summary.gist) == 2 and "Gist: " in summary.render()


def test_no_conversation_and_bad_turns_are_bad_input():
    with pytest.raises(BadInput, match="nothing has been said"):
        summarize_conversation([Turn("user", "  ")])
    with pytest.raises(BadInput, match="turn 1 must be an object"):
        turns_from_dicts([{"speaker": "user", "text": "hi"}, {"speaker": "bot", "text": 3}])
    with pytest.raises(BadInput, match="must be a list"):
        turns_from_dicts("hi")
