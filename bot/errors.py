"""Parley's error tree, and the one place where an error's kind becomes an HTTP status and an exit code.

Every error a user can cause or meet carries a `kind` and a stable `code`:

    kind          HTTP  exit   e.g.
    bad_input      400    2    InvalidJSON, ValidationFailed, an engine's bad input
    unauthorized   401    2    a channel request without its credentials
    forbidden      403    2    a token that does not allow this
    not_found      404    3    NotFound, an unknown language pair
    conflict       409    4    a model that does not fit the project
    too_large      413    2    PayloadTooLarge, InputTooLong
    unsupported    415    2    UnsupportedMediaType: a JSON endpoint called without application/json
    rate_limited   429    5    too many requests from one sender
    config         500   78    ConfigError (names file, line and key; a start-up error)
    unavailable    503   69    Redis down, the action server failing, a model missing
    internal       500   70    a bug: the log has the traceback

Engines (`nlu/`, `translation/`, `actions/`) never import `bot`: their own exception classes carry
`kind` and `code` as class attributes, and `http_status()` / `exit_code()` read them from any exception.
Every HTTP error body has Rasa's shape (`error_body`).
"""

from __future__ import annotations

from typing import Any

from bot import __version__

KIND_STATUS: dict[str, int] = {
    "bad_input": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "unsupported": 415,
    "rate_limited": 429,
    "config": 500,
    "internal": 500,
    "unavailable": 503,
}
KIND_EXIT: dict[str, int] = {
    "bad_input": 2,
    "unauthorized": 2,
    "forbidden": 2,
    "not_found": 3,
    "conflict": 4,
    "too_large": 2,
    "unsupported": 2,
    "rate_limited": 5,
    "config": 78,  # EX_CONFIG
    "internal": 70,  # EX_SOFTWARE
    "unavailable": 69,  # EX_UNAVAILABLE
}
HELP = {
    "config": "fix the file and key named in the message, then restart",
    "unavailable": "a dependency is down or a model is missing; see /health and the server log",
}


def kind_of(exc: BaseException) -> str | None:
    kind = getattr(exc, "kind", None)
    return kind if isinstance(kind, str) and kind in KIND_STATUS else None


def http_status(exc: BaseException) -> int | None:
    """The HTTP status for an error of a known kind; None for anything else (a bug: 500 + traceback)."""
    kind = kind_of(exc)
    return KIND_STATUS[kind] if kind is not None else None


def exit_code(exc: BaseException) -> int | None:
    kind = kind_of(exc)
    return KIND_EXIT[kind] if kind is not None else None


def error_body(
    status: int, reason: str, message: str, details: dict[str, Any] | None = None, help: str | None = None
) -> dict[str, Any]:
    """Rasa's error JSON: {"version", "status": "failure", "message", "reason", "details", "help", "code"}."""
    return {
        "version": __version__,
        "status": "failure",
        "message": message,
        "reason": reason,
        "details": details or {},
        "help": help,
        "code": status,
    }


def error_body_for(exc: BaseException, status: int) -> dict[str, Any]:
    kind = kind_of(exc) or "internal"
    details = dict(getattr(exc, "details", None) or {})
    details.setdefault("kind", kind)
    message = getattr(exc, "message", None) or str(exc)
    return error_body(status, str(getattr(exc, "code", kind)), message, details, HELP.get(kind))


class ParleyError(Exception):
    kind = "internal"
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadRequest(ParleyError):
    kind = "bad_input"
    code = "bad_request"


class InvalidJSON(BadRequest):
    code = "invalid_json"


class InvalidEncoding(BadRequest):
    code = "invalid_encoding"


class ValidationFailed(BadRequest):
    code = "validation_failed"


class Unauthorized(ParleyError):
    kind = "unauthorized"
    code = "unauthorized"


class Forbidden(ParleyError):
    kind = "forbidden"
    code = "forbidden"


class RateLimited(ParleyError):
    kind = "rate_limited"
    code = "rate_limited"


class UnsupportedMediaType(ParleyError):
    kind = "unsupported"
    code = "unsupported_media_type"


class NotFound(ParleyError):
    kind = "not_found"
    code = "not_found"


class Conflict(ParleyError):
    kind = "conflict"
    code = "conflict"


class PayloadTooLarge(ParleyError):
    kind = "too_large"
    code = "payload_too_large"


class ConfigError(ParleyError):
    """A project file is missing or wrong. The message names the file (and line) and the key."""

    kind = "config"
    code = "config_error"

    def __init__(self, path: object, key: str | None, problem: str, line: int | None = None) -> None:
        where = f"{path}" + (f":{line}" if line else "") + (f": key '{key}'" if key else "")
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key
        self.line = line


class ModelNotFound(ParleyError):
    kind = "unavailable"
    code = "model_not_found"


class DependencyError(ParleyError):
    kind = "unavailable"
    code = "dependency_unavailable"


class StoreUnavailable(DependencyError):
    code = "store_unavailable"
