"""gunicorn's gthread worker with a read timeout on every connection.

A gthread worker hands a connection to a thread as soon as its first bytes arrive; the thread then
reads the rest of the request (headers and body) with blocking reads. Without a timeout, N clients
that send a body slowly park N threads for as long as they like: with 8 threads, 8 such clients hang
the server. Here each read on a connection waits at most `PARLEY_READ_TIMEOUT` seconds (default 10,
`parley run --read-timeout`); a client slower than that is answered 408 (bot/app.py) and let go.

A client that trickles one byte just inside the timeout still holds a thread (the limit is per read);
a buffering proxy in front (nginx's default) removes that too; see the README's Security section.
"""

from __future__ import annotations

import os

from gunicorn.workers.gthread import ThreadWorker

DEFAULT_READ_TIMEOUT_S = 10.0


def read_timeout() -> float:
    return float(os.environ.get("PARLEY_READ_TIMEOUT") or DEFAULT_READ_TIMEOUT_S)


class ReadTimeoutThreadWorker(ThreadWorker):
    def handle(self, conn):
        conn.sock.settimeout(read_timeout())
        return super().handle(conn)
