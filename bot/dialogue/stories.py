"""Rasa 3 rules and stories (`data/rules.yml`, `data/stories.yml`) as typed steps.

A step is a user turn (intent + entities, or end-to-end text), an action, a slot_was_set, an
active_loop, an `or` of user turns, or a checkpoint. Errors name the file and the block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.yamlio import read_yaml


@dataclass(frozen=True)
class Step:
    kind: str  # intent | action | slot_was_set | active_loop | or | checkpoint | user_text
    name: str | None = None  # intent name, action name, loop name, checkpoint name
    entities: tuple[dict[str, Any], ...] = ()
    slots: tuple[tuple[str, Any], ...] = ()
    alternatives: tuple[Step, ...] = ()  # for `or`
    text: str | None = None  # end-to-end user text / bot text


@dataclass(frozen=True)
class StoryBlock:
    name: str
    kind: str  # "rule" | "story"
    steps: tuple[Step, ...]
    condition: tuple[Step, ...] = ()
    conversation_start: bool = False
    wait_for_user_input: bool = True
    source: str = ""


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
        for i, block in enumerate(raw.get("rules") or []):
            data.rules.append(_block(block, "rule", f"{file}", i))
        for i, block in enumerate(raw.get("stories") or []):
            data.stories.append(_block(block, "story", f"{file}", i))
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


def _block(raw: Any, kind: str, source: str, index: int) -> StoryBlock:
    where = f"{kind}s[{index}]"
    if not isinstance(raw, dict) or kind not in raw:
        raise ConfigError(source, where, f"each entry needs a `{kind}:` name and `steps:`")
    allowed = _RULE_KEYS if kind == "rule" else _STORY_KEYS
    unknown = set(raw) - allowed
    if unknown:
        raise ConfigError(source, f"{where}.{sorted(unknown)[0]}", f"unknown key; valid: {', '.join(sorted(allowed))}")
    name = str(raw[kind])
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list):
        raise ConfigError(source, f"{where} ({name!r}).steps", "must be a list of steps")
    steps = tuple(parse_step(s, source, f"{where} ({name!r})") for s in steps_raw)
    condition = tuple(parse_step(s, source, f"{where} ({name!r}).condition") for s in raw.get("condition") or [])
    return StoryBlock(
        name=name,
        kind=kind,
        steps=steps,
        condition=condition,
        conversation_start=bool(raw.get("conversation_start", False)),
        wait_for_user_input=bool(raw.get("wait_for_user_input", True)),
        source=source,
    )


def parse_step(raw: Any, source: str, where: str) -> Step:
    if not isinstance(raw, dict):
        raise ConfigError(source, where, f"a step must be a mapping (intent:, action:, ...), got {raw!r}")
    if "intent" in raw:
        return Step("intent", str(raw["intent"]), entities=tuple(_entities(raw.get("entities"))), text=raw.get("user"))
    if "user" in raw:
        return Step("user_text", None, text=str(raw["user"]), entities=tuple(_entities(raw.get("entities"))))
    if "action" in raw:
        return Step("action", str(raw["action"]))
    if "bot" in raw:
        return Step("action", None, text=str(raw["bot"]))
    if "slot_was_set" in raw:
        pairs: list[tuple[str, Any]] = []
        for item in raw["slot_was_set"] or []:
            if isinstance(item, dict):
                pairs.extend(item.items())
            else:
                pairs.append((str(item), True))
        return Step("slot_was_set", slots=tuple(pairs))
    if "active_loop" in raw:
        return Step("active_loop", raw["active_loop"])
    if "or" in raw:
        return Step("or", alternatives=tuple(parse_step(s, source, where) for s in raw["or"] or []))
    if "checkpoint" in raw:
        return Step("checkpoint", str(raw["checkpoint"]))
    raise ConfigError(source, where, f"unknown step {sorted(raw)}; valid: intent, user, action, bot, "
                      "slot_was_set, active_loop, or, checkpoint")


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
