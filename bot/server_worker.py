"""gunicorn's gthread worker, but a request reaches a thread only once it has arrived whole.

gthread hands a connection to a thread as soon as its first bytes arrive; the thread then reads the
rest of the request with blocking reads, so N clients sending a body slowly park N threads (measured:
64 slow clients took a normal request's p99 from 29 ms to 16 s on 8 threads, even with a 2 s read
deadline). Here the worker's own event loop (the selector gthread already runs for accepting and
keep-alive) reads each request without blocking into a buffer, headers and body (`Content-Length` or
chunked), and submits it to the thread pool only when it is complete; the thread's parser then reads
it from memory. A slow client costs a buffer and a selector entry, not a thread. The whole request must
arrive within `PARLEY_READ_TIMEOUT` seconds (default 10, `parley run --read-timeout`) from its first
byte, else the loop answers 408 itself and closes the connection.

Not buffered (handed to a thread after the headers, as gthread does, with the same deadline on the
thread's reads): bodies over the app's `MAX_CONTENT_LENGTH` (the app refuses them with a 413 without
reading them), TLS connections, and heads the loop cannot frame (the parser answers 400).

SIGTERM: the loop accepts what is already waiting on the listener, closes it, closes idle keep-alive
connections, keeps reading the requests that had started to arrive (until each is complete or its
read deadline), and lets every submitted request finish within gunicorn's `graceful_timeout`.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import time
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

DEFAULT_READ_TIMEOUT_S = 10.0
MAX_HEAD_BYTES = 128 * 1024  # more without the blank line that ends the head: the parser's 400
DEFAULT_MAX_BODY = 1_000_000


def read_timeout() -> float:
    return float(os.environ.get("PARLEY_READ_TIMEOUT") or DEFAULT_READ_TIMEOUT_S)


class DeadlineSocket:
    """The connection's socket, whose `recv` fails once the request's reading deadline has passed
    (for the requests a thread reads itself: the unbuffered ones above)."""

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


class Incomplete(Exception):
    """The buffer does not hold the whole request yet."""


class Unframeable(Exception):
    """The head cannot be framed here (or the body is too big to buffer): let a thread's parser have it."""


class Head:
    __slots__ = ("start", "length", "chunked", "expect")

    def __init__(self, start: int, length: int | None, chunked: bool, expect: bool) -> None:
        self.start, self.length, self.chunked, self.expect = start, length, chunked, expect


def parse_head(buf: bytes | bytearray) -> Head:
    """How the first request in `buf` frames its body. Raises Incomplete before the head's blank line,
    Unframeable for a head only the parser can judge (it answers 400)."""
    head_end = bytes(buf[: MAX_HEAD_BYTES + 4]).find(b"\r\n\r\n")
    if head_end < 0:
        if len(buf) > MAX_HEAD_BYTES:
            raise Unframeable("head too long")
        raise Incomplete
    length: int | None = None
    chunked = expect = False
    for line in bytes(buf[:head_end]).split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise Unframeable("header line without a colon")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            if length is not None or not value.isdigit():
                raise Unframeable("bad or repeated Content-Length")
            length = int(value)
        elif name == b"transfer-encoding":
            if value != b"chunked":
                raise Unframeable("a transfer coding other than chunked")
            chunked = True
        elif name == b"expect" and value == b"100-continue":
            expect = True
    if chunked and length is not None:
        raise Unframeable("both Content-Length and chunked")
    return Head(head_end + 4, length, chunked, expect)


def request_end(buf: bytes | bytearray, head: Head, max_body: int) -> int:
    """Where the request framed by `head` ends in `buf`. Raises Incomplete when more bytes are needed,
    Unframeable when the body is over `max_body` or its chunks are malformed."""
    if head.chunked:
        return _chunked_end(buf, head.start, max_body)
    if head.length is None:
        return head.start
    if head.length > max_body:
        raise Unframeable("body over the app's limit")
    if len(buf) < head.start + head.length:
        raise Incomplete
    return head.start + head.length


def _chunked_end(buf: bytes | bytearray, at: int, max_body: int) -> int:
    total = 0
    while True:
        line_end = buf.find(b"\r\n", at)
        if line_end < 0:
            if len(buf) - at > 1024:
                raise Unframeable("chunk size line too long")
            raise Incomplete
        size_text = bytes(buf[at:line_end]).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Unframeable("bad chunk size") from None
        total += size
        if total > max_body:
            raise Unframeable("body over the app's limit")
        at = line_end + 2
        if size == 0:  # trailers, then an empty line
            while True:
                line_end = buf.find(b"\r\n", at)
                if line_end < 0:
                    raise Incomplete
                if line_end == at:
                    return at + 2
                at = line_end + 2
        if len(buf) < at + size + 2:
            raise Incomplete
        at += size + 2


def _timeout_response() -> bytes:
    from bot.errors import error_body

    message = "the request did not arrive within the read timeout; send it again"
    body = json.dumps(error_body(408, "request_timeout", message)).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class _Reading:
    """A connection whose request is arriving: its bytes so far and its deadline."""

    __slots__ = ("buf", "deadline", "continued")

    def __init__(self, deadline: float) -> None:
        self.buf = bytearray()
        self.deadline = deadline
        self.continued = False


