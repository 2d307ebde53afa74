"""Store interfaces. Each has one real implementation (Redis) and one in-memory double for unit tests.

Errors of the tracker store (both store nothing of the refused append):

    StaleLock     unavailable  503  lock_lost     the writer's lock ticket was superseded (fencing)
    TrackerFull   bad_input    400  tracker_full  the latest session alone would pass `max_events`
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from bot.dialogue.events import ActionExecuted, Event, SessionStarted
from bot.errors import BadRequest, DependencyError

SESSION_START_ACTION = "action_session_start"


class TrackerStore(Protocol):
    """A conversation is an append-only list of events, in sessions, under one key."""

    max_events: int  # the live list's cap; 0 = none

    def claim(self, sender_id: str, fence: int) -> None:
        """The turn holding lock ticket `fence` now owns the conversation; lower tickets may not write."""

    def append(self, sender_id: str, events: Sequence[Event], *, fence: int | None = None) -> None: ...

    def events(self, sender_id: str) -> list[Event]:
        """Every session's events (Rasa's `retrieve_full_tracker`)."""

    def session_events(self, sender_id: str) -> list[Event]:
        """The latest session's events, from its `action_session_start` (Rasa's `retrieve`)."""

    def senders(self) -> Iterator[str]: ...

    def ping(self) -> None:
        """Raise `StoreUnavailable` when the store cannot be reached."""


class LockStore(Protocol):
    def lock(self, sender_id: str) -> AbstractContextManager[Any]:
        """Hold the conversation's lock; waiters are served first come, first served. The value is the
        lease (its `token` is the fencing token), or None for a store without fencing."""


class StaleLock(DependencyError):
    """An append (or claim) from a turn whose lock was taken over: nothing of it is stored."""

    code = "lock_lost"

    def __init__(self, sender_id: str, fence: int, claimed: int, n_events: int) -> None:
        super().__init__(
            f"conversation {sender_id!r}: this turn's lock (ticket {fence}) expired while it ran and ticket "
            f"{claimed} took the conversation over; {n_events} event(s) of this turn were not stored"
        )
        self.details = {"fence": fence, "claimed": claimed, "not_stored": n_events}


class TrackerFull(BadRequest):
    code = "tracker_full"

    def __init__(self, sender_id: str, held: int, adding: int, limit: int) -> None:
        super().__init__(
            f"conversation {sender_id!r}: its current session holds {held} events; {adding} more would "
            f"pass the limit of {limit} events per conversation (nothing was stored; a new session, e.g. "
            "an `action_session_start`, makes room: older sessions are archived)"
        )
        self.details = {"held": held, "adding": adding, "limit": limit}


def session_start_index(events: Sequence[Event]) -> int | None:
    """Where the last session in `events` begins: its `action_session_start` (else its `session_started`);
    None when `events` start no session."""
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], SessionStarted):
            before = events[i - 1] if i > 0 else None
            if isinstance(before, ActionExecuted) and before.name == SESSION_START_ACTION:
                return i - 1
            return i
    return None
