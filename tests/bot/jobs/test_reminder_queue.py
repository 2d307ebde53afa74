"""Reminders on the Redis job queue (RQ), with real redis-server and real `parley worker` processes.

The server's agent (build_services, as `parley run`) schedules; workers fire. Fired exactly once with
two workers, cancelled by `cancel_reminder`, killed by a user message (kill_on_user_msg), and still
fired after the worker holding RQ's scheduler lock is killed (slow: RQ's lock lives 61 s)."""

from __future__ import annotations

import json

import pytest

from bot.agent import UserMessage

from .conftest import wait_for


def _say(services, sender: str, text: str) -> list[str]:
    return [m.get("text") for m in services.agent.handle(UserMessage(text=text, sender_id=sender))]


def _remind(services, sender: str, delay: float, name: str = "r1", kill: bool = False) -> None:
    body = json.dumps({"delay": delay, "name": name, "kill": "true" if kill else "false"})
    assert _say(services, sender, f"/remind{body}") == ["I will remind you."]


def _fired(services, sender: str) -> int:
    return [getattr(e, "text", None) for e in services.agent.tracker(sender).events].count("Reminder!")


def test_the_server_schedules_on_the_queue_not_in_memory(bot_services):
    from bot.jobs.reminders import QueueReminders

    assert isinstance(bot_services.agent.reminders, QueueReminders)
    _remind(bot_services, "s", delay=60)
    assert len(bot_services.agent.reminders.scheduled("s")) == 1
    _remind(bot_services, "s", delay=60)  # the same name again replaces it (as Rasa)
    assert len(bot_services.agent.reminders.scheduled("s")) == 1
    assert bot_services.queue.scheduled_job_registry.count == 1


def test_reminders_fire_once_with_two_workers_and_cancel_and_kill_work(bot_services, workers, redis_client):
    workers.start("w1")
    workers.start("w2")
    workers.wait_ready(redis_client, 2)
    senders = [f"u{i}" for i in range(10)]
    for sender in senders:
        _remind(bot_services, sender, delay=2)
    _remind(bot_services, "cancelled", delay=2)
    assert _say(bot_services, "cancelled", "/forget") == ["Forgotten."]
    assert bot_services.agent.reminders.scheduled("cancelled") == []  # the job itself is gone
    _remind(bot_services, "killed", delay=2, kill=True)
    assert _say(bot_services, "killed", "/greet") == ["Hi!"]

    assert wait_for(lambda: all(_fired(bot_services, s) >= 1 for s in senders), timeout=30)
    wait_for(lambda: False, timeout=3)  # a late duplicate would show up by now
    assert [_fired(bot_services, s) for s in senders] == [1] * len(senders)
    assert _fired(bot_services, "cancelled") == 0
    assert _fired(bot_services, "killed") == 0
    assert all(bot_services.agent.reminders.scheduled(s) == [] for s in senders)


def test_a_reminder_delivered_twice_fires_once(bot_services):
    """What a job retried after its worker died does: the log check under the lock stops it."""
    from bot.dialogue.events import ReminderScheduled

    _remind(bot_services, "twice", delay=3600)
    reminder = next(e for e in bot_services.agent.tracker("twice").events if isinstance(e, ReminderScheduled))
    assert bot_services.agent.fire_reminder("twice", reminder) is not None
    assert bot_services.agent.fire_reminder("twice", reminder) is None
    assert _fired(bot_services, "twice") == 1


@pytest.mark.slow
def test_reminders_survive_a_worker_kill_and_a_restart(bot_services, workers, redis_client, redis_server):
    first = workers.start("w1")
    workers.wait_ready(redis_client, 1)  # w1 holds RQ's scheduler lock
    workers.start("w2")
    workers.wait_ready(redis_client, 2)
    senders = [f"k{i}" for i in range(20)]
    for sender in senders:
        _remind(bot_services, sender, delay=4)
    workers.kill(first)  # SIGKILL to its process group: the scheduler child dies too
    # Redis restarts as well: the scheduled jobs are in its AOF
    redis_server.stop()
    redis_server.start()
    assert wait_for(lambda: all(_fired(bot_services, s) >= 1 for s in senders), timeout=150, step=0.5)
    wait_for(lambda: False, timeout=3)
    assert [_fired(bot_services, s) for s in senders] == [1] * len(senders)
