"""Parley's error tree. Every error a user can cause or meet maps to one HTTP status and a stable code.

    ParleyError                      500 internal_error
    ├── BadRequest                   400 bad_request
    │   ├── InvalidJSON              400 invalid_json
    │   ├── InvalidEncoding          400 invalid_encoding
    │   └── ValidationFailed         400 validation_failed
    ├── NotFound                     404 not_found
    ├── PayloadTooLarge              413 payload_too_large
    ├── ConfigError                  (start-up only; names file and key)
    ├── ModelNotFound                503 model_not_found
    └── DependencyError              503 dependency_unavailable
        ├── StoreUnavailable         503 store_unavailable   (Redis down)
        └── ActionServerError        502 action_server_error

Engines (`nlu/`, `translation/`) never import `bot`; their own error bases (`nlu.errors.NLUError`,
`translation.errors.TranslationError`) carry the same two class attributes, `code` and `http_status`,
so the one handler in `bot/app.py` renders them all as `{"error": code, "message": ...}`.
"""

from __future__ import annotations


class ParleyError(Exception):
    code = "internal_error"
    http_status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class BadRequest(ParleyError):
    code = "bad_request"
    http_status = 400


class InvalidJSON(BadRequest):
    code = "invalid_json"


class InvalidEncoding(BadRequest):
    code = "invalid_encoding"


class ValidationFailed(BadRequest):
    code = "validation_failed"


class NotFound(ParleyError):
    code = "not_found"
    http_status = 404


class PayloadTooLarge(ParleyError):
    code = "payload_too_large"
    http_status = 413


class ConfigError(ParleyError):
    """A project file is missing or wrong. The message names the file and the key."""

    code = "config_error"
    http_status = 500

    def __init__(self, path: object, key: str | None, problem: str) -> None:
        where = f"{path}" + (f": key '{key}'" if key else "")
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key


class ModelNotFound(ParleyError):
    code = "model_not_found"
    http_status = 503


class DependencyError(ParleyError):
    code = "dependency_unavailable"
    http_status = 503


class StoreUnavailable(DependencyError):
    code = "store_unavailable"


class ActionServerError(DependencyError):
    code = "action_server_error"
    http_status = 502
