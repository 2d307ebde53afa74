"""What job workers run (`parley worker` installs the services first). Job functions are named by string
(bot/jobs/queue.py), so the server that enqueues them never imports this module's dependencies."""

from __future__ import annotations

import logging
from typing import Any

from rq import get_current_job

from bot.dialogue.events import ReminderScheduled, UserUttered, event_from_dict

log = logging.getLogger(__name__)

_services: Any | None = None


def install(services: Any) -> None:
    """The worker's services (agent, channels); set once by bot/worker.py before it takes jobs."""
    global _services
    _services = services


def _installed() -> Any:
    if _services is None:
        raise RuntimeError("Parley's jobs run in `parley worker --project P`, not in a plain `rq worker`")
    return _services


def fire_reminder(sender_id: str, event: dict[str, Any], index_key: str) -> bool:
    """Fire the reminder if the log still allows it (Agent.fire_reminder); push the replies to the
    conversation's channel when it takes pushes. True when it fired."""
    services = _installed()
    reminder = event_from_dict(event)
    assert isinstance(reminder, ReminderScheduled)
    output = push_output(services.channels, sender_id, services.agent.tracker(sender_id).events)
    said = services.agent.fire_reminder(sender_id, reminder, output)
    job = get_current_job()
    if job is not None:
        job.connection.srem(index_key, job.id)
    return said is not None


def push_output(channels: list[Any], sender_id: str, events: list[Any]) -> Any | None:
    """The output of the channel the user last wrote from, when it can push outside a request
    (InputChannel.push_output: callback does; the widget reads replies from the tracker, so none)."""
    users = [e for e in events if isinstance(e, UserUttered) and not e.metadata.get("is_external")]
    last = users[-1] if users else None
    if last is None:
        return None
    channel = next((c for c in channels if c.name == last.input_channel), None)
    if channel is None:
        return None
    return channel.push_output(sender_id, last.metadata)
