"""Conversations and reminders on a real 3-master Redis Cluster (loopback ports), through a master restart.

The server's services are built as `parley run` builds them, with REDIS_URL=redis-cluster://...; the
reminder jobs go through RQ on the cluster (its keys in the `{parley-jobs}` slot) and are fired by an
in-process RQ worker with the worker's task (bot/jobs/tasks.py)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from redis.cluster import key_slot

from bot.agent import UserMessage
from bot.errors import StoreUnavailable
from bot.stores.cluster import is_cluster
from tests.redis_cluster import RedisClusterNodes

SENDERS = [f"c{i}" for i in range(24)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    nodes = RedisClusterNodes(tmp_path_factory.mktemp("cluster")).start()
    yield nodes
    nodes.stop()


@pytest.fixture
def cluster_services(reminder_project: Path, cluster: RedisClusterNodes, monkeypatch: pytest.MonkeyPatch):
    from bot.config import load_project
    from bot.services import build_services

    monkeypatch.setenv("REDIS_URL", cluster.url)
    built = build_services(load_project(reminder_project))
    yield built
    built.close()


def _send(services, sender: str, text: str) -> tuple[str, list[str]]:
    message = UserMessage(text=text, sender_id=sender, message_id=uuid.uuid4().hex)
    return message.message_id, [m.get("text") for m in services.agent.handle(message)]


def _ids(services, sender: str) -> list[str]:
    events = services.agent.tracker(sender).events
    return [getattr(e, "message_id", None) for e in events if e.type_name == "user"]


def test_conversations_keep_every_acknowledged_message_through_a_master_restart(cluster_services, cluster):
    services = cluster_services
    client = services.tracker_store.client
    assert is_cluster(client)
    masters = {client.get_node_from_key(services.tracker_store.key(s)).port for s in SENDERS}
    assert masters == set(cluster.ports)  # the conversations are spread over all three masters
    for sender in SENDERS:  # a conversation's tracker and lock keys share its slot
        lock_key = f"lock:{{{sender}}}:tickets"
        assert key_slot(services.tracker_store.key(sender).encode()) == key_slot(lock_key.encode())

    acked: dict[str, list[str]] = {s: [] for s in SENDERS}
    for sender in SENDERS:
        message_id, said = _send(services, sender, "/greet")
        assert said == ["Hi!"]
        acked[sender].append(message_id)

    victim = client.get_node_from_key(services.tracker_store.key(SENDERS[0])).port
    cluster.stop_node(victim)
    refused = 0
    for sender in SENDERS[:3]:  # while a master is down: a clear 503-kind error, never a wrong answer
        try:
            message_id, said = _send(services, sender, "/greet")
        except StoreUnavailable:
            refused += 1
        else:
            assert said == ["Hi!"]
            acked[sender].append(message_id)
    assert refused >= 1
    cluster.start_node(victim)
    cluster.wait_ok()

    for sender in SENDERS:  # after the restart every conversation carries on, on every master
        for _ in range(20):
            try:
                message_id, said = _send(services, sender, "/greet")
                break
            except StoreUnavailable:
                time.sleep(0.5)
        else:
            raise AssertionError(f"{sender} did not recover")
        assert said == ["Hi!"]
        acked[sender].append(message_id)
    lost = [(s, m) for s, ids in acked.items() for m in ids if m not in _ids(services, s)]
    assert lost == []


def test_reminders_fire_once_from_the_queue_on_the_cluster(cluster_services):
    import json

    from rq import SimpleWorker

    from bot.jobs import tasks

    services = cluster_services
    senders = SENDERS[:6]
    for sender in senders:
        body = json.dumps({"delay": 1, "name": "r1", "kill": "false"})
        assert _send(services, sender, f"/remind{body}")[1] == ["I will remind you."]
    assert _send(services, senders[0], "/forget")[1] == ["Forgotten."]
    time.sleep(1.5)
    tasks.install(services)
    queue = services.queue
    for _ in range(2):  # burst: RQ's scheduler moves the due jobs, the worker runs them, then it returns
        SimpleWorker([queue], connection=queue.connection, serializer=queue.serializer).work(
            burst=True, with_scheduler=True
        )

    def fired(sender: str) -> int:
        return [getattr(e, "text", None) for e in services.agent.tracker(sender).events].count("Reminder!")

    assert [fired(s) for s in senders] == [0, 1, 1, 1, 1, 1]
    assert services.agent.reminders.scheduled(senders[1]) == []
