"""The action-facing API, in the shape of `rasa_sdk`: what an action sees and what it gives back.

    class MyAction(Action):
        def name(self) -> str:
            return "action_hello"

        def run(self, dispatcher, tracker, domain):
            dispatcher.utter_message(text=f"hello {tracker.get_slot('name')}")
            return [SlotSet("greeted", True)]

- `Tracker` is a read-only view of the conversation in Rasa's tracker JSON (`slots`, `latest_message`,
  `events`, `active_loop`, ...), the same dict an action server receives over HTTP;
- `domain` is the domain as Rasa's JSON dict;
- `CollectingDispatcher` collects replies (`utter_message`) in Rasa's response JSON;
- events are plain dicts in Rasa's event JSON, made by the helpers below (`SlotSet(...)` etc.).

The bot adapts its own tracker and domain to these types and applies the returned events, so an action
never imports `bot`, and one written here runs the same under `rasa_sdk`'s action server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

EventDict = dict[str, Any]


class ActionRejected(Exception):
    """Raised by an action that refuses to handle the message (rasa_sdk's ActionExecutionRejection)."""

    def __init__(self, action_name: str, message: str | None = None) -> None:
        self.action_name = action_name
        super().__init__(message or f"action {action_name!r} rejected the message")


_TRACKER_KEYS = (
    "sender_id",
    "slots",
    "latest_message",
    "events",
    "paused",
    "followup_action",
    "active_loop",
    "latest_action_name",
    "latest_event_time",
)


@dataclass
class Tracker:
    """The conversation as an action sees it: Rasa's tracker JSON, read-only by convention."""

    sender_id: str
    slots: dict[str, Any] = field(default_factory=dict)
    latest_message: dict[str, Any] = field(default_factory=dict)
    events: list[EventDict] = field(default_factory=list)
    paused: bool = False
    followup_action: str | None = None
    active_loop: dict[str, Any] = field(default_factory=dict)
    latest_action_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other keys of the JSON, passed through

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Tracker:
        return cls(
            sender_id=str(state.get("sender_id", "")),
            slots=dict(state.get("slots") or {}),
            latest_message=dict(state.get("latest_message") or {}),
            events=list(state.get("events") or []),
            paused=bool(state.get("paused", False)),
            followup_action=state.get("followup_action"),
            active_loop=dict(state.get("active_loop") or {}),
            latest_action_name=state.get("latest_action_name"),
            extra={k: v for k, v in state.items() if k not in _TRACKER_KEYS},
        )

    def current_state(self) -> dict[str, Any]:
        return {
            **self.extra,
            "sender_id": self.sender_id,
            "slots": dict(self.slots),
            "latest_message": dict(self.latest_message),
            "events": list(self.events),
            "paused": self.paused,
            "followup_action": self.followup_action,
            "active_loop": dict(self.active_loop),
            "latest_action_name": self.latest_action_name,
            "latest_event_time": self.events[-1].get("timestamp") if self.events else None,
        }

    def get_slot(self, key: str) -> Any:
        return self.slots.get(key)

    def get_intent_of_latest_message(self) -> str | None:
        return (self.latest_message.get("intent") or {}).get("name")

    def get_latest_entity_values(
        self, entity_type: str, entity_role: str | None = None, entity_group: str | None = None
    ) -> Iterator[Any]:
        for entity in self.latest_message.get("entities") or []:
            if entity.get("entity") != entity_type:
                continue
            if entity_role is not None and entity.get("role") != entity_role:
                continue
            if entity_group is not None and entity.get("group") != entity_group:
                continue
            yield entity.get("value")

    def latest_text(self) -> str:
        return str(self.latest_message.get("text") or "")

    def turns(self) -> list[tuple[str, str]]:
        """What was said so far, oldest first: ("user" | "bot", text), after the latest restart."""
        out: list[tuple[str, str]] = []
        for event in self.events:
            kind = event.get("event")
            if kind == "restart":
                out = []
            elif kind in ("user", "bot") and event.get("text"):
                out.append((kind, str(event["text"])))
        return out


class CollectingDispatcher:
    """Collects what an action says, as Rasa's response dicts (rasa_sdk's CollectingDispatcher)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def utter_message(
        self,
        text: str | None = None,
        image: str | None = None,
        json_message: dict[str, Any] | None = None,
        response: str | None = None,
        attachment: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        elements: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        message: dict[str, Any] = {
            "text": text,
            "buttons": buttons or [],
            "elements": elements or [],
            "custom": json_message or {},
            "template": response,
            "response": response,
            "image": image,
            "attachment": attachment,
        }
        message.update(kwargs)
        self.messages.append(message)


class MediaStore(Protocol):
    """Where an action publishes a file (a plot, an upload) for channels to show: returns its URL."""

    def publish(self, data: bytes, content_type: str) -> str: ...


@dataclass
class ActionSettings:
    """What a configured action is built from: its section of endpoints.yml `actions:`, and services."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    project_root: Path = Path(".")
    language: str = "en"
    engines: dict[str, Any] = field(default_factory=dict)  # e.g. {"translation": TranslationService}
    media: MediaStore | None = None


class Action:
    """Base class of Parley's actions (the same two methods as rasa_sdk.Action)."""

    #: engines the action needs from the server, by name (e.g. ("translation",)); see ActionSettings.
    engines: tuple[str, ...] = ()

    def name(self) -> str:
        raise NotImplementedError("an action must define name()")

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventDict]:
        raise NotImplementedError(f"action {self.name()!r} must define run()")

    @classmethod
    def from_settings(cls, settings: ActionSettings) -> Action:
        return cls()


