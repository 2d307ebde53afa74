"""The server's `ReminderSink`: each `reminder` event is a job scheduled on the RQ queue for its due time.

schedule(sender, reminder)  -> the same name's earlier job is deleted (Rasa's replace_existing),
                               `enqueue_at(due, fire_reminder, sender, event)` with a stable job id,
                               and the id goes into the conversation's index set
cancel(sender, cancel)      -> the jobs in the index that `cancel` matches are deleted
(a worker)                  -> bot/jobs/tasks.py fire_reminder -> Agent.fire_reminder, which
                               checks the log under the lock again, so a job that escaped a
                               cancel, or runs twice, still fires at most once
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

from bot.dialogue.events import ReminderCancelled, ReminderScheduled, event_from_dict
from bot.dialogue.reminders import cancels, due_time, reminder_job_id
from bot.jobs import JOBS_TAG
from bot.jobs.queue import FIRE_REMINDER

log = logging.getLogger(__name__)

RETRY = Retry(max=3, interval=[1, 5, 30])  # a worker that died mid-job: its job runs again
KEEP_S = 7 * 86_400  # how long a fired (or failed) reminder job and the index are kept


class QueueReminders:
    def __init__(self, queue: Any, index_prefix: str = f"{JOBS_TAG}parley:reminders:") -> None:
        self.queue = queue
        self.client = queue.connection
        self.index_prefix = index_prefix

    def index_key(self, sender_id: str) -> str:
        """The conversation's reminder jobs, in the queue's slot (RQ's keys share the tag)."""
        return f"{self.index_prefix}{sender_id}"

    def schedule(self, sender_id: str, reminder: ReminderScheduled) -> None:
        job_id = reminder_job_id(sender_id, reminder)
        self._delete(job_id)  # the same name again replaces the earlier reminder
        due = datetime.fromtimestamp(due_time(reminder), tz=UTC)
        self.queue.enqueue_at(
            due,
            FIRE_REMINDER,
            sender_id,
            reminder.to_dict(),
            self.index_key(sender_id),
            job_id=job_id,
            retry=RETRY,
            result_ttl=KEEP_S,
            failure_ttl=KEEP_S,
            description=f"reminder {reminder.name or reminder.intent} for {sender_id}",
        )
        self.client.sadd(self.index_key(sender_id), job_id)
        wait_s = max(int(due.timestamp() - datetime.now(UTC).timestamp()), 0)
        self.client.expire(self.index_key(sender_id), wait_s + KEEP_S)
        log.info(
            "event=reminder.scheduled sender=%s name=%s due=%s job=%s",
            sender_id,
            reminder.name,
            due.isoformat(),
            job_id,
        )

    def cancel(self, sender_id: str, cancel: ReminderCancelled) -> None:
        key = self.index_key(sender_id)
        for raw in self.client.smembers(key):
            job_id = raw.decode()
            reminder = self._reminder(job_id)
            if reminder is None or cancels(cancel, reminder):
                self._delete(job_id)
                self.client.srem(key, job_id)
                log.info("event=reminder.cancelled sender=%s job=%s", sender_id, job_id)

    def scheduled(self, sender_id: str) -> list[str]:
        """Ids of this conversation's reminder jobs still waiting (for tests and the benchmark)."""
        waiting = set(self.queue.scheduled_job_registry.get_job_ids())
        ids = (j.decode() for j in self.client.smembers(self.index_key(sender_id)))
        return sorted(i for i in ids if i in waiting)

    def _reminder(self, job_id: str) -> ReminderScheduled | None:
        try:
            job = Job.fetch(job_id, connection=self.client, serializer=self.queue.serializer)
        except NoSuchJobError:
            return None
        event = event_from_dict(job.args[1])
        return event if isinstance(event, ReminderScheduled) else None

    def _delete(self, job_id: str) -> None:
        try:
            job = Job.fetch(job_id, connection=self.client, serializer=self.queue.serializer)
        except NoSuchJobError:
            return
        job.delete()  # also takes it out of the scheduled registry
