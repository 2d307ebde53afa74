"""A TCP forwarder that delays every chunk it passes on: a slow, jittery network between a server and
Redis (each chunk waits a random 0 to 2x `delay_s`, so one connection's commands overtake another's).

Races that need two round trips to line up (a lock taken in two commands) become likely, and turns
take long enough that draining them on SIGTERM takes seconds.
"""

from __future__ import annotations

import random
import socket
import threading
import time

from bot.stores.embedded import free_port


class LatencyProxy:
    def __init__(self, target_port: int, delay_s: float) -> None:
        self.target = ("127.0.0.1", target_port)
        self.delay_s = delay_s
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                time.sleep(random.uniform(0, 2 * self.delay_s))
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._closed = True
        self._listener.close()
