"""What a client may post into a conversation: one pydantic model per Rasa event type, checked before
anything is stored, so no posted event can break a conversation's later turns.

Used by `POST /conversations/<id>/tracker/events` (`validate_events`) and `POST .../trigger_intent`
(`validate_entities`). Unknown fields are ignored, as Rasa does; known fields must have their type
(no `"confidence": "high"`, no entity without a name, no reminder whose `date_time` is not ISO 8601),
timestamps must be finite and plausible, strings bounded. A posted `slot` event must name a slot of the
domain and carry a value of that slot's type (a `bool` slot takes true/false/null).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from bot.dialogue.domain import Domain
from bot.errors import ValidationFailed

MAX_EVENTS_PER_REQUEST = 1000
MAX_TEXT_CHARS = 20_000
MAX_NAME_CHARS = 256
MAX_TIMESTAMP = 32_503_680_000.0  # the year 3000

Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS)]
OptName = Annotated[str, Field(max_length=MAX_NAME_CHARS)] | None
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)] | None
Confidence = Annotated[float, Field(ge=0.0, le=1.0)] | None
Offset = Annotated[int, Field(ge=0, le=10_000_000)] | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, allow_inf_nan=False)


class Entity(_Model):
    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)
    entity: Name
    value: Any = None
    start: Offset = None
    end: Offset = None
    confidence_entity: Confidence = None
    role: OptName = None
    group: OptName = None
    extractor: OptName = None


class Intent(_Model):
    name: OptName = None
    confidence: Confidence = None


class ParseData(_Model):
    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False)
    text: Text = None
    intent: Intent | None = None
    entities: list[Entity] = Field(default_factory=list, max_length=100)
    intent_ranking: list[Intent] = Field(default_factory=list, max_length=100)


class _Event(_Model):
    timestamp: Annotated[float, Field(ge=0.0, le=MAX_TIMESTAMP)] | None = None
    metadata: dict[str, Any] | None = None


class UserEvent(_Event):
    event: Literal["user"]
    text: Text = None
    parse_data: ParseData | None = None
    input_channel: OptName = None
    message_id: OptName = None


class BotEvent(_Event):
    event: Literal["bot"]
    text: Text = None
    data: dict[str, Any] | None = None


class NamedEvent(_Event):
    event: Literal["action", "followup", "action_execution_rejected"]
    name: Name
    policy: OptName = None
    confidence: Confidence = None


class SlotEvent(_Event):
    event: Literal["slot"]
    name: Name
    value: Any = None


class ActiveLoopEvent(_Event):
    event: Literal["active_loop"]
    name: OptName = None


class BareEvent(_Event):
    event: Literal["session_started", "restart", "reset_slots", "rewind", "undo"]


class ReminderEvent(_Event):
    event: Literal["reminder"]
    intent: Name
    date_time: Annotated[str, Field(min_length=1, max_length=64)]
    name: OptName = None
    entities: list[Entity] | None = Field(default=None, max_length=100)
    kill_on_user_msg: bool = True

    @field_validator("date_time")
    @classmethod
    def _iso(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"date_time {value[:64]!r} is not an ISO 8601 date and time") from exc
        return value


class CancelReminderEvent(_Event):
    event: Literal["cancel_reminder"]
    name: OptName = None
    intent: OptName = None
    entities: list[Entity] | None = Field(default=None, max_length=100)


class LoopInterruptedEvent(_Event):
    event: Literal["loop_interrupted"]
    is_interrupted: bool = False


class EntitiesEvent(_Event):
    event: Literal["entities"]
    entities: list[Entity] = Field(default_factory=list, max_length=100)


PostedEvent = Annotated[
    UserEvent
    | BotEvent
    | NamedEvent
    | SlotEvent
    | ActiveLoopEvent
    | BareEvent
    | ReminderEvent
    | CancelReminderEvent
    | LoopInterruptedEvent
    | EntitiesEvent,
    Field(discriminator="event"),
]
_EVENT = TypeAdapter(PostedEvent)
_ENTITIES = TypeAdapter(list[Entity])
_SCALAR = (str, int, float, bool, type(None))
_SLOT_VALUE = {
    "text": (str, type(None)),
    "bool": (bool, type(None)),
    "float": ((int, float), type(None)),
    "categorical": (str, int, float, bool, type(None)),
    "list": (list, type(None)),
}


def validate_events(items: list[Any], domain: Domain, known_action: Callable[[str], bool]) -> None:
    """Raise a 400 naming the first posted event that does not fit its type (nothing is stored).
    `known_action(name)`: whether a `followup` may name that action (else the next turn would fail)."""
    if len(items) > MAX_EVENTS_PER_REQUEST:
        raise ValidationFailed(
            f"{len(items)} events in one request; the limit is {MAX_EVENTS_PER_REQUEST}: post them in parts"
        )
    for i, item in enumerate(items):
        try:
            event = _EVENT.validate_python(item)
        except ValidationError as exc:
            raise ValidationFailed(f"event {i}: {_first_error(exc, item, skip=1)}") from exc
        if isinstance(event, SlotEvent):
            _check_slot(i, event, domain)
        if isinstance(event, NamedEvent) and event.event == "followup" and not known_action(event.name):
            raise ValidationFailed(
                f"event {i}: followup action {event.name[:60]!r} is not an action of the bot"
            )


def validate_entities(entities: Any) -> None:
    """`trigger_intent`'s entities: `{"name": scalar}` or a list of `{"entity", "value", ...}`."""
    if entities is None:
        return
    if isinstance(entities, dict):
        if len(entities) > 100:
            raise ValidationFailed(f"field 'entities' has {len(entities)} entries; the limit is 100")
        for key, value in entities.items():
            if not key or len(key) > MAX_NAME_CHARS:
                raise ValidationFailed(f"entities: a name must have 1 to {MAX_NAME_CHARS} characters")
            if not isinstance(value, _SCALAR) and not (
                isinstance(value, list) and all(isinstance(v, _SCALAR) for v in value)
            ):
                raise ValidationFailed(
                    f"entities[{key[:40]!r}] must be a string, number, boolean, null or a list of those, "
                    f"got {type(value).__name__}"
                )
        return
    if not isinstance(entities, list):
        raise ValidationFailed(f"field 'entities' must be an object or a list, got {type(entities).__name__}")
    if len(entities) > 100:
        raise ValidationFailed(f"field 'entities' has {len(entities)} entries; the limit is 100")
    try:
        _ENTITIES.validate_python(entities)
    except ValidationError as exc:
        raise ValidationFailed(f"entities: {_first_error(exc, entities, skip=0)}") from exc


