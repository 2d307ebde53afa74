"""gunicorn's gthread worker with a deadline for reading each request.

A gthread worker hands a connection to a thread as soon as its first bytes arrive; the thread then
reads the rest of the request (headers and body) with blocking reads. Without a limit, N clients that
send a body slowly park N threads for as long as they like: with 8 threads, 8 such clients hang the
server, and a per-read timeout alone does not help against one that trickles a byte a second. Here the
whole request must arrive within `PARLEY_READ_TIMEOUT` seconds (default 10, `parley run
--read-timeout`), counted from the thread picking it up; a slower client is answered 408 (bot/app.py)
and let go, and its thread serves the next request.
"""

from __future__ import annotations

import os
import socket
import time

from gunicorn.workers.gthread import ThreadWorker

DEFAULT_READ_TIMEOUT_S = 10.0


def read_timeout() -> float:
    return float(os.environ.get("PARLEY_READ_TIMEOUT") or DEFAULT_READ_TIMEOUT_S)


class DeadlineSocket:
    """The connection's socket, whose `recv` fails once the request's reading deadline has passed."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline = float("inf")

    def start(self, budget_s: float) -> None:
        self.deadline = time.monotonic() + budget_s

    def recv(self, size: int) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request did not arrive within the read timeout")
        self.sock.settimeout(remaining)
        return self.sock.recv(size)

    def __getattr__(self, name: str):
        return getattr(self.sock, name)


class ReadTimeoutThreadWorker(ThreadWorker):
    def handle(self, conn):
        unreader = getattr(conn.parser, "unreader", None)
        if unreader is not None:
            if not isinstance(unreader.sock, DeadlineSocket):
                unreader.sock = DeadlineSocket(unreader.sock)
            unreader.sock.start(read_timeout())
        return super().handle(conn)
