"""Which action runs for a name: custom and model-backed ones, built-ins, forms, responses, remote.

1. actions the project brings (custom Python actions, switched-on model-backed actions)
2. Rasa's built-in actions (action_listen, action_restart, ...)
3. forms of the domain
4. responses (`utter_*`) and retrieval responses (`utter_faq` for `utter_faq/<key>`)
5. anything else goes to the action server, when `endpoints.yml` names one
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from actions.remote import ActionServerClient, RemoteAction
from actions.sdk import Action
from bot.dialogue.builtin_actions import BUILTIN_ACTIONS, ResponseAction, RetrievalAction
from bot.dialogue.dispatcher import DialogueAction, SdkAction
from bot.dialogue.domain import Domain
from bot.dialogue.forms import FormAction


class ActionResolver:
    def __init__(
        self,
        domain: Domain,
        project_actions: dict[str, Callable[[], Action]] | None = None,
        remote: ActionServerClient | None = None,
    ) -> None:
        self.domain = domain
        self.project_actions = project_actions or {}
        self.remote = remote
        self._domain_json: dict[str, Any] | None = None

    def domain_json(self) -> dict[str, Any]:
        if self._domain_json is None:
            self._domain_json = self.domain.to_rasa_dict()
        return self._domain_json

    def resolve(self, name: str) -> DialogueAction | None:
        if name in self.project_actions:
            return SdkAction(self.project_actions[name](), self.domain_json)
        if name in BUILTIN_ACTIONS:
            return BUILTIN_ACTIONS[name]()
        if name in self.domain.forms:
            return FormAction(name, self.resolve_custom)
        if name in self.domain.responses:
            return ResponseAction(name)
        if any(r.startswith(f"{name}/") for r in self.domain.responses):
            return RetrievalAction(name)
        if self.remote is not None:
            return SdkAction(RemoteAction(name, self.remote), self.domain_json)
        return None

    def resolve_custom(self, name: str) -> DialogueAction | None:
        """Validation and ask actions of forms: local custom ones, else remote ones the domain lists."""
        if name in self.project_actions:
            return SdkAction(self.project_actions[name](), self.domain_json)
        if self.remote is not None and name in self.domain.actions:
            return SdkAction(RemoteAction(name, self.remote), self.domain_json)
        return None
