"""`POST /model/parse {"text": ...}` -> Rasa's parse JSON (intent, intent_ranking, entities)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.api.body import json_object, required_str
from bot.dialogue.intent_shortcut import intent_shortcut
from bot.errors import ModelNotFound, PayloadTooLarge

bp = Blueprint("parse", __name__)
DEFAULT_MAX_CHARS = 5000


def _max_chars(services: object) -> int:
    limits = [c.limits().get("max_message_chars", 0) for c in getattr(services, "channels", [])]
    return max(limits, default=0) or DEFAULT_MAX_CHARS


@bp.post("/model/parse")
def parse():
    services = current_app.extensions["parley"]
    body = json_object(request)
    text = required_str(body, "text")
    limit = _max_chars(services)
    if len(text) > limit:
        raise PayloadTooLarge(f"text has {len(text)} characters, the limit is {limit}")
    text = text.strip()
    if text.startswith("/") and len(text) > 1:  # Rasa's `/intent{"entity": "value"}` shortcut
        return jsonify(intent_shortcut(text))
    model = getattr(services, "nlu", None)
    if model is None:
        raise ModelNotFound("no NLU model is loaded; run `parley train` and restart the server")
    return jsonify(model.parse(text).to_dict())
