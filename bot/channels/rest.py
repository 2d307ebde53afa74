"""Rasa's REST channel: `POST /webhooks/rest/webhook {"sender", "message", "metadata"?}` -> the replies.
Parley adds an optional `message_id`.

A retried `message_id` is answered with the replies of its first delivery, never processed twice
(bot/idempotency.py). The webhook needs no credentials, as in Rasa: anyone reaching it may write as any
sender, so put it behind your own front end when that matters.

credentials.yml:
    rest:
      max_message_chars: 5000   # longer messages get 413
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from pydantic import PositiveInt

from bot.api.body import json_object, optional_dict, required_str
from bot.channels.base import ChannelSettings, CollectingOutputChannel, InputChannel, OnMessage, UserMessage
from bot.errors import PayloadTooLarge, ValidationFailed

MAX_SENDER_CHARS = 256
MAX_MESSAGE_ID_CHARS = 128


class RestSettings(ChannelSettings):
    max_message_chars: PositiveInt = 5000


class RestInput(InputChannel):
    name = "rest"
    Settings = RestSettings
    settings: RestSettings

    def limits(self) -> dict[str, int]:
        return {"max_message_chars": self.settings.max_message_chars}

    def blueprint(self, on_message: OnMessage) -> Blueprint:
        bp = Blueprint("rest", __name__)

        @bp.post("/webhooks/rest/webhook")
        def receive():
            message = self.read_message(self.name)
            output = CollectingOutputChannel()
            on_message(message, output)
            return jsonify(output.messages)

        return bp

    def read_message(self, channel: str) -> UserMessage:
        """The request's `sender`, `message` and `metadata`, checked (400 / 413 saying what to fix)."""
        body = json_object(request)
        sender = required_str(body, "sender", allow_empty=False)
        text = required_str(body, "message")
        metadata = optional_dict(body, "metadata")
        limit = self.settings.max_message_chars
        if len(text) > limit:
            raise PayloadTooLarge(
                f"message has {len(text)} characters, the limit is {limit}; shorten it or split it"
            )
        if len(sender) > MAX_SENDER_CHARS:
            raise PayloadTooLarge(f"sender has {len(sender)} characters, the limit is {MAX_SENDER_CHARS}")
        ids = {"message_id": self._message_id(body)} if body.get("message_id") is not None else {}
        return UserMessage(text=text, sender_id=sender, input_channel=channel, metadata=metadata, **ids)

    @staticmethod
    def _message_id(body: dict) -> str:
        """Parley's addition: a client's own `message_id` makes a retry safe (answered, not re-processed)."""
        value = required_str(body, "message_id", allow_empty=False)
        if len(value) > MAX_MESSAGE_ID_CHARS:
            raise ValidationFailed(
                f"message_id has {len(value)} characters, the limit is {MAX_MESSAGE_ID_CHARS}"
            )
        return value
