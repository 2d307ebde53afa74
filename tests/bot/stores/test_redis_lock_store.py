"""The per-conversation fair lock against a real redis-server."""

from __future__ import annotations

import threading
import time

from bot.stores.redis import RedisLockStore


def test_two_threads_on_one_sender_run_one_at_a_time_in_arrival_order(redis_client, redis_server):
    locks = RedisLockStore(redis_client, url=redis_server.url)
    order: list[str] = []
    inside = threading.Event()
    overlap = []

    def worker(name: str) -> None:
        with locks.lock("same"):
            if inside.is_set():
                overlap.append(name)
            inside.set()
            order.append(name)
            time.sleep(0.05)
            inside.clear()

    threads = []
    for i in range(6):
        t = threading.Thread(target=worker, args=(f"m{i}",))
        t.start()
        threads.append(t)
        # Arrival = taking a ticket: start the next message only once this one has queued.
        while int(redis_client.get("lock:{same}:tickets") or 0) < i + 1:
            time.sleep(0.001)
    for t in threads:
        t.join()
    assert overlap == []
    assert order == [f"m{i}" for i in range(6)]


def test_different_senders_do_not_wait_for_each_other(redis_client, redis_server):
    locks = RedisLockStore(redis_client, url=redis_server.url)
    with locks.lock("a"):
        started = time.monotonic()
        with locks.lock("b"):
            pass
        assert time.monotonic() - started < 0.5


def test_a_crashed_holder_releases_after_its_lifetime(redis_client, redis_server):
    locks = RedisLockStore(redis_client, url=redis_server.url, lifetime_s=0.3)
    # Simulate a worker that took a ticket and died: its ticket key is never renewed.
    redis_client.incr("lock:{c}:tickets")
    redis_client.set("lock:{c}:ticket:1", 1, px=300)
    started = time.monotonic()
    with locks.lock("c"):
        waited = time.monotonic() - started
    assert 0.2 < waited < 3.0
