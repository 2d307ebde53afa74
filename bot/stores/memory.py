"""In-memory doubles of the stores, for unit tests of logic only (never used by the server).

`InMemoryTrackerStore` keeps the Redis store's rules (bot/stores/redis.py): fencing, sessions, the cap
with its archive; so tests on it see what the server does."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bot.dialogue.events import Event
from bot.endpoints import DEFAULT_MAX_EVENTS
from bot.stores.base import StaleLock, TrackerFull, session_start_index


class InMemoryTrackerStore:
    def __init__(self, *, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        self.max_events = max_events
        self._events: dict[str, list[Event]] = defaultdict(list)
        self._archive: dict[str, list[Event]] = defaultdict(list)
        self._session: dict[str, int] = {}
        self._fence: dict[str, int] = {}
        self._guard = threading.Lock()

    def claim(self, sender_id: str, fence: int) -> None:
        with self._guard:
            before = self._fence.get(sender_id, 0)
            if before > fence:
                raise StaleLock(sender_id, fence, before, 0)
            self._fence[sender_id] = fence

    def append(self, sender_id: str, events: Sequence[Event], *, fence: int | None = None) -> None:
        if not events:
            return
        with self._guard:
            claimed = self._fence.get(sender_id, 0)
            if fence is not None and claimed > fence:
                raise StaleLock(sender_id, fence, claimed, len(events))
            live = self._events[sender_id]
            offset = session_start_index(events)
            start = len(live) + offset if offset is not None else self._session.get(sender_id, 0)
            if self.max_events and len(live) + len(events) > self.max_events and start > 0:
                moved = min(start, len(live))
                self._archive[sender_id].extend(live[:moved])
                del live[:moved]
                start -= moved
            if self.max_events and len(live) + len(events) > self.max_events:
                raise TrackerFull(sender_id, len(live) - start, len(events), self.max_events)
            live.extend(events)
            self._session[sender_id] = start

    def events(self, sender_id: str) -> list[Event]:
        with self._guard:
            return [*self._archive.get(sender_id, []), *self._events.get(sender_id, [])]

    def session_events(self, sender_id: str) -> list[Event]:
        with self._guard:
            live = self._events.get(sender_id, [])
            start = self._session.get(sender_id)
            if start is None:
                start = session_start_index(live) or 0
            return list(live[start:])

    def senders(self) -> Iterator[str]:
        with self._guard:
            yield from list(self._events)

    def ping(self) -> None:
        return None


class InMemoryLockStore:
    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    @contextmanager
    def lock(self, sender_id: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks[sender_id]
        with lock:
            yield
