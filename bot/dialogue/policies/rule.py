"""Rule policy: replays the rules in `data/rules.yml` exactly; falls back when no rule applies.

A rule `[intent: greet, action: utter_greet]` means: after the user says `greet`, run `utter_greet`,
then listen. The policy looks at the turn in progress (the last user message and the actions run since)
and finds the rule whose steps match it as a prefix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.dialogue.domain import Domain
from bot.dialogue.events import ActionExecuted, UserUttered
from bot.dialogue.policies.base import Prediction
from bot.dialogue.stories import DialogueData
from bot.dialogue.tracker import ACTION_LISTEN, Tracker

DEFAULT_FALLBACK = "action_default_fallback"


@dataclass(frozen=True)
class RulePolicyConfig:
    priority: int = 6
    core_fallback_action_name: str = DEFAULT_FALLBACK
    core_fallback_threshold: float = 0.3
    enable_fallback_prediction: bool = True


class RulePolicy:
    name = "RulePolicy"

    def __init__(self, config: RulePolicyConfig | None = None, turns: dict[str, list[str]] | None = None) -> None:
        self.config = config or RulePolicyConfig()
        self.priority = self.config.priority
        self.turns: dict[str, list[str]] = turns or {}  # intent -> actions after it

    def train(self, data: DialogueData, domain: Domain) -> None:
        for rule in data.rules:
            steps = list(rule.steps)
            for i, step in enumerate(steps):
                if step.kind != "intent" or step.name is None:
                    continue
                actions = []
                for nxt in steps[i + 1 :]:
                    if nxt.kind != "action" or nxt.name is None:
                        break
                    actions.append(nxt.name)
                if actions:
                    self.turns.setdefault(step.name, actions)

    def predict(self, tracker: Tracker, domain: Domain) -> Prediction | None:
        latest, done = _turn_in_progress(tracker)
        if latest is None:
            return None
        planned = self.turns.get(latest.intent_name or "")
        if planned is not None:
            if done == planned[: len(done)] and len(done) < len(planned):
                return Prediction(planned[len(done)], 1.0, self.name, self.priority)
            return Prediction(ACTION_LISTEN, 1.0, self.name, self.priority)
        if not self.config.enable_fallback_prediction:
            return None
        if not done:
            return Prediction(self.config.core_fallback_action_name, self.config.core_fallback_threshold,
                              self.name, self.priority)
        return Prediction(ACTION_LISTEN, 1.0, self.name, self.priority)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "rule_policy.json").write_text(json.dumps({"turns": self.turns}, indent=2))

    @classmethod
    def load(cls, directory: Path, config: RulePolicyConfig | None = None) -> RulePolicy:
        raw = json.loads((directory / "rule_policy.json").read_text())
        return cls(config, raw["turns"])


def _turn_in_progress(tracker: Tracker) -> tuple[UserUttered | None, list[str]]:
    """The last user message and the actions (other than listen) run after it."""
    done: list[str] = []
    for event in reversed(tracker.events_after_latest_restart()):
        if isinstance(event, UserUttered):
            return event, list(reversed(done))
        if isinstance(event, ActionExecuted) and event.name != ACTION_LISTEN:
            done.append(event.name)
    return None, []
