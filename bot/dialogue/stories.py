"""Rasa 3 rules and stories (`data/rules.yml`, `data/stories.yml`, `tests/*.yml`) as typed steps.

A step is a user turn (intent + entities, or end-to-end text), an action, a slot_was_set, an
active_loop, an `or` of user turns, or a checkpoint. Every step remembers its file and line, so errors
(an unknown intent, an action the domain lacks) say exactly where to look.

`story_paths()` flattens checkpoints and `or` steps into plain step lists, and `steps_to_events()`
turns one into the event log a real conversation would have produced (the training tracker).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError
from bot.yamlio import read_yaml

if TYPE_CHECKING:
    from bot.dialogue.domain import Domain
    from bot.dialogue.events import Event

# `slot_was_set: [name]` without a value: the slot holds some value.
SLOT_IS_SET = "__slot_is_set__"
MAX_PATHS_PER_STORY = 64  # bound on `or`/checkpoint expansion (each path is a training tracker)


@dataclass(frozen=True)
class Step:
    kind: str  # intent | action | slot_was_set | active_loop | or | checkpoint | user_text
    name: str | None = None  # intent name, action name, loop name, checkpoint name
    entities: tuple[dict[str, Any], ...] = ()
    slots: tuple[tuple[str, Any], ...] = ()
    alternatives: tuple[Step, ...] = ()  # for `or`
    text: str | None = None  # end-to-end user text / bot text
    line: int = 0


@dataclass(frozen=True)
class StoryBlock:
    name: str
    kind: str  # "rule" | "story"
    steps: tuple[Step, ...]
    condition: tuple[Step, ...] = ()
    conversation_start: bool = False
    wait_for_user_input: bool = True
    source: str = ""
    line: int = 0

    def where(self, step: Step | None = None) -> str:
        line = step.line if step is not None and step.line else self.line
        return f"{self.source}:{line}"


@dataclass
class DialogueData:
    rules: list[StoryBlock] = field(default_factory=list)
    stories: list[StoryBlock] = field(default_factory=list)


_RULE_KEYS = {"rule", "steps", "condition", "conversation_start", "wait_for_user_input", "metadata"}
_STORY_KEYS = {"story", "steps", "metadata"}


def load_dialogue_data(paths: Sequence[Path]) -> DialogueData:
    """Read rules and stories from files or folders (other sections, e.g. `nlu:`, are skipped)."""
    data = DialogueData()
    for file in _yaml_files(paths):
        raw = read_yaml(file) or {}
        if not isinstance(raw, dict):
            raise ConfigError(file, None, "expected a mapping with `rules:` and/or `stories:`")
        for key, kind, target in (("rules", "rule", data.rules), ("stories", "story", data.stories)):
            blocks = raw.get(key) or []
            if not isinstance(blocks, list):
                raise ConfigError(file, key, f"must be a list of {kind}s")
            for i, block in enumerate(blocks):
                target.append(_block(block, kind, str(file), i))
    return data


def _yaml_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted([*p.rglob("*.yml"), *p.rglob("*.yaml")]))
        elif p.exists():
            files.append(p)
    return files


def _line(raw: Any) -> int:
    return getattr(raw, "line", 0)


def _block(raw: Any, kind: str, source: str, index: int) -> StoryBlock:
    where = f"{kind}s[{index}]"
    if not isinstance(raw, dict) or kind not in raw:
        raise ConfigError(f"{source}:{_line(raw)}", where, f"each entry needs a `{kind}:` name and `steps:`")
    allowed = _RULE_KEYS if kind == "rule" else _STORY_KEYS
    unknown = set(raw) - allowed
    if unknown:
        raise ConfigError(
            f"{source}:{_line(raw)}",
            f"{where}.{sorted(unknown)[0]}",
            f"unknown key; valid: {', '.join(sorted(allowed))}",
        )
    name = str(raw[kind])
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list):
        raise ConfigError(f"{source}:{_line(raw)}", f"{where} ({name!r}).steps", "must be a list of steps")
    steps = tuple(parse_step(s, source, f"{where} ({name!r})") for s in steps_raw)
    condition = tuple(
        parse_step(s, source, f"{where} ({name!r}).condition") for s in raw.get("condition") or []
    )
    for step in condition:
        if step.kind not in ("slot_was_set", "active_loop"):
            raise ConfigError(
                f"{source}:{step.line}",
                f"{where} ({name!r}).condition",
                f"a rule condition holds only slot_was_set and active_loop, got {step.kind}",
            )
    return StoryBlock(
        name=name,
        kind=kind,
        steps=steps,
        condition=condition,
        conversation_start=bool(raw.get("conversation_start", False)),
        wait_for_user_input=bool(raw.get("wait_for_user_input", True)),
        source=source,
        line=_line(raw),
    )


def parse_step(raw: Any, source: str, where: str) -> Step:
    line = _line(raw)
    if not isinstance(raw, dict):
        raise ConfigError(source, where, f"a step must be a mapping (intent:, action:, ...), got {raw!r}")
    if "intent" in raw:
        return Step(
            "intent",
            str(raw["intent"]),
            entities=tuple(_entities(raw.get("entities"))),
            text=_text(raw.get("user")),
            line=line,
        )
    if "user" in raw:
        return Step(
            "user_text",
            None,
            text=_text(raw["user"]),
            entities=tuple(_entities(raw.get("entities"))),
            line=line,
        )
    if "action" in raw:
        return Step("action", str(raw["action"]), line=line)
    if "bot" in raw:
        return Step("action", None, text=str(raw["bot"]), line=line)
    if "slot_was_set" in raw:
        pairs: list[tuple[str, Any]] = []
        for item in raw["slot_was_set"] or []:
            if isinstance(item, dict):
                pairs.extend((str(k), v) for k, v in item.items())
            else:
                pairs.append((str(item), SLOT_IS_SET))
        return Step("slot_was_set", slots=tuple(pairs), line=line)
    if "active_loop" in raw:
        return Step("active_loop", raw["active_loop"], line=line)
    if "or" in raw:
        return Step(
            "or", alternatives=tuple(parse_step(s, source, where) for s in raw["or"] or []), line=line
        )
    if "checkpoint" in raw:
        return Step("checkpoint", str(raw["checkpoint"]), line=line)
    raise ConfigError(
        f"{source}:{line}",
        where,
        f"unknown step {sorted(raw)}; valid: intent, user, action, bot, "
        "slot_was_set, active_loop, or, checkpoint",
    )


def _text(raw: Any) -> str | None:
    return None if raw is None else str(raw).strip()


def _entities(raw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in raw or []:
        if isinstance(item, str):
            out.append({"entity": item})
        elif isinstance(item, dict):
            if "entity" in item:
                out.append(dict(item))
            else:
                out.extend({"entity": k, "value": v} for k, v in item.items())
    return out


# ----------------------------------------------------------------------------- checking


def validate_against_domain(data: DialogueData, domain: Domain) -> None:
    """Every intent, action, slot and form named in rules and stories must exist in the domain."""
    for block in [*data.rules, *data.stories]:
        for step in [*block.condition, *_flat(block.steps)]:
            where = block.where(step)
            if step.kind == "intent" and step.name and not domain.is_known_intent(step.name):
                raise ConfigError(
                    where,
                    f"{block.kind} {block.name!r}",
                    f"intent {step.name!r} is not in the domain's intents; add it to domain.yml",
                )
            if step.kind == "action" and step.name and not domain.is_known_action(step.name):
                raise ConfigError(
                    where,
                    f"{block.kind} {block.name!r}",
                    f"action {step.name!r} is not in the domain (responses, actions or forms)",
                )
            if step.kind == "slot_was_set":
                for slot, _ in step.slots:
                    if domain.slot(slot) is None:
                        raise ConfigError(
                            where,
                            f"{block.kind} {block.name!r}",
                            f"slot {slot!r} is not in the domain's slots",
                        )
            if (
                step.kind == "active_loop"
                and step.name is not None
                and not domain.is_known_action(str(step.name))
            ):
                raise ConfigError(
                    where,
                    f"{block.kind} {block.name!r}",
                    f"active_loop {step.name!r} is not a form or action of the domain",
                )


def _flat(steps: Sequence[Step]) -> list[Step]:
    out: list[Step] = []
    for step in steps:
        out.extend(step.alternatives if step.kind == "or" else [step])
    return out


# ----------------------------------------------------------------------------- flattening


def story_paths(blocks: Sequence[StoryBlock]) -> list[tuple[StoryBlock, tuple[Step, ...]]]:
    """Plain step lists: `or` steps expanded, stories joined at their checkpoints."""
    starts: dict[str, list[StoryBlock]] = {}
    for block in blocks:
        if block.steps and block.steps[0].kind == "checkpoint":
            starts.setdefault(block.steps[0].name or "", []).append(block)
    out: list[tuple[StoryBlock, tuple[Step, ...]]] = []
    for block in blocks:
        if block.steps and block.steps[0].kind == "checkpoint":
            continue
        for path in _expand(block.steps, starts, depth=0)[:MAX_PATHS_PER_STORY]:
            out.append((block, path))
    return out


def _expand(steps: Sequence[Step], starts: dict[str, list[StoryBlock]], depth: int) -> list[tuple[Step, ...]]:
    options: list[list[tuple[Step, ...]]] = []
    for step in steps:
        if step.kind == "or":
            options.append([(alt,) for alt in step.alternatives])
        elif step.kind == "checkpoint":
            continue
        else:
            options.append([(step,)])
    paths = [
        tuple(itertools.chain.from_iterable(combo))
        for combo in itertools.islice(itertools.product(*options), MAX_PATHS_PER_STORY)
    ]
    last = steps[-1] if steps else None
    if last is not None and last.kind == "checkpoint" and depth < 5 and starts.get(last.name or ""):
        joined: list[tuple[Step, ...]] = []
        for follower in starts[last.name or ""]:
            for tail in _expand(follower.steps[1:], starts, depth + 1):
                joined.extend(p + tail for p in paths)
        return joined[:MAX_PATHS_PER_STORY] or paths
    return paths


def steps_to_events(steps: Sequence[Step], *, end_with_listen: bool = True) -> list[Event]:
    """The event log a conversation following these steps produces (listens are implied, as in Rasa)."""
    from bot.dialogue.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from bot.dialogue.tracker import ACTION_LISTEN

    events: list[Event] = [ActionExecuted(name=ACTION_LISTEN)]
    listening = True
    for step in steps:
        if step.kind in ("intent", "user_text"):
            if not listening:
                events.append(ActionExecuted(name=ACTION_LISTEN))
            intent = (
                {"name": step.name, "confidence": 1.0} if step.name else {"name": None, "confidence": 0.0}
            )
            events.append(
                UserUttered(
                    text=step.text,
                    parse_data={
                        "text": step.text,
                        "intent": intent,
                        "entities": [dict(e) for e in step.entities],
                    },
                )
            )
            listening = False
        elif step.kind == "action" and step.name:
            events.append(ActionExecuted(name=step.name))
            listening = step.name == ACTION_LISTEN
        elif step.kind == "slot_was_set":
            events.extend(SlotSet(name=name, value=value) for name, value in step.slots)
        elif step.kind == "active_loop":
            events.append(ActiveLoop(name=step.name))
    if end_with_listen and not listening:
        events.append(ActionExecuted(name=ACTION_LISTEN))  # a story's last bot turn ends by listening
    return events
