"""At most one turn per Slack event, across retries and server processes: the first delivery of an
`event_id` claims it in Redis (`SET key 1 NX EX ttl`, one atomic command); every later delivery, a retry
with `X-Slack-Retry-Num` or the same event reaching another process, finds the claim and is only acked.

Keys are `<prefix>event:{<event_id>}`: the `{...}` hash tag keeps a key's slot fixed on Redis Cluster,
the same way the tracker and lock keys are tagged by conversation.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from bot.errors import StoreUnavailable

log = logging.getLogger(__name__)


class EventClaims:
    def __init__(self, client: Any, key_prefix: str = "parley:slack:", ttl_s: int = 86_400) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.ttl_s = ttl_s

    def key(self, kind: str, event_id: str) -> str:
        return f"{self.key_prefix}{kind}:{{{event_id}}}"

    def claim(self, event_id: str, kind: str = "event") -> bool:
        """True for the first caller only (until the TTL expires). Redis down: 503, and Slack retries."""
        try:
            return bool(self.client.set(self.key(kind, event_id), b"1", nx=True, ex=self.ttl_s))
        except redis.RedisError as exc:
            log.error("event=slack.claim.failed event_id=%s error=%s", event_id, type(exc).__name__)
            raise StoreUnavailable(
                "Redis cannot be reached to de-duplicate Slack events; the event was not handled and"
                " Slack will retry it (see /health)"
            ) from None

    def release(self, event_id: str, kind: str = "event") -> None:
        """Give a claim back (the turn could not be queued, so Slack's retry must be able to run it)."""
        try:
            self.client.delete(self.key(kind, event_id))
        except Exception as exc:  # the claim then expires with its TTL; say so
            log.error("event=slack.claim.release_failed event_id=%s error=%s", event_id, type(exc).__name__)
