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
from typing import Any

import requests

from actions.errors import ActionNotOnServer, ActionServerError
from actions.sdk import Action, ActionRejected, CollectingDispatcher, EventDict, Tracker

log = logging.getLogger(__name__)

PROTOCOL_VERSION = "3.6.0"  # the Rasa version the request claims; rasa_sdk only logs a mismatch


@dataclass
class ActionServerClient:
    url: str
    timeout: float = 10.0
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def call(self, name: str, tracker: dict[str, Any], domain: dict[str, Any]) -> dict[str, Any]:
        """POST the action call; the decoded 200 body, `{"rejected": True}` on 400, or ActionServerError."""
        body = {
            "next_action": name,
            "sender_id": tracker.get("sender_id"),
            "tracker": tracker,
            "domain": domain,
            "version": PROTOCOL_VERSION,
        }
        params = {"token": self.token} if self.token else None
        where = self.url.split("@")[-1].split("?")[0]
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


class RemoteAction(Action):
    """An action that runs on the action server: its responses go to the dispatcher, its events back."""

    def __init__(self, action_name: str, client: ActionServerClient) -> None:
        self._name = action_name
        self.client = client

    def name(self) -> str:
        return self._name

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventDict]:
        data = self.client.call(self._name, tracker.current_state(), domain)
        if data.get("rejected"):
            raise ActionRejected(self._name)
        events = data.get("events")
        if events is not None and not isinstance(events, list):
            raise ActionServerError(
                f"the action server answered {self._name!r} with {type(events).__name__} for events, "
                "expected a list"
            )
        responses = data.get("responses") or []
        if not isinstance(responses, list):
            raise ActionServerError(f"the action server answered {self._name!r} with non-list responses")
        dispatcher.messages.extend(r for r in responses if isinstance(r, dict))
        return list(events or [])
