"""Two threads sending to one sender: the log stays complete and each turn stays whole."""

from __future__ import annotations

import json
import threading


def test_concurrent_messages_from_one_sender_are_processed_one_turn_at_a_time(client):
    errors: list[int] = []

    def send(i: int) -> None:
        r = client.post(
            "/webhooks/rest/webhook",
            data=json.dumps({"sender": "busy", "message": "/greet", "metadata": {"i": i}}),
            content_type="application/json",
        )
        if r.status_code != 200:
            errors.append(r.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    events = client.get("/conversations/busy/tracker").get_json()["events"]
    users = [e for e in events if e["event"] == "user"]
    assert len(users) == 8
    # Each user message is followed by its own turn, closed by action_listen, before the next message.
    kinds = [(e["event"], e.get("name")) for e in events]
    for i, (kind, _) in enumerate(kinds):
        if kind == "user" and i > 0:
            assert kinds[i - 1] == ("action", "action_listen")


def _hammer_through(url: str, rounds: int, threads: int, start: float, period: float, out) -> None:
    """One process: `threads` threads, each with its own connection, take one conversation's lock in
    `rounds` bursts (all at once, at `start + k * period` on the wall clock, so the lock is often free
    when a burst hits it); inside, each checks that no one else is (a counter in Redis)."""
    import time

    import redis

    from bot.stores.factory import RedisLockStore  # where both the old and today's lock store are named

    inside = redis.Redis.from_url(url)
    violations, done, errors = [], [], []

    def work() -> None:
        locks = RedisLockStore(redis.Redis.from_url(url), wait_timeout_s=15, poll_s=0.002)
        for k in range(rounds):
            time.sleep(max(0.0, start + k * period - time.time()))
            try:
                with locks.lock("race"):
                    if inside.incr("race:inside") != 1:
                        violations.append(1)
                    time.sleep(0.002)
                    inside.decr("race:inside")
                    done.append(1)
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                errors.append(exc.__class__.__name__)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((len(violations), len(done), errors))


def test_the_lock_is_taken_atomically_by_racing_processes_on_a_slow_network(redis_server, redis_client):
    """2 processes x 6 threads take one free lock at once, 10 bursts, through 3 ms of latency each way.
    Taking a ticket in two commands (INCR, then its liveness key) leaves a gap in which a waiter skips
    the new ticket as dead; its owner then waits for a turn that never comes (LockTimeout). One Lua
    script closes the gap: everyone gets in, one at a time."""
    import multiprocessing
    import time

    from tests.bot.latency_proxy import LatencyProxy

    proxy = LatencyProxy(redis_server.port, delay_s=0.003)
    try:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        start = time.time() + 8  # the children import the bot first
        args = (proxy.url, 10, 6, start, 1.0, out)
        procs = [ctx.Process(target=_hammer_through, args=args) for _ in range(2)]
        for p in procs:
            p.start()
        results = [out.get(timeout=300) for _ in procs]
        for p in procs:
            p.join(timeout=30)
    finally:
        proxy.close()
    errors = [e for r in results for e in r[2]]
    assert errors == []  # no LockTimeout: no ticket was skipped
    assert sum(r[0] for r in results) == 0  # never two inside
    assert sum(r[1] for r in results) == 120
