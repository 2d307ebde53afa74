"""Conversation events in Rasa 3's JSON shape. The tracker is the ordered log of these; its state is derived.

Each event is a frozen dataclass with `to_dict()`; `event_from_dict()` is the one way back from JSON and
raises `ValueError` naming the field that is wrong, so the HTTP layer can answer 400.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Event:
    type_name: ClassVar[str] = ""
    timestamp: float = field(default_factory=_now, kw_only=True)
    metadata: dict[str, Any] = field(default_factory=dict, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.type_name, "timestamp": self.timestamp}
        out.update(self._body())
        if self.metadata:
            out["metadata"] = self.metadata
        return out

    def _body(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class UserUttered(Event):
    type_name: ClassVar[str] = "user"
    text: str | None = None
    parse_data: dict[str, Any] = field(default_factory=dict)
    input_channel: str | None = None
    message_id: str | None = None

    @property
    def intent_name(self) -> str | None:
        intent = self.parse_data.get("intent") or {}
        return intent.get("name")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.parse_data.get("entities") or [])

    def _body(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "parse_data": self.parse_data,
            "input_channel": self.input_channel,
            "message_id": self.message_id,
        }


@dataclass(frozen=True)
class BotUttered(Event):
    type_name: ClassVar[str] = "bot"
    text: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def _body(self) -> dict[str, Any]:
        return {"text": self.text, "data": self.data}


@dataclass(frozen=True)
class ActionExecuted(Event):
    type_name: ClassVar[str] = "action"
    name: str = ""
    policy: str | None = None
    confidence: float | None = None

    def _body(self) -> dict[str, Any]:
        return {"name": self.name, "policy": self.policy, "confidence": self.confidence}


@dataclass(frozen=True)
class SlotSet(Event):
    type_name: ClassVar[str] = "slot"
    name: str = ""
    value: Any = None

    def _body(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True)
class ActiveLoop(Event):
    type_name: ClassVar[str] = "active_loop"
    name: str | None = None

    def _body(self) -> dict[str, Any]:
        return {"name": self.name}


@dataclass(frozen=True)
class SessionStarted(Event):
    type_name: ClassVar[str] = "session_started"


@dataclass(frozen=True)
class Restarted(Event):
    type_name: ClassVar[str] = "restart"


@dataclass(frozen=True)
class AllSlotsReset(Event):
    type_name: ClassVar[str] = "reset_slots"


@dataclass(frozen=True)
class UserUtteranceReverted(Event):
    """Rasa's `rewind`: undo everything back to and including the last user message."""

    type_name: ClassVar[str] = "rewind"


@dataclass(frozen=True)
class ActionReverted(Event):
    type_name: ClassVar[str] = "undo"


@dataclass(frozen=True)
class FollowupAction(Event):
    type_name: ClassVar[str] = "followup"
    name: str = ""

    def _body(self) -> dict[str, Any]:
        return {"name": self.name}


@dataclass(frozen=True)
class ReminderScheduled(Event):
    type_name: ClassVar[str] = "reminder"
    intent: str = ""
    trigger_date_time: str = ""
    name: str | None = None
    entities: list[dict[str, Any]] | None = None
    kill_on_user_message: bool = True

    def _body(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "date_time": self.trigger_date_time,
            "name": self.name,
            "entities": self.entities,
            "kill_on_user_msg": self.kill_on_user_message,
        }


@dataclass(frozen=True)
class ReminderCancelled(Event):
    type_name: ClassVar[str] = "cancel_reminder"
    name: str | None = None
    intent: str | None = None
    entities: list[dict[str, Any]] | None = None

    def _body(self) -> dict[str, Any]:
        return {"name": self.name, "intent": self.intent, "entities": self.entities}


@dataclass(frozen=True)
class ActionExecutionRejected(Event):
    type_name: ClassVar[str] = "action_execution_rejected"
    name: str = ""
    policy: str | None = None
    confidence: float | None = None

    def _body(self) -> dict[str, Any]:
        return {"name": self.name, "policy": self.policy, "confidence": self.confidence}


@dataclass(frozen=True)
class LoopInterrupted(Event):
    type_name: ClassVar[str] = "loop_interrupted"
    is_interrupted: bool = False

    def _body(self) -> dict[str, Any]:
        return {"is_interrupted": self.is_interrupted}


@dataclass(frozen=True)
class EntitiesAdded(Event):
    type_name: ClassVar[str] = "entities"
    entities: list[dict[str, Any]] = field(default_factory=list)

    def _body(self) -> dict[str, Any]:
        return {"entities": self.entities}


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type_name: cls
    for cls in (
        UserUttered,
        BotUttered,
        ActionExecuted,
        SlotSet,
        ActiveLoop,
        SessionStarted,
        Restarted,
        AllSlotsReset,
        UserUtteranceReverted,
        ActionReverted,
        FollowupAction,
        ReminderScheduled,
        ReminderCancelled,
        ActionExecutionRejected,
        LoopInterrupted,
        EntitiesAdded,
    )
}

# JSON field name -> dataclass field name, where Rasa's JSON differs from ours.
_RENAMES = {"reminder": {"date_time": "trigger_date_time", "kill_on_user_msg": "kill_on_user_message"}}
_IGNORED = {"event", "timestamp", "metadata"}


def event_from_dict(raw: Any) -> Event:
    """Build an event from Rasa's JSON form. Raises ValueError saying which field is wrong."""
    if not isinstance(raw, dict):
        raise ValueError(f"an event must be a JSON object, got {type(raw).__name__}")
    kind = raw.get("event")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(f"unknown event type {kind!r}; valid types: {', '.join(sorted(EVENT_TYPES))}")
    renames = _RENAMES.get(kind, {})
    allowed = {f for f in cls.__dataclass_fields__ if f not in ("timestamp", "metadata")}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _IGNORED:
            continue
        name = renames.get(key, key)
        if name in allowed:
            kwargs[name] = value
    timestamp = raw.get("timestamp")
    if timestamp is not None and not isinstance(timestamp, int | float):
        raise ValueError(f"event {kind!r}: 'timestamp' must be a number, got {type(timestamp).__name__}")
    metadata = raw.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValueError(f"event {kind!r}: 'metadata' must be an object")
    for name in ("name", "text", "intent"):
        if name in kwargs and kwargs[name] is not None and not isinstance(kwargs[name], str):
            raise ValueError(f"event {kind!r}: {name!r} must be a string")
    if cls in (ActionExecuted, SlotSet, FollowupAction, ActionExecutionRejected) and not kwargs.get("name"):
        raise ValueError(f"event {kind!r} needs a non-empty 'name'")
    if cls is UserUttered and not isinstance(kwargs.get("parse_data") or {}, dict):
        raise ValueError("event 'user': 'parse_data' must be an object")
    extra: dict[str, Any] = {"metadata": metadata}
    if timestamp is not None:
        extra["timestamp"] = float(timestamp)
    if cls is UserUttered:
        kwargs["parse_data"] = kwargs.get("parse_data") or {}
    if cls is BotUttered:
        kwargs["data"] = kwargs.get("data") or {}
    return cls(**kwargs, **extra)
