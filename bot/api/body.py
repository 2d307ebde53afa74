"""Reading and checking JSON request bodies, shared by every blueprint."""

from __future__ import annotations

import json
from typing import Any

from flask import Request

from bot.errors import InvalidEncoding, InvalidJSON, ValidationFailed


def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(
            f"the request body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8"
        ) from exc
    if not text.strip():
        raise InvalidJSON("the request body is empty; send a JSON object")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidJSON(
            f"the request body is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc
    if not isinstance(body, dict):
        raise ValidationFailed(f"the request body must be a JSON object, got {type(body).__name__}")
    return body


def required_str(body: dict[str, Any], key: str, *, allow_empty: bool = True) -> str:
    if key not in body or body[key] is None:
        raise ValidationFailed(f"missing field {key!r} (a string)")
    value = body[key]
    if not isinstance(value, str):
        raise ValidationFailed(f"field {key!r} must be a string, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise ValidationFailed(f"field {key!r} must not be empty")
    return value


def optional_dict(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"field {key!r} must be a JSON object, got {type(value).__name__}")
    return value
