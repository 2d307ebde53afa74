"""Conversation API (Rasa-compatible): read a tracker, append events, trigger an intent, the story."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from bot.api.body import json_object, json_value
from bot.api.event_schema import validate_entities, validate_events
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
    raw = json_value(request)
    items = raw if isinstance(raw, list) else [raw]
    # a 400 naming the first bad event; nothing is stored
    validate_events(items, agent.domain, lambda name: agent.actions.resolve(name) is not None)
    events = []
    for i, item in enumerate(items):
        try:
            events.append(event_from_dict(item))
        except ValueError as exc:
            raise ValidationFailed(f"event {i}: {exc}") from exc
    # the store checks its cap (tracker_store max_events) in the same atomic step as the append: a 400
    # `tracker_full` naming the limit when the latest session would pass it, and nothing is stored
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
    if len(name) > 256:
        raise ValidationFailed(f"field 'name' has {len(name)} characters, the limit is 256")
    entities = body.get("entities")
    validate_entities(entities)
    tracker, messages = agent.trigger_intent(sender_id, name.strip(), entities)
    return jsonify({"tracker": tracker.to_dict(), "messages": messages})


@bp.get("/conversations/<sender_id>/story")
def get_story(sender_id: str):
    agent = current_app.extensions["parley"].agent
    return Response(tracker_to_story(agent.tracker(sender_id)), mimetype="text/yaml")
