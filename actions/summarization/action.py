"""`action_summarize` and `action_summarize_conversation`: the engine in a conversation (actions.sdk API).

    "summarize this: <text>"              -> a summary of the text after the colon
    "summarize this in 2 sentences: ..."   -> the same, 2 sentences ("in 50 words" works too)
    (a .txt upload, see `attachment`)      -> a summary of the file
    "summarize our conversation"           -> who asked what, what was decided, open questions

An upload is read from `latest_message["attachment"]` or `latest_message["metadata"]["attachment"]`: a dict
with `text` (already decoded), or `data` (base64) / `content` (str), plus `filename`/`name` and
`content_type`/`mime_type`. Bad input gets a reply that says what to send instead; it never raises.
Options (endpoints.yml `actions: action_summarize: {...}`) are SummarizerConfig fields.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any

from actions.sdk import Action, ActionSettings, CollectingDispatcher, EventDict, Tracker
from actions.summarization.config import SummarizerConfig
from actions.summarization.conversation import Turn, summarize_conversation
from actions.summarization.engine import Summarizer
from actions.summarization.errors import BadInput, SummarizationError
from actions.summarization.summary import Budget
from actions.summarization.uploads import text_from_upload

log = logging.getLogger(__name__)

_CONVERSATION = re.compile(r"\b(conversation|chat|discussion|talk|so far)\b", re.IGNORECASE)
_LENGTH = re.compile(r"\b(\d{1,4})\s*(sentences?|words?)\b", re.IGNORECASE)
ASK_FOR_TEXT = (
    'What should I summarize? Paste the text after a colon, like "summarize this: ...", '
    "or upload a .txt file."
)


class SummarizeAction(Action):
    """Summarizes the pasted or uploaded text, or the conversation when the message asks for that."""

    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer

    def name(self) -> str:
        return "action_summarize"

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> SummarizeAction:
        engine = settings.engines.get("summarization")
        if engine is None:
            config = SummarizerConfig.from_options(settings.options, f"endpoints.yml actions.{settings.name}")
            engine = Summarizer.load(config)
        return cls(engine)

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventDict]:
        message = tracker.latest_message
        request = tracker.latest_text()
        try:
            upload = _attachment(message)
            head, _, pasted = request.partition(":")
            if upload is None and not pasted.strip() and _CONVERSATION.search(request):
                return self._conversation(dispatcher, tracker)
            text = upload if upload is not None else (pasted.strip() or _entity_text(tracker))
            if not text:
                dispatcher.utter_message(text=ASK_FOR_TEXT)
                return []
            summary = self.summarizer.summarize(text, _budget(head))
        except SummarizationError as exc:
            return _refuse(dispatcher, exc)
        dispatcher.utter_message(text=summary.text)
        return []

    def _conversation(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventDict]:
        turns = [Turn(speaker, text) for speaker, text in tracker.turns()]
        if turns and turns[-1].speaker == "user" and turns[-1].text == tracker.latest_text():
            turns = turns[:-1]  # the request itself is not part of what to summarize
        try:
            summary = summarize_conversation(turns, self.summarizer)
        except SummarizationError as exc:
            return _refuse(dispatcher, exc)
        dispatcher.utter_message(text=summary.render())
        return []


class SummarizeConversationAction(SummarizeAction):
    """Always the conversation: for a rule on an intent like `summarize_conversation` or a hand-off."""

    def name(self) -> str:
        return "action_summarize_conversation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventDict]:
        return self._conversation(dispatcher, tracker)


def _refuse(dispatcher: CollectingDispatcher, exc: SummarizationError) -> list[EventDict]:
    log.info("event=summarization.action.refused kind=%s message=%r", exc.kind, exc.message)
    if exc.kind == "bad_input":
        dispatcher.utter_message(text=f"I can't summarize that: {exc.message}.")
    else:
        dispatcher.utter_message(text=f"Summarizing is not available right now ({exc.kind}): {exc.message}.")
    return []


def _budget(request_head: str) -> Budget | None:
    match = _LENGTH.search(request_head)
    if match is None:
        return None
    value = int(match.group(1))
    return Budget(sentences=value) if match.group(2).lower().startswith("sentence") else Budget(words=value)


def _entity_text(tracker: Tracker) -> str:
    return next((str(v) for v in tracker.get_latest_entity_values("text") if v), "")


def _attachment(message: dict[str, Any]) -> str | None:
    """The text of an uploaded file in the message, None when there is none; BadInput when it is not text."""
    item = message.get("attachment") or (message.get("metadata") or {}).get("attachment")
    if not item:
        return None
    if not isinstance(item, dict):
        raise BadInput("the upload arrived in a form I can't read; send a plain-text .txt file")
    filename = item.get("filename") or item.get("name")
    content_type = item.get("content_type") or item.get("mime_type") or item.get("type")
    if isinstance(item.get("text"), str):
        data = item["text"].encode("utf-8")
    elif isinstance(item.get("data"), str):
        try:
            data = base64.b64decode(item["data"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadInput(f"{filename or 'the upload'} is not valid base64; send the file again") from exc
    elif isinstance(item.get("content"), str):
        data = item["content"].encode("utf-8")
    else:
        raise BadInput(f"{filename or 'the upload'} has no content; send a plain-text .txt file")
    return text_from_upload(data, filename=filename, content_type=content_type)
