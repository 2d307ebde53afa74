"""The channel interface: what comes in (`UserMessage`), where replies go (`OutputChannel`), and what a
channel is (`InputChannel`: a name, its routes, built from its section of `credentials.yml`).

    request -> InputChannel's route: parse + validate, nothing else
            -> on_message(UserMessage, output)       == Agent.handle, the one entry point
            -> the agent writes each reply to `output` (send_text, send_image, send_buttons, ...)
            -> the route answers (REST: the collected replies) or the output pushed them already

Write a channel: subclass InputChannel, give it a `name`, a pydantic `Settings` model for its
credentials.yml section, and a `blueprint(on_message)`; add one line to bot/channels/registry.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from flask import Blueprint
from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class UserMessage:
    """One message from a user, as every channel hands it to the agent."""

    text: str
    sender_id: str
    input_channel: str = "rest"
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    metadata: dict[str, Any] = field(default_factory=dict)
    parse_data: dict[str, Any] | None = None  # set by /trigger_intent or "/intent" shortcuts
    language: str | None = None  # the user's language when it is not the assistant's (None = same)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", self.text.strip())  # as Rasa: surrounding whitespace is not text


class OutputChannel:
    """Where the agent writes replies. `send_response` splits a reply into the `send_*` calls, as Rasa."""

    name: ClassVar[str] = "output"

    def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = message.get("text")
        if message.get("quick_replies"):
            self.send_quick_replies(recipient_id, text or "", message["quick_replies"])
        elif message.get("buttons"):
            self.send_buttons(recipient_id, text or "", message["buttons"])
        elif text:
            self.send_text(recipient_id, text)
        if message.get("custom"):
            self.send_custom_json(recipient_id, message["custom"])
        if message.get("image"):
            self.send_image(recipient_id, message["image"])
        if message.get("attachment"):
            self.send_attachment(recipient_id, message["attachment"])
        if message.get("elements"):
            self.send_elements(recipient_id, message["elements"])

    def send_text(self, recipient_id: str, text: str) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement send_text")

    def send_image(self, recipient_id: str, image: str) -> None:
        self.send_text(recipient_id, f"Image: {image}")

    def send_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        lines = [text] + [f"{i}: {b.get('title')} ({b.get('payload')})" for i, b in enumerate(buttons, 1)]
        self.send_text(recipient_id, "\n".join(line for line in lines if line))

    def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]]) -> None:
        self.send_buttons(recipient_id, text, quick_replies)

    def send_custom_json(self, recipient_id: str, json_message: dict[str, Any]) -> None:
        self.send_text(recipient_id, str(json_message))

    def send_attachment(self, recipient_id: str, attachment: Any) -> None:
        self.send_text(recipient_id, f"Attachment: {attachment}")

    def send_elements(self, recipient_id: str, elements: list[dict[str, Any]]) -> None:
        for element in elements:
            self.send_text(recipient_id, str(element.get("title") or element))


class CollectingOutputChannel(OutputChannel):
    """Keeps the replies, each as one dict in Rasa's REST shape (`recipient_id`, `text`, `buttons`, ...)."""

    name: ClassVar[str] = "collector"

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.messages.append({"recipient_id": recipient_id, **message})

    def send_text(self, recipient_id: str, text: str) -> None:
        self.send_response(recipient_id, {"text": text})

    def send_image(self, recipient_id: str, image: str) -> None:
        self.send_response(recipient_id, {"image": image})

    def send_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        self.send_response(recipient_id, {"text": text, "buttons": buttons})

    def send_custom_json(self, recipient_id: str, json_message: dict[str, Any]) -> None:
        self.send_response(recipient_id, {"custom": json_message})


OnMessage = Callable[[UserMessage, OutputChannel], list[dict[str, Any]]]


class ChannelSettings(BaseModel):
    """Base of a channel's credentials.yml section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class InputChannel:
    """A way in: its `name` is its credentials.yml key; `blueprint` holds its routes."""

    name: ClassVar[str]
    Settings: ClassVar[type[ChannelSettings]] = ChannelSettings

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings

    def blueprint(self, on_message: OnMessage) -> Blueprint:
        raise NotImplementedError(f"channel {self.name!r} must define blueprint()")

    def limits(self) -> dict[str, int]:
        """Request size limits this channel needs the server to allow (e.g. max_message_chars)."""
        return {}

    def push_output(self, sender_id: str, metadata: dict[str, Any]) -> OutputChannel | None:
        """Where a job's replies go outside a request (a reminder fired by `parley worker`), from the
        user's last message's metadata; None when the channel cannot be pushed to (REST) or needs no
        push (the widget streams replies from the tracker)."""
        return None
