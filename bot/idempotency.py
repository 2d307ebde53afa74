"""A message is processed once per `message_id`; a retry is answered from the stored replies; and a 503
says honestly whether the message was stored.

`Idempotent(handle, ...)` wraps `Agent.handle` for the channels whose clients retry (REST, callback):

    SET <prefix>{sender}:<message_id> "pending" NX EX pending_s   the first delivery claims the id
      -> handle(message) -> SET ... <replies as JSON> EX ttl_s      the replies, kept `ttl_s` (1 h)
    a retry finds the replies                                       -> sent again, nothing processed
    a retry finds "pending"                                         -> waits for the first to finish
    the first failed ("failed")                                     -> the tracker decides: if the user
                                                                       message is in it, the replies it
                                                                       holds are the answer; else the
                                                                       retry processes it, once

When `handle` fails on a dependency (Redis, the lock, an action server 5xx that escaped), the error is
re-raised as a 503 whose message and `details.stored` say what happened, read from the tracker:
`false` nothing was stored, `true` the message was stored (the reply may be incomplete; a retry with the
same message_id returns what was stored), `null` Redis cannot tell right now (a retry with the same
message_id is still safe: it will not be processed twice).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import redis

from bot.channels.base import OutputChannel, UserMessage
from bot.dialogue.events import BotUttered, UserUttered
from bot.errors import DependencyError, StoreUnavailable
from bot.stores.base import TrackerStore
from bot.stores.redis_lock import REDIS_DOWN

log = logging.getLogger(__name__)

PENDING = b"pending"
FAILED = b"failed"
Handle = Callable[[UserMessage, OutputChannel | None], list[dict[str, Any]]]


class Idempotent:
    def __init__(
        self,
        handle: Handle,
        client: redis.Redis,
        tracker_store: TrackerStore,
        *,
        key_prefix: str = "parley:replies:",
        ttl_s: int = 3600,
        pending_s: int = 180,
        wait_s: float = 30.0,
    ) -> None:
        self.handle = handle
        self.client = client
        self.tracker_store = tracker_store
        self.key_prefix = key_prefix
        self.ttl_s = ttl_s
        self.pending_s = pending_s
        self.wait_s = wait_s

    def key(self, message: UserMessage) -> str:
        return f"{self.key_prefix}{{{message.sender_id}}}:{message.message_id}"

    def __call__(self, message: UserMessage, output: OutputChannel | None = None) -> list[dict[str, Any]]:
        key = self.key(message)
        try:
            claimed = self.client.set(key, PENDING, nx=True, ex=self.pending_s)
        except REDIS_DOWN as exc:
            raise _honest(message, exc, stored=False) from exc
        if claimed:
            return self._process(message, output, key)
        replies = self._answer_retry(message, key)
        if replies is None:  # the first delivery failed before storing anything: process it now, once
            return self._process(message, output, key)
        log.info(
            "event=message.retry sender=%s message_id=%s (answered from the stored replies)",
            message.sender_id,
            message.message_id,
        )
        if output is not None:
            for reply in replies:
                output.send_response(
                    message.sender_id, {k: v for k, v in reply.items() if k != "recipient_id"}
                )
        return replies

    # ------------------------------------------------------------------ internals
    def _process(self, message: UserMessage, output: OutputChannel | None, key: str) -> list[dict[str, Any]]:
        try:
            replies = self.handle(message, output)
        except DependencyError as exc:
            self._mark_failed(key)
            raise _honest(message, exc, stored=self._stored(message)) from exc
        except Exception:
            self._mark_failed(key)
            raise
        try:
            self.client.set(key, json.dumps(replies, ensure_ascii=False), ex=self.ttl_s)
        except REDIS_DOWN:
            log.warning(
                "event=message.replies_not_kept sender=%s message_id=%s",
                message.sender_id,
                message.message_id,
            )
        return replies

    def _answer_retry(self, message: UserMessage, key: str) -> list[dict[str, Any]] | None:
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                value = self.client.get(key)
                if value is None or value == FAILED:
                    stored = self._replies_in_tracker(message)
                    if stored is not None:
                        self.client.set(key, json.dumps(stored, ensure_ascii=False), ex=self.ttl_s)
                        return stored
                    if self.client.set(
                        key, PENDING, ex=self.pending_s, nx=value is None, xx=value is not None
                    ):
                        return None
                    continue
                if value != PENDING:
                    return json.loads(value)
            except REDIS_DOWN as exc:
                raise _honest(message, exc, stored=None) from exc
            if time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"message {message.message_id!r} is still being processed by an earlier delivery; "
                    "retry with the same message_id to get its replies"
                )
            time.sleep(0.05)

    def _mark_failed(self, key: str) -> None:
        try:
            self.client.set(key, FAILED, ex=self.ttl_s)
        except REDIS_DOWN:
            pass  # the pending claim expires by itself

    def _stored(self, message: UserMessage) -> bool | None:
        try:
            return self._replies_in_tracker(message) is not None
        except (*REDIS_DOWN, DependencyError):
            return None

    def _replies_in_tracker(self, message: UserMessage) -> list[dict[str, Any]] | None:
        """The bot's replies after the user event with this message_id; None when it is not stored."""
        events = self.tracker_store.events(message.sender_id)
        for i, event in enumerate(events):
            if isinstance(event, UserUttered) and event.message_id == message.message_id:
                replies = []
                for later in events[i + 1 :]:
                    if isinstance(later, UserUttered):
                        break
                    if isinstance(later, BotUttered):
                        body = {k: v for k, v in later.data.items() if v not in (None, [], {})}
                        if later.text is not None:
                            body = {"text": later.text, **body}
                        replies.append({"recipient_id": message.sender_id, **body})
                return replies
        return None


def _honest(message: UserMessage, exc: Exception, *, stored: bool | None) -> StoreUnavailable:
    reason = getattr(exc, "message", None) or f"Redis cannot be reached ({exc.__class__.__name__})"
    reason = reason.split("; nothing")[0]  # the store's own guess about what was stored is replaced
    if stored is False:
        says = "nothing of this message was stored; retry it"
    elif stored is True:
        says = (
            "your message was stored but the reply may be incomplete; retry with the same message_id "
            f"({message.message_id}) to get what was stored"
        )
    else:
        says = (
            f"whether your message was stored cannot be told now; retry with the same message_id "
            f"({message.message_id}): it will not be processed twice"
        )
    error = StoreUnavailable(f"{reason}; {says}", code=str(getattr(exc, "code", "store_unavailable")))
    error.details = {"stored": stored, "message_id": message.message_id}
    return error
