"""Actions every assistant has: responses (`utter_*`), listen, restart, session start, default fallback."""

from __future__ import annotations

from bot.dialogue.dispatcher import Dispatcher
from bot.dialogue.domain import REQUESTED_SLOT, Domain
from bot.dialogue.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
)
from bot.dialogue.tracker import Tracker


class ResponseAction:
    """`utter_x`: say a variation of domain response `utter_x`."""

    def __init__(self, response: str) -> None:
        self._name = response

    def name(self) -> str:
        return self._name

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        dispatcher.utter_message(response=self._name)
        return []


class ListenAction:
    def name(self) -> str:
        return "action_listen"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        return []


class RestartAction:
    def name(self) -> str:
        return "action_restart"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:

        if "utter_restart" in domain.responses:
            dispatcher.utter_message(response="utter_restart")
        return [Restarted()]


class SessionStartAction:
    """Starts a session; carries slots over when the domain's session_config says so."""

    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:

        events: list[Event] = [SessionStarted()]
        if domain.session_config.carry_over_slots_to_new_session:
            initial = domain.initial_slots()
            for name, value in tracker.slots.items():
                if name != REQUESTED_SLOT and value != initial.get(name):
                    events.append(SlotSet(name=name, value=value))
        events.append(ActionExecuted(name="action_listen"))
        return events


class DefaultFallbackAction:
    """Says `utter_default` (or a plain apology) and rewinds the user turn it could not handle."""

    def name(self) -> str:
        return "action_default_fallback"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:

        if "utter_default" in domain.responses:
            dispatcher.utter_message(response="utter_default")
        else:
            dispatcher.utter_message(text="Sorry, I didn't get that. Could you rephrase?")
        return [UserUtteranceReverted()]


class DeactivateLoopAction:
    def name(self) -> str:
        return "action_deactivate_loop"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:

        return [ActiveLoop(name=None), SlotSet(name=REQUESTED_SLOT, value=None)]


class BackAction:
    """`/back`: undo the user's last turn and the one before (Rasa's action_back)."""

    def name(self) -> str:
        return "action_back"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:

        if "utter_back" in domain.responses:
            dispatcher.utter_message(response="utter_back")
        return [UserUtteranceReverted(), UserUtteranceReverted()]


class TwoStageFallbackAction(DefaultFallbackAction):
    """Asks the user to rephrase (`utter_ask_rephrase`, else `utter_default`) and forgets the unclear turn.

    A simplification of Rasa's two-stage fallback loop: one stage, no affirmation buttons.
    """

    def name(self) -> str:
        return "action_two_stage_fallback"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:

        if "utter_ask_rephrase" in domain.responses:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return [UserUtteranceReverted()]
        return super().run(dispatcher, tracker, domain)


class RetrievalAction:
    """`utter_chitchat`: the `utter_chitchat/<sub-intent>` response for the NLU's retrieval intent."""

    def __init__(self, name: str) -> None:
        self._name = name

    def name(self) -> str:
        return self._name

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        base = self._name[len("utter_") :]
        latest = tracker.latest_message
        parse = latest.parse_data if latest is not None else {}
        key = None
        found = parse.get("response_selector") or {}
        selector = found.get(base) or found.get("default") or {}  # Rasa: the retrieval intent's, else default
        key = (selector.get("response") or {}).get("intent_response_key") or (parse.get("intent") or {}).get(
            "full_retrieval_intent_name"
        )
        intent = (parse.get("intent") or {}).get("name") or ""
        if key is None and "/" in intent:
            key = intent
        options = sorted(r for r in domain.responses if r.startswith(f"{self._name}/"))
        chosen = (
            f"utter_{key}"
            if key and f"utter_{key}" in domain.responses
            else (options[0] if options else None)
        )
        if chosen is not None:
            dispatcher.utter_message(response=chosen)
        return []


BUILTIN_ACTIONS = {
    "action_listen": ListenAction,
    "action_restart": RestartAction,
    "action_session_start": SessionStartAction,
    "action_default_fallback": DefaultFallbackAction,
    "action_deactivate_loop": DeactivateLoopAction,
    "action_back": BackAction,
    "action_two_stage_fallback": TwoStageFallbackAction,
    "action_default_ask_rephrase": TwoStageFallbackAction,
}
