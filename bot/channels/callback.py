"""Rasa's callback channel: the replies are POSTed to your URL, one JSON message per request.

credentials.yml:
    callback:
      url: "http://localhost:5034/bot"

`POST /webhooks/callback/webhook {"sender", "message", "metadata"?}` answers `success` once the message
is handled; each reply then goes to `url` as `{"recipient_id", "text", ...}` (Rasa's CollectingOutput
shape). A callback URL that fails is logged; the conversation's log keeps every reply regardless.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from flask import Blueprint
from pydantic import AnyHttpUrl, PositiveFloat, PositiveInt

from bot.channels.base import ChannelSettings, OnMessage, OutputChannel
from bot.channels.rest import RestInput

log = logging.getLogger(__name__)


class CallbackSettings(ChannelSettings):
    url: AnyHttpUrl
    timeout: PositiveFloat = 10.0
    max_message_chars: PositiveInt = 5000


class CallbackOutput(OutputChannel):
    name = "callback"

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()

    def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        body = {"recipient_id": recipient_id, **message}
        try:
            reply = self.session.post(self.url, json=body, timeout=self.timeout)
            reply.raise_for_status()
        except requests.RequestException as exc:
            log.error(
                "event=callback.failed url=%s recipient=%s error=%s",
                self.url.split("@")[-1],
                recipient_id,
                exc.__class__.__name__,
            )

    def send_text(self, recipient_id: str, text: str) -> None:
        self.send_response(recipient_id, {"text": text})


class CallbackInput(RestInput):
    name = "callback"
    Settings = CallbackSettings  # type: ignore[assignment]
    settings: CallbackSettings  # type: ignore[assignment]

    def push_output(self, sender_id: str, metadata: dict[str, Any]) -> OutputChannel | None:
        return CallbackOutput(str(self.settings.url), self.settings.timeout)  # reminders are POSTed too

    def blueprint(self, on_message: OnMessage) -> Blueprint:
        bp = Blueprint("callback", __name__)

        @bp.post("/webhooks/callback/webhook")
        def receive():
            message = self.read_message(self.name)
            on_message(message, CallbackOutput(str(self.settings.url), self.settings.timeout))
            return "success"

        return bp
