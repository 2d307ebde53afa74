"""Actions every assistant has: responses (`utter_*`), listen, restart, session start, default fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from actions.base import Dispatcher

if TYPE_CHECKING:
    from bot.dialogue.domain import Domain
    from bot.dialogue.events import Event
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
        from bot.dialogue.events import Restarted

        if "utter_restart" in domain.responses:
            dispatcher.utter_message(response="utter_restart")
        return [Restarted()]


class SessionStartAction:
    """Starts a session; carries slots over when the domain's session_config says so."""

    def name(self) -> str:
        return "action_session_start"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        from bot.dialogue.events import ActionExecuted, SessionStarted, SlotSet

        events: list[Event] = [SessionStarted()]
        if domain.session_config.carry_over_slots_to_new_session:
            initial = domain.initial_slots()
            for name, value in tracker.slots.items():
                if value != initial.get(name):
                    events.append(SlotSet(name=name, value=value))
        events.append(ActionExecuted(name="action_listen"))
        return events


class DefaultFallbackAction:
    """Says `utter_default` (or a plain apology) and rewinds the user turn it could not handle."""

    def name(self) -> str:
        return "action_default_fallback"

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        from bot.dialogue.events import UserUtteranceReverted

        if "utter_default" in domain.responses:
            dispatcher.utter_message(response="utter_default")
        else:
            dispatcher.utter_message(text="Sorry, I didn't get that. Could you rephrase?")
        return [UserUtteranceReverted()]


BUILTIN_ACTIONS = {
    "action_listen": ListenAction,
    "action_restart": RestartAction,
    "action_session_start": SessionStartAction,
    "action_default_fallback": DefaultFallbackAction,
}
