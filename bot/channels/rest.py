"""Rasa's REST channel.

`POST /webhooks/rest/webhook {"sender", "message", "metadata"?}` -> a list of messages.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.agent import UserMessage
from bot.api.body import json_object, optional_dict, required_str
from bot.errors import PayloadTooLarge

bp = Blueprint("rest", __name__)


@bp.post("/webhooks/rest/webhook")
def receive():
    services = current_app.extensions["parley"]
    body = json_object(request)
    sender = required_str(body, "sender", allow_empty=False)
    text = required_str(body, "message")
    metadata = optional_dict(body, "metadata")
    limit = services.project.rest.max_message_chars
    if len(text) > limit:
        raise PayloadTooLarge(
            f"message has {len(text)} characters, the limit is {limit}; shorten it or split it"
        )
    if len(sender) > 256:
        raise PayloadTooLarge(f"sender has {len(sender)} characters, the limit is 256")
    responses = services.agent.handle(
        UserMessage(text=text, sender_id=sender, input_channel="rest", metadata=metadata)
    )
    return jsonify(responses)
