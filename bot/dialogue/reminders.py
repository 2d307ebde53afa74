"""Reminders: `reminder` events fire their intent when due; `cancel_reminder` events stop them.

A background thread keeps the reminders this process scheduled in a heap and, when one is due, checks
the conversation log first (so a cancel or a user message stored by *another* process counts too):
it is skipped if a matching `cancel_reminder` came after it, or, with `kill_on_user_msg`, if the user
wrote since. Otherwise the intent is triggered as an external message (`Agent.trigger_intent`).
Reminders live in memory: a restarted server does not fire the reminders of its previous life.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from datetime import datetime
from typing import Any, Protocol

from bot.dialogue.events import ReminderCancelled, ReminderScheduled, UserUttered
from bot.dialogue.tracker import Tracker


class Agent(Protocol):
    """What the scheduler needs of the agent: read a conversation, trigger an intent in it."""

    def tracker(self, sender_id: str) -> Tracker: ...

    def trigger_intent(
        self, sender_id: str, intent: str, entities: Any = None, *, input_channel: str = "external"
    ) -> Any: ...

log = logging.getLogger(__name__)


def due_time(reminder: ReminderScheduled) -> float:
    """Seconds since the epoch; naive ISO times are local time, as Rasa writes them."""
    try:
        return datetime.fromisoformat(reminder.trigger_date_time).timestamp()
    except (TypeError, ValueError):
        log.warning("event=reminder.bad_time value=%r (fires now)", reminder.trigger_date_time)
        return time.time()


def _cancels(cancel: ReminderCancelled, reminder: ReminderScheduled) -> bool:
    if cancel.name is not None:
        return cancel.name == reminder.name
    if cancel.intent is not None and cancel.intent != reminder.intent:
        return False
    if cancel.entities is not None and cancel.entities != reminder.entities:
        return False
    return True  # no name, intent or entities: cancel all


class ReminderScheduler:
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
                item for item in self._heap if not (item[2] == sender_id and _cancels(cancel, item[3]))
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
                self._fire(sender_id, reminder)
            except Exception:  # a failing reminder must not stop the others
                log.exception("event=reminder.failed sender=%s intent=%s", sender_id, reminder.intent)

    def _fire(self, sender_id: str, reminder: ReminderScheduled) -> None:
        for event in self.agent.tracker(sender_id).events:
            if event.timestamp <= reminder.timestamp:
                continue
            if isinstance(event, ReminderCancelled) and _cancels(event, reminder):
                return
            if (
                reminder.kill_on_user_message
                and isinstance(event, UserUttered)
                and not event.metadata.get("is_external")
            ):
                log.info("event=reminder.killed sender=%s name=%s", sender_id, reminder.name)
                return
        entities: Any = reminder.entities or []
        log.info("event=reminder.fired sender=%s intent=%s", sender_id, reminder.intent)
        self.agent.trigger_intent(sender_id, reminder.intent, entities, input_channel="reminder")
