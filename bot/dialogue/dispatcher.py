"""How the dialogue engine runs actions: its own `Dispatcher`, and the adapter to the action-facing API.

Actions that are part of the dialogue engine (listen, utterances, forms; bot/dialogue/builtin_actions.py
and forms.py) work on the bot's own Tracker and Domain. Every other action (custom, remote, model-backed)
speaks `actions.sdk`; `SdkAction` hands it the tracker and domain as Rasa's JSON and turns what it
returns (event dicts, response dicts) back into events and rendered messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from actions.errors import ActionServerError
from actions.remote import RemoteAction
from actions.sdk import ActionRejected, CollectingDispatcher
from actions.sdk import Tracker as TrackerView
from bot.dialogue.domain import Domain
from bot.dialogue.events import ActionExecutionRejected, Event, SlotSet, event_from_dict
from bot.dialogue.tracker import Tracker

_MESSAGE_KEYS = ("text", "buttons", "image", "custom", "attachment", "elements", "quick_replies")


class ReplyLanguage(Protocol):
    """Renders replies in the user's language (bot/multilingual/conversation.py)."""

    def render(
        self, domain: Domain, name: str, slots: dict[str, Any], channel: str | None
    ) -> dict[str, Any] | None: ...

    def message(self, message: dict[str, Any]) -> dict[str, Any]: ...


@dataclass
class Dispatcher:
    """Collects what an action says. `response=` names a domain response, filled from the slots;
    with a `language`, replies are rendered in the user's language."""

    domain: Domain
    slots: dict[str, Any]
    channel: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    language: ReplyLanguage | None = None

    def _render(self, name: str, slots: dict[str, Any]) -> dict[str, Any] | None:
        if self.language is not None:
            return self.language.render(self.domain, name, slots, self.channel)
        return self.domain.render(name, slots, self.channel)

    def _own(self, message: dict[str, Any]) -> dict[str, Any]:
        """An action's own text and buttons, in the user's language."""
        return message if self.language is None else self.language.message(message)

    def utter_message(
        self,
        text: str | None = None,
        *,
        response: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        image: str | None = None,
        json_message: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        message: dict[str, Any] = {}
        if response is not None:
            rendered = self._render(response, {**self.slots, **kwargs})
            if rendered is None:
                raise KeyError(f"response {response!r} is not in the domain")
            message.update(rendered)
            message["response"] = response
        if text is not None:
            message["text"] = text
        if buttons:
            message["buttons"] = buttons
        if image:
            message["image"] = image
        if json_message:
            message["custom"] = json_message
        if message:
            self.messages.append(message if response is not None else self._own(message))

    def add_responses(self, responses: Any, slots: dict[str, Any]) -> None:
        """Rasa's response dicts (rasa_sdk's `utter_message`): `response` names are rendered here."""
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
                rendered = self._render(template, {**slots, **kwargs})
                if rendered is not None:
                    message.update(rendered)
                message["response"] = template
            for key in _MESSAGE_KEYS:
                value = item.get(key)
                if value not in (None, [], {}, ""):
                    message[key] = value
            if any(k != "response" for k in message):
                self.messages.append(message if template else self._own(message))


class DialogueAction(Protocol):
    """What the dialogue engine runs: the bot's own types in, the bot's events out."""

    def name(self) -> str: ...

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]: ...


def events_from_json(raw: Any, action: str) -> list[Event]:
    """Events in Rasa's JSON form (dicts), or Parley events, as Parley events; a bad one names its index."""
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


class SdkAction:
    """Runs an `actions.sdk` action (custom, remote, model-backed) for the dialogue engine."""

    def __init__(self, action: Any, domain_json: Callable[[], dict[str, Any]]) -> None:
        self.action = action
        self.domain_json = domain_json

    def name(self) -> str:
        return str(self.action.name())

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        collected = CollectingDispatcher()
        view = TrackerView.from_dict(tracker.to_dict())
        name = self.name()
        try:
            raw = self.action.run(collected, view, self.domain_json())
        except ActionRejected:
            return [ActionExecutionRejected(name=name)]
        try:
            events = events_from_json(list(raw) if raw is not None else None, name)
        except (ValueError, TypeError) as exc:
            if isinstance(self.action, RemoteAction):
                raise ActionServerError(str(exc)) from exc
            raise
        slots = dict(tracker.slots)
        slots.update({e.name: e.value for e in events if isinstance(e, SlotSet)})
        dispatcher.add_responses(collected.messages, slots)
        return events
