"""Tracker store and lock store on Redis.

Tracker: each conversation is a Redis list `<prefix>{<sender_id>}` of JSON events (the {hash tag} keeps
a conversation's tracker and lock keys in one Redis Cluster slot; bot/stores/cluster.py). Appending is `RPUSH`
(never a rewrite), and the key's TTL (`record_exp` seconds, 0 = keep forever) is renewed on each append.

Lock: bot/stores/redis_lock.py (a fair ticket lock per conversation, taken atomically, with fencing
tokens); `RedisLockStore` and `LockTimeout` are re-exported here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import redis

from bot.dialogue.events import Event, event_from_dict
from bot.endpoints import describe_url
from bot.errors import StoreUnavailable
from bot.stores.cluster import connect_cluster, is_cluster, is_cluster_url

log = logging.getLogger(__name__)

_REDIS_DOWN = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
    redis.exceptions.ClusterDownError,  # a cluster master is down: its slots are not served meanwhile
    redis.exceptions.SlotNotCoveredError,
)


def connect(url: str, db: int | None = None) -> redis.Redis:
    """A client for `url` (see bot/endpoints.py); the URL's own `db` and `socket_timeout` win."""
    if is_cluster_url(url):  # redis-cluster://host:port,... (bot/stores/cluster.py)
        return connect_cluster(url)
    kwargs: dict[str, Any] = {"socket_timeout": 5, "socket_connect_timeout": 3, "health_check_interval": 30}
    if db is not None:
        kwargs["db"] = db
    return redis.Redis.from_url(url, **kwargs)


def unavailable(url: str, exc: Exception, fix: str, what: str = "") -> StoreUnavailable:
    """The error for a Redis that cannot be used: where it is (never the password), why, and what to fix."""
    where = f"Redis at {describe_url(url) if url else 'the configured URL'}{what}"
    if isinstance(exc, redis.exceptions.AuthenticationError):
        return StoreUnavailable(
            f"{where} refused the login ({exc.__class__.__name__}: {exc}); "
            f"check the username and password in {fix}"
        )
    return StoreUnavailable(f"{where} cannot be reached ({exc.__class__.__name__}); start Redis or fix {fix}")


class RedisTrackerStore:
    def __init__(
        self, client: redis.Redis, *, key_prefix: str = "tracker:", record_exp: int = 0, url: str = ""
    ) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.record_exp = record_exp
        self.url = url

    def _key(self, sender_id: str) -> str:
        return tracker_key(self.key_prefix, sender_id)

    def key(self, sender_id: str) -> str:
        """The conversation's list (channels that stream it read it directly)."""
        return tracker_key(self.key_prefix, sender_id)

    def append(self, sender_id: str, events: Sequence[Event]) -> None:
        if not events:
            return
        payload = [json.dumps(e.to_dict(), ensure_ascii=False) for e in events]
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.rpush(self._key(sender_id), *payload)
            if self.record_exp > 0:
                pipe.expire(self._key(sender_id), self.record_exp)
            pipe.execute()
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc

    def events(self, sender_id: str) -> list[Event]:
        try:
            raw = self.client.lrange(self._key(sender_id), 0, -1)
            if not raw and self._migrate(sender_id):
                raw = self.client.lrange(self._key(sender_id), 0, -1)
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc
        return [event_from_dict(json.loads(item)) for item in raw]

    def senders(self) -> Iterator[str]:
        """Every stored conversation (keys `<prefix>{sender}`; other keys under the prefix are skipped)."""
        try:
            for key in self.client.scan_iter(match=f"{self.key_prefix}{{*}}", count=500):
                yield key.decode("utf-8")[len(self.key_prefix) + 1 : -1]
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc

    def ping(self) -> None:
        try:
            self.client.ping()
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc

    def _migrate(self, sender_id: str) -> bool:
        """A conversation stored before keys were hash-tagged (`<prefix><sender>`) moves to its new key."""
        legacy = f"{self.key_prefix}{sender_id}"
        if is_cluster(self.client) or not self.client.exists(legacy):
            return False
        return bool(self.client.renamenx(legacy, self._key(sender_id)))

    def _down(self, exc: Exception) -> StoreUnavailable:
        return unavailable(self.url, exc, "REDIS_URL / endpoints.yml tracker_store; nothing was stored")


def tracker_key(prefix: str, sender_id: str) -> str:
    """`<prefix>{sender}`: the {hash tag} puts a conversation's tracker and lock keys in one cluster slot."""
    return f"{prefix}{{{sender_id}}}"


# The lock store lives in bot/stores/redis_lock.py (atomic, fenced tickets); imported here for callers
# that take both stores from this module.
from bot.stores.redis_lock import LockTimeout, RedisLockStore  # noqa: E402, F401
