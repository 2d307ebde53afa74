"""`POST /model/parse {"text": ...}` -> Rasa's parse JSON (intent, intent_ranking, entities).

A text over the channels' `max_message_chars` (5,000 by default) is a 400 `input_too_long`; a parse that
takes longer than `PARLEY_MODEL_DEADLINE_S` a 503 `deadline_exceeded` (bot/api/limits.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.api import limits
from bot.api.body import json_object, required_str
from bot.dialogue.intent_shortcut import intent_shortcut
from bot.errors import ModelNotFound

bp = Blueprint("parse", __name__)
limits.install(bp)
DEFAULT_MAX_CHARS = 5000


def _max_chars(services: object) -> int:
    limits = [c.limits().get("max_message_chars", 0) for c in getattr(services, "channels", [])]
    return max(limits, default=0) or DEFAULT_MAX_CHARS


@bp.post("/model/parse")
def parse():
    services = current_app.extensions["parley"]
    body = json_object(request)
    text = required_str(body, "text")
    limits.check_length("text", len(text), _max_chars(services))
    text = text.strip()
    if text.startswith("/") and len(text) > 1:  # Rasa's `/intent{"entity": "value"}` shortcut
        return jsonify(intent_shortcut(text))
    model = getattr(services, "nlu", None)
    if model is None:
        raise ModelNotFound("no NLU model is loaded; run `parley train` and restart the server")
    return jsonify(limits.with_deadline("parsing the text", model.parse, text).to_dict())
