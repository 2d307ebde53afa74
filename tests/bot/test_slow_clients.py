"""Slow clients cannot starve a real `parley run`: each read waits at most --read-timeout seconds."""

from __future__ import annotations

import os
import signal
import socket
import time

import requests

from bot.stores.embedded import free_port
from tests.bot.server_process import start_server, wait_healthy

SLOW_CLIENTS = 16  # more than the server's threads


def _slow_client(port: int) -> socket.socket:
    """Sends the headers and one byte of a 1,000-byte body, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n{"
    )
    sock.sendall(head.encode())
    return sock


def test_slow_bodies_do_not_hang_the_server(trained_demo, redis_server, redis_client):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(
        trained_demo,
        port,
        token="slow-token",
        redis_url=redis_server.url,
        args=["--threads", "4", "--read-timeout", "2"],
    )
    slow: list[socket.socket] = []
    try:
        wait_healthy(proc, url)
        slow = [_slow_client(port) for _ in range(SLOW_CLIENTS)]
        time.sleep(0.5)
        started = time.monotonic()
        reply = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": "fast", "message": "hi"}, timeout=30
        )
        waited = time.monotonic() - started
        assert reply.status_code == 200
        assert waited < 12  # a few read timeouts (2 s) behind the slow ones on a loaded machine, not forever
        answers = []
        for sock in slow:
            sock.settimeout(10)
            try:
                answers.append(sock.recv(200).split(b"\r\n")[0])
            except OSError as exc:
                answers.append(exc.__class__.__name__.encode())
        assert all(a.startswith(b"HTTP/1.1 408") or a == b"" for a in answers), answers  # cut, not served
    finally:
        for sock in slow:
            sock.close()
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
