"""bot/stores/redis_lock.py against a real redis-server: atomic across processes, fenced, self-healing."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
import redis

from bot.errors import http_status
from bot.stores.redis_lock import LockTimeout, RedisLockStore


def _hammer(url: str, rounds: int, threads: int, out) -> None:
    """One process: `threads` threads each take the lock `rounds` times; count anyone found inside."""
    client = redis.Redis.from_url(url)
    locks = RedisLockStore(client, lifetime_s=2, wait_timeout_s=30, poll_s=0.001)
    violations, done, errors = [], [], []

    def work() -> None:
        for _ in range(rounds):
            try:
                with locks.lock("burst"):
                    if client.incr("inside") != 1:
                        violations.append(1)
                    time.sleep(0.001)
                    client.decr("inside")
                    done.append(1)
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                errors.append(repr(exc))

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((len(violations), len(done), errors[:3]))


def test_two_processes_bursting_on_one_conversation_never_overlap(redis_client, redis_server):
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(redis_server.url, 40, 4, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert [r[2] for r in results] == [[], []]
    assert sum(r[0] for r in results) == 0  # no lock violation
    assert sum(r[1] for r in results) == 320  # every one of 2 x 4 x 40 got in, none timed out


def test_the_ticket_is_a_fencing_token_and_the_lease_knows_it_holds(redis_client, redis_server):
    locks = RedisLockStore(redis_client, url=redis_server.url)
    with locks.lock("f") as first:
        assert first.held()
    with locks.lock("f") as second:
        assert second.token > first.token and second.held() and not first.held()
    assert not second.lost
    assert redis_client.exists("lock:{f}:tickets")  # the {hash tag}: one Redis Cluster slot


def test_a_holder_that_stalls_past_its_lifetime_loses_the_lock_and_it_is_logged(redis_client, caplog):
    locks = RedisLockStore(redis_client, lifetime_s=0.2)
    with locks.lock("stall") as lease:
        redis_client.delete(f"lock:{{stall}}:ticket:{lease.token}")  # as if renewals stopped
        with locks.lock("stall") as other:  # the next one is not blocked by the dead ticket
            assert other.held()
        assert not lease.held()
    assert lease.lost
    assert any("lock.lost" in r.getMessage() or "lock.expired" in r.getMessage() for r in caplog.records)


def test_a_lock_left_by_a_crash_frees_itself_within_its_lifetime_after_a_redis_restart(
    redis_client, redis_server
):
    """A worker died holding the lock, then Redis restarted (its AOF keeps the keys): the conversation is
    free again after one lifetime (5 s by default), not 60 s."""
    locks = RedisLockStore(redis_client, url=redis_server.url)  # the default lifetime
    dead = RedisLockStore(redis.Redis.from_url(redis_server.url))
    ticket = int(
        dead._take(keys=["lock:{crash}:tickets", "lock:{crash}:serving"], args=["lock:{crash}:ticket:", 5000])
    )
    assert dead._advance(keys=["lock:{crash}:serving"], args=[ticket, "lock:{crash}:ticket:", 5000]) == ticket
    redis_server.stop(kill=True)
    redis_server.start()
    started = time.monotonic()
    with locks.lock("crash"):
        waited = time.monotonic() - started
    assert waited <= 5.5


def test_a_live_holder_keeps_its_lock_through_a_redis_restart(redis_client, redis_server):
    locks = RedisLockStore(redis.Redis.from_url(redis_server.url), lifetime_s=1.0, url=redis_server.url)
    holding, released = threading.Event(), threading.Event()

    def holder() -> None:
        with locks.lock("live"):
            holding.set()
            time.sleep(3.0)
        released.set()

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait(5)
    redis_server.stop(kill=True)
    time.sleep(0.3)
    redis_server.start()
    waiter = RedisLockStore(redis.Redis.from_url(redis_server.url), lifetime_s=1.0)
    with waiter.lock("live"):
        assert released.is_set()  # the waiter got in only after the holder let go
    thread.join()


def test_a_lock_wait_timeout_is_a_503_that_says_nothing_was_stored(redis_client):
    locks = RedisLockStore(redis_client, wait_timeout_s=0.3)
    with locks.lock("busy"):
        with pytest.raises(LockTimeout) as caught:
            with locks.lock("busy"):
                pass
    assert http_status(caught.value) == 503 and "nothing of this message was stored" in caught.value.message
