"""Bounds on every model call made over HTTP: a length cap checked before the call, and a deadline.

    PARLEY_TRANSLATE_MAX_CHARS   characters of all texts of one `/translate` (default 5,000)
    PARLEY_SUMMARIZE_MAX_CHARS   characters of one `/summarize` text or conversation (default 50,000)
    PARLEY_MODEL_DEADLINE_S      seconds one model call may take (default 10; /translate, /model/parse,
                                 /summarize, /forecast)

`/model/parse` takes the channels' `max_message_chars` (bot/api/parse.py). Over a cap: a 400
`input_too_long` naming the length and the limit, before any model runs. Past the deadline: a 503
`deadline_exceeded` at once, and the request's worker is free again (bot/deadline.py). Read once when a
blueprint is registered (`install`), so a wrong value fails at start-up naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app

from bot.deadline import DeadlineExceeded, call_with_deadline
from bot.errors import ConfigError, ValidationFailed

__all__ = ["DeadlineExceeded", "InputTooLong", "ModelLimits", "check_length", "install", "with_deadline"]
_EXTENSION = "parley.model_limits"
T = TypeVar("T")


class InputTooLong(ValidationFailed):
    code = "input_too_long"


@dataclass(frozen=True)
class ModelLimits:
    translate_max_chars: int = 5_000
    summarize_max_chars: int = 50_000
    deadline_s: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ModelLimits:
        env = os.environ if environ is None else environ
        return cls(
            translate_max_chars=int(_number(env, "PARLEY_TRANSLATE_MAX_CHARS", cls.translate_max_chars)),
            summarize_max_chars=int(_number(env, "PARLEY_SUMMARIZE_MAX_CHARS", cls.summarize_max_chars)),
            deadline_s=_number(env, "PARLEY_MODEL_DEADLINE_S", cls.deadline_s, whole=False),
        )


def _number(env: Mapping[str, str], name: str, default: float, *, whole: bool = True) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = -1
    if not 0 < value < float("inf"):
        kind = "a whole number" if whole else "a number of seconds"
        raise ConfigError(name, None, f"must be {kind} above 0, got {raw!r}")
    return value


def install(bp: Blueprint) -> None:
    """Read the limits from the environment when `bp` is registered on an app (start-up)."""

    def record(state: Any) -> None:
        app: Flask = state.app
        app.extensions.setdefault(_EXTENSION, ModelLimits.from_env())

    bp.record_once(record)


def limits() -> ModelLimits:
    return current_app.extensions.get(_EXTENSION) or ModelLimits()


def check_length(what: str, length: int, limit: int, unit: str = "characters") -> None:
    if length > limit:
        raise InputTooLong(f"{what} has {length} {unit}, the limit is {limit}; shorten it or split it up")


def with_deadline(what: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)` on a model thread, or a 503 `deadline_exceeded` after the deadline."""
    seconds = limits().deadline_s
    try:
        return call_with_deadline(what, seconds, call, *args, **kwargs)
    except DeadlineExceeded as exc:
        raise DeadlineExceeded(f"{exc.message} (the deadline is PARLEY_MODEL_DEADLINE_S)") from None
