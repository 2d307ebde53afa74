"""The per-conversation lock on Redis: fair (first come, first served), atomic, fenced, self-healing.

Keys, all under the conversation's {hash tag} so they share one Redis Cluster slot:

    <prefix>{<sender>}:tickets       INCR counter: the next ticket, which is also the fencing token
    <prefix>{<sender>}:serving       the ticket allowed in now
    <prefix>{<sender>}:ticket:<n>    ticket n is alive (PX lifetime, renewed by its owner)

Taking a ticket and marking it alive is one Lua script (`_TAKE`), so no other process ever sees a ticket
without its liveness key and skips it as dead: that gap let two processes into one conversation and left
the skipped one waiting 60 s for a 503. Waiting (`_ADVANCE`) renews the waiter's own key and moves
"serving" past tickets whose key has expired (their worker died); the holder's keeper thread renews its
key every lifetime/3 and keeps retrying through a Redis restart, so a lock outlives a crash by at most
`lifetime_s` (default 5 s) and a live holder keeps it. The ticket is the fencing token: `Lease.held()`
says whether this holder is still the one being served, a release that finds it was not is logged
(`event=lock.lost`), and the tracker store refuses appends from a superseded ticket (bot/stores/redis.py:
the turn claims the conversation with its ticket, and each append is checked against the claim in the
same Lua script that pushes it). A new counter (first use, after 24 h idle, or a lock Redis that lost
its data) starts at the server's clock in milliseconds, so tickets keep growing across such resets and
a fresh lock is never refused by an older claim.

Every failure here happens before the conversation is touched, so its 503 says "nothing was stored".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import redis

from bot.endpoints import describe_url
from bot.errors import DependencyError, StoreUnavailable

log = logging.getLogger(__name__)

REDIS_DOWN = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
    redis.exceptions.ClusterDownError,
    redis.exceptions.SlotNotCoveredError,
)
NOT_STORED = "nothing of this message was stored; retry it"

_TAKE = """
-- KEYS[1] tickets, KEYS[2] serving; ARGV[1] ticket key prefix, ARGV[2] lifetime ms
if redis.call('EXISTS', KEYS[1]) == 0 then  -- a new counter starts at the server's clock in ms, so a
  local now = redis.call('TIME')            -- ticket never goes back below a claimed fencing token
  redis.call('SET', KEYS[1], string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000)))
  redis.call('DEL', KEYS[2])
end
local mine = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('SET', ARGV[1] .. mine, 1, 'PX', tonumber(ARGV[2]))
if redis.call('EXISTS', KEYS[2]) == 0 then  -- no one served yet: the oldest live ticket goes first
  local first = mine
  for t = mine - 1, math.max(1, mine - 64), -1 do
    if redis.call('EXISTS', ARGV[1] .. t) == 1 then first = t end
  end
  redis.call('SET', KEYS[2], first, 'PX', 86400000)
end
return mine
"""

_ADVANCE = """
-- KEYS[1] serving; ARGV[1] my ticket, ARGV[2] ticket key prefix, ARGV[3] lifetime ms
-- -> the ticket being served now, or -1 when mine has expired or was passed over
local mine = tonumber(ARGV[1])
if redis.call('PEXPIRE', ARGV[2] .. mine, tonumber(ARGV[3])) == 0 then return -1 end
local serving = tonumber(redis.call('GET', KEYS[1]) or mine)
if serving > mine then return -1 end
while serving < mine and redis.call('EXISTS', ARGV[2] .. serving) == 0 do
  serving = serving + 1
end
redis.call('SET', KEYS[1], serving, 'PX', 86400000)
return serving
"""

_RELEASE = """
-- KEYS[1] serving; ARGV[1] my ticket, ARGV[2] my ticket key -> 1 when I was the holder, else 0
redis.call('DEL', ARGV[2])
if tonumber(redis.call('GET', KEYS[1]) or '-1') == tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], tonumber(ARGV[1]) + 1, 'PX', 86400000)
  return 1
end
return 0
"""

_HELD = """
-- KEYS[1] serving; ARGV[1] my ticket, ARGV[2] my ticket key
if tonumber(redis.call('GET', KEYS[1]) or '-1') == tonumber(ARGV[1])
   and redis.call('EXISTS', ARGV[2]) == 1 then return 1 end
return 0
"""


class LockTimeout(DependencyError):
    code = "lock_timeout"


@dataclass
class Lease:
    """A held lock: `token` (the ticket) grows with every acquisition of the conversation's lock."""

    sender_id: str
    token: int
    store: RedisLockStore = field(repr=False)
    lost: bool = False

    def held(self) -> bool:
        """Whether this lease is still the one being served (False after a lifetime without renewal)."""
        keys = self.store.keys(self.sender_id)
        try:
            return bool(self.store._held(keys=[keys.serving], args=[self.token, keys.ticket(self.token)]))
        except REDIS_DOWN:
            return False


