"""action_summarize / action_summarize_conversation with a hand-built Tracker and CollectingDispatcher."""

from __future__ import annotations

import base64

import pytest

from actions.sdk import ActionSettings, CollectingDispatcher, Tracker
from actions.summarization.action import ASK_FOR_TEXT, SummarizeAction, SummarizeConversationAction
from actions.summarization.errors import ConfigError
from actions.summarization.summary import Budget


def _run(action, text: str, events=None, **message) -> list[str]:
    tracker = Tracker(sender_id="u1", latest_message={"text": text, **message}, events=events or [])
    dispatcher = CollectingDispatcher()
    assert action.run(dispatcher, tracker, {}) == []
    return [m["text"] for m in dispatcher.messages]


@pytest.fixture(scope="module")
def action(summarizer) -> SummarizeAction:
    return SummarizeAction.from_settings(
        ActionSettings(name="action_summarize", engines={"summarization": summarizer})
    )


def test_summarize_this_text(action, summarizer, article):
    [reply] = _run(action, f"summarize this: {article}")
    assert reply == summarizer.summarize(article).text
    [two] = _run(action, f"Summarize this in 2 sentences: {article}")
    assert two == summarizer.summarize(article, Budget(sentences=2)).text


def test_an_uploaded_text_file(action, summarizer, article):
    upload = {
        "filename": "article.txt",
        "content_type": "text/plain",
        "data": base64.b64encode(article.encode()).decode(),
    }
    [reply] = _run(action, "summarize this", metadata={"attachment": upload})
    assert reply == summarizer.summarize(article).text


@pytest.mark.parametrize(
    ("text", "message", "says"),
    [
        ("summarize this:", {}, ASK_FOR_TEXT),
        (
            "summarize this: The bridge will open in May.",
            {},
            "I can't summarize that: the text is a single sentence",
        ),
        (
            "summarize this: Die Brücke wird im Mai eröffnet und kostet viel Geld. Der Rat ist froh.",
            {},
            "English",
        ),
        (
            "summarize this",
            {"attachment": {"filename": "scan.pdf", "data": base64.b64encode(b"%PDF-1.5").decode()}},
            "PDF",
        ),
        (
            "summarize this",
            {"attachment": {"filename": "a.txt", "data": "***not base64***"}},
            "not valid base64",
        ),
    ],
)
def test_bad_input_gets_a_clear_reply_not_an_exception(action, text, message, says):
    [reply] = _run(action, text, **message)
    assert says in reply


CONVERSATION = [
    {"event": "user", "text": "Can I book a table for four tonight?"},
    {"event": "bot", "text": "Sure, we have tables at 7 pm and 9 pm."},
    {"event": "user", "text": "Let's take 7 pm. Do you have parking?"},
    {"event": "bot", "text": "Sorry, I didn't get that."},
    {"event": "user", "text": "summarize our conversation"},
]


def test_summarize_our_conversation(action):
    [reply] = _run(action, "summarize our conversation", events=CONVERSATION)
    assert reply.startswith("Conversation so far: 4 turns (user 2, bot 2).")  # the request itself is left out
    assert (
        "- user asked: Can I book a table for four tonight? -> Sure, we have tables at 7 pm and 9 pm."
        in reply
    )
    assert "Decided:\n- user: Let's take 7 pm." in reply
    assert reply.endswith("Open questions:\n- user asked: Do you have parking?")


def test_the_conversation_action_and_an_empty_conversation(summarizer):
    action = SummarizeConversationAction(summarizer)
    assert action.name() == "action_summarize_conversation"
    [reply] = _run(action, "hand me over", events=[{"event": "user", "text": "hand me over"}])
    assert "there is no conversation to summarize yet" in reply


def test_options_come_from_endpoints_and_bad_ones_fail_at_start_up(summarizer):
    settings = ActionSettings(name="action_summarize", options={"sentences": 2})
    assert SummarizeAction.from_settings(settings).summarizer.config.sentences == 2
    with pytest.raises(ConfigError, match="endpoints.yml actions.action_summarize: unknown option"):
        SummarizeAction.from_settings(ActionSettings(name="action_summarize", options={"sentense": 2}))
