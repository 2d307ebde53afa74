"""The one entry point every channel calls: `Agent.handle(UserMessage) -> list of responses`.

    lock(sender) -> events from the store -> (new session?) -> nlu.parse -> store the user event
    -> loop: policy predicts, action runs, its events are stored -> until action_listen

The user's message is stored before anything can fail, and each action's events are stored as they
happen, so the log always holds what was accepted. If an action fails, the turn is closed with
`action_listen` and the error propagates to the channel as a clear 5xx.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from actions.base import Action, Dispatcher
from actions.builtin import BUILTIN_ACTIONS, ResponseAction
from bot.dialogue.domain import Domain
from bot.dialogue.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from bot.dialogue.model import DialogueModel
from bot.dialogue.tracker import ACTION_LISTEN, Tracker
from bot.errors import NotFound
from bot.stores.base import LockStore, TrackerStore

log = logging.getLogger(__name__)

MAX_PREDICTIONS = 10


class Parser(Protocol):
    def parse(self, text: str) -> Any: ...


@dataclass(frozen=True)
class UserMessage:
    text: str
    sender_id: str
    input_channel: str = "rest"
    message_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    metadata: dict[str, Any] = field(default_factory=dict)
    parse_data: dict[str, Any] | None = None  # set by /trigger_intent or "/intent" shortcuts


class Agent:
    def __init__(
        self,
        domain: Domain,
        nlu: Parser | None,
        dialogue: DialogueModel,
        tracker_store: TrackerStore,
        lock_store: LockStore,
        extra_actions: dict[str, Callable[[], Action]] | None = None,
        max_predictions: int = MAX_PREDICTIONS,
    ) -> None:
        self.domain = domain
        self.nlu = nlu
        self.dialogue = dialogue
        self.tracker_store = tracker_store
        self.lock_store = lock_store
        self.extra_actions = extra_actions or {}
        self.max_predictions = max_predictions

    # ------------------------------------------------------------------ public
    def handle(self, message: UserMessage) -> list[dict[str, Any]]:
        with self.lock_store.lock(message.sender_id):
            tracker = self._tracker(message.sender_id)
            self._maybe_start_session(tracker, message.input_channel)
            parse_data = message.parse_data or self.parse(message.text)
            user = UserUttered(
                text=message.text, parse_data=parse_data, input_channel=message.input_channel,
                message_id=message.message_id, metadata=message.metadata,
            )
            self._append(tracker, [user])
            bot_messages = self._run_actions(tracker, message.input_channel)
        return [{"recipient_id": message.sender_id, **m} for m in bot_messages]

    def parse(self, text: str) -> dict[str, Any]:
        if text.startswith("/") and len(text) > 1:
            return _intent_shortcut(text)
        if self.nlu is None or not text.strip():
            return {"text": text, "intent": {"name": None, "confidence": 0.0}, "entities": [], "intent_ranking": []}
        return self.nlu.parse(text).to_dict()

    def tracker(self, sender_id: str) -> Tracker:
        return self._tracker(sender_id)

    def append_events(self, sender_id: str, events: list[Event]) -> Tracker:
        with self.lock_store.lock(sender_id):
            tracker = self._tracker(sender_id)
            self._append(tracker, events)
            return tracker

    # ------------------------------------------------------------------ internals
    def _tracker(self, sender_id: str) -> Tracker:
        return Tracker(sender_id, self.tracker_store.events(sender_id), self.domain.initial_slots())

    def _append(self, tracker: Tracker, events: list[Event]) -> None:
        self.tracker_store.append(tracker.sender_id, events)
        tracker.events.extend(events)

    def _maybe_start_session(self, tracker: Tracker, channel: str) -> None:
        expiry_min = self.domain.session_config.session_expiration_time
        started = any(isinstance(e, SessionStarted) for e in tracker.events)
        expired = (
            started and expiry_min > 0 and tracker.events
            and time.time() - tracker.events[-1].timestamp > expiry_min * 60
        )
        if started and not expired:
            return
        self._execute("action_session_start", tracker, channel, policy=None, confidence=None)

    def _run_actions(self, tracker: Tracker, channel: str) -> list[dict[str, Any]]:
        said: list[dict[str, Any]] = []
        try:
            for _ in range(self.max_predictions):
                prediction = self.dialogue.predict(tracker, self.domain)
                if prediction.action == ACTION_LISTEN:
                    break
                said.extend(self._execute(prediction.action, tracker, channel, prediction.policy, prediction.confidence))
            else:
                log.warning("event=agent.max_predictions sender=%s limit=%d", tracker.sender_id, self.max_predictions)
        finally:
            self._append(tracker, [ActionExecuted(name=ACTION_LISTEN)])
        return said

    def _execute(
        self, name: str, tracker: Tracker, channel: str, policy: str | None, confidence: float | None
    ) -> list[dict[str, Any]]:
        action = self.action(name)
        dispatcher = Dispatcher(self.domain, tracker.slots, channel)
        events = action.run(dispatcher, tracker, self.domain)
        bot_events = [BotUttered(text=m.get("text"), data={k: v for k, v in m.items() if k != "text"})
                      for m in dispatcher.messages]
        leading = [] if name == "action_session_start" else [ActionExecuted(name=name, policy=policy, confidence=confidence)]
        self._append(tracker, [*leading, *bot_events, *events])
        return [{k: v for k, v in m.items() if k != "response"} for m in dispatcher.messages]

    def action(self, name: str) -> Action:
        if name in self.extra_actions:
            return self.extra_actions[name]()
        if name in BUILTIN_ACTIONS:
            return BUILTIN_ACTIONS[name]()
        if name in self.domain.responses:
            return ResponseAction(name)
        raise NotFound(f"action {name!r} is neither a response, a built-in, nor a registered custom action")


def _intent_shortcut(text: str) -> dict[str, Any]:
    """`/greet` or `/inform{"city": "Berlin"}` sets the intent directly, as in Rasa."""
    import json

    body = text[1:]
    entities: list[dict[str, Any]] = []
    if "{" in body:
        name, _, rest = body.partition("{")
        try:
            values = json.loads("{" + rest)
            entities = [{"entity": k, "value": v, "start": None, "end": None} for k, v in values.items()]
        except ValueError:
            pass
    else:
        name = body
    name = name.strip()
    return {"text": text, "intent": {"name": name, "confidence": 1.0}, "entities": entities,
            "intent_ranking": [{"name": name, "confidence": 1.0}]}
