"""SIGTERM to a real `parley run`: it stops accepting, finishes the turns in flight, then exits."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bot.stores.embedded import free_port
from tests.bot.server_process import start_server, wait_healthy

IN_FLIGHT = 48


def test_sigterm_finishes_the_turns_in_flight_and_loses_none(trained_demo, redis_server, redis_client):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(
        trained_demo, port, token="sigterm-token", redis_url=redis_server.url, args=["--threads", "4"]
    )
    try:
        wait_healthy(proc, url)
        sent = threading.Barrier(IN_FLIGHT + 1)

        def turn(i: int):
            session = requests.Session()
            sent.wait()
            try:
                reply = session.post(
                    f"{url}/webhooks/rest/webhook",
                    json={"sender": f"drain-{i}", "message": "what can you do?", "message_id": f"d{i}"},
                    timeout=60,
                )
                return reply.status_code
            except requests.RequestException as exc:
                return exc.__class__.__name__

        with ThreadPoolExecutor(IN_FLIGHT) as pool:
            futures = [pool.submit(turn, i) for i in range(IN_FLIGHT)]
            sent.wait()
            time.sleep(0.3)  # the requests are on the wire, most still queued behind 4 threads
            os.kill(proc.pid, signal.SIGTERM)
            outcomes = [f.result() for f in futures]
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert outcomes == [200] * IN_FLIGHT  # none reset, none refused: each was answered
    stored = [redis_client.keys(f"parley:tracker:*drain-{i}*") for i in range(IN_FLIGHT)]
    assert all(stored)  # and each conversation is in Redis
    assert proc.returncode == 0
    refused = False
    try:
        requests.get(f"{url}/health", timeout=2)
    except requests.ConnectionError:
        refused = True
    assert refused  # it stopped accepting
