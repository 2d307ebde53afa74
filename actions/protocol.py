"""What an action server sends back (`{"events": [...], "responses": [...]}`), applied to a Dispatcher.

Shared by remote actions (HTTP, actions/remote.py) and by rasa_sdk actions run in-process
(actions/custom.py), so both speak exactly the same protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actions.base import Dispatcher

if TYPE_CHECKING:
    from bot.dialogue.events import Event

_MESSAGE_KEYS = ("text", "buttons", "image", "custom", "attachment", "elements", "quick_replies")


def events_from_json(raw: Any, action: str) -> list[Event]:
    """Events in Rasa's JSON form (dicts), or Parley events, as Parley events; a bad one names its index."""
    from bot.dialogue.events import Event, event_from_dict

    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError(f"action {action!r} returned {type(raw).__name__} for events, expected a list")
    out: list[Event] = []
    for i, item in enumerate(raw):
        if isinstance(item, Event):
            out.append(item)
            continue
        try:
            out.append(event_from_dict(item))
        except ValueError as exc:
            raise ValueError(f"action {action!r} returned a bad event #{i}: {exc}") from exc
    return out


def apply_responses(responses: Any, dispatcher: Dispatcher, slots: dict[str, Any]) -> None:
    """Turn rasa_sdk's `utter_message` dicts into messages: `response` names are rendered from the domain."""
    for item in responses or []:
        if not isinstance(item, dict):
            continue
        message: dict[str, Any] = {}
        template = item.get("response") or item.get("template")
        if template:
            kwargs = {
                k: v
                for k, v in item.items()
                if k not in (*_MESSAGE_KEYS, "response", "template") and v is not None
            }
            rendered = dispatcher.domain.render(template, {**slots, **kwargs}, dispatcher.channel)
            if rendered is not None:
                message.update(rendered)
            message["response"] = template
        for key in _MESSAGE_KEYS:
            value = item.get(key)
            if value not in (None, [], {}, ""):
                message[key] = value
        if any(k != "response" for k in message):
            dispatcher.messages.append(message)
