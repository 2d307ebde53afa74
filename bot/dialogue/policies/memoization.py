"""Memoization: remembers the stories. The last `max_history` states -> the action the stories took.

`MemoizationPolicy` matches the history exactly (padded at the conversation's start, so an opening is
only recalled as an opening). `AugmentedMemoizationPolicy` also remembers every shorter tail of each
history and, when the full history is unknown, recalls the longest known tail: a story learnt in one
conversation then applies after detours (a form's questions, an earlier topic) too. A history that
the stories continue in two different ways is forgotten rather than guessed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.dialogue.domain import Domain
from bot.dialogue.policies.base import Prediction
from bot.dialogue.states import State, tracker_trajectory, trajectory
from bot.dialogue.stories import DialogueData, steps_to_events, story_paths
from bot.dialogue.tracker import Tracker

_AMBIGUOUS = ""
_START = "<start>"


@dataclass(frozen=True)
class MemoizationPolicyConfig:
    priority: int = 3
    max_history: int = 5


def _key(states: Sequence[State], max_history: int, *, padded: bool) -> str:
    window = [sorted(s) for s in states[-max_history:]]
    if padded and len(window) < max_history:
        window = [[_START]] + window
    return json.dumps(window, separators=(",", ":"))


class MemoizationPolicy:
    name = "MemoizationPolicy"
    augmented = False

    def __init__(
        self,
        config: MemoizationPolicyConfig | None = None,
        lookup: dict[str, str] | None = None,
        tails: dict[str, str] | None = None,
    ) -> None:
        self.config = config or MemoizationPolicyConfig()
        self.priority = self.config.priority
        self.lookup = lookup or {}
        self.tails = tails or {}

    def train(self, data: DialogueData, domain: Domain) -> dict[str, Any]:
        self.lookup, self.tails = {}, {}
        mh = self.config.max_history
        for _, steps in story_paths(data.stories):
            pairs = trajectory(steps_to_events(steps), domain).pairs
            states = [s for s, _ in pairs]
            for i, (_, action) in enumerate(pairs):
                history = states[: i + 1]
                _remember(self.lookup, _key(history, mh, padded=True), action)
                if self.augmented:
                    for length in range(1, min(mh, len(history)) + 1):
                        _remember(self.tails, _key(history[-length:], length, padded=False), action)
        return {"memorized": sum(1 for a in self.lookup.values() if a != _AMBIGUOUS)}

    def predict(
        self, tracker: Tracker, domain: Domain, excluded: frozenset[str] = frozenset()
    ) -> Prediction | None:
        states = tracker_trajectory(tracker, domain).states
        mh = self.config.max_history
        action = self.lookup.get(_key(states, mh, padded=True))
        if not action and self.augmented:
            for length in range(min(mh, len(states)), 0, -1):
                action = self.tails.get(_key(states[-length:], length, padded=False))
                if action is not None:
                    break
        if not action or action in excluded:
            return None
        return Prediction(action, 1.0, self.name, self.priority)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        raw = {"config": asdict(self.config), "lookup": self.lookup, "tails": self.tails}
        (directory / f"{self.file_stem}.json").write_text(json.dumps(raw))

    file_stem = "memoization"

    @classmethod
    def load(cls, directory: Path, config: MemoizationPolicyConfig | None = None) -> MemoizationPolicy:
        raw = json.loads((directory / f"{cls.file_stem}.json").read_text())
        return cls(config, raw["lookup"], raw["tails"])


class AugmentedMemoizationPolicy(MemoizationPolicy):
    name = "AugmentedMemoizationPolicy"
    augmented = True
    file_stem = "augmented_memoization"


def _remember(table: dict[str, str], key: str, action: str) -> None:
    known = table.get(key)
    if known is None:
        table[key] = action
    elif known != action:
        table[key] = _AMBIGUOUS
