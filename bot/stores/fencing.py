"""A turn holds its conversation's lock and fences its writes with the lock's ticket.

    with turns.hold(sender_id):      the lock (bot/stores/redis_lock.py), then `tracker_store.claim`
        ... tracker_store.append(sender_id, events, fence=turns.token)

`claim` tells the tracker store that this ticket now owns the conversation; the store refuses appends
with a lower ticket (`StaleLock`), atomically with the push (bot/stores/redis.py). So when a turn
outlives its lock (its worker froze or lost Redis for longer than the lock's lifetime) and another turn
takes the conversation, the first turn can no longer write into the second one's history. The token is
kept per thread: the stale turn and the new one may run in the same process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.stores.base import LockStore, TrackerStore


class FencedTurns:
    def __init__(self, lock_store: LockStore, tracker_store: TrackerStore) -> None:
        self.lock_store = lock_store
        self.tracker_store = tracker_store
        self._local = threading.local()

    @property
    def token(self) -> int | None:
        """The fencing token of the turn running on this thread (None: a lock store without fencing)."""
        return getattr(self._local, "token", None)

    @contextmanager
    def hold(self, sender_id: str) -> Iterator[None]:
        with self.lock_store.lock(sender_id) as lease:
            token = getattr(lease, "token", None)
            if token is not None:
                self.tracker_store.claim(sender_id, token)
            outer, self._local.token = self.token, token
            try:
                yield
            finally:
                self._local.token = outer