def _check_slot(i: int, event: SlotEvent, domain: Domain) -> None:
    spec = domain.slot(event.name)
    if spec is None:
        known = ", ".join(s.name for s in domain.all_slots()) or "none"
        raise ValidationFailed(f"event {i}: slot {event.name!r} is not in the domain; known slots: {known}")
    allowed = _SLOT_VALUE.get(spec.type)
    value = event.value
    if allowed is None:
        return
    flat = tuple(t for a in allowed for t in (a if isinstance(a, tuple) else (a,)))
    bad_bool = isinstance(value, bool) and spec.type == "float"
    if bad_bool or not isinstance(value, flat):
        raise ValidationFailed(
            f"event {i}: slot {event.name!r} is a {spec.type} slot; got {type(value).__name__} {value!r:.60}"
        )


def _first_error(exc: ValidationError, item: Any, *, skip: int) -> str:
    if not isinstance(item, dict) and not isinstance(item, list):
        return f"must be a JSON object, got {type(item).__name__}"
    error = exc.errors(include_url=False)[0]
    if error["type"] == "union_tag_invalid" or error["type"] == "union_tag_not_found":
        kinds = "action, action_execution_rejected, active_loop, bot, cancel_reminder, entities, followup, "
        kinds += "loop_interrupted, reminder, reset_slots, restart, rewind, session_started, slot, undo, user"
        got = item.get("event") if isinstance(item, dict) else None
        return f"unknown event type {got!r:.60}; valid types: {kinds}"
    where = ".".join(str(p) for p in error["loc"][skip:] if p != "function-after") or "body"
    return f"{where}: {error['msg']}"
