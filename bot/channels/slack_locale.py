"""A Slack user's locale (`de-DE`) as the language a multilingual bot starts the conversation in.

Slack's message events carry no locale; `users.info` with `include_locale=true` does (scope
`users:read`). It is asked once per user and remembered for `ttl_s` (a failed lookup too, so a missing
scope costs one call per user and a day, and is logged once). The turn worker asks, never the ack path,
and only for a bot with user languages (config.yml `languages:`). The locale goes into the message's
metadata as `locale`; bot/multilingual/conversation.py starts a new conversation in its language, and
detection still changes it when the user writes confidently in another (a German Slack UI says little
about the language of every message).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any

log = logging.getLogger(__name__)


class UserLocales:
    def __init__(self, client: Any, ttl_s: float = 86_400.0, max_users: int = 10_000) -> None:
        self.client, self.ttl_s, self.max_users = client, ttl_s, max_users
        self._known: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def locale(self, user: str) -> str | None:
        """`user`'s Slack locale ('de-DE'), or None when Slack did not say."""
        now = time.monotonic()
        with self._lock:
            cached = self._known.get(user)
            if cached is not None and now - cached[0] < self.ttl_s:
                self._known.move_to_end(user)
                return cached[1]
        locale = self._ask(user)
        with self._lock:
            self._known[user] = (now, locale)
            while len(self._known) > self.max_users:
                self._known.popitem(last=False)
        return locale

    def remember(self, user: str, locale: str) -> None:
        """A locale Slack sent along (a payload's user object): no call needed."""
        with self._lock:
            self._known[user] = (time.monotonic(), locale)

    def _ask(self, user: str) -> str | None:
        try:
            answer = self.client.users_info(user=user, include_locale=True)
        except Exception as exc:  # noqa: BLE001 - no locale is no hint: the turn goes on without one
            error = (
                getattr(getattr(exc, "response", None), "get", lambda *_: None)("error") or type(exc).__name__
            )
            if error not in self._warned:
                self._warned.add(error)
                hint = " (the app needs the users:read scope)" if error == "missing_scope" else ""
                log.warning("event=slack.locale.unavailable error=%s%s", error, hint)
            return None
        locale = (answer.get("user") or {}).get("locale")
        return locale if isinstance(locale, str) and locale else None
