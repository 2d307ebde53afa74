"""The action interface, close to `rasa_sdk`: `name()` and `run(dispatcher, tracker, domain) -> events`.

Actions see the conversation through the tracker and domain data types of `bot.dialogue` (plain
dataclasses, no server), and speak through a `Dispatcher`, which collects messages like rasa_sdk's
`CollectingDispatcher`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.dialogue.domain import Domain
    from bot.dialogue.events import Event
    from bot.dialogue.tracker import Tracker


@dataclass
class Dispatcher:
    """Collects what an action says. `response=` names a domain response, filled from the slots."""

    domain: Domain
    slots: dict[str, Any]
    channel: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)

    def utter_message(
        self,
        text: str | None = None,
        *,
        response: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        image: str | None = None,
        json_message: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        message: dict[str, Any] = {}
        if response is not None:
            rendered = self.domain.render(response, {**self.slots, **kwargs}, self.channel)
            if rendered is None:
                raise KeyError(f"response {response!r} is not in the domain")
            message.update(rendered)
            message["response"] = response
        if text is not None:
            message["text"] = text
        if buttons:
            message["buttons"] = buttons
        if image:
            message["image"] = image
        if json_message:
            message["custom"] = json_message
        if message:
            self.messages.append(message)


class Action(Protocol):
    def name(self) -> str: ...

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]: ...
