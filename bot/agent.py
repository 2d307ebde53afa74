"""The one entry point every channel calls: `Agent.handle(UserMessage) -> list of responses`.

    lock(sender) -> claim it with the lock's ticket -> the latest session's events from the store
    -> (new session?) -> nlu.parse -> store the user event -> slot mappings fill slots
    -> loop: policies predict, the action runs, its events are stored
    -> until action_listen (or `max_predictions` actions in one turn)

Sessions (bot/dialogue/sessions.py, Rasa's `session_config`): a turn loads only the latest session,
and starts a new one first when that one expired (by `clock`) or grew long; `tracker()` reads all.
Fencing (bot/stores/fencing.py): each append carries the turn's lock ticket, refused (`StaleLock`, 503,
nothing stored) once the turn outlived its lock and another turn took the conversation over.

The user's message is stored before anything can fail, and each action's events are stored as they
happen, so the log always holds what was accepted. When the action server fails (times out, is down,
answers 404 or 5xx) nothing of that action is stored: the user gets `utter_action_failed` (else a
plain apology saying a service is not answering; never `utter_default`'s "I did not understand"), the
reason is logged with the action's name, and the turn ends with `action_listen`. A bug in in-process
code (a custom action that raises) also closes the turn with `action_listen`, then propagates as a
clear 5xx, as does a failing Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from actions.errors import ActionServerError
from actions.registry import MODEL_BACKED
from actions.remote import ActionServerClient
from actions.sdk import Action
from bot.channels.base import OutputChannel, UserMessage
from bot.deadline import DeadlineExceeded, call_with_deadline
from bot.dialogue.dispatcher import DialogueAction, Dispatcher, events_from_json
from bot.dialogue.domain import Domain, parse_variations
from bot.dialogue.events import (
    ActionExecuted,
    ActionExecutionRejected,
    BotUttered,
    Event,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from bot.dialogue.intent_shortcut import intent_shortcut
from bot.dialogue.model import DialogueModel
from bot.dialogue.policies.base import Prediction
from bot.dialogue.reminders import identity, why_not_fire
from bot.dialogue.resolver import ActionResolver
from bot.dialogue.sessions import rollover_reason
from bot.dialogue.slot_filling import extract_slots
from bot.dialogue.tracker import ACTION_LISTEN, Tracker
from bot.errors import NotFound
from bot.stores.base import LockStore, TrackerStore, session_start_index
from bot.stores.fencing import FencedTurns

if TYPE_CHECKING:
    from bot.config import ActionEndpoint
    from bot.multilingual.conversation import Incoming, Multilingual

__all__ = ["Agent", "UserMessage"]

log = logging.getLogger(__name__)

MAX_PREDICTIONS = 10
MODEL_DEADLINE_S = 30.0  # a model-backed action (translate, forecast, summarize) past it: an apology
APOLOGY = "Sorry, I could not do that just now: a service I rely on is not answering. Please try again soon."
_TURN_ENDERS = (UserUtteranceReverted, Restarted, SessionStarted)


class Parser(Protocol):
    def parse(self, text: str) -> Any: ...


class ReminderSink(Protocol):
    def schedule(self, sender_id: str, reminder: ReminderScheduled) -> None: ...

    def cancel(self, sender_id: str, cancel: ReminderCancelled) -> None: ...


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
        action_endpoint: ActionEndpoint | None = None,
        reminders: ReminderSink | None = None,
        multilingual: Multilingual | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`extra_actions`: the project's own actions (custom Python, model-backed), name -> factory.
        `reminders`: where `reminder` / `cancel_reminder` events go (the server: the Redis job queue).
        `multilingual`: users in several languages (bot/multilingual). `clock`: for session expiry."""
        extra = getattr(dialogue, "extra_responses", None) or {}
        if extra:
            domain = domain.with_responses({n: parse_variations(n, v, "model") for n, v in extra.items()})
        self.domain = domain
        self.nlu = nlu
        self.dialogue = dialogue
        self.tracker_store = tracker_store
        self.lock_store = lock_store
        self.max_predictions = max_predictions
        remote = None
        if action_endpoint is not None:
            remote = ActionServerClient(action_endpoint.url, action_endpoint.timeout, action_endpoint.token)
        self.actions = ActionResolver(domain, extra_actions, remote)
        self.reminders = reminders
        self.multilingual = multilingual
        self.clock = clock
        self.turns = FencedTurns(lock_store, tracker_store)  # the lock, and the ticket fencing appends

    # ------------------------------------------------------------------ public
    def handle(self, message: UserMessage, output: OutputChannel | None = None) -> list[dict[str, Any]]:
        """Handle one user message; each reply goes to `output` (if given) and is returned."""
        with self.turns.hold(message.sender_id):
            tracker = self._tracker(message.sender_id)
            self._maybe_start_session(tracker, message.input_channel)
            incoming = self.multilingual.incoming(message, tracker.events) if self.multilingual else None
            parse_data = message.parse_data or self.parse(incoming.nlu_text if incoming else message.text)
            user = UserUttered(
                text=message.text,
                parse_data=incoming.annotate(parse_data) if incoming else parse_data,
                input_channel=message.input_channel,
                message_id=message.message_id,
                metadata=message.metadata,
            )
            if incoming is not None and incoming.reply is not None:
                bot_messages = self._reply_to_language(tracker, user, incoming, message.input_channel)
            else:
                bot_messages = self._handle_user_event(tracker, user, message.input_channel)
        if output is not None:
            for reply in bot_messages:
                output.send_response(message.sender_id, reply)
        return [{"recipient_id": message.sender_id, **m} for m in bot_messages]

    def trigger_intent(
        self,
        sender_id: str,
        intent: str,
        entities: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        input_channel: str = "external",
    ) -> tuple[Tracker, list[dict[str, Any]]]:
        """Inject an intent as if the user said it (external events, reminders) -> tracker, replies."""
        user = self._external(intent, entities, input_channel, {})
        with self.turns.hold(sender_id):
            tracker = self._tracker(sender_id)
            self._maybe_start_session(tracker, input_channel)
            said = self._handle_user_event(tracker, user, input_channel)
        return tracker, [{"recipient_id": sender_id, **m} for m in said]

    def fire_reminder(
        self, sender_id: str, reminder: ReminderScheduled, output: OutputChannel | None = None
    ) -> list[dict[str, Any]] | None:
        """Trigger a due reminder's intent unless the log says it was cancelled, killed by a user message,
        replaced or already fired (bot/dialogue/reminders.py). Checked and fired under the conversation's
        lock, so a second delivery of the same reminder does nothing. None when it did not fire, else
        the replies (also written to `output`)."""
        meta = {"reminder": identity(reminder)}
        user = self._external(reminder.intent, reminder.entities, "reminder", meta)
        with self.turns.hold(sender_id):
            tracker = self._tracker(sender_id)
            why = why_not_fire(self.tracker_store.events(sender_id), reminder)
            if why is not None:
                log.info("event=reminder.skipped sender=%s name=%s reason=%s", sender_id, reminder.name, why)
                return None
            log.info("event=reminder.fired sender=%s name=%s", sender_id, reminder.name)
            self._maybe_start_session(tracker, "reminder")
            said = self._handle_user_event(tracker, user, "reminder")
        if output is not None:
            for reply in said:
                output.send_response(sender_id, reply)
        return [{"recipient_id": sender_id, **m} for m in said]

    def parse(self, text: str) -> dict[str, Any]:
        if text.startswith("/") and len(text) > 1:
            return intent_shortcut(text)
        if self.nlu is None or not text.strip():
            return {
                "text": text,
                "intent": {"name": None, "confidence": 0.0},
                "entities": [],
                "intent_ranking": [],
            }
        return self.nlu.parse(text).to_dict()

    def tracker(self, sender_id: str) -> Tracker:  # the whole conversation, every session, as Rasa's
        return Tracker(sender_id, self.tracker_store.events(sender_id), self.domain.initial_slots())

    def append_events(self, sender_id: str, events: list[Event]) -> Tracker:
        """Posted events (checked by the caller) -> the whole conversation; `TrackerFull`: none stored."""
        with self.turns.hold(sender_id):
            tracker = self._tracker(sender_id)
            self._append(tracker, events)
            return self.tracker(sender_id)

    def action(self, name: str) -> DialogueAction:
        action = self.actions.resolve(name)
        if action is None:
            raise NotFound(
                f"action {name!r} is neither a response, a form, a built-in, a custom action, "
                "nor served by an action server (endpoints.yml action_endpoint)"
            )
        return action

    # ------------------------------------------------------------------ internals
    def _tracker(self, sender_id: str) -> Tracker:  # the latest session: what a turn predicts from
        return Tracker(sender_id, self.tracker_store.session_events(sender_id), self.domain.initial_slots())

    def _append(self, tracker: Tracker, events: list[Event]) -> None:
        if not events:
            return
        self.tracker_store.append(tracker.sender_id, events, fence=self.turns.token)
        tracker.events.extend(events)
        for event in events:
            if not isinstance(event, ReminderScheduled | ReminderCancelled):
                continue
            if self.reminders is None:  # stored, but nothing will fire it: say so
                log.error("event=reminder.no_sink sender=%s (an Agent without reminders=)", tracker.sender_id)
            elif isinstance(event, ReminderScheduled):
                self.reminders.schedule(tracker.sender_id, event)
            else:
                self.reminders.cancel(tracker.sender_id, event)

    def _handle_user_event(self, tracker: Tracker, user: UserUttered, channel: str) -> list[dict[str, Any]]:
        self._append(tracker, [user])
        self._append(tracker, list(extract_slots(tracker, self.domain)))
        said = self._run_slot_mapping_actions(tracker, channel)
        return said + self._run_actions(tracker, channel)

    def _reply_to_language(
        self, tracker: Tracker, user: UserUttered, incoming: Incoming, channel: str
    ) -> list[dict[str, Any]]:
        """A switch of language, or one the bot does not speak: answered here, no policy runs."""
        assert self.multilingual is not None
        self._append(tracker, [user])
        message = self.multilingual.direct_reply(incoming, self.domain, dict(tracker.slots), channel)
        data = {k: v for k, v in message.items() if k != "text"}
        bot = BotUttered(text=message.get("text"), data=data)
        self._append(tracker, [bot, ActionExecuted(name=ACTION_LISTEN)])
        return [message]

    def _run_slot_mapping_actions(self, tracker: Tracker, channel: str) -> list[dict[str, Any]]:
        """Actions of `custom` slot mappings and `action_validate_slot_mappings`, after each message."""
        names = [m.action for s in self.domain.slots for m in s.mappings if m.type == "custom" and m.action]
        names.append("action_validate_slot_mappings")
        said: list[dict[str, Any]] = []
        for name in dict.fromkeys(names):
            action = self.actions.resolve_custom(name)
            if action is None:
                continue
            try:
                messages, events = self._execute_action(action, name, tracker, channel)
            except ActionServerError as exc:
                log.error(
                    "event=slot_mapping_action.failed action=%s code=%s message=%s", name, exc.code, exc
                )
                continue
            bot_events = [
                BotUttered(text=m.get("text"), data={k: v for k, v in m.items() if k != "text"})
                for m in messages
            ]
            self._append(tracker, [*bot_events, *events])
            said.extend({k: v for k, v in m.items() if k != "response"} for m in messages)
        return said

    def _maybe_start_session(self, tracker: Tracker, channel: str) -> None:
        """`action_session_start` on the first message or when the session is over (dialogue/sessions)."""
        if any(isinstance(e, SessionStarted) for e in tracker.events):
            cap = getattr(self.tracker_store, "max_events", 0) or 0
            reason = rollover_reason(tracker.events, self.domain.session_config, self.clock(), cap)
            if reason is None:
                return
            log.info("event=session.rollover sender=%s reason=%s", tracker.sender_id, reason)
        said, events = self._execute("action_session_start", tracker, channel)
        # as Rasa logs it: the action, then its events (session_started, carried-over slots, listen)
        self._append(tracker, [ActionExecuted(name="action_session_start", confidence=1.0), *events])
        del tracker.events[: session_start_index(tracker.events) or 0]

    def _run_actions(self, tracker: Tracker, channel: str) -> list[dict[str, Any]]:
        said: list[dict[str, Any]] = []
        excluded: set[str] = set()
        try:
            for _ in range(self.max_predictions):
                followup = tracker.state().followup_action
                if followup:
                    prediction = Prediction(followup, 1.0, "followup")
                else:
                    prediction = self.dialogue.predict(tracker, self.domain, frozenset(excluded))
                if prediction.action == ACTION_LISTEN:
                    break
                if prediction.events:  # e.g. LoopInterrupted: the form must not validate this answer
                    self._append(tracker, list(prediction.events))
                try:
                    messages, events = self._execute(prediction.action, tracker, channel)
                except ActionServerError as exc:  # apologise, store nothing of the action, end the turn
                    said.extend(self._fail(tracker, prediction.action, exc, channel))
                    break
                if len(events) == 1 and isinstance(events[0], ActionExecutionRejected):
                    self._append(tracker, events)
                    excluded.add(prediction.action)
                    continue
                excluded.clear()
                leading = ActionExecuted(
                    name=prediction.action, policy=prediction.policy, confidence=prediction.confidence
                )
                bot_events = [
                    BotUttered(text=m.get("text"), data={k: v for k, v in m.items() if k != "text"})
                    for m in messages
                ]
                self._append(tracker, [leading, *bot_events, *events])
                said.extend({k: v for k, v in m.items() if k != "response"} for m in messages)
                if any(isinstance(e, _TURN_ENDERS) for e in events):
                    break
            else:
                log.warning(
                    "event=agent.max_predictions sender=%s limit=%d", tracker.sender_id, self.max_predictions
                )
        finally:
            self._append(tracker, [ActionExecuted(name=ACTION_LISTEN)])
        return said

    def _execute(self, name: str, tracker: Tracker, channel: str) -> tuple[list[dict[str, Any]], list[Event]]:
        return self._execute_action(self.action(name), name, tracker, channel)

    def _execute_action(
        self, action: DialogueAction, name: str, tracker: Tracker, channel: str
    ) -> tuple[list[dict[str, Any]], list[Event]]:
        language = self.multilingual.outgoing(tracker.events) if self.multilingual else None
        dispatcher = Dispatcher(self.domain, dict(tracker.slots), channel, language=language)
        run = partial(action.run, dispatcher, tracker, self.domain)
        try:  # a model-backed action past its deadline fails as an action server does: an apology
            raw = call_with_deadline(name, MODEL_DEADLINE_S, run) if name in MODEL_BACKED else run()
        except DeadlineExceeded as exc:
            raise ActionServerError(exc.message) from exc
        return dispatcher.messages, events_from_json(list(raw or []), name)

    def _fail(self, tracker: Tracker, name: str, exc: ActionServerError, channel: str) -> list[dict]:
        """The action server failed: say the fallback response and record why (on the bot event only)."""
        sender, code = tracker.sender_id, exc.code
        log.error("event=action.failed sender=%s action=%s code=%s message=%s", sender, name, code, exc)
        language = self.multilingual.outgoing(tracker.events) if self.multilingual else None
        if language is not None:  # in the user's language too
            slots = dict(tracker.slots)
            message = language.builtin(self.domain, "utter_action_failed", APOLOGY, slots, channel)
        else:
            message = self.domain.render("utter_action_failed", tracker.slots, channel) or {"text": APOLOGY}
        self._append(
            tracker,
            [
                BotUttered(
                    text=message.get("text"),
                    data={k: v for k, v in message.items() if k != "text"},
                    metadata={"failed_action": name, "error": str(code)},
                )
            ],
        )
        return [message]

    def _external(
        self,
        intent: str,
        entities: dict[str, Any] | list[dict[str, Any]] | None,
        channel: str,
        metadata: dict[str, Any],
    ) -> UserUttered:
        """The user event of an injected intent (trigger_intent, reminders), marked `is_external`."""
        if not self.domain.is_known_intent(intent):
            raise NotFound(
                f"intent {intent!r} is not in the domain; known: {', '.join(self.domain.intent_names)}"
            )
        if isinstance(entities, dict):
            entity_list = [{"entity": k, "value": v} for k, v in entities.items()]
        else:
            entity_list = list(entities or [])
        parse = {
            "text": f"EXTERNAL: {intent}",
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entity_list,
            "intent_ranking": [{"name": intent, "confidence": 1.0}],
        }
        return UserUttered(
            text=parse["text"],
            parse_data=parse,
            input_channel=channel,
            metadata={"is_external": True, **metadata},
        )
