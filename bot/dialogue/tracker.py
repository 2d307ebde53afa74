"""The tracker: a conversation's event log, with its state (slots, active loop, last message) derived from it.

The log is append-only. `Tracker.state()` replays it; nothing stored is ever rewritten, so what was
accepted is never lost, and a restart or a rewind is itself an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.dialogue.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)

ACTION_LISTEN = "action_listen"


@dataclass
class TrackerState:
    """What the events add up to, after restarts, rewinds and undos are applied."""

    slots: dict[str, Any] = field(default_factory=dict)
    latest_message: UserUttered | None = None
    latest_action: str | None = None
    active_loop: str | None = None
    loop_interrupted: bool = False  # the user answered something else; the form skips validation once
    loop_rejected: bool = False  # the loop refused the last user message (ActionExecutionRejected)
    followup_action: str | None = None
    applied: list[Event] = field(default_factory=list)


@dataclass
class Tracker:
    sender_id: str
    events: list[Event] = field(default_factory=list)
    initial_slots: dict[str, Any] = field(default_factory=dict)
    _cache: tuple[int, int, TrackerState] | None = field(default=None, repr=False, compare=False)
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)  # caches of views

    def state(self) -> TrackerState:
        """The derived state; replayed once per new event (cached on the log's length and last event)."""
        key = (len(self.events), id(self.events[-1]) if self.events else 0)
        if self._cache is not None and self._cache[:2] == key:
            return self._cache[2]
        state = self._replay()
        self._cache = (*key, state)
        return state

    def _replay(self) -> TrackerState:
        applied: list[Event] = []
        for event in self.events:
            if isinstance(event, Restarted):
                applied = []
                continue
            if isinstance(event, UserUtteranceReverted):
                applied = _drop_back_to_user(applied)
                continue
            if isinstance(event, ActionReverted):
                applied = _drop_last_action(applied)
                continue
            applied.append(event)
        state = TrackerState(slots=dict(self.initial_slots), applied=applied)
        for event in applied:
            if isinstance(event, SlotSet):
                state.slots[event.name] = event.value
            elif isinstance(event, AllSlotsReset):
                state.slots = dict(self.initial_slots)
            elif isinstance(event, UserUttered):
                state.latest_message = event
                state.followup_action = None
            elif isinstance(event, ActionExecuted):
                state.latest_action = event.name
                if state.followup_action == event.name:
                    state.followup_action = None
                if state.active_loop is not None and event.name == state.active_loop:
                    # as Rasa's set_latest_action: only the loop running again clears its rejection, so
                    # the rules written for the unhappy path decide until then
                    state.loop_interrupted = False
                    state.loop_rejected = False
            elif isinstance(event, ActionExecutionRejected):
                if event.name == state.active_loop:
                    state.loop_rejected = True
            elif isinstance(event, ActiveLoop):
                state.active_loop = event.name
                state.loop_interrupted = False
                state.loop_rejected = False
            elif isinstance(event, LoopInterrupted):
                state.loop_interrupted = event.is_interrupted
            elif isinstance(event, FollowupAction):
                state.followup_action = event.name
            elif isinstance(event, SessionStarted):
                state.latest_action = None
                state.latest_message = None
                state.active_loop = None
                state.slots = dict(self.initial_slots)
        return state

    # Convenience views used by policies and actions.
    @property
    def slots(self) -> dict[str, Any]:
        return self.state().slots

    def get_slot(self, name: str) -> Any:
        return self.state().slots.get(name)

    @property
    def latest_message(self) -> UserUttered | None:
        return self.state().latest_message

    @property
    def active_loop_name(self) -> str | None:
        return self.state().active_loop

    @property
    def latest_action_name(self) -> str | None:
        return self.state().latest_action

    def events_after_latest_restart(self) -> list[Event]:
        return self.state().applied

    def get_latest_entity_values(
        self, entity: str, role: str | None = None, group: str | None = None
    ) -> list[Any]:
        """Values of `entity` (optionally with that role/group) in the latest user message, as rasa_sdk."""
        latest = self.latest_message
        if latest is None:
            return []
        return [
            e.get("value")
            for e in latest.entities
            if e.get("entity") == entity
            and (role is None or e.get("role") == role)
            and (group is None or e.get("group") == group)
        ]

    def get_intent_of_latest_message(self) -> str | None:
        latest = self.latest_message
        return latest.intent_name if latest is not None else None

    def copy_with(self, events: list[Event]) -> Tracker:
        """A new tracker holding this log plus `events` (the original is unchanged)."""
        return Tracker(self.sender_id, [*self.events, *events], dict(self.initial_slots))

    def bot_texts_since_last_user(self) -> list[BotUttered]:
        out: list[BotUttered] = []
        for event in reversed(self.events):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, BotUttered):
                out.append(event)
        return list(reversed(out))

    def to_dict(self) -> dict[str, Any]:
        """Rasa's tracker JSON (what `GET /conversations/<id>/tracker` returns)."""
        state = self.state()
        latest = state.latest_message
        return {
            "sender_id": self.sender_id,
            "slots": state.slots,
            "latest_message": ({"text": latest.text, **latest.parse_data} if latest is not None else {}),
            "latest_event_time": self.events[-1].timestamp if self.events else None,
            "followup_action": state.followup_action,
            "paused": False,
            "events": [e.to_dict() for e in self.events],
            "latest_input_channel": latest.input_channel if latest is not None else None,
            "latest_action_name": state.latest_action,
            "latest_action": {"action_name": state.latest_action} if state.latest_action else {},
            "active_loop": (
                {
                    "name": state.active_loop,
                    "is_interrupted": state.loop_interrupted,
                    "rejected": state.loop_rejected,
                    "trigger_message": {},
                }
                if state.active_loop
                else {}
            ),
        }


def _drop_back_to_user(events: list[Event]) -> list[Event]:
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            return events[:i]
    return events


def _drop_last_action(events: list[Event]) -> list[Event]:
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], ActionExecuted):
            return events[:i]
    return events
