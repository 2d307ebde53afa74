"""`parley worker --project P`: job workers on the Redis queue (bot/jobs): reminders fire here.

Each worker loads the project like the server does (the agent triggers the reminder's intent and runs
its actions) and runs an RQ `SimpleWorker` (jobs run in this process: no fork after TensorFlow is
loaded) with RQ's scheduler, which moves due jobs to the queue; any number of workers may run, on any
machines, sharing the server's Redis. A reply goes to the conversation's channel when it can be pushed
(callback); the widget streams it from the tracker; REST clients read it from the tracker.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
from pathlib import Path

import bot.jobs  # noqa: F401 (sets RQ_KEY_PREFIX before rq is imported)

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser(
        "worker",
        help="run job workers on the Redis queue (reminders); any number, sharing the server's Redis",
        description="Take jobs from the project's Redis queue (REDIS_URL, else endpoints.yml "
        "tracker_store): reminders fire here, exactly once however many workers run.",
    )
    worker.add_argument(
        "--project", "-p", default=".", type=Path, help="project folder (default: current folder)"
    )
    worker.add_argument("--name", default=None, help="worker name (default host-pid)")
    worker.add_argument(
        "--burst", action="store_true", help="run the jobs due now, then exit (tests, cron-style use)"
    )
    worker.add_argument(
        "--maintenance-interval",
        type=int,
        default=15,
        help="seconds between registry clean-ups and scheduler take-overs (default 15)",
    )
    worker.add_argument(
        "--healthcheck",
        action="store_true",
        help="exit 0 when a worker of this host is registered on the queue, else 1 (container healthchecks)",
    )
    worker.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    from rq import SimpleWorker

    from bot.config import load_project
    from bot.jobs import tasks
    from bot.jobs.queue import open_queue
    from bot.services import build_services
    from bot.stores.redis import connect

    if args.healthcheck:
        return healthcheck(load_project(args.project))
    services = build_services(load_project(args.project))
    tasks.install(services)
    queue = open_queue(connect(services.redis_url))
    worker = SimpleWorker(
        [queue],
        connection=queue.connection,
        serializer=queue.serializer,
        name=args.name or f"{socket.gethostname()}-{os.getpid()}",
        maintenance_interval=args.maintenance_interval,
        worker_ttl=35,  # a dead worker is noticed in about half a minute
    )
    log.info("event=worker.started name=%s queue=%s", worker.name, queue.name)
    try:
        level = logging.getLevelName(log.getEffectiveLevel())
        worker.work(with_scheduler=True, burst=args.burst, logging_level=level)
    finally:
        services.close()
    return 0


def healthcheck(project) -> int:
    """0 when an RQ worker named after this host (the default `host-pid`) is registered and alive."""
    from rq import Worker

    from bot.jobs.queue import open_queue
    from bot.stores.factory import redis_for
    from bot.stores.redis import connect

    url, _ = redis_for(project)
    queue = open_queue(connect(url))
    host = socket.gethostname()
    mine = [w for w in Worker.all(queue=queue) if w.name.startswith(f"{host}-")]
    return 0 if mine else 1
