"""Slots (`slots:` of the domain) and their mappings: what a slot holds and where its value comes from.

The mappings are applied in bot/dialogue/slot_filling.py; here they are parsed and checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import ConfigError

SLOT_TYPES = ("text", "bool", "categorical", "float", "list", "any")
REQUESTED_SLOT = "requested_slot"
_MAPPING_TYPES = ("from_entity", "from_text", "from_intent", "from_trigger_intent", "custom")
_MAPPING_KEYS = {"type", "entity", "role", "group", "intent", "not_intent", "value", "action", "conditions"}


@dataclass(frozen=True)
class SlotMapping:
    type: str  # from_entity | from_text | from_intent | from_trigger_intent | custom
    entity: str | None = None
    role: str | None = None
    group: str | None = None
    intent: tuple[str, ...] = ()
    not_intent: tuple[str, ...] = ()
    value: Any = None
    action: str | None = None
    conditions: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SlotSpec:
    name: str
    type: str
    mappings: tuple[SlotMapping, ...] = ()
    influence_conversation: bool = True
    initial_value: Any = None
    values: tuple[Any, ...] = ()
    min_value: float = 0.0
    max_value: float = 1.0


def as_tuple(value: Any) -> tuple[Any, ...]:
    """A YAML value that may be one item or a list of them, as a tuple."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def parse_slot(name: str, spec: Any, source: str) -> SlotSpec:
    key = f"slots.{name}"
    if not isinstance(spec, dict):
        raise ConfigError(source, key, "must be a mapping with at least `type`")
    slot_type = spec.get("type")
    if slot_type not in SLOT_TYPES and not (isinstance(slot_type, str) and "." in slot_type):
        raise ConfigError(source, f"{key}.type", f"got {slot_type!r}; valid: {', '.join(SLOT_TYPES)}")
    mappings = []
    for i, m in enumerate(spec.get("mappings") or []):
        if not isinstance(m, dict) or m.get("type") not in _MAPPING_TYPES:
            raise ConfigError(source, f"{key}.mappings[{i}].type", f"valid: {', '.join(_MAPPING_TYPES)}")
        unknown = set(m) - _MAPPING_KEYS
        if unknown:
            raise ConfigError(source, f"{key}.mappings[{i}].{sorted(unknown)[0]}", "unknown mapping key")
        mappings.append(
            SlotMapping(
                type=m["type"],
                entity=m.get("entity"),
                role=m.get("role"),
                group=m.get("group"),
                intent=as_tuple(m.get("intent")),
                not_intent=as_tuple(m.get("not_intent")),
                value=m.get("value"),
                action=m.get("action"),
                conditions=tuple(m.get("conditions") or ()),
            )
        )
    return SlotSpec(
        name=name,
        type=slot_type,
        mappings=tuple(mappings),
        influence_conversation=bool(spec.get("influence_conversation", slot_type != "any")),
        initial_value=spec.get("initial_value"),
        values=tuple(spec.get("values") or ()),
        min_value=float(spec.get("min_value", 0.0)),
        max_value=float(spec.get("max_value", 1.0)),
    )


def mapping_dict(m: SlotMapping) -> dict[str, Any]:
    """A slot mapping in Rasa's form (as written under `mappings:`)."""
    out: dict[str, Any] = {"type": m.type}
    for key in ("entity", "role", "group", "value", "action"):
        if getattr(m, key) is not None:
            out[key] = getattr(m, key)
    if m.intent:
        out["intent"] = list(m.intent)
    if m.not_intent:
        out["not_intent"] = list(m.not_intent)
    if m.conditions:
        out["conditions"] = [dict(c) for c in m.conditions]
    return out
