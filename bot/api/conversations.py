"""Conversation API (Rasa-compatible): read a tracker, append events."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.api.body import json_object
from bot.dialogue.events import event_from_dict
from bot.errors import ValidationFailed

bp = Blueprint("conversations", __name__)


@bp.get("/conversations/<sender_id>/tracker")
def get_tracker(sender_id: str):
    agent = current_app.extensions["parley"].agent
    return jsonify(agent.tracker(sender_id).to_dict())


@bp.post("/conversations/<sender_id>/tracker/events")
def append_events(sender_id: str):
    agent = current_app.extensions["parley"].agent
    raw = request.get_json(silent=True)
    if raw is None:
        raw = json_object(request)  # raises the precise 400
    items = raw if isinstance(raw, list) else [raw]
    events = []
    for i, item in enumerate(items):
        try:
            events.append(event_from_dict(item))
        except ValueError as exc:
            raise ValidationFailed(f"event {i}: {exc}") from exc
    tracker = agent.append_events(sender_id, events)
    return jsonify(tracker.to_dict())
