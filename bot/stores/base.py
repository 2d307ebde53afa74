"""Store interfaces. Each has one real implementation (Redis) and one in-memory double for unit tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from bot.dialogue.events import Event


class TrackerStore(Protocol):
    """A conversation is an append-only list of events under one key."""

    def append(self, sender_id: str, events: Sequence[Event]) -> None: ...

    def events(self, sender_id: str) -> list[Event]: ...

    def senders(self) -> Iterator[str]: ...

    def ping(self) -> None:
        """Raise `StoreUnavailable` when the store cannot be reached."""


class LockStore(Protocol):
    def lock(self, sender_id: str) -> AbstractContextManager[None]:
        """Hold the conversation's lock; waiters are served first come, first served."""
