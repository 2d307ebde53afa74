"""Dialogue states: what the policies see of a conversation, one state per action.

A state is a frozenset of string features, e.g.

    {"intent=inform", "entity=cuisine", "prev=action_listen", "loop=restaurant_form", "slot:cuisine=set"}

`trajectory(events)` replays an event log and returns `(state before the action, action)` pairs plus the
state the next action will be predicted from. The same function featurises training stories (as event
logs, see `stories.steps_to_events`) and live conversations, so training and serving cannot disagree.

Two views: policy states carry only slots with `influence_conversation` (as Rasa); rule states carry
every slot, including `requested_slot`, because rule conditions may name any slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.dialogue.domain import REQUESTED_SLOT, Domain, SlotSpec
from bot.dialogue.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from bot.dialogue.stories import SLOT_IS_SET
from bot.dialogue.tracker import ACTION_LISTEN, Tracker

State = frozenset[str]
SKIPPED_ACTIONS = {"action_session_start", "action_extract_slots"}


@dataclass(frozen=True)
class Trajectory:
    pairs: tuple[tuple[State, str], ...]  # (state before the action, the action)
    current: State  # the state the next prediction starts from

    @property
    def states(self) -> list[State]:
        """Every past state and the current one: the history a policy predicts from."""
        return [s for s, _ in self.pairs] + [self.current]


def slot_feature(spec: SlotSpec, value: Any) -> str:
    """One slot value as Rasa featurises it: set/unset for text and lists, the value for bool/categorical."""
    if value is None:
        return "unset"
    kind = spec.type
    if value == SLOT_IS_SET:
        return "true" if kind == "bool" else "set"
    if kind == "bool":
        return "true" if value is True or str(value).lower() in ("true", "1", "yes") else "false"
    if kind == "categorical":
        lowered = {str(v).lower() for v in spec.values}
        return str(value).lower() if str(value).lower() in lowered else "__other__"
    if kind == "float":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return "set"
        span = (spec.max_value - spec.min_value) or 1.0
        return f"{min(max((number - spec.min_value) / span, 0.0), 1.0):.1f}"
    if kind == "list":
        return "set" if value else "unset"
    return "set"


def featurised_slots(domain: Domain, *, rules: bool) -> list[SlotSpec]:
    if rules:
        return list(domain.all_slots())
    return [
        s for s in domain.slots if s.influence_conversation and s.type != "any" and s.name != REQUESTED_SLOT
    ]


def user_features(user: UserUttered, domain: Domain) -> set[str]:
    feats: set[str] = set()
    intent = user.intent_name
    if intent:
        feats.add(f"intent={intent}")
    elif user.text:
        feats.add(f"text={' '.join(user.text.lower().split())}")
    spec = domain.intent(intent)
    for entity in user.entities:
        name = entity.get("entity")
        if not name:
            continue
        if spec is not None and (
            (spec.use_entities is not None and name not in spec.use_entities) or name in spec.ignore_entities
        ):
            continue
        entity_spec = domain.entity(name)
        if entity_spec is not None and not entity_spec.influence_conversation:
            continue
        feats.add(f"entity={name}")
        for extra in ("role", "group"):
            if entity.get(extra):
                feats.add(f"entity={name}#{entity[extra]}")
    return feats


def trajectory(events: Sequence[Event], domain: Domain, *, rules: bool = False) -> Trajectory:
    """Replay `events` (already free of restarts/rewinds) from the latest session start."""
    start = 0
    for i, event in enumerate(events):
        if isinstance(event, SessionStarted):
            start = i + 1
    slot_specs = featurised_slots(domain, rules=rules)
    names = {s.name for s in slot_specs}
    initial = {s.name: s.initial_value for s in slot_specs}
    slots = dict(initial)
    user: set[str] = set()
    prev: str | None = None
    loop: str | None = None
    user_since_listen = True
    pairs: list[tuple[State, str]] = []

    def snapshot() -> State:
        feats = set(user)
        if prev is not None:
            feats.add(f"prev={prev}")
        feats.add(f"loop={loop or 'null'}")
        for spec in slot_specs:
            feats.add(f"slot:{spec.name}={slot_feature(spec, slots.get(spec.name))}")
        return frozenset(feats)

    for event in events[start:]:
        if isinstance(event, ActionExecuted):
            if event.name in SKIPPED_ACTIONS:
                continue
            if event.name == ACTION_LISTEN and prev == ACTION_LISTEN and not user_since_listen:
                continue  # a listen repeated after a rewind adds nothing
            pairs.append((snapshot(), event.name))
            prev = event.name
            user_since_listen = False
        elif isinstance(event, UserUttered):
            user = user_features(event, domain)
            user_since_listen = True
        elif isinstance(event, SlotSet):
            if event.name in names:
                slots[event.name] = event.value
        elif isinstance(event, AllSlotsReset):
            slots = dict(initial)
        elif isinstance(event, ActiveLoop):
            loop = event.name
    return Trajectory(tuple(pairs), snapshot())


def tracker_trajectory(tracker: Tracker, domain: Domain, *, rules: bool = False) -> Trajectory:
    """`trajectory()` of a live tracker, cached on it until its log grows."""
    key = ("trajectory", rules, len(tracker.events), id(tracker.events[-1]) if tracker.events else 0)
    cached = tracker.derived.get(key)
    if cached is None:
        if len(tracker.derived) > 8:
            tracker.derived.clear()
        cached = trajectory(tracker.events_after_latest_restart(), domain, rules=rules)
        tracker.derived[key] = cached
    return cached
