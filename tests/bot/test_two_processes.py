"""Two `parley run` processes sharing one Redis give the same conversations as one process."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from bot.stores.embedded import free_port
from tests.bot.server_process import start_server, wait_healthy

SCRIPT = ["hello", "what can you do?", "thank you", "bye"]
TOKEN = "two-processes-token"


@pytest.fixture(scope="module")
def two_servers(trained_demo: Path, redis_server):
    ports = [free_port(), free_port()]
    procs = [
        start_server(trained_demo, port, token=TOKEN, redis_url=redis_server.url, args=["--threads", "4"])
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for proc, url in zip(procs, urls, strict=True):
            wait_healthy(proc, url)
        yield urls
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)


def _send(url: str, sender: str, text: str) -> list[dict]:
    reply = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def _actions(url: str, sender: str) -> list[tuple[str, str | None]]:
    events = requests.get(
        f"{url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30
    ).json()["events"]
    out = []
    for e in events:
        if e["event"] == "user":
            out.append(("user", e["parse_data"]["intent"]["name"]))
        elif e["event"] == "action":
            out.append(("action", e["name"]))
        elif e["event"] == "slot":
            out.append(("slot", e["name"]))
    return out


def test_alternating_processes_give_the_same_conversation_as_one(two_servers):
    a, b = two_servers
    run = str(time.time_ns())
    for i, text in enumerate(SCRIPT):
        _send(a, f"single-{run}", text)
        _send((a, b)[i % 2], f"shared-{run}", text)
    single = _actions(b, f"single-{run}")
    shared = _actions(a, f"shared-{run}")
    assert shared == single
    assert [name for kind, name in single if kind == "action" and name != "action_listen"] == [
        "action_session_start",  # written before session_started, as Rasa does
        "utter_greet",
        "utter_help",
        "utter_thank",
        "utter_goodbye",
    ]


def test_concurrent_messages_to_both_processes_never_interleave(two_servers):
    a, b = two_servers
    sender = f"busy-{time.time_ns()}"
    texts = ["hello", "thank you", "bye", "what can you do?", "hello", "thank you"]
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda it: _send((a, b)[it[0] % 2], sender, it[1]), enumerate(texts)))
    assert all(len(r) == 1 for r in replies)  # every message got its own answer
    events = _actions(a, sender)
    turns: list[list[tuple[str, str | None]]] = []
    for event in events:
        if event[0] == "user":
            turns.append([event])
        elif turns:
            turns[-1].append(event)
    assert len(turns) == len(texts)
    for turn in turns:  # each turn: the user, one answer, then listening; nothing of another turn inside
        actions = [name for kind, name in turn if kind == "action"]
        assert len(actions) == 2 and actions[-1] == "action_listen", turn
