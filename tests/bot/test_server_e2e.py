"""End to end: the real `parley run` process on a free port, with the embedded Redis, over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from bot.stores.embedded import free_port

TOKEN = "e2e-token"


def _start(project: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["PARLEY_AUTH_TOKEN"] = TOKEN
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--project", str(project), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{proc.stdout.read().decode(errors='replace')}")
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # the worker may still be loading the models
            pass
        time.sleep(0.5)
    raise AssertionError("server did not become healthy")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_served_assistant_answers_over_http_and_keeps_conversations_across_restarts(trained_demo):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(trained_demo, port)
    try:
        _wait_healthy(proc, url)
        replies = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": "e2e", "message": "hi"}, timeout=30
        ).json()
        assert replies[0]["recipient_id"] == "e2e" and "Parley" in replies[0]["text"]
        bad = requests.post(
            f"{url}/webhooks/rest/webhook",
            data="nope",
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert bad.status_code == 400 and bad.json()["reason"] == "invalid_json"
        plain = requests.post(
            f"{url}/webhooks/rest/webhook", data='{"sender": "x", "message": "hi"}', timeout=10
        )
        assert plain.status_code == 415  # a cross-origin text/plain POST is refused
        anonymous = requests.get(f"{url}/conversations/e2e/tracker", timeout=10)
        assert anonymous.status_code == 401 and anonymous.json()["reason"] == "NotAuthenticated"
    finally:
        _stop(proc)
    assert list((trained_demo / ".parley" / "redis").glob("appendonly*"))  # the embedded Redis keeps an AOF

    proc = _start(trained_demo, port)
    try:
        _wait_healthy(proc, url)
        events = requests.get(
            f"{url}/conversations/e2e/tracker", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ).json()["events"]
        assert any(e["event"] == "user" and e["text"] == "hi" for e in events)
    finally:
        _stop(proc)
