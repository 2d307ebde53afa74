"""Remote actions over Rasa's action-server protocol (rasa_sdk's `POST /webhook`).

    request   {"next_action", "sender_id", "tracker": <tracker JSON>, "domain": <domain JSON>, "version"}
    response  200 {"events": [...], "responses": [...]}
              400 {"action_name", "error"}   the action rejected the message (ActionExecutionRejection)
              404 {"action_name", "error"}   the server has no such action

A timeout, a refused connection, a 5xx or a 404 raise `ActionServerError`; the agent then answers with
the fallback response and keeps the conversation's log consistent (nothing of the failed action stored).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from actions.base import Dispatcher
from actions.protocol import apply_responses, events_from_json
from bot.errors import ActionServerError

if TYPE_CHECKING:
    from bot.dialogue.domain import Domain
    from bot.dialogue.events import Event
    from bot.dialogue.tracker import Tracker

log = logging.getLogger(__name__)

PROTOCOL_VERSION = "3.6.0"  # the Rasa version the request claims; rasa_sdk only logs a mismatch


class ActionNotOnServer(ActionServerError):
    code = "action_not_found"


@dataclass
class ActionServerClient:
    url: str
    timeout: float = 10.0
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    _domain_cache: tuple[int, dict[str, Any]] | None = field(default=None, repr=False)

    def call(self, name: str, tracker: Tracker, domain: Domain) -> dict[str, Any]:
        """POST the action call; the decoded 200 body, `{"rejected": True}` on 400, or ActionServerError."""
        if self._domain_cache is None or self._domain_cache[0] != id(domain):
            self._domain_cache = (id(domain), domain.to_rasa_dict())
        body = {
            "next_action": name,
            "sender_id": tracker.sender_id,
            "tracker": tracker.to_dict(),
            "domain": self._domain_cache[1],
            "version": PROTOCOL_VERSION,
        }
        params = {"token": self.token} if self.token else None
        where = self.url.split("@")[-1]
        try:
            reply = self.session.post(self.url, json=body, timeout=self.timeout, params=params)
        except requests.Timeout as exc:
            raise ActionServerError(
                f"the action server at {where} did not answer {name!r} within {self.timeout:g} s"
            ) from exc
        except requests.RequestException as exc:
            raise ActionServerError(
                f"the action server at {where} cannot be reached for {name!r} ({exc.__class__.__name__})"
            ) from exc
        if reply.status_code == 404:
            raise ActionNotOnServer(
                f"the action server at {where} has no action {name!r} (404); "
                "add it to the actions module or remove it from the domain"
            )
        if reply.status_code == 400:
            log.info("event=remote_action.rejected action=%s", name)
            return {"rejected": True}
        if reply.status_code != 200:
            raise ActionServerError(
                f"the action server at {where} failed on {name!r} "
                f"(HTTP {reply.status_code}: {reply.text[:200]})"
            )
        try:
            data = reply.json()
        except ValueError as exc:
            raise ActionServerError(f"the action server answered {name!r} with non-JSON") from exc
        if not isinstance(data, dict):
            raise ActionServerError(
                f"the action server answered {name!r} with {type(data).__name__}, not an object"
            )
        return data


class RemoteAction:
    """An action that runs on the action server."""

    def __init__(self, action_name: str, client: ActionServerClient) -> None:
        self._name = action_name
        self.client = client

    def name(self) -> str:
        return self._name

    def run(self, dispatcher: Dispatcher, tracker: Tracker, domain: Domain) -> list[Event]:
        from bot.dialogue.events import ActionExecutionRejected, SlotSet

        data = self.client.call(self._name, tracker, domain)
        if data.get("rejected"):
            return [ActionExecutionRejected(name=self._name)]
        try:
            events = events_from_json(data.get("events"), self._name)
        except ValueError as exc:
            raise ActionServerError(str(exc)) from exc
        slots = dict(tracker.slots)
        slots.update({e.name: e.value for e in events if isinstance(e, SlotSet)})
        apply_responses(data.get("responses"), dispatcher, slots)
        return events
