"""End to end: the real `parley run` process on a free port, with the embedded Redis, over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess

import requests

from bot.stores.embedded import free_port
from tests.bot.server_process import start_server, wait_healthy

TOKEN = "e2e-token"


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
    proc = start_server(trained_demo, port, token=TOKEN, capture=True)
    try:
        wait_healthy(proc, url, timeout=120)
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

    proc = start_server(trained_demo, port, token=TOKEN, capture=True)
    try:
        wait_healthy(proc, url, timeout=120)
        events = requests.get(
            f"{url}/conversations/e2e/tracker", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ).json()["events"]
        assert any(e["event"] == "user" and e["text"] == "hi" for e in events)
    finally:
        _stop(proc)
