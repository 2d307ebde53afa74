"""The job queue: one RQ queue on Redis, with RQ's scheduler for jobs due later (reminders).

Why RQ (not Celery): Redis is already the one stateful service; RQ needs nothing else (Celery's Redis
broker is one transport among many, with its own scheduler, beat, as a separate singleton process);
RQ's scheduler runs inside the workers and takes a lock per queue, so any number of workers can run
it and a scheduled job is moved to the queue once; a job whose worker died is retried by `Retry`
(abandoned-job clean-up), and the agent's fire-time check (`Agent.fire_reminder`) turns a second
delivery into nothing. Jobs are JSON (RQ's JSONSerializer), never pickles.

Keys: all under the `{parley-jobs}` hash tag (bot/jobs/__init__.py), RQ's and the reminder index. On a
Redis Cluster the queue is served by a plain client to the master owning that slot, as RQ has no
cluster client (it reaches into the connection pool); a restarted master is reconnected to.
"""

from __future__ import annotations

import os
from typing import Any

from rq import Queue, defaults
from rq.serializers import JSONSerializer

from bot.jobs import JOBS_TAG
from bot.stores.cluster import is_cluster

QUEUE_NAME = "parley"
FIRE_REMINDER = "bot.jobs.tasks.fire_reminder"


def open_queue(client: Any, name: str = QUEUE_NAME) -> Queue:
    """The queue on `client` (a bytes redis-py client: RQ stores binary job data)."""
    if defaults.RQ_KEY_PREFIX != os.environ["RQ_KEY_PREFIX"]:  # server and workers must agree on the keys
        raise RuntimeError(
            f"rq was imported before bot.jobs set RQ_KEY_PREFIX ({defaults.RQ_KEY_PREFIX!r}, not "
            f"{os.environ['RQ_KEY_PREFIX']!r}): import bot.jobs first"
        )
    return Queue(name, connection=queue_client(client), serializer=JSONSerializer)


def queue_client(client: Any) -> Any:
    """`client` itself, or for a Redis Cluster the plain client of the master owning the queue's slot."""
    if not is_cluster(client):
        return client
    node = client.get_node_from_key(JOBS_TAG)
    return client.get_redis_connection(node)
