"""Replies Slack did not take, kept in Redis and sent again later, so an outage longer than the retries
of one call (slack_sdk's handlers, then the channel's backoff) delays a reply instead of losing it.

    SlackOutput gives up on a call  -> RPUSH <prefix>{undelivered} {"method", "arguments", "conversation"}
    every interval_s, any process   -> LPOP a batch, call each once; a failure goes back (attempts + 1)
    older than max_age_s            -> dropped, logged (event=slack.send.dropped conversation=...)

LPOP is atomic, so with several processes each entry is tried by one of them at a time. A file upload
is kept as its media id and re-read from the media store (which keeps files for a day).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


class Redelivery:
    def __init__(
        self,
        client: Any,
        key_prefix: str = "parley:slack:",
        interval_s: float = 30.0,
        max_age_s: float = 3600.0,
        batch: int = 50,
    ) -> None:
        self.client = client
        self.key = f"{key_prefix}{{undelivered}}"
        self.interval_s = interval_s
        self.max_age_s = max_age_s
        self.batch = batch
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def keep(self, method: str, arguments: dict[str, Any], conversation: str) -> bool:
        """Store a call to try again later; False (logged) when even Redis cannot take it."""
        entry = {"method": method, "arguments": arguments, "conversation": conversation, "since": time.time()}
        try:
            self.client.rpush(self.key, json.dumps(entry))
        except Exception as exc:
            log.error(
                "event=slack.send.lost conversation=%s method=%s error=%s",
                conversation,
                method,
                type(exc).__name__,
            )
            return False
        log.warning(
            "event=slack.send.kept conversation=%s method=%s (sent again later)", conversation, method
        )
        return True

    def run_once(self, send: Any) -> int:
        """Try a batch, once each, with `send(method, arguments, conversation) -> done`; returns how many."""
        sent = 0
        for _ in range(self.batch):
            raw = self.client.lpop(self.key)
            if raw is None:
                break
            entry = json.loads(raw)
            if send(entry["method"], entry["arguments"], entry["conversation"]):
                sent += 1
                log.info("event=slack.send.redelivered conversation=%s", entry["conversation"])
            elif time.time() - entry["since"] > self.max_age_s:
                log.error(
                    "event=slack.send.dropped conversation=%s method=%s after_s=%d",
                    entry["conversation"],
                    entry["method"],
                    int(time.time() - entry["since"]),
                )
            else:
                entry["attempts"] = entry.get("attempts", 0) + 1
                self.client.rpush(self.key, json.dumps(entry))
                break  # Slack still fails: wait for the next round instead of spinning through the list
        return sent

    def pending(self) -> int:
        return int(self.client.llen(self.key))

    def start(self, send: Any) -> None:
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.wait(self.interval_s):
                try:
                    self.run_once(send)
                except Exception as exc:  # Redis down: the entries stay where they are; try next round
                    log.error("event=slack.redelivery.failed error=%s", type(exc).__name__)

        self._thread = threading.Thread(target=loop, name="slack-redelivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
