"""The job queue: one RQ queue on Redis, with RQ's scheduler for jobs due later (reminders).

Why RQ (not Celery): Redis is already the one stateful service; RQ needs nothing else (Celery's Redis
broker is one transport among many, with its own scheduler, beat, as a separate singleton process);
RQ's scheduler runs inside the workers and takes a lock per queue, so any number of workers can run
it and a scheduled job is moved to the queue once; a job whose worker died is retried by `Retry`
(abandoned-job clean-up), and the agent's fire-time check (`Agent.fire_reminder`) turns a second
delivery into nothing. Jobs are JSON (RQ's JSONSerializer), never pickles.

Keys: RQ's own (`rq:...`, prefix from RQ_KEY_PREFIX) and Parley's per-conversation reminder index
`<prefix>{sender}` (hash-tagged: one Redis Cluster slot per conversation, as its tracker and lock).
"""

from __future__ import annotations

from typing import Any

from rq import Queue
from rq.serializers import JSONSerializer

QUEUE_NAME = "parley"
FIRE_REMINDER = "bot.jobs.tasks.fire_reminder"


def open_queue(client: Any, name: str = QUEUE_NAME) -> Queue:
    """The queue on `client` (a bytes redis-py client: RQ stores binary job data)."""
    return Queue(name, connection=client, serializer=JSONSerializer)
