"""`POST /forecast` and `POST /summarize`: the model-backed engines of actions/ without a conversation.

The engines parse and check the body themselves (their errors carry `kind = "bad_input"`, rendered as
a 400 by the app's one handler); the summarizer is the engine's process-wide `default_summarizer()`,
on the same pretrained encoder the NLU uses. Bounds (bot/api/limits.py): a summarize text (or all
turns' texts) over `PARLEY_SUMMARIZE_MAX_CHARS` (50,000) is a 400 `input_too_long`; either call past
`PARLEY_MODEL_DEADLINE_S` (10 s) a 503 `deadline_exceeded`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from bot.api import limits
from bot.api.body import json_object

bp = Blueprint("engines", __name__)
limits.install(bp)


@bp.post("/forecast")
def forecast():
    from actions.forecasting.http import forecast_request

    return jsonify(limits.with_deadline("the forecast", forecast_request, json_object(request)))


@bp.post("/summarize")
def summarize():
    from actions.summarization.engine import default_summarizer
    from actions.summarization.http import summarize_request

    body = json_object(request)
    limits.check_length(_what(body), _chars(body), limits.limits().summarize_max_chars)
    return jsonify(limits.with_deadline("the summary", summarize_request, body, default_summarizer()))


def _chars(body: dict[str, Any]) -> int:
    """Characters a summary reads: `text`, or the texts of all `turns` (their shapes are the engine's)."""
    if isinstance(body.get("text"), str):
        return len(body["text"])
    turns = body.get("turns")
    if not isinstance(turns, list):
        return 0
    return sum(len(t["text"]) for t in turns if isinstance(t, dict) and isinstance(t.get("text"), str))


def _what(body: dict[str, Any]) -> str:
    return "the text" if isinstance(body.get("text"), str) else "the turns' texts together"
