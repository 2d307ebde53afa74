"""Rule policy: rules from `data/rules.yml`, form (loop) handling, and the core fallback.

Each rule becomes entries `(states, action)`: the partial states a conversation must show, newest last,
for the rule to predict `action`. A partial state holds only what the rule says (its intent, the action
before, `slot_was_set`, `active_loop`, conditions); it matches a conversation state that contains it.
Rules without `conversation_start` match the end of any history; with it, the whole session.
`wait_for_user_input: false` leaves out the listen a rule otherwise ends with.

Order of prediction, as Rasa's RulePolicy:
  1. default intents (`/restart`, `/session_start`, `/back`) -> their actions;
  2. an active form that did not reject the message: run the form after the user spoke or after an
     interruption, listen after the form asked (unless stories show the user is asked something else);
  3. the most specific matching rule;
  4. nothing matched -> the core fallback action at `core_fallback_threshold` confidence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.dialogue.domain import Domain
from bot.dialogue.events import LoopInterrupted
from bot.dialogue.policies.base import Prediction
from bot.dialogue.states import State, slot_feature, tracker_trajectory, trajectory
from bot.dialogue.stories import DialogueData, Step, StoryBlock, steps_to_events, story_paths
from bot.dialogue.tracker import ACTION_LISTEN, Tracker

DEFAULT_FALLBACK = "action_default_fallback"
DEFAULT_INTENT_ACTIONS = {
    "restart": "action_restart",
    "session_start": "action_session_start",
    "back": "action_back",
}
RASA_IGNORED_OPTIONS = frozenset(
    {"restrict_rules", "check_for_contradictions", "use_nlu_confidence_as_score"}
)


@dataclass(frozen=True)
class RulePolicyConfig:
    priority: int = 6
    core_fallback_action_name: str = DEFAULT_FALLBACK
    core_fallback_threshold: float = 0.3
    enable_fallback_prediction: bool = True


@dataclass(frozen=True)
class RuleEntry:
    states: tuple[State, ...]
    action: str
    anchored: bool  # conversation_start: the states must be the whole session
    rule: str

    def matches(self, history: Sequence[State]) -> bool:
        n = len(self.states)
        if n > len(history) or (self.anchored and n != len(history)):
            return False
        return all(want <= have for want, have in zip(self.states, history[len(history) - n :], strict=True))

    @property
    def specificity(self) -> tuple[int, int]:
        """Rasa keeps the matching rule with the longest key: the most conditions win, then the most
        turns (an active loop + an entity beat a longer rule that asks less)."""
        return sum(len(s) for s in self.states), len(self.states)


class RulePolicy:
    name = "RulePolicy"

    def __init__(
        self,
        config: RulePolicyConfig | None = None,
        entries: list[RuleEntry] | None = None,
        no_loop: set[tuple[str, str, str]] | None = None,
        continue_loop: set[tuple[str, str, str]] | None = None,
    ) -> None:
        self.config = config or RulePolicyConfig()
        self.priority = self.config.priority
        self.entries = entries or []
        # (loop, previous action, intent) after which stories listen instead of returning to the form.
        self.no_loop = no_loop or set()
        # (loop, action before the user spoke, intent) after which stories return to the form without
        # validating the answer: the user answered a question that was not the form's.
        self.continue_loop = continue_loop or set()

    # ------------------------------------------------------------------ training
    def train(self, data: DialogueData, domain: Domain) -> dict[str, Any]:
        self.entries = []
        for block, steps in story_paths(data.rules):
            self.entries.extend(rule_entries(block, steps, domain))
        self.no_loop, self.continue_loop = set(), set()
        for _, steps in story_paths(data.stories):
            pairs = trajectory(steps_to_events(steps), domain, rules=True).pairs
            for (before, _), (state, action) in zip(pairs, pairs[1:], strict=False):
                loop = _feature(state, "loop")
                prev = _feature(state, "prev")
                if not loop or loop == "null":
                    continue
                if prev not in (None, loop, ACTION_LISTEN) and action != loop:
                    self.no_loop.add((loop, prev or "", _feature(state, "intent") or ""))
                if prev == ACTION_LISTEN and action == loop and _feature(before, "prev") not in (None, loop):
                    self.continue_loop.add(
                        (loop, _feature(before, "prev") or "", _feature(state, "intent") or "")
                    )
        return {"rules": len(data.rules), "rule_entries": len(self.entries)}

    # ------------------------------------------------------------------ prediction
    def predict(
        self, tracker: Tracker, domain: Domain, excluded: frozenset[str] = frozenset()
    ) -> Prediction | None:
        state = tracker.state()
        latest_intent = state.latest_message.intent_name if state.latest_message is not None else None
        if state.latest_action == ACTION_LISTEN and latest_intent in DEFAULT_INTENT_ACTIONS:
            return self._sure(DEFAULT_INTENT_ACTIONS[latest_intent], excluded)
        loop = state.active_loop
        if loop is not None and not state.loop_rejected and loop not in excluded:
            if state.latest_action == loop:
                return self._sure(ACTION_LISTEN, excluded)
            states = tracker_trajectory(tracker, domain, rules=True).states
            current = states[-1]
            intent = _feature(current, "intent") or ""
            if state.latest_action == ACTION_LISTEN:
                before = _feature(states[-2], "prev") if len(states) > 1 else None
                if (loop, before or "", intent) in self.continue_loop:
                    return Prediction(
                        loop, 1.0, self.name, self.priority, events=(LoopInterrupted(is_interrupted=True),)
                    )
                return self._sure(loop, excluded)
            if (loop, _feature(current, "prev") or "", intent) not in self.no_loop:
                return self._sure(loop, excluded)
        history_states = tracker_trajectory(tracker, domain, rules=True).states
        best: RuleEntry | None = None
        for entry in self.entries:
            if entry.action in excluded or not entry.matches(history_states):
                continue
            if best is None or entry.specificity > best.specificity:
                best = entry
        if best is not None:
            general = not any(f.startswith("loop=") for f in best.states[-1])
            if loop is not None and best.action == ACTION_LISTEN and general and loop not in excluded:
                # Rasa: a rule written without the loop, applied inside it, goes back to the loop
                return self._sure(loop, excluded)
            return self._sure(best.action, excluded)
        if self.config.enable_fallback_prediction and self.config.core_fallback_action_name not in excluded:
            return Prediction(
                self.config.core_fallback_action_name,
                self.config.core_fallback_threshold,
                self.name,
                self.priority,
            )
        return None

    def _sure(self, action: str, excluded: frozenset[str]) -> Prediction | None:
        return None if action in excluded else Prediction(action, 1.0, self.name, self.priority)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        raw = {
            "entries": [
                {
                    "states": [sorted(s) for s in e.states],
                    "action": e.action,
                    "anchored": e.anchored,
                    "rule": e.rule,
                }
                for e in self.entries
            ],
            "no_loop": sorted(list(k) for k in self.no_loop),
            "continue_loop": sorted(list(k) for k in self.continue_loop),
            "config": asdict(self.config),
        }
        (directory / "rule_policy.json").write_text(json.dumps(raw, indent=1))

    @classmethod
    def load(cls, directory: Path, config: RulePolicyConfig | None = None) -> RulePolicy:
        raw = json.loads((directory / "rule_policy.json").read_text())
        entries = [
            RuleEntry(tuple(frozenset(s) for s in e["states"]), e["action"], e["anchored"], e["rule"])
            for e in raw["entries"]
        ]
        return cls(
            config,
            entries,
            {tuple(k) for k in raw["no_loop"]},  # type: ignore[misc]
            {tuple(k) for k in raw["continue_loop"]},
        )  # type: ignore[misc]


def _feature(state: State, key: str) -> str | None:
    prefix = f"{key}="
    return next((f[len(prefix) :] for f in state if f.startswith(prefix)), None)


def rule_entries(block: StoryBlock, steps: Sequence[Step], domain: Domain) -> list[RuleEntry]:
    """Walk a rule's steps, recording the partial state before each action it predicts."""
    current: dict[str, str] = {}

    def set_slots(pairs: Sequence[tuple[str, Any]]) -> None:
        for name, value in pairs:
            spec = domain.slot(name)
            if spec is not None:
                current[f"slot:{name}"] = f"slot:{name}={slot_feature(spec, value)}"

    for step in block.condition:
        if step.kind == "slot_was_set":
            set_slots(step.slots)
        elif step.kind == "active_loop":
            current["loop"] = f"loop={step.name or 'null'}"
    first = steps[0] if steps else None
    if first is not None and first.kind == "action" and current.get("loop") == f"loop={first.name}":
        # `condition: active_loop: form` + `action: form` first: the form may also be the one activating now.
        del current["loop"]

    states: list[State] = []
    entries: list[RuleEntry] = []
    anchored = block.conversation_start
    has_context = anchored
    listening = anchored
    if anchored:
        states.append(frozenset(current.values()))  # the session's first state, before any message
        current["prev"] = f"prev={ACTION_LISTEN}"

    def predict(action: str) -> None:
        states.append(frozenset(current.values()))
        if has_context:
            entries.append(RuleEntry(tuple(states), action, anchored, block.name))

    for step in steps:
        if step.kind in ("intent", "user_text"):
            if not listening and states:
                predict(ACTION_LISTEN)
            for key in [k for k in current if k == "intent" or k.startswith("entity")]:
                del current[key]
            current["prev"] = f"prev={ACTION_LISTEN}"
            if step.name:
                current["intent"] = f"intent={step.name}"
            elif step.text:
                current["intent"] = f"text={' '.join(step.text.lower().split())}"
            for i, entity in enumerate(step.entities):
                current[f"entity{i}"] = f"entity={entity['entity']}"
            has_context = True
            listening = False
        elif step.kind == "action" and step.name:
            predict(step.name)
            current["prev"] = f"prev={step.name}"
            has_context = True
            listening = step.name == ACTION_LISTEN
        elif step.kind == "slot_was_set":
            set_slots(step.slots)
        elif step.kind == "active_loop":
            current["loop"] = f"loop={step.name or 'null'}"
    if block.wait_for_user_input and not listening and has_context and any(s.kind == "action" for s in steps):
        predict(ACTION_LISTEN)
    return entries
