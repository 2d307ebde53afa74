"""Small projects written in the tests, trained in-process; agents on in-memory stores (logic tests only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.agent import Agent, UserMessage
from bot.dialogue.domain import load_domain
from bot.dialogue.model import DialogueModel, train_dialogue
from bot.stores.memory import InMemoryLockStore, InMemoryTrackerStore


class Bot:
    """An agent over a project folder, with `say()` returning the texts of the replies."""

    def __init__(self, root: Path, policies: list[dict], **agent_kwargs) -> None:
        self.root = root
        self.domain = load_domain(root / "domain.yml")
        self.outcome = train_dialogue(
            policies,
            self.domain,
            [root / "data"],
            root / "models",
            config_source=root / "config.yml",
            force=True,
        )
        self.model = DialogueModel.load(root / "models")
        self.agent = Agent(
            self.domain, None, self.model, InMemoryTrackerStore(), InMemoryLockStore(), **agent_kwargs
        )

    def say(self, text: str, sender: str = "u") -> list[str | None]:
        return [m.get("text") for m in self.agent.handle(UserMessage(text=text, sender_id=sender))]

    def actions(self, sender: str = "u") -> list[str]:
        from bot.dialogue.events import ActionExecuted

        return [
            e.name
            for e in self.agent.tracker(sender).events_after_latest_restart()
            if isinstance(e, ActionExecuted) and e.name != "action_listen"
        ]


def write_project(root: Path, domain: str, data: dict[str, str]) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "domain.yml").write_text(domain)
    for name, text in data.items():
        (root / "data" / name).write_text(text)
    (root / "config.yml").write_text("language: en\n")
    return root


@pytest.fixture
def make_bot(tmp_path: Path):
    def build(domain: str, data: dict[str, str], policies: list[dict] | None = None, **kwargs) -> Bot:
        root = write_project(tmp_path / f"p{len(list(tmp_path.iterdir()))}", domain, data)
        return Bot(root, policies or [{"name": "RulePolicy"}], **kwargs)

    return build
