"""Who may call the HTTP API: Rasa's `--auth-token` and JWT, refused by default.

Protected: the conversation API (`/conversations/...`), `/model/parse`, `/translate`, `/forecast`,
`/summarize` (the blueprints in `PROTECTED`). Open: `/health`, `/media`, and the public channels, which
keep their own checks (the REST webhook is open as in Rasa; the widget has its session token, Slack its
request signature).

Credentials, as Rasa takes them:
    ?token=<auth token>                 or   Authorization: Bearer <auth token>
    Authorization: Bearer <JWT>         signed with the JWT secret; {"user": {"username", "role"}}:
                                        role "admin" may touch every conversation, role "user" only the
                                        conversation named by its username (and no conversation-less
                                        endpoint)

A server started without a token or a JWT secret refuses every protected call (401) unless the operator
opened the API on purpose (`--open-api` / PARLEY_OPEN_API=1; logged as a warning). The secrets come from
the environment (PARLEY_AUTH_TOKEN, PARLEY_JWT_SECRET, PARLEY_JWT_METHOD), which `parley run` sets from
its options before the workers start; they never appear in a log line or an error body.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from flask import Flask, request

from bot.errors import ConfigError, Forbidden, Unauthorized

log = logging.getLogger(__name__)

PROTECTED = frozenset({"conversations", "parse", "translate", "engines"})
JWT_METHODS = ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
NOT_AUTHENTICATED = "User is not authenticated."
NOT_AUTHORIZED = "User has insufficient permission."
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class AuthSettings:
    token: str | None = field(default=None, repr=False)
    jwt_secret: str | None = field(default=None, repr=False)
    jwt_method: str = "HS256"
    open_api: bool = False
    cors: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthSettings:
        env = os.environ if environ is None else environ
        method = env.get("PARLEY_JWT_METHOD") or "HS256"
        if method not in JWT_METHODS:
            raise ConfigError(
                "--jwt-method / PARLEY_JWT_METHOD",
                None,
                f"got {method!r}; choose one of {', '.join(JWT_METHODS)}",
            )
        cors = tuple(o.strip() for o in (env.get("PARLEY_CORS") or "").split(",") if o.strip())
        return cls(
            token=env.get("PARLEY_AUTH_TOKEN") or None,
            jwt_secret=env.get("PARLEY_JWT_SECRET") or None,
            jwt_method=method,
            open_api=(env.get("PARLEY_OPEN_API") or "").strip().lower() in _TRUE,
            cors=cors,
        )

    @property
    def configured(self) -> bool:
        return bool(self.token or self.jwt_secret)

    def describe(self) -> str:
        """What protects the API, for the start-up log: never a secret, only which kinds are set."""
        if self.open_api:
            return "OPEN (no credentials needed: --open-api / PARLEY_OPEN_API)"
        kinds = [k for k, v in (("token", self.token), (f"jwt {self.jwt_method}", self.jwt_secret)) if v]
        return " + ".join(kinds) if kinds else "closed (no token or JWT secret configured: every call is 401)"


def presented_credential() -> str | None:
    """The token of the request: `Authorization: Bearer ...`, else the `token` query parameter."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.args.get("token") or None


def check(settings: AuthSettings, credential: str | None, sender_id: str | None) -> None:
    """Return when `credential` may call an endpoint about `sender_id` (None: no conversation), else
    raise 401 (no or bad credentials) or 403 (a user JWT for another conversation)."""
    if settings.open_api:
        return
    if not settings.configured:
        raise Unauthorized(
            f"{NOT_AUTHENTICATED} This server has no credentials configured: start it with --auth-token "
            "(PARLEY_AUTH_TOKEN) or --jwt-secret (PARLEY_JWT_SECRET), or open the API with --open-api",
            code="NotAuthenticated",
        )
    if not credential:
        raise Unauthorized(NOT_AUTHENTICATED, code="NotAuthenticated")
    if settings.token and hmac.compare_digest(credential.encode(), settings.token.encode()):
        return
    if settings.jwt_secret:
        user = _jwt_user(settings, credential)
        if user.get("role") == "admin":
            return
        if user.get("role") == "user" and sender_id is not None and user.get("username") == sender_id:
            return
        raise Forbidden(NOT_AUTHORIZED, code="NotAuthorized")
    raise Unauthorized(NOT_AUTHENTICATED, code="NotAuthenticated")


def _jwt_user(settings: AuthSettings, credential: str) -> dict[str, Any]:
    try:
        payload = jwt.decode(credential, settings.jwt_secret, algorithms=[settings.jwt_method])
    except jwt.InvalidTokenError as exc:  # the reason (expired, bad signature) is safe to say
        raise Unauthorized(
            f"{NOT_AUTHENTICATED} ({exc.__class__.__name__})", code="NotAuthenticated"
        ) from exc
    user = payload.get("user")
    return user if isinstance(user, dict) else {}


def install(app: Flask, settings: AuthSettings) -> None:
    """Check credentials before every request to a protected blueprint."""
    if settings.open_api:
        log.warning(
            "event=auth.open_api SECURITY WARNING: the conversation and model API needs no credentials; "
            "anyone who reaches this port can read and write every conversation"
        )
    else:
        log.info("event=auth.ready protection=%s", settings.describe())

    @app.before_request
    def _require_credentials():
        if request.blueprint not in PROTECTED or request.method == "OPTIONS":
            return None
        check(settings, presented_credential(), (request.view_args or {}).get("sender_id"))
        return None
