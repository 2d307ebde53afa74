"""The widget's bot messages, pushed over Server-Sent Events straight from the tracker in Redis.

    event id  = the event's index in the conversation's Redis list (append-only: an index never moves)
    connect   -> replay the list after `Last-Event-ID` (or the recent history when there is none)
              -> `event: synced` -> then each new user/bot event as it is stored, `: ping` when idle

So a dropped stream or a restarted server loses nothing and repeats nothing: the page resumes from the
last id it saw, and the tracker is the only source.

Who notices new events: one `StreamHub` thread per process. It listens on a Redis pub/sub channel
(`<prefix>widget:wake`, published after each widget message is handled, by any process) and, every
`poll_s`, asks Redis for the length of every conversation it watches in one pipeline, so replies
stored by anyone else (a reminder through `Agent.trigger_intent`, another worker, the REST channel)
arrive within `poll_s`. A held stream costs one parked thread (no Redis connection, no polling of
its own); its server thread is freed when the client goes (the next write fails, at most
`keepalive_s` later).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import redis

from bot.stores.redis import tracker_key

log = logging.getLogger(__name__)

# What a bot message may carry to the page (BotUttered.data keys); anything else stays server-side.
BOT_KEYS = ("buttons", "quick_replies", "image", "attachment", "elements", "custom")
_REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def widget_message(index: int, raw: bytes | str) -> dict[str, Any] | None:
    """The page's view of one stored event, or None for events the page does not show."""
    event = json.loads(raw)
    kind = event.get("event")
    if kind == "bot":
        data = event.get("data") or {}
        message = {"id": index, "from": "bot", "text": event.get("text")}
        message.update({k: data[k] for k in BOT_KEYS if data.get(k) is not None})
        return message
    if kind == "user":
        meta = event.get("metadata") or {}
        shown = meta.get("widget") if isinstance(meta.get("widget"), dict) else {}
        if meta.get("is_external") or shown.get("hidden"):
            return None
        text = shown.get("title") if isinstance(shown.get("title"), str) else event.get("text")
        return {"id": index, "from": "user", "text": text, "message_id": event.get("message_id")}
    return None


def sse(message: dict[str, Any]) -> str:
    return f"id: {message['id']}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"


@dataclass
class _Watched:
    cond: threading.Condition = field(default_factory=threading.Condition)
    last_index: int = -1  # the conversation's last event index, as the hub last saw it
    watchers: int = 0


class StreamHub:
    """Wakes the streams of a conversation when its list in Redis grows (see the module docstring)."""

    def __init__(self, client: redis.Redis, key_prefix: str, wake_prefix: str, poll_s: float = 0.5) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.wake_channel = f"{wake_prefix}widget:wake"
        self.poll_s = poll_s
        self._watched: dict[str, _Watched] = {}
        self.listeners: list[Callable[[str], None]] = []  # told the sender whose list changed
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def key(self, sender_id: str) -> str:
        """The conversation's event list in Redis (the tracker store's key)."""
        return tracker_key(self.key_prefix, sender_id)

    # ---------------------------------------------------------------- for the routes
    def add(self, sender_id: str) -> _Watched:
        """Watch `sender_id` (once per stream; `remove` when the stream ends)."""
        self._start()
        with self._lock:
            entry = self._watched.setdefault(sender_id, _Watched())
            entry.watchers += 1
            return entry

    def remove(self, sender_id: str) -> None:
        with self._lock:
            entry = self._watched.get(sender_id)
            if entry is not None:
                entry.watchers -= 1
                if entry.watchers <= 0:
                    del self._watched[sender_id]

    @contextmanager
    def watch(self, sender_id: str) -> Iterator[_Watched]:
        entry = self.add(sender_id)
        try:
            yield entry
        finally:
            self.remove(sender_id)

    def wait(self, entry: _Watched, after: int, timeout: float) -> bool:
        """Block until the conversation has an event after index `after` (True) or `timeout` passes."""
        with entry.cond:
            return entry.cond.wait_for(lambda: entry.last_index > after or self._closed.is_set(), timeout)

    def wake(self, sender_id: str) -> None:
        """Tell every process's hub that `sender_id` has new events."""
        try:
            self.client.publish(self.wake_channel, sender_id)
        except _REDIS_DOWN as exc:  # the poll still finds them within poll_s
            log.warning("event=widget.wake.failed sender=%s error=%s", sender_id, exc.__class__.__name__)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def streams(self) -> int:
        with self._lock:
            return sum(e.watchers for e in self._watched.values())

    def close(self) -> None:
        """End every stream this process holds (tests, shutdown); the pages reconnect elsewhere."""
        self._closed.set()
        with self._lock:
            entries = list(self._watched.values())
        for entry in entries:
            with entry.cond:
                entry.cond.notify_all()

    def stream(
        self, sender_id: str, last_id: int | None, *, keepalive_s: float, history_events: int
    ) -> Iterator[str]:
        """The SSE body for one page: replay after `last_id`, then follow the conversation."""
        key = self.key(sender_id)
        with self.watch(sender_id) as entry:
            yield "retry: 1000\n\n"
            length = int(self.client.llen(key))
            if last_id is None:
                start = max(0, length - history_events)
            elif last_id < length:
                start = last_id + 1
            else:  # the list is shorter than the page remembers: it expired and began anew
                start = 0
            known = start  # the next index to read
            for chunk, after in self._read(key, start):
                known = after
                yield chunk
            yield f"event: synced\ndata: {json.dumps({'last_id': known - 1})}\n\n"
            while not self.closed:
                if not self.wait(entry, known - 1, keepalive_s):
                    yield ": ping\n\n"
                    continue
                for chunk, after in self._read(key, known):
                    known = after
                    yield chunk

    def _read(self, key: str, start: int) -> Iterator[tuple[str, int]]:
        """(SSE text, next index) for each event from `start` on; `next index` also for hidden ones."""
        raw = self.client.lrange(key, start, -1)
        for offset, item in enumerate(raw):
            message = widget_message(start + offset, item)
            yield (sse(message) if message else ""), start + offset + 1

    # ---------------------------------------------------------------- the hub thread
    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="parley-widget-hub", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        pubsub = None
        last_poll = 0.0
        while not self.closed:
            try:
                if pubsub is None:
                    pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                    pubsub.subscribe(self.wake_channel)
                due: set[str] = set()
                message = pubsub.get_message(timeout=self.poll_s)
                while message is not None:
                    data = message.get("data")
                    due.add(data.decode() if isinstance(data, bytes) else str(data))
                    message = pubsub.get_message(timeout=0)
                now = time.monotonic()
                with self._lock:
                    watched = set(self._watched)
                if now - last_poll >= self.poll_s:
                    due = watched
                    last_poll = now
                self._check(sorted(due & watched))
            except _REDIS_DOWN as exc:
                log.warning("event=widget.hub.redis_down error=%s (retrying)", exc.__class__.__name__)
                pubsub = None
                self._closed.wait(1.0)
        if pubsub is not None:
            pubsub.close()

    def _check(self, senders: list[str]) -> None:
        if not senders:
            return
        pipe = self.client.pipeline(transaction=False)
        for sender in senders:
            pipe.llen(self.key(sender))
        lengths = pipe.execute()
        for sender, length in zip(senders, lengths, strict=True):
            with self._lock:
                entry = self._watched.get(sender)
            if entry is None:
                continue
            with entry.cond:
                changed = int(length) - 1 != entry.last_index
                if changed:
                    entry.last_index = int(length) - 1
                    entry.cond.notify_all()
            if changed:
                for listener in self.listeners:
                    listener(sender)
