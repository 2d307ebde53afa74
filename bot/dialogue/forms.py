"""Forms (Rasa's loops): ask for each required slot until all are filled, validating what the user gave.

One run of a form action, after the user spoke:
  1. activation (first run): `active_loop` is set; slots with a `from_trigger_intent` mapping for the
     message's intent are filled;
  2. validation (only right after a user message that did not interrupt the form): the slots this
     message filled are handed to `validate_<form>` (a custom or remote action, rasa_sdk's
     FormValidationAction), which may clear them (`None` = ask again) or set others. If the form had
     asked for a slot and the message filled none of the form's slots, the form *rejects* the message
     (ActionExecutionRejected) so that rules and stories can handle it (an interruption);
  3. the next empty required slot is requested (`requested_slot`) with `action_ask_<slot>` /
     `utter_ask_<form>_<slot>` / `utter_ask_<slot>`; with none left the form deactivates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.dialogue.dispatcher import DialogueAction, Dispatcher
from bot.dialogue.domain import REQUESTED_SLOT, Domain
from bot.dialogue.events import ActionExecutionRejected, ActiveLoop, Event, SlotSet, UserUttered
from bot.dialogue.tracker import ACTION_LISTEN, Tracker

log = logging.getLogger(__name__)


class FormAction:
    def __init__(self, form_name: str, resolve: Callable[[str], DialogueAction | None]) -> None:
        self._name = form_name
        self.resolve = resolve  # a custom/remote action by name, or None

    def name(self) -> str:
        return self._name

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        from bot.dialogue.events import SlotSet

        form = domain.forms[self._name]
        state = tracker.state()
        activating = state.active_loop != self._name
        events: list[Event] = []
        if activating:
            events.append(ActiveLoop(name=self._name))
            events.extend(self._trigger_intent_slots(tracker, domain))
        needs_validation = activating or (state.latest_action == ACTION_LISTEN and not state.loop_interrupted)
        if needs_validation:
            candidates = _slots_set_since_user(tracker, form.required_slots)
            candidates += [e for e in events if isinstance(e, SlotSet)]
            requested = state.slots.get(REQUESTED_SLOT)
            if not activating and requested and not candidates:
                return [ActionExecutionRejected(name=self._name)]
            validator = self.resolve(f"validate_{self._name}")
            if validator is not None and candidates:
                probe = tracker.copy_with([*events, *candidates])  # rasa_sdk validates the trailing SlotSets
                result = validator.run(dispatcher, probe, domain)
                if any(isinstance(e, ActionExecutionRejected) for e in result):
                    return [ActionExecutionRejected(name=self._name)]
                events.extend(result)
        slots = dict(tracker.slots)
        slots.update({e.name: e.value for e in events if isinstance(e, SlotSet)})
        chosen = [e for e in events if isinstance(e, SlotSet) and e.name == REQUESTED_SLOT]
        if chosen:
            next_slot = chosen[-1].value
        else:
            next_slot = next((s for s in form.required_slots if slots.get(s) is None), None)
        if next_slot is None:
            events.extend([SlotSet(name=REQUESTED_SLOT, value=None), ActiveLoop(name=None)])
            return events
        if not chosen:
            events.append(SlotSet(name=REQUESTED_SLOT, value=next_slot))
        events.extend(self._ask(str(next_slot), dispatcher, tracker.copy_with(events), domain))
        return events

    def _ask(self, slot: str, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        for action_name in (f"action_ask_{self._name}_{slot}", f"action_ask_{slot}"):
            action = self.resolve(action_name)
            if action is not None:
                return list(action.run(dispatcher, tracker, domain))
        for response in (f"utter_ask_{self._name}_{slot}", f"utter_ask_{slot}"):
            if response in domain.responses:
                dispatcher.slots = dict(tracker.slots)
                dispatcher.utter_message(response=response)
                return []
        log.warning("event=form.no_question form=%s slot=%s (add utter_ask_%s)", self._name, slot, slot)
        return []

    def _trigger_intent_slots(self, tracker: Tracker, domain: Domain) -> list[Event]:

        latest = tracker.latest_message
        intent = latest.intent_name if latest is not None else None
        out: list[Event] = []
        for name in domain.forms[self._name].required_slots:
            spec = domain.slot(name)
            for mapping in spec.mappings if spec is not None else ():
                if mapping.type != "from_trigger_intent":
                    continue
                if (mapping.intent and intent not in mapping.intent) or intent in mapping.not_intent:
                    continue
                out.append(SlotSet(name=name, value=mapping.value))
                break
        return out


def _slots_set_since_user(tracker: Tracker, required: tuple[str, ...]) -> list[Any]:

    out: list[Any] = []
    for event in reversed(tracker.events_after_latest_restart()):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, SlotSet) and event.name in required:
            out.append(event)
    return list(reversed(out))
