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


_SESSION_KEYS = ("session_expiration_time", "carry_over_slots_to_new_session")


def parse_session(raw: Any, source: str) -> SessionConfig:
    """Rasa's `session_config`: `session_expiration_time` (minutes, default 60; 0 = sessions never
    expire) and `carry_over_slots_to_new_session` (default true). Unknown keys and wrong types are errors
    naming the key."""
    if not isinstance(raw, dict):
        raise ConfigError(source, "session_config", "must be a mapping")
    unknown = sorted(str(k) for k in set(raw) - set(_SESSION_KEYS))
    if unknown:
        raise ConfigError(
            source, f"session_config.{unknown[0]}", f"unknown key; valid: {', '.join(_SESSION_KEYS)}"
        )
    expiry = raw.get("session_expiration_time", 60)
    if expiry is None:
        expiry = 60
    if isinstance(expiry, bool) or not isinstance(expiry, int | float) or not 0 <= expiry < float("inf"):
        raise ConfigError(
            source,
            "session_config.session_expiration_time",
            f"must be a number of minutes, 0 or more (0: sessions never expire), got {expiry!r}",
        )
    carry = raw.get("carry_over_slots_to_new_session", True)
    if carry is None:
        carry = True
    if not isinstance(carry, bool):
        raise ConfigError(
            source, "session_config.carry_over_slots_to_new_session", f"must be true or false, got {carry!r}"
        )
    return SessionConfig(float(expiry), carry)
