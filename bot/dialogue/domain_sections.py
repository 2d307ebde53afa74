"""The small sections of the domain: intents, entities, actions, forms and the session config.

(Slots live in bot/dialogue/slots.py, responses in bot/dialogue/responses.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dialogue.slots import as_tuple
from bot.errors import ConfigError


@dataclass(frozen=True)
class IntentSpec:
    name: str
    use_entities: tuple[str, ...] | None = None  # None = all
    ignore_entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntitySpec:
    name: str
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    influence_conversation: bool = True


@dataclass(frozen=True)
class FormSpec:
    name: str
    required_slots: tuple[str, ...] = ()
    ignored_intents: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionConfig:
    session_expiration_time: float = 60.0  # minutes; 0 = never
    carry_over_slots_to_new_session: bool = True


def parse_intent(item: Any, source: str) -> IntentSpec:
    if isinstance(item, str):
        return IntentSpec(item)
    if isinstance(item, dict) and len(item) == 1:
        name, props = next(iter(item.items()))
        props = props or {}
        use = props.get("use_entities", True)
        use_entities = None if use is True else tuple(use or ())
        return IntentSpec(str(name), use_entities, tuple(props.get("ignore_entities") or ()))
    raise ConfigError(
        source, "intents", f"each intent is a name or {{name: {{use_entities: ...}}}}, got {item!r}"
    )


def parse_entity(item: Any, source: str) -> EntitySpec:
    if isinstance(item, str):
        return EntitySpec(item)
    if isinstance(item, dict) and len(item) == 1:
        name, props = next(iter(item.items()))
        props = props or {}
        return EntitySpec(
            str(name),
            tuple(props.get("roles") or ()),
            tuple(props.get("groups") or ()),
            bool(props.get("influence_conversation", True)),
        )
    raise ConfigError(
        source, "entities", f"each entity is a name or {{name: {{roles: [...]}}}}, got {item!r}"
    )


def parse_action_name(item: Any, source: str) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and len(item) == 1:  # `- action_x: {send_domain: true}`
        return str(next(iter(item)))
    raise ConfigError(source, "actions", f"each action is a name, got {item!r}")


def parse_form(name: str, spec: Any, source: str) -> FormSpec:
    spec = spec or {}
    if not isinstance(spec, dict):
        raise ConfigError(source, f"forms.{name}", "must be a mapping with `required_slots`")
    required = spec.get("required_slots") or []
    if isinstance(required, dict):  # Rasa 2 style {slot: [mappings]}
        required = list(required)
    return FormSpec(name, tuple(required), tuple(as_tuple(spec.get("ignored_intents"))))


def parse_session(raw: Any, source: str) -> SessionConfig:
    if not isinstance(raw, dict):
        raise ConfigError(source, "session_config", "must be a mapping")
    unknown = set(raw) - {"session_expiration_time", "carry_over_slots_to_new_session"}
    if unknown:
        raise ConfigError(source, f"session_config.{sorted(unknown)[0]}", "unknown key")
    expiry = raw.get("session_expiration_time", 60)
    if not isinstance(expiry, int | float):
        raise ConfigError(source, "session_config.session_expiration_time", "must be a number of minutes")
    return SessionConfig(float(expiry), bool(raw.get("carry_over_slots_to_new_session", True)))
