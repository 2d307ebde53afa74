"""The domain (Rasa 3 `domain.yml` or a `domain/` folder): intents, entities, slots, responses, forms.

Loaded into frozen dataclasses at start-up; unknown keys and wrong types raise `ConfigError` naming the
file and key. Responses are chosen and filled here (`Domain.render`), so every channel gets the same.

The concepts live beside this module and are re-exported from it:

    bot/dialogue/slots.py            slots and slot mappings          SlotSpec, SlotMapping, REQUESTED_SLOT
    bot/dialogue/responses.py        response variations, rendering   ResponseVariation, parse_variations
    bot/dialogue/domain_sections.py  intents, entities, forms, session config
    bot/dialogue/domain_export.py    the domain as Rasa sends it to an action server
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.dialogue.domain_check import ignored_properties
from bot.dialogue.domain_export import rasa_domain_dict
from bot.dialogue.domain_sections import (
    EntitySpec,
    FormSpec,
    IntentSpec,
    SessionConfig,
    parse_action_name,
    parse_entity,
    parse_form,
    parse_intent,
    parse_session,
)
from bot.dialogue.responses import ResponseVariation, fill_template, parse_variations, render_response
from bot.dialogue.slots import REQUESTED_SLOT, SLOT_TYPES, SlotMapping, SlotSpec, parse_slot
from bot.errors import ConfigError
from bot.yamlio import read_yaml

__all__ = [
    "DEFAULT_ACTIONS",
    "DEFAULT_INTENTS",
    "REQUESTED_SLOT",
    "SLOT_TYPES",
    "Domain",
    "EntitySpec",
    "FormSpec",
    "IntentSpec",
    "ResponseVariation",
    "SessionConfig",
    "SlotMapping",
    "SlotSpec",
    "domain_from_dict",
    "fill_template",
    "load_domain",
    "parse_variations",
    "responses_from_data",
]

# Intents every Rasa assistant knows without listing them.
DEFAULT_INTENTS = ("restart", "back", "out_of_scope", "session_start", "nlu_fallback")
# Actions every assistant has (Rasa's default actions); see bot/dialogue/builtin_actions.py.
DEFAULT_ACTIONS = (
    "action_listen",
    "action_restart",
    "action_session_start",
    "action_default_fallback",
    "action_deactivate_loop",
    "action_revert_fallback_events",
    "action_default_ask_affirmation",
    "action_default_ask_rephrase",
    "action_two_stage_fallback",
    "action_back",
    "action_unlikely_intent",
    "action_extract_slots",
)
_TOP_KEYS = {
    "version",
    "intents",
    "entities",
    "slots",
    "responses",
    "actions",
    "forms",
    "session_config",
    "config",
    "e2e_actions",
}


@dataclass(frozen=True)
class Domain:
    intents: tuple[IntentSpec, ...] = ()
    entities: tuple[EntitySpec, ...] = ()
    slots: tuple[SlotSpec, ...] = ()
    responses: Mapping[str, tuple[ResponseVariation, ...]] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    forms: Mapping[str, FormSpec] = field(default_factory=dict)
    session_config: SessionConfig = SessionConfig()
    source: str = "domain.yml"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def intent(self, name: str | None) -> IntentSpec | None:
        return next((i for i in self.intents if i.name == name), None)

    def entity(self, name: str) -> EntitySpec | None:
        return next((e for e in self.entities if e.name == name), None)

    def is_known_intent(self, name: str) -> bool:
        return name in DEFAULT_INTENTS or any(i.name == name for i in self.intents)

    def is_known_action(self, name: str) -> bool:
        """A response, a listed or form action, a default action, or a retrieval action (`utter_chitchat`)."""
        if name in DEFAULT_ACTIONS or name in self.action_names:
            return True
        return any(r.startswith(f"{name}/") for r in self.responses)

    def with_responses(self, extra: Mapping[str, tuple[ResponseVariation, ...]]) -> Domain:
        """This domain plus responses from data files (retrieval ones: `utter_chitchat/ask_name`)."""
        if not extra:
            return self
        return replace(self, responses={**extra, **self.responses})

    def to_rasa_dict(self) -> dict[str, Any]:
        """The domain as Rasa sends it to an action server (what rasa_sdk's `domain` argument holds)."""
        return rasa_domain_dict(self)

    def all_slots(self) -> tuple[SlotSpec, ...]:
        """The declared slots plus Rasa's implicit `requested_slot` when the domain has forms."""
        if self.forms and all(s.name != REQUESTED_SLOT for s in self.slots):
            return (*self.slots, SlotSpec(REQUESTED_SLOT, "text", influence_conversation=False))
        return self.slots

    @property
    def intent_names(self) -> list[str]:
        return [i.name for i in self.intents]

    @property
    def entity_names(self) -> list[str]:
        return [e.name for e in self.entities]

    @property
    def slot_names(self) -> list[str]:
        return [s.name for s in self.slots]

    def slot(self, name: str) -> SlotSpec | None:
        return next((s for s in self.all_slots() if s.name == name), None)

    def initial_slots(self) -> dict[str, Any]:
        return {s.name: s.initial_value for s in self.all_slots()}

    @property
    def action_names(self) -> list[str]:
        names = list(dict.fromkeys([*self.responses, *self.actions, *self.forms]))
        return names

    def render(
        self,
        name: str,
        slots: Mapping[str, Any],
        channel: str | None = None,
        rng: random.Random | None = None,
        language: str | None = None,
        transform: Callable[[str], str] | None = None,
    ) -> dict[str, Any] | None:
        """Pick a variation of response `name` that fits the slots, channel and language (`transform`
        sees each template before its `{slot}`s are filled: machine translation; responses.py)."""
        return render_response(self.responses.get(name), slots, channel, rng, language, transform)


# ----------------------------------------------------------------------------- loading


def load_domain(path: Path) -> Domain:
    """Read `domain.yml`, or every YAML file in a `domain/` folder, merged."""
    path = Path(path)
    if path.is_dir():
        files = sorted([*path.rglob("*.yml"), *path.rglob("*.yaml")])
        if not files:
            raise ConfigError(path, None, "the domain folder holds no .yml files")
    elif path.is_file():
        files = [path]
    else:
        raise ConfigError(path, None, "domain file not found (expected domain.yml or a domain/ folder)")
    merged: dict[str, Any] = {}
    for file in files:
        raw = read_yaml(file) or {}
        if not isinstance(raw, dict):
            raise ConfigError(file, None, "the domain must be a mapping of sections (intents:, slots:, ...)")
        for key, value in raw.items():
            if key not in _TOP_KEYS:
                raise ConfigError(file, key, f"unknown domain section; valid: {', '.join(sorted(_TOP_KEYS))}")
            if value is None:
                continue
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
    return domain_from_dict(merged, source=str(path))


def domain_from_dict(raw: Mapping[str, Any], source: str = "domain.yml") -> Domain:
    ignored_properties(raw, source)  # named in a WARNING each
    intents = tuple(parse_intent(item, source) for item in _list(raw, "intents", source))
    entities = tuple(parse_entity(item, source) for item in _list(raw, "entities", source))
    slots_raw = raw.get("slots") or {}
    if not isinstance(slots_raw, dict):
        raise ConfigError(source, "slots", "must be a mapping of slot name to its definition")
    slots = tuple(parse_slot(name, spec, source) for name, spec in slots_raw.items())
    responses_raw = raw.get("responses") or {}
    if not isinstance(responses_raw, dict):
        raise ConfigError(source, "responses", "must be a mapping of response name to variations")
    responses = {name: parse_variations(name, v, source) for name, v in responses_raw.items()}
    actions = tuple(parse_action_name(a, source) for a in _list(raw, "actions", source))
    forms_raw = raw.get("forms") or {}
    if not isinstance(forms_raw, dict):
        raise ConfigError(source, "forms", "must be a mapping of form name to its definition")
    forms = {name: parse_form(name, spec, source) for name, spec in forms_raw.items()}
    session = parse_session(raw.get("session_config") or {}, source)
    return Domain(intents, entities, slots, responses, actions, forms, session, source, dict(raw))


def responses_from_data(paths: Any) -> dict[str, tuple[ResponseVariation, ...]]:
    """`responses:` sections of training data files (Rasa allows retrieval responses there)."""
    out: dict[str, tuple[ResponseVariation, ...]] = {}
    for path in paths or ():
        path = Path(path)
        files = sorted([*path.rglob("*.yml"), *path.rglob("*.yaml")]) if path.is_dir() else [path]
        for file in files:
            if not file.is_file():
                continue
            raw = read_yaml(file) or {}
            section = raw.get("responses") if isinstance(raw, dict) else None
            if not section:
                continue
            if not isinstance(section, dict):
                raise ConfigError(file, "responses", "must be a mapping of response name to variations")
            for name, items in section.items():
                out[str(name)] = parse_variations(str(name), items, str(file))
    return out


def _list(raw: Mapping[str, Any], key: str, source: str) -> list[Any]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise ConfigError(source, key, f"must be a list, got {type(value).__name__}")
    return value
