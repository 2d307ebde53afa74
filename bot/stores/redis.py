"""Tracker store on Redis: an append-only event log per conversation, fenced, split into sessions, capped.

Keys, all under the conversation's {hash tag} (one Redis Cluster slot; bot/stores/cluster.py):

    <prefix>{<sender>}            the live list of JSON events; `RPUSH` only (never rewritten)
    <prefix>{<sender>}:session    the index in the live list where the latest session begins
    <prefix>{<sender>}:fence      the highest fencing token (lock ticket) that claimed the conversation
    <prefix>{<sender>}:archive    older sessions moved out of the live list by the cap

Every append is one Lua script (`_APPEND`), so the fence check, the cap and the push cannot interleave
with another writer:

- Fencing: a turn claims the conversation with its lock ticket (`claim`) before it reads; an append
  that carries a ticket lower than the claimed one is refused with `StaleLock` and stores nothing. So a
  turn that stalled past its lock's lifetime, and whose conversation was since taken by another turn,
  cannot write into the other turn's history.
- Sessions (Rasa's `session_config`): `session_events()` reads only the latest session, from its
  `action_session_start` on, as Rasa's `TrackerStore.retrieve` does; `events()` reads every session
  (the archive, then the live list), as `retrieve_full_tracker` does.
- Cap (`max_events`, default 20,000, 0 = none): when an append would take the live list past it, the
  sessions before the latest one move to the archive first (nothing is deleted; the archive has the same
  TTL). An append that still does not fit (the latest session alone would pass the cap) is refused with
  `TrackerFull` and stores nothing. The agent starts a new session before a session gets there
  (bot/agent.py), so a user's message is never refused for it.

The keys' TTL (`record_exp` seconds, 0 = keep forever) is renewed on each append.

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
from bot.endpoints import DEFAULT_MAX_EVENTS, describe_url
from bot.errors import StoreUnavailable
from bot.stores.base import StaleLock, TrackerFull, session_start_index
from bot.stores.cluster import connect_cluster, is_cluster, is_cluster_url

log = logging.getLogger(__name__)

_REDIS_DOWN = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
    redis.exceptions.ClusterDownError,  # a cluster master is down: its slots are not served meanwhile
    redis.exceptions.SlotNotCoveredError,
)
FENCE_TTL_S = 86_400  # a claim outlives any turn; the lock's ticket counter lives as long (redis_lock.py)
_CHUNK = 1000  # Lua's unpack() takes a few thousand values at most

_APPEND = """
-- KEYS[1] live list, KEYS[2] session index, KEYS[3] fence, KEYS[4] archive
-- ARGV[1] my fencing token ('' = none), ARGV[2] record_exp s, ARGV[3] max events (0 = none),
-- ARGV[4] where a new session begins in this batch (-1 = none), ARGV[5..] the events
-- -> {stored length, 0, archived} | {-1, claimed fence} stale | {-2, session length} full
if ARGV[1] ~= '' then
  local claimed = tonumber(redis.call('GET', KEYS[3]) or '0')
  if claimed > tonumber(ARGV[1]) then return {-1, claimed} end
end
local n = #ARGV - 4
local len = redis.call('LLEN', KEYS[1])
local offset = tonumber(ARGV[4])
local start = tonumber(redis.call('GET', KEYS[2]) or '0')
if offset >= 0 then start = len + offset end
local max = tonumber(ARGV[3])
local archived = 0
if max > 0 and len + n > max and start > 0 then  -- move the older sessions out of the live list
  archived = math.min(start, len)
  for i = 0, archived - 1, 1000 do
    local chunk = redis.call('LRANGE', KEYS[1], i, math.min(i + 999, archived - 1))
    redis.call('RPUSH', KEYS[4], unpack(chunk))
  end
  redis.call('LTRIM', KEYS[1], archived, -1)
  len = len - archived
  start = start - archived
end
if max > 0 and len + n > max then return {-2, len - start} end
for i = 5, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
redis.call('SET', KEYS[2], start)
local exp = tonumber(ARGV[2])
if exp > 0 then
  for k = 1, 4 do redis.call('EXPIRE', KEYS[k], exp) end
