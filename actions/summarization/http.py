"""POST /summarize, as a plain function the server mounts: a JSON body in, a JSON-ready dict out.

    {"text": "...", "sentences": 3}   or   {"text": "...", "words": 60}    ->  Summary.to_dict():
    {"summary": "...", "sentences": [...], "indices": [...], "scores": [...], "input_sentences": 41, ...}

    {"turns": [{"speaker": "user", "text": "..."}, ...]}                   ->  ConversationSummary.to_dict():
    {"summary": "<hand-off text>", "questions": [...], "decisions": [...], "open_questions": [...], ...}

Bad bodies raise BadInput (kind "bad_input") with what to fix; the server turns it into a 400.
"""

from __future__ import annotations

from typing import Any

from actions.summarization.conversation import summarize_conversation, turns_from_dicts
from actions.summarization.errors import BadInput
from actions.summarization.summary import Budget

KEYS = ("text", "turns", "sentences", "words")


def summarize_request(body: dict, summarizer: Any) -> dict:
    if not isinstance(body, dict):
        raise BadInput(
            f'the request body must be a JSON object like {{"text": "...", "sentences": 3}}, '
            f"got {type(body).__name__}"
        )
    unknown = sorted(set(body) - set(KEYS))
    if unknown:
        raise BadInput(f"unknown field(s) {unknown}; valid: {list(KEYS)}")
    if ("text" in body) == ("turns" in body):
        raise BadInput(
            "send either 'text' (a text to summarize) or 'turns' (a conversation), not both or neither"
        )
    if "turns" in body:
        return summarize_conversation(turns_from_dicts(body["turns"]), summarizer).to_dict()
    text = body["text"]
    if not isinstance(text, str):
        raise BadInput(f"'text' must be a string, got {type(text).__name__}")
    budget = None
    if body.get("sentences") is not None or body.get("words") is not None:
        budget = Budget(sentences=body.get("sentences"), words=body.get("words"))
    return summarizer.summarize(text, budget).to_dict()
