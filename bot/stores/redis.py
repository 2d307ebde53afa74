"""Tracker store and lock store on Redis.

Tracker: each conversation is a Redis list `<prefix>{<sender_id>}` of JSON events (the {hash tag} keeps
a conversation's tracker and lock keys in one Redis Cluster slot; bot/stores/cluster.py). Appending is `RPUSH`
(never a rewrite), and the key's TTL (`record_exp` seconds, 0 = keep forever) is renewed on each append.

Lock: a fair ticket lock per conversation. A message takes a ticket (`INCR`), and waits until the
"now serving" counter reaches it. Every ticket holds a key with a lifetime that its owner renews while
it waits or works; a ticket whose key has expired (its worker crashed) is skipped, so no conversation is
held forever. Both scripts run atomically inside Redis, so any number of server processes can share it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import redis

from bot.dialogue.events import Event, event_from_dict
from bot.endpoints import describe_url
from bot.errors import DependencyError, StoreUnavailable
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


_ACQUIRE = """
-- KEYS[1] ticket counter, KEYS[2] now-serving counter; ARGV[1] my ticket; ARGV[2] ticket key prefix
local serving = tonumber(redis.call('GET', KEYS[2]) or '1')
local mine = tonumber(ARGV[1])
while serving < mine and redis.call('EXISTS', ARGV[2] .. tostring(serving)) == 0 do
  serving = serving + 1
end
redis.call('SET', KEYS[2], tostring(serving), 'EX', 86400)
return serving
"""

_RELEASE = """
-- KEYS[1] now-serving counter; ARGV[1] my ticket; ARGV[2] my ticket key
redis.call('DEL', ARGV[2])
local serving = tonumber(redis.call('GET', KEYS[1]) or '1')
if serving == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], tostring(serving + 1), 'EX', 86400)
end
return 1
"""


class LockTimeout(DependencyError):
    code = "lock_timeout"
    http_status = 503


class RedisLockStore:
    def __init__(
        self,
        client: redis.Redis,
        *,
        key_prefix: str = "lock:",
        lifetime_s: float = 60.0,
        wait_timeout_s: float = 60.0,
        poll_s: float = 0.005,
        url: str = "",
    ) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.lifetime_ms = int(lifetime_s * 1000)
        self.wait_timeout_s = wait_timeout_s
        self.poll_s = poll_s
        self.url = url
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    @contextmanager
    def lock(self, sender_id: str) -> Iterator[None]:
        base = f"{self.key_prefix}{{{sender_id}}}"  # {hash tag}: every key of the lock in one cluster slot
        ticket_key_prefix = f"{base}:ticket:"
        try:
            ticket = int(self.client.incr(f"{base}:tickets"))
            self.client.expire(f"{base}:tickets", 86400)
            my_key = f"{ticket_key_prefix}{ticket}"
            self.client.set(my_key, 1, px=self.lifetime_ms)
            deadline = time.monotonic() + self.wait_timeout_s
            while (
                int(
                    self._acquire(
                        keys=[f"{base}:tickets", f"{base}:serving"], args=[ticket, ticket_key_prefix]
                    )
                )
                != ticket
            ):
                if time.monotonic() > deadline:
                    self.client.delete(my_key)
                    raise LockTimeout(
                        f"conversation {sender_id!r} stayed busy for {self.wait_timeout_s:.0f} s; try again"
                    )
                self.client.pexpire(my_key, self.lifetime_ms)
                time.sleep(self.poll_s)
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc
        stop = threading.Event()
        keeper = threading.Thread(target=self._keep_alive, args=(my_key, stop), daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()
            try:
                self._release(keys=[f"{base}:serving"], args=[ticket, my_key])
            except _REDIS_DOWN:
                log.warning(
                    "event=lock.release.failed sender=%s (the lock expires after its lifetime)", sender_id
                )

    def ping(self) -> None:
        """Raise `StoreUnavailable` when the lock store's Redis cannot be reached or refuses the login."""
        try:
            self.client.ping()
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc

    def _down(self, exc: Exception) -> StoreUnavailable:
        return unavailable(self.url, exc, "REDIS_URL / endpoints.yml lock_store", " (lock store)")

    def _keep_alive(self, key: str, stop: threading.Event) -> None:
        """Renew the held ticket while the worker is alive; a crash stops renewals and the ticket expires."""
        interval = max(self.lifetime_ms / 3000.0, 0.05)
        while not stop.wait(interval):
            try:
                self.client.pexpire(key, self.lifetime_ms)
            except _REDIS_DOWN:
                return
