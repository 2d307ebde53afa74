"""In-memory doubles of the stores, for unit tests of logic only (never used by the server)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from bot.dialogue.events import Event


class InMemoryTrackerStore:
    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = defaultdict(list)
        self._guard = threading.Lock()

    def append(self, sender_id: str, events: Sequence[Event]) -> None:
        with self._guard:
            self._events[sender_id].extend(events)

    def events(self, sender_id: str) -> list[Event]:
        with self._guard:
            return list(self._events.get(sender_id, []))

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
