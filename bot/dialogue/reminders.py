"""Reminders: `reminder` events fire their intent when due; `cancel_reminder` events stop them.

Where a reminder waits until it is due is the `ReminderSink`'s business (bot/jobs/reminders.py: a job on
the Redis queue, run by `parley worker`; `InMemoryReminders` below: a thread, for unit tests only).
Whether a due reminder still fires is decided here, from the conversation's log, by `why_not_fire`,
which the agent calls under the conversation's lock (`Agent.fire_reminder`), so a cancel, a user
message or an earlier firing stored by *any* process counts, and a reminder delivered twice (a job
retried after its worker died) fires once:

- a matching `cancel_reminder` after it             -> "cancelled"
- `kill_on_user_msg` and a user message after it     -> "killed" (as in Rasa)
- a later reminder of the same name                  -> "replaced" (Rasa's replace_existing)
- an external message already carrying its identity  -> "fired"
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from bot.dialogue.events import Event, ReminderCancelled, ReminderScheduled, UserUttered

log = logging.getLogger(__name__)


def due_time(reminder: ReminderScheduled) -> float:
    """Seconds since the epoch; naive ISO times are local time, as Rasa writes them."""
    try:
        return datetime.fromisoformat(reminder.trigger_date_time).timestamp()
    except (TypeError, ValueError):
        log.warning("event=reminder.bad_time value=%r (fires now)", reminder.trigger_date_time)
        return time.time()


def cancels(cancel: ReminderCancelled, reminder: ReminderScheduled) -> bool:
    if cancel.name is not None:
        return cancel.name == reminder.name
    if cancel.intent is not None and cancel.intent != reminder.intent:
        return False
    if cancel.entities is not None and cancel.entities != reminder.entities:
        return False
    return True  # no name, intent or entities: cancel all


def identity(reminder: ReminderScheduled) -> dict[str, Any]:
    """What the firing message carries (metadata `reminder`) so that a second delivery sees it fired."""
    return {"name": reminder.name, "intent": reminder.intent, "scheduled_at": reminder.timestamp}


def reminder_job_id(sender_id: str, reminder: ReminderScheduled) -> str:
    """A stable id per (conversation, reminder name): scheduling the same name again replaces the job.
    Only [A-Za-z0-9_-] (RQ's rule for job ids)."""
    name = reminder.name if reminder.name is not None else f"{reminder.intent}@{reminder.timestamp!r}"
    digest = hashlib.sha256(f"{sender_id}\x00{name}".encode()).hexdigest()[:40]
    return f"parley-reminder-{digest}"


def _same(a: ReminderScheduled, b: ReminderScheduled) -> bool:
    return a.name is not None and a.name == b.name


def why_not_fire(events: Iterable[Event], reminder: ReminderScheduled) -> str | None:
    """None when the due `reminder` should fire now, else the reason it must not (see the module doc)."""
    mine = identity(reminder)
    for event in events:
        if event.timestamp < reminder.timestamp:
            continue
        if isinstance(event, ReminderCancelled) and cancels(event, reminder):
            return "cancelled"
        later = event.timestamp > reminder.timestamp
        if isinstance(event, ReminderScheduled) and later and _same(event, reminder):
            return "replaced"
        if isinstance(event, UserUttered) and later:
            if event.metadata.get("reminder") == mine:
                return "fired"
            if reminder.kill_on_user_message and not event.metadata.get("is_external"):
                return "killed"
    return None


class Agent(Protocol):
    """What a reminder sink needs of the agent: fire a due reminder (it decides whether it still may)."""

    def fire_reminder(self, sender_id: str, reminder: ReminderScheduled) -> Any: ...


class InMemoryReminders:
    """The in-memory `ReminderSink`, for unit tests: a thread with a heap of this process's reminders.
    They are lost when the process ends; the server uses the Redis queue (bot/jobs/reminders.py)."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self._heap: list[tuple[float, int, str, ReminderScheduled]] = []
        self._counter = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="parley-reminders", daemon=True)
        self._thread.start()

    def schedule(self, sender_id: str, reminder: ReminderScheduled) -> None:
        with self._wake:
            heapq.heappush(self._heap, (due_time(reminder), next(self._counter), sender_id, reminder))
            self._wake.notify()

    def cancel(self, sender_id: str, cancel: ReminderCancelled) -> None:
        with self._wake:
            self._heap = [
                item for item in self._heap if not (item[2] == sender_id and cancels(cancel, item[3]))
            ]
            heapq.heapify(self._heap)

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.time()):
                    self._wake.wait(None if not self._heap else max(self._heap[0][0] - time.time(), 0.01))
                if self._stopped:
                    return
                _, _, sender_id, reminder = heapq.heappop(self._heap)
            try:
                self.agent.fire_reminder(sender_id, reminder)
            except Exception:  # a failing reminder must not stop the others
                log.exception("event=reminder.failed sender=%s intent=%s", sender_id, reminder.intent)
