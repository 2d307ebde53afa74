"""A conversation as a Rasa 3 story (`GET /conversations/<id>/story`, `parley test core` failures).

Listens are implied in stories, session starts and rejected actions leave no step; restarts and
rewinds have been applied already (the story tells what the conversation amounts to).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from bot.dialogue.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from bot.dialogue.tracker import ACTION_LISTEN, Tracker

_HIDDEN_ACTIONS = {ACTION_LISTEN, "action_session_start", "action_extract_slots"}


def events_to_steps(events: Sequence[Event]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, UserUttered):
            step: dict[str, Any] = {}
            if event.text and not event.text.startswith("/"):
                step["user"] = event.text
            step["intent"] = event.intent_name or "None"
            entities = [{e["entity"]: e.get("value")} for e in event.entities if e.get("entity")]
            if entities:
                step["entities"] = entities
            steps.append(step)
        elif isinstance(event, ActionExecuted) and event.name not in _HIDDEN_ACTIONS:
            steps.append({"action": event.name})
        elif isinstance(event, SlotSet):
            if steps and "slot_was_set" in steps[-1]:
                steps[-1]["slot_was_set"].append({event.name: event.value})
            else:
                steps.append({"slot_was_set": [{event.name: event.value}]})
        elif isinstance(event, ActiveLoop):
            steps.append({"active_loop": event.name})
    return steps


def tracker_to_story(tracker: Tracker, name: str | None = None) -> str:
    """The conversation as a `stories:` YAML document."""
    story = {
        "story": name or tracker.sender_id,
        "steps": events_to_steps(tracker.events_after_latest_restart()),
    }
    return stories_yaml([story])


def stories_yaml(stories: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({"version": "3.1", "stories": stories}, sort_keys=False, allow_unicode=True)