@dataclass(frozen=True)
class LockKeys:
    base: str

    @property
    def tickets(self) -> str:
        return f"{self.base}:tickets"

    @property
    def serving(self) -> str:
        return f"{self.base}:serving"

    @property
    def ticket_prefix(self) -> str:
        return f"{self.base}:ticket:"

    def ticket(self, n: int) -> str:
        return f"{self.ticket_prefix}{n}"


class RedisLockStore:
    def __init__(
        self,
        client: redis.Redis,
        *,
        key_prefix: str = "lock:",
        lifetime_s: float = 5.0,
        wait_timeout_s: float = 60.0,
        poll_s: float = 0.005,
        url: str = "",
    ) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.lifetime_ms = max(int(lifetime_s * 1000), 30)
        self.wait_timeout_s = wait_timeout_s
        self.poll_s = poll_s
        self.url = url
        self._take = client.register_script(_TAKE)
        self._advance = client.register_script(_ADVANCE)
        self._release = client.register_script(_RELEASE)
        self._held = client.register_script(_HELD)

    def keys(self, sender_id: str) -> LockKeys:
        return LockKeys(f"{self.key_prefix}{{{sender_id}}}")  # {hash tag}: one cluster slot

    @contextmanager
    def lock(self, sender_id: str) -> Iterator[Lease]:
        keys = self.keys(sender_id)
        lease = Lease(sender_id, self._acquire(sender_id, keys), self)
        stop = threading.Event()
        keeper = threading.Thread(target=self._keep_alive, args=(keys, lease, stop), daemon=True)
        keeper.start()
        try:
            yield lease
        finally:
            stop.set()
            keeper.join()
            self._let_go(keys, lease)

    def ping(self) -> None:
        """Raise `StoreUnavailable` when the lock store's Redis cannot be reached or refuses the login."""
        try:
            self.client.ping()
        except REDIS_DOWN as exc:
            raise self._down(exc) from exc

    # ------------------------------------------------------------------ internals
    def _acquire(self, sender_id: str, keys: LockKeys) -> int:
        deadline = time.monotonic() + self.wait_timeout_s
        try:
            ticket = int(
                self._take(keys=[keys.tickets, keys.serving], args=[keys.ticket_prefix, self.lifetime_ms])
            )
            while True:
                serving = int(
                    self._advance(keys=[keys.serving], args=[ticket, keys.ticket_prefix, self.lifetime_ms])
                )
                if serving == ticket:
                    return ticket
                if serving == -1:  # my ticket expired (I stalled past a lifetime) or was passed over
                    log.warning(
                        "event=lock.ticket_lost sender=%s ticket=%d (queueing again)", sender_id, ticket
                    )
                    ticket = int(
                        self._take(
                            keys=[keys.tickets, keys.serving], args=[keys.ticket_prefix, self.lifetime_ms]
                        )
                    )
                    continue
                if time.monotonic() > deadline:
                    self.client.delete(keys.ticket(ticket))
                    raise LockTimeout(
                        f"conversation {sender_id!r} stayed busy for {self.wait_timeout_s:.0f} s; "
                        + NOT_STORED
                    )
                time.sleep(self.poll_s)
        except REDIS_DOWN as exc:
            raise self._down(exc) from exc

    def _let_go(self, keys: LockKeys, lease: Lease) -> None:
        try:
            was_holder = int(self._release(keys=[keys.serving], args=[lease.token, keys.ticket(lease.token)]))
        except REDIS_DOWN:
            log.warning(
                "event=lock.release.failed sender=%s (the lock frees itself within %.1f s)",
                lease.sender_id,
                self.lifetime_ms / 1000,
            )
            return
        if not was_holder:
            lease.lost = True
            log.error(
                "event=lock.lost sender=%s token=%d: the lock expired while held (Redis unreachable for "
                "longer than its lifetime?)",
                lease.sender_id,
                lease.token,
            )

    def _keep_alive(self, keys: LockKeys, lease: Lease, stop: threading.Event) -> None:
        """Renew the held ticket while the worker is alive, retrying through Redis hiccups; a crash stops
        renewals and the ticket expires within one lifetime."""
        interval = max(self.lifetime_ms / 3000.0, 0.01)
        key = keys.ticket(lease.token)
        while not stop.wait(interval):
            try:
                if not self.client.pexpire(key, self.lifetime_ms) and not lease.lost:
                    lease.lost = True
                    log.error("event=lock.expired sender=%s token=%d", lease.sender_id, lease.token)
            except REDIS_DOWN:
                continue

    def _down(self, exc: Exception) -> StoreUnavailable:
        where = f"Redis at {describe_url(self.url) if self.url else 'the configured URL'} (lock store)"
        if isinstance(exc, redis.exceptions.AuthenticationError):
            return StoreUnavailable(
                f"{where} refused the login ({exc.__class__.__name__}); check REDIS_URL / endpoints.yml "
                f"lock_store; {NOT_STORED}"
            )
        return StoreUnavailable(
            f"{where} cannot be reached ({exc.__class__.__name__}); {NOT_STORED} "
            "(start Redis or fix REDIS_URL / endpoints.yml lock_store)"
        )
