"""A deadline for a model call: `call_with_deadline(what, seconds, fn, *args)` runs `fn` on one of
`MODEL_THREADS` model threads and waits at most `seconds`.

Past the deadline it raises `DeadlineExceeded` (a 503 `deadline_exceeded`) at once, so the caller (a
request's worker, a conversation's turn) is free again; the late call finishes on its thread and its
result is dropped. A call still queued when its deadline passes never runs. With every model thread
busy, later calls wait in the queue and meet their own deadline: nothing waits without end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from bot.errors import DependencyError

log = logging.getLogger(__name__)

MODEL_THREADS = 4
_pool = ThreadPoolExecutor(max_workers=MODEL_THREADS, thread_name_prefix="parley-model")
T = TypeVar("T")


class DeadlineExceeded(DependencyError):
    code = "deadline_exceeded"


def call_with_deadline(what: str, seconds: float, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    future: Future[T] = _pool.submit(call, *args, **kwargs)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        future.cancel()  # still queued (every model thread busy): it never runs
        log.error("event=model.deadline_exceeded what=%r deadline_s=%g", what, seconds)
        raise DeadlineExceeded(
            f"{what} did not finish within its deadline of {seconds:g} s; nothing was changed; "
            "retry later or with a shorter input"
        ) from None
