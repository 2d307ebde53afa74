"""Conversation API (Rasa-compatible): read a tracker, append events, trigger an intent, the story."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from bot.api.body import json_object
from bot.dialogue.events import event_from_dict
from bot.dialogue.story_writer import tracker_to_story
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


@bp.post("/conversations/<sender_id>/trigger_intent")
def trigger_intent(sender_id: str):
    """`{"name": "EXTERNAL_dry_plant", "entities": {"plant": "Orchid"}}` -> `{"tracker", "messages"}`."""
    agent = current_app.extensions["parley"].agent
    body = json_object(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("field 'name' (the intent to trigger) is required, a non-empty string")
    entities = body.get("entities")
    if entities is not None and not isinstance(entities, dict | list):
        raise ValidationFailed(f"field 'entities' must be an object or a list, got {type(entities).__name__}")
    tracker, messages = agent.trigger_intent(sender_id, name.strip(), entities)
    return jsonify({"tracker": tracker.to_dict(), "messages": messages})


@bp.get("/conversations/<sender_id>/story")
def get_story(sender_id: str):
    agent = current_app.extensions["parley"].agent
    return Response(tracker_to_story(agent.tracker(sender_id)), mimetype="text/yaml")