# --- events, as rasa_sdk.events: each returns Rasa's event JSON ------------------------------------


def _event(kind: str, timestamp: float | None = None, **body: Any) -> EventDict:
    return {"event": kind, "timestamp": time.time() if timestamp is None else timestamp, **body}


def SlotSet(key: str, value: Any = None, timestamp: float | None = None) -> EventDict:  # noqa: N802
    return _event("slot", timestamp, name=key, value=value)


def AllSlotsReset(timestamp: float | None = None) -> EventDict:  # noqa: N802
    return _event("reset_slots", timestamp)


def Restarted(timestamp: float | None = None) -> EventDict:  # noqa: N802
    return _event("restart", timestamp)


def UserUtteranceReverted(timestamp: float | None = None) -> EventDict:  # noqa: N802
    return _event("rewind", timestamp)


def ActionReverted(timestamp: float | None = None) -> EventDict:  # noqa: N802
    return _event("undo", timestamp)


def FollowupAction(name: str, timestamp: float | None = None) -> EventDict:  # noqa: N802
    return _event("followup", timestamp, name=name)


def ActiveLoop(name: str | None, timestamp: float | None = None) -> EventDict:  # noqa: N802
    return _event("active_loop", timestamp, name=name)


def ReminderScheduled(  # noqa: N802
    intent_name: str,
    trigger_date_time: Any,
    entities: list[dict[str, Any]] | dict[str, Any] | None = None,
    name: str | None = None,
    kill_on_user_message: bool = True,
    timestamp: float | None = None,
) -> EventDict:
    when = trigger_date_time.isoformat() if hasattr(trigger_date_time, "isoformat") else trigger_date_time
    return _event(
        "reminder",
        timestamp,
        intent=intent_name,
        entities=entities,
        date_time=when,
        name=name,
        kill_on_user_msg=kill_on_user_message,
    )


def ReminderCancelled(  # noqa: N802
    name: str | None = None,
    intent_name: str | None = None,
    entities: list[dict[str, Any]] | dict[str, Any] | None = None,
    timestamp: float | None = None,
) -> EventDict:
    return _event("cancel_reminder", timestamp, name=name, intent=intent_name, entities=entities)
