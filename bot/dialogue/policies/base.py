"""The policy interface and the prediction it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bot.dialogue.domain import Domain
from bot.dialogue.stories import DialogueData
from bot.dialogue.tracker import Tracker


@dataclass(frozen=True)
class Prediction:
    action: str
    confidence: float
    policy: str
    priority: int = 0
    events: tuple[Any, ...] = field(default=())


class Policy(Protocol):
    name: str
    priority: int

    def train(self, data: DialogueData, domain: Domain) -> None: ...

    def predict(self, tracker: Tracker, domain: Domain) -> Prediction | None: ...

    def save(self, directory: Path) -> None: ...
