"""The widget benchmark's harness: `parley run` as a process group, and a TCP proxy that drops every
connection on demand (a flaky network). Used by bench/widget.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
API_TOKEN = "bench-api-token-" + "y" * 16
API = {"Authorization": f"Bearer {API_TOKEN}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`parley run` in its own process group (gunicorn master + worker + embedded Redis)."""

    def __init__(self, project: Path, port: int) -> None:
        self.project, self.port, self.process = project, port, None

    def start(self) -> None:
        env = {
            **os.environ,
            "PARLEY_WIDGET_SECRET": os.environ.get("PARLEY_WIDGET_SECRET", "bench-" + "x" * 24),
            "PARLEY_AUTH_TOKEN": API_TOKEN,  # the conversation API (trigger_intent, tracker) needs it
        }
        cmd = [
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "--project",
            str(self.project),
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("parley run did not become healthy in 180 s")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)

    def worker_pid(self) -> int:
        """The gunicorn worker (the embedded Redis is the master's other child)."""
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        pids = [p for p in children.stdout.split() if b"redis" not in Path(f"/proc/{p}/cmdline").read_bytes()]
        return int(pids[0])

    def worker_rss_mb(self) -> float:
        status = Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines()
        return round(int(next(x for x in status if x.startswith("VmRSS")).split()[1]) / 1024, 1)

    def worker_cpu_s(self) -> float:
        """CPU seconds the worker has used (user + system): unlike latency, others' load does not add."""
        fields = Path(f"/proc/{self.worker_pid()}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Proxy:
    """A TCP forwarder whose `drop()` cuts every open connection (a flaky network, on demand)."""

    def __init__(self, target_port: int) -> None:
        self.target, self.port = target_port, free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def drop(self) -> None:
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
