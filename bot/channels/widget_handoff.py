"""Held streams without held threads: the stream route hands its connection to one writer thread.

Why: under gunicorn's gthread worker every open request is a pending future, and the worker's main
loop calls `concurrent.futures.wait` over *all* of them on every event; with hundreds of held SSE
streams that loop costs milliseconds per REST request (measured in bench/widget.py: 3 ms idle, 9-13 ms
with 250-1000 held threaded streams). So, once a stream request is authenticated, the route:

    1. duplicates the connection's file descriptor (ours now),
    2. points the server's descriptor at one end of a socketpair (`os.dup2`), so whatever the server
       writes afterwards (its own headers, the end of its response) goes to that decoy, and it closes
       the decoy, not the visitor's connection,
    3. returns at once: the server thread and its future are free.

The writer thread owns every handed-off connection: it writes the HTTP head itself (`Connection:
close`, the body runs until the connection closes), replays from `Last-Event-ID`, follows the
conversation when the `StreamHub` sees its Redis list grow, pings every `keepalive_s`, and drops a
connection whose visitor left (EOF) or stopped reading (more than `MAX_BUFFER` bytes pending; the page
reconnects and resumes, so nothing is lost). TLS sockets, and servers that expose no socket (the test
client), keep the threaded generator (`StreamHub.stream`).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import selectors
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

from bot.channels.widget_stream import StreamHub, sse, widget_message

log = logging.getLogger(__name__)

MAX_BUFFER = 1 << 20  # bytes a slow reader may have pending before its stream is dropped


@dataclass(eq=False)
class _Conn:
    sock: socket.socket
    sender: str
    last_id: int | None
    head: bytes
    known: int = 0  # the next tracker index to send
    out: bytearray = field(default_factory=bytearray)


class HandedOffStreams:
    def __init__(self, hub: StreamHub, *, keepalive_s: float, history_events: int) -> None:
        self.hub = hub
        self.keepalive_s = keepalive_s
        self.history_events = history_events
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_r: socket.socket | None = None  # the writer's wake-up pair and selector, made on first use
        self._wake_w: socket.socket | None = None
        self._selector: selectors.BaseSelector | None = None
        self._by_sender: dict[str, set[_Conn]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.count = 0
        hub.listeners.append(self._changed)

    # ------------------------------------------------------------------ from the route's thread
    def adopt(self, environ: dict, sender: str, last_id: int | None, headers: dict[str, str]) -> bool:
        """Take the request's connection (True), or leave it to the threaded generator (False)."""
        server_sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
        if not isinstance(server_sock, socket.socket) or isinstance(server_sock, ssl.SSLSocket):
            return False
        mine = socket.socket(fileno=os.dup(server_sock.fileno()))
        decoy, decoy_peer = socket.socketpair()
        os.dup2(decoy.fileno(), server_sock.fileno())  # the server now writes to (and closes) the decoy
        decoy.close()
        lines = ["HTTP/1.1 200 OK", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close"]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self._start()
        with self._lock:
            self.count += 1
        self._inbox.put(("add", _Conn(mine, sender, last_id, head)))
        self._inbox.put(("decoy", decoy_peer))
        self._poke()
        return True

    def close(self) -> None:
        self._inbox.put(("close", None))
        self._poke()

    # ------------------------------------------------------------------ the writer thread
    def _changed(self, sender: str) -> None:  # called by the hub's thread
        if self._thread is None:
            return  # nothing handed off in this process
        self._inbox.put(("changed", sender))
        self._poke()

    def _poke(self) -> None:
        if self._wake_w is None:
            return  # no writer yet: it reads its inbox when it starts
        try:
            self._wake_w.send(b"x")
        except BlockingIOError:
            pass  # already poked

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._wake_r, self._wake_w = socket.socketpair()
                self._wake_r.setblocking(False)
                self._wake_w.setblocking(False)
                self._selector = selectors.DefaultSelector()
                self._selector.register(self._wake_r, selectors.EVENT_READ, None)
                self._thread = threading.Thread(target=self._run, name="parley-widget-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        last_ping = time.monotonic()
        while True:
            for key, mask in self._selector.select(timeout=1.0):
                if key.data is None:
                    self._drain(self._wake_r)
                elif key.data == "decoy":
                    if not self._drain(key.fileobj):
                        self._selector.unregister(key.fileobj)
                        key.fileobj.close()
                else:
                    self._ready(key.data, mask)
            if not self._take_inbox():
                return
            if time.monotonic() - last_ping >= self.keepalive_s:
                last_ping = time.monotonic()
                for conn in [c for conns in self._by_sender.values() for c in conns]:
                    self._follow(conn)  # a safety net for a missed wake-up
                    self._send(conn, b": ping\n\n")

    def _take_inbox(self) -> bool:
        while True:
            try:
                kind, item = self._inbox.get_nowait()
            except queue.Empty:
                return True
            if kind == "add":
                self._add(item)
            elif kind == "decoy":
                item.setblocking(False)
                self._selector.register(item, selectors.EVENT_READ, "decoy")
            elif kind == "changed":
                for conn in list(self._by_sender.get(item, ())):
                    self._follow(conn)
            elif kind == "close":
                for conn in [c for conns in self._by_sender.values() for c in conns]:
                    self._drop(conn)
                return False

    def _add(self, conn: _Conn) -> None:
        conn.sock.setblocking(False)
        self._selector.register(conn.sock, selectors.EVENT_READ, conn)
        self._by_sender.setdefault(conn.sender, set()).add(conn)
        self.hub.add(conn.sender)
        key = self.hub.key(conn.sender)
        try:
            length = int(self.hub.client.llen(key))
        except Exception as exc:  # noqa: BLE001 (Redis down: the page reconnects and resumes)
            log.warning(
                "event=widget.stream.replay_failed sender=%s error=%s", conn.sender, type(exc).__name__
            )
            self._drop(conn)
            return
        if conn.last_id is None:
            conn.known = max(0, length - self.history_events)
        elif conn.last_id < length:
            conn.known = conn.last_id + 1
        else:
            conn.known = 0
        self._send(conn, conn.head + b"retry: 1000\n\n")
        self._follow(conn)
        self._send(conn, f"event: synced\ndata: {json.dumps({'last_id': conn.known - 1})}\n\n".encode())

    def _follow(self, conn: _Conn) -> None:
        try:
            raw = self.hub.client.lrange(self.hub.key(conn.sender), conn.known, -1)
        except Exception as exc:  # noqa: BLE001
            log.warning("event=widget.stream.read_failed sender=%s error=%s", conn.sender, type(exc).__name__)
            return
        chunks = []
        for offset, item in enumerate(raw):
            message = widget_message(conn.known + offset, item)
            if message is not None:
                chunks.append(sse(message))
        conn.known += len(raw)
        if chunks:
            self._send(conn, "".join(chunks).encode())

    def _send(self, conn: _Conn, data: bytes) -> None:
        if conn.sock.fileno() < 0:
            return
        conn.out += data
        if len(conn.out) > MAX_BUFFER:
            self._drop(conn)
            return
        self._flush(conn)

    def _flush(self, conn: _Conn) -> None:
        try:
            while conn.out:
                sent = conn.sock.send(conn.out)
                del conn.out[:sent]
        except BlockingIOError:
            pass
        except OSError:
            self._drop(conn)
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.out else 0)
        self._selector.modify(conn.sock, events, conn)

    def _ready(self, conn: _Conn, mask: int) -> None:
        if mask & selectors.EVENT_READ and not self._drain(conn.sock):
            self._drop(conn)
            return
        if mask & selectors.EVENT_WRITE:
            self._flush(conn)

    @staticmethod
    def _drain(sock: socket.socket) -> bool:
        """Read what is there; False when the peer has gone."""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return False
        except BlockingIOError:
            return True
        except OSError:
            return False

    def _drop(self, conn: _Conn) -> None:
        conns = self._by_sender.get(conn.sender)
        if conns is None or conn not in conns:
            return
        conns.discard(conn)
        if not conns:
            del self._by_sender[conn.sender]
        self.hub.remove(conn.sender)
        with self._lock:
            self.count -= 1
        try:
            self._selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
