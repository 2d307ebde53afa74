"""Reading and checking JSON request bodies, shared by every blueprint.

A body is refused with a 400 that says what is wrong before anything reads it further: not UTF-8, not
JSON, nested deeper than `MAX_DEPTH`, a number literal longer than `MAX_NUMBER_CHARS` or out of a
double's range, `NaN` / `Infinity` (not JSON, and unservable once stored), a string with a lone
surrogate (`"\\ud800"`: valid JSON escapes, but not Unicode). The raw size is capped by the app's
`MAX_CONTENT_LENGTH` (413). JSON endpoints accept only `application/json` (415 otherwise), which also
refuses the `text/plain` POSTs any web page can send cross-origin without a preflight.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Request

from bot.errors import InvalidEncoding, InvalidJSON, UnsupportedMediaType, ValidationFailed

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 40
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def require_json_type(request: Request) -> None:
    """415 unless a request that has a body says `Content-Type: application/json` (or `...+json`)."""
    mimetype = request.mimetype or ""
    if mimetype == "application/json" or mimetype.endswith("+json"):
        return
    if not mimetype and not request.content_length and not request.get_data(cache=True):
        return  # no body at all: the endpoint's own 400 says what it needs
    raise UnsupportedMediaType(
        f"this endpoint takes JSON: send the header Content-Type: application/json "
        f"(got {request.content_type or 'no Content-Type'})"
    )


def json_value(request: Request) -> Any:
    """The request body as any JSON value, or a 400 that says what is wrong with it."""
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(
            f"the request body is not valid UTF-8 (byte {exc.start}); send JSON encoded as UTF-8"
        ) from exc
    if not text.strip():
        raise InvalidJSON("the request body is empty; send a JSON object")
    return loads(text)


def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    body = json_value(request)
    if not isinstance(body, dict):
        raise ValidationFailed(f"the request body must be a JSON object, got {type(body).__name__}")
    return body


def loads(text: str) -> Any:
    """`json.loads` with the limits above; raises `InvalidJSON` / `InvalidEncoding` naming the problem."""
    _check_depth(text)
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InvalidJSON(
            f"the request body is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc
    _check_strings(value, "body")
    return value


def _check_depth(text: str) -> None:
    depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        depth = depth + 1 if match.group() in "[{" else depth - 1
        if depth > MAX_DEPTH:
            raise InvalidJSON(f"the request body nests arrays/objects deeper than {MAX_DEPTH} levels")


def _int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise InvalidJSON(
            f"a number in the request body has {len(literal)} characters, the limit is {MAX_NUMBER_CHARS}"
        )
    return int(literal)


def _float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise InvalidJSON(
            f"a number in the request body has {len(literal)} characters, the limit is {MAX_NUMBER_CHARS}"
        )
    value = float(literal)
    if not math.isfinite(value):
        raise InvalidJSON(f"the number {literal} is out of range (beyond a double's ±1.8e308)")
    return value


def _constant(name: str) -> Any:
    raise InvalidJSON(f"the request body has {name}, which is not JSON; numbers must be finite")


def _check_strings(value: Any, path: str) -> None:
    """Every string (and object key) must be encodable as UTF-8: no lone surrogates."""
    if isinstance(value, str):
        _check_str(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_str(key, f"{path} key {key[:40]!r}")
            _check_strings(item, f"{path}.{key[:40]}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_strings(item, f"{path}[{i}]")


def _check_str(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidEncoding(
            f"{path} has a lone surrogate (\\u{ord(text[exc.start]):04x} at character {exc.start}); "
            "send valid Unicode (surrogates only in pairs)"
        ) from exc


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