end
return {len + n, 0, archived}
"""

_CLAIM = """
-- KEYS[1] fence; ARGV[1] my token, ARGV[2] ttl s -> the claimed token before mine (0 = none)
local claimed = tonumber(redis.call('GET', KEYS[1]) or '0')
if claimed <= tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2])) end
return claimed
"""

_SESSION = """
-- KEYS[1] live list, KEYS[2] session index -> {index or -1, events from it}
local start = redis.call('GET', KEYS[2])
if not start then return {-1, {}} end
return {tonumber(start), redis.call('LRANGE', KEYS[1], tonumber(start), -1)}
"""


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
        self,
        client: redis.Redis,
        *,
        key_prefix: str = "tracker:",
        record_exp: int = 0,
        url: str = "",
        max_events: int = DEFAULT_MAX_EVENTS,
    ) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.record_exp = record_exp
        self.url = url
        self.max_events = max_events
        self._append = client.register_script(_APPEND)
        self._claim = client.register_script(_CLAIM)
        self._session = client.register_script(_SESSION)

    def _key(self, sender_id: str) -> str:
        return tracker_key(self.key_prefix, sender_id)

    def key(self, sender_id: str) -> str:
        """The conversation's live list (channels that stream it read it directly)."""
        return tracker_key(self.key_prefix, sender_id)

    def _keys(self, sender_id: str) -> list[str]:
        live = self._key(sender_id)
        return [live, f"{live}:session", f"{live}:fence", f"{live}:archive"]

    def claim(self, sender_id: str, fence: int) -> None:
        """Mark `fence` (the lock ticket of the turn that now holds the conversation) as the current one:
        appends with a lower ticket are refused from now on."""
        try:
            before = int(self._claim(keys=[self._keys(sender_id)[2]], args=[fence, FENCE_TTL_S]))
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc
        if before > fence:
            raise StaleLock(sender_id, fence, before, 0)

    def append(self, sender_id: str, events: Sequence[Event], *, fence: int | None = None) -> None:
        """Append atomically with the fence check and the cap; `StaleLock` / `TrackerFull` store nothing."""
        if not events:
            return
        payload = [json.dumps(e.to_dict(), ensure_ascii=False) for e in events]
        starts = session_start_index(events)
        args: list[Any] = ["" if fence is None else fence, self.record_exp, self.max_events]
        args.append(-1 if starts is None else starts)
        try:
            result = self._append(keys=self._keys(sender_id), args=[*args, *payload])
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc
        status, value = int(result[0]), int(result[1])
        if status == -1:
            raise StaleLock(sender_id, fence or 0, value, len(events))
        if status == -2:
            raise TrackerFull(sender_id, value, len(events), self.max_events)
        if len(result) > 2 and int(result[2]):
            log.info(
                "event=tracker.archived sender=%s events=%d max_events=%d",
                sender_id,
                int(result[2]),
                self.max_events,
            )

    def events(self, sender_id: str) -> list[Event]:
        """Every event of every session (the archive, then the live list), as Rasa's full tracker."""
        keys = self._keys(sender_id)
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.lrange(keys[3], 0, -1)
            pipe.lrange(keys[0], 0, -1)
            archived, raw = pipe.execute()
            if not raw and not archived and self._migrate(sender_id):
                raw = self.client.lrange(keys[0], 0, -1)
        except _REDIS_DOWN as exc:
            raise self._down(exc) from exc
        return [event_from_dict(json.loads(item)) for item in [*archived, *raw]]

    def session_events(self, sender_id: str) -> list[Event]:
        """The latest session's events only, from its `action_session_start` on (what predictions need)."""
        keys = self._keys(sender_id)
        try:
            start, raw = self._session(keys=keys[:2])
            if int(start) < 0:  # a conversation stored before sessions were indexed: index it once
                raw = self.client.lrange(keys[0], 0, -1)
                if not raw and self._migrate(sender_id):
                    raw = self.client.lrange(keys[0], 0, -1)
                events = [event_from_dict(json.loads(item)) for item in raw]
                first = session_start_index(events) or 0
                if events:
                    self.client.set(keys[1], first, nx=True)
                return events[first:]
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