class BufferingThreadWorker(ThreadWorker):
    """See the module docstring."""

    def init_process(self):
        self.reading: dict[TConn, _Reading] = {}  # touched by the event loop's thread only
        super().init_process()

    def max_body(self) -> int:
        config = getattr(self.wsgi, "config", None) or {}
        return int(config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BODY)

    # ------------------------------------------------------------------ the event loop's side
    def on_client_socket_readable(self, conn, client):
        if conn not in self.reading:
            if conn.initialized:  # a keep-alive connection whose next request starts
                with self._lock:
                    try:
                        self._keep.remove(conn)
                    except ValueError:  # race condition (as in gthread)
                        return
            if self.cfg.is_ssl or getattr(conn, "unbuffered", False):
                with self._lock:
                    self.poller.unregister(client)
                self.enqueue_req(conn)
                return
            self.reading[conn] = _Reading(time.monotonic() + read_timeout())
        state = self.reading[conn]
        try:
            while True:
                data = conn.sock.recv(65536)
                if not data:  # the client went away before its request was whole
                    self._drop(conn)
                    return
                state.buf += data
                if len(data) < 65536:
                    break
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self._drop(conn)
            return
        try:
            head = parse_head(state.buf)
            request_end(state.buf, head, self.max_body())
        except Incomplete:
            try:
                expect = parse_head(state.buf).expect
            except (Incomplete, Unframeable):
                expect = False
            if expect and not state.continued:
                state.continued = True  # the client waits for this before it sends the body
                self._send_quietly(conn.sock, b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        except Unframeable:
            conn.unbuffered = True  # this connection's requests are read by its thread from now on
        self._submit(conn)

    def _submit(self, conn) -> None:
        state = self.reading.pop(conn)
        with self._lock:
            self.poller.unregister(conn.sock)
        conn.init()  # blocking socket, parser
        conn.parser.unreader.unread(bytes(state.buf))
        fs = self.tpool.submit(self.handle, conn)
        self._wrap_future(fs, conn)

    def _drop(self, conn) -> None:
        self.reading.pop(conn, None)
        with self._lock:
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
        self.nr_conns -= 1
        conn.close()

    @staticmethod
    def _send_quietly(sock: socket.socket, data: bytes) -> None:
        try:
            sock.send(data)
        except OSError:
            pass

    def murder_keepalived(self):
        super().murder_keepalived()
        self.murder_slow()

    def murder_slow(self) -> None:
        """Answer 408 to every request whose read deadline has passed, and close its connection."""
        now = time.monotonic()
        for conn, state in list(self.reading.items()):
            if state.deadline <= now:
                self.log.info("event=request.read_timeout client=%s bytes=%d", conn.client, len(state.buf))
                self._send_quietly(conn.sock, _timeout_response())
                self._drop(conn)

    # ------------------------------------------------------------------ the thread's side
    def handle(self, conn):
        unreader = getattr(conn.parser, "unreader", None)
        if unreader is not None:
            if not isinstance(unreader.sock, DeadlineSocket):
                unreader.sock = DeadlineSocket(unreader.sock)
            unreader.sock.start(read_timeout())
        return super().handle(conn)

    # ------------------------------------------------------------------ the loop, and SIGTERM
    def run(self):
        for listener in self.sockets:
            listener.setblocking(False)
            server = listener.getsockname()  # captured once (gthread: the name may vanish at shutdown)
            self.poller.register(listener, selectors.EVENT_READ, partial(self.accept, server))

        while self.alive:
            self.notify()
            if self.nr_conns < self.worker_connections:
                for key, _ in self.poller.select(1.0):
                    key.data(key.fileobj)
                result = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
            else:
                result = futures.wait(self.futures, timeout=1.0, return_when=futures.FIRST_COMPLETED)
            for fut in result.done:
                self.futures.remove(fut)
            if not self.is_parent_alive():
                break
            self.murder_keepalived()
        self.drain()

    def drain(self) -> None:
        """SIGTERM: stop accepting, but serve every request that had reached this worker."""
        stop_at = time.monotonic() + self.cfg.graceful_timeout
        for listener in self.sockets:  # connections already waiting on the listener are ours: take them
            server = listener.getsockname()
            while True:
                try:
                    sock, client = listener.accept()
                except OSError:  # EAGAIN: none left
                    break
                conn = TConn(self.cfg, sock, client, server)
                self.nr_conns += 1
                with self._lock:
                    self.poller.register(
                        sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn)
                    )
            with self._lock:
                self.poller.unregister(listener)
            listener.close()  # from here on a new connection is refused
        with self._lock:  # idle keep-alive connections have nothing in flight: close them
            idle = list(self._keep)
            self._keep.clear()
            for conn in idle:
                try:
                    self.poller.unregister(conn.sock)
                except (KeyError, ValueError, OSError):
                    pass
        for conn in idle:
            self.nr_conns -= 1
            conn.close()
        # the accepted connections: read each request until it is whole (then a thread serves it),
        # its client leaves, or its read deadline passes (408); one that sent nothing within a
        # second has nothing in flight
        silent_until = time.monotonic() + 1.0
        while time.monotonic() < stop_at and (
            self.reading or (self.poller.get_map() and time.monotonic() < silent_until)
        ):
            self.notify()
            for key, _ in self.poller.select(0.1):
                key.data(key.fileobj)
            self.murder_slow()
        for key in list(self.poller.get_map().values()):  # still silent: close
            conn = key.data.args[0]
            self.reading.setdefault(conn, _Reading(0.0))
        for conn in list(self.reading):
            self._drop(conn)
        self.tpool.shutdown(False)
        while self.futures and time.monotonic() < stop_at:
            self.notify()
            futures.wait(self.futures, timeout=min(1.0, max(0.01, stop_at - time.monotonic())))
            for fut in [f for f in self.futures if f.done()]:
                self.futures.remove(fut)
        self.poller.close()


# the name `parley run` configured before the buffering
ReadTimeoutThreadWorker = BufferingThreadWorker
