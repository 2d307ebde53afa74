"""Signed widget session tokens: a visitor's conversation id, signed and timestamped by itsdangerous.

A token is `URLSafeTimedSerializer(keys).dumps({"sid": <sender id>})`; posting and streaming need it,
so nobody reads or writes another visitor's conversation by guessing a sender id.

    token older than `lifetime_s`      -> refused (401); the visitor starts a new conversation
    token older than `rotate_after_s`  -> still accepted; /webhooks/widget/session hands back a fresh one
                                          for the same conversation (the page asks on every load)

The signing key comes from `PARLEY_WIDGET_SECRET` (several keys: separate them with spaces, newest
last; tokens signed with an older key are accepted and rotated to the newest). When it is unset the
widget logs `event=widget.secret.generated` (a warning) and uses a random key kept in Redis
(`<prefix>widget:secret`), so every worker and a restarted server agree; set the variable in
production. The key is never logged.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bot.errors import ConfigError, Unauthorized

log = logging.getLogger(__name__)

SECRET_ENV = "PARLEY_WIDGET_SECRET"
_SALT = "parley.widget.session"
_MIN_SECRET_CHARS = 16


@dataclass(frozen=True)
class Session:
    sender_id: str
    issued_at: float


class SessionTokens:
    def __init__(self, keys: list[str], *, lifetime_s: int, rotate_after_s: int) -> None:
        if not keys:
            raise ValueError("at least one signing key is needed")
        self.lifetime_s = lifetime_s
        self.rotate_after_s = rotate_after_s
        self._serializer = URLSafeTimedSerializer(keys, salt=_SALT)

    def new(self) -> tuple[str, Session]:
        """A token for a fresh conversation (an unguessable sender id)."""
        return self.issue(f"web-{secrets.token_urlsafe(18)}")

    def issue(self, sender_id: str) -> tuple[str, Session]:
        return self._serializer.dumps({"sid": sender_id}), Session(sender_id, time.time())

    def verify(self, token: str) -> Session:
        """The token's session, or `Unauthorized` saying why (expired, tampered, malformed)."""
        try:
            data, signed_at = self._serializer.loads(token, max_age=self.lifetime_s, return_timestamp=True)
        except SignatureExpired:
            raise Unauthorized(
                f"the session token is older than {self.lifetime_s} s; start a new session",
                code="token_expired",
            ) from None
        except BadSignature:
            raise Unauthorized(
                "the session token is not valid; get one from POST /webhooks/widget/session",
                code="token_invalid",
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
            raise Unauthorized("the session token carries no session", code="token_invalid")
        return Session(data["sid"], signed_at.timestamp())

    def refresh(self, token: str) -> tuple[str, Session, bool]:
        """(token, session, rotated): the same token while young, a fresh one for the same sender after
        `rotate_after_s` or when it was signed with an older key."""
        session = self.verify(token)
        old_key = not self._signed_with_newest(token)
        if old_key or time.time() - session.issued_at >= self.rotate_after_s:
            fresh, renewed = self.issue(session.sender_id)
            return fresh, renewed, True
        return token, session, False

    def _signed_with_newest(self, token: str) -> bool:
        newest = URLSafeTimedSerializer(self._serializer.secret_keys[-1], salt=_SALT)
        try:
            newest.loads(token)
        except BadSignature:
            return False
        return True


_generated_lock = threading.Lock()


def signing_keys(redis_client, key_prefix: str, environ: dict[str, str] | None = None) -> list[str]:
    """`PARLEY_WIDGET_SECRET`'s keys, else one random key shared through Redis (with a warning)."""
    env = os.environ if environ is None else environ
    raw = env.get(SECRET_ENV, "")
    keys = raw.split()
    if keys:
        short = [i for i, k in enumerate(keys) if len(k) < _MIN_SECRET_CHARS]
        if short:
            raise ConfigError(
                SECRET_ENV,
                None,
                f"key {short[0] + 1} has fewer than {_MIN_SECRET_CHARS} characters; use a long random "
                "string, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
            )
        return keys
    with _generated_lock:
        name = f"{key_prefix}widget:secret"
        redis_client.set(name, secrets.token_urlsafe(32), nx=True)
        value = redis_client.get(name)
    log.warning(
        "event=widget.secret.generated env=%s: no signing key set; using a random one kept in Redis "
        "(%s). Set %s in production.",
        SECRET_ENV,
        name,
        SECRET_ENV,
    )
    return [value.decode() if isinstance(value, bytes) else str(value)]
