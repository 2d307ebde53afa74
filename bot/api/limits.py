"""Bounds on every model call made over HTTP: a length cap checked before the call, and a deadline.

    PARLEY_TRANSLATE_MAX_CHARS   characters of all texts of one `/translate` (default 5,000)
    PARLEY_SUMMARIZE_MAX_CHARS   characters of one `/summarize` text or conversation (default 50,000)
    PARLEY_MODEL_DEADLINE_S      seconds one model call may take (default 10; /translate, /model/parse,
                                 /summarize, /forecast)

`/model/parse` takes the channels' `max_message_chars` (bot/api/parse.py). Over a cap: a 400
`input_too_long` naming the length and the limit, before any model runs. Past the deadline: a 503
`deadline_exceeded` at once; the request's worker is free again (the call runs on a small pool of model
threads, `MODEL_THREADS`, and its late result is dropped; a full pool makes later calls time out too
instead of queueing without end). Read once when a blueprint is registered (`install`), so a wrong
value fails at start-up naming the variable.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app

from bot.errors import ConfigError, DependencyError, ValidationFailed

log = logging.getLogger(__name__)

MODEL_THREADS = 4
_EXTENSION = "parley.model_limits"
_pool = ThreadPoolExecutor(max_workers=MODEL_THREADS, thread_name_prefix="parley-model")
T = TypeVar("T")


class DeadlineExceeded(DependencyError):
    code = "deadline_exceeded"


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
    deadline = limits().deadline_s
    future: Future[T] = _pool.submit(call, *args, **kwargs)
    try:
        return future.result(timeout=deadline)
    except FutureTimeout:
        future.cancel()  # not started yet (the pool was full): it never runs
        log.error("event=model.deadline_exceeded what=%s deadline_s=%g", what, deadline)
        raise DeadlineExceeded(
            f"{what} did not finish within its deadline of {deadline:g} s (PARLEY_MODEL_DEADLINE_S); "
            "nothing was changed; retry later or with a shorter input"
        ) from None
