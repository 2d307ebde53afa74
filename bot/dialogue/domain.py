"""The domain (Rasa 3 `domain.yml` or a `domain/` folder): intents, entities, slots, responses, forms.

Loaded into frozen dataclasses at start-up; unknown keys and wrong types raise `ConfigError` naming the
file and key. Responses are chosen and filled here (`Domain.render`), so every channel gets the same.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.yamlio import read_yaml

SLOT_TYPES = ("text", "bool", "categorical", "float", "list", "any")
REQUESTED_SLOT = "requested_slot"
# Intents every Rasa assistant knows without listing them.
DEFAULT_INTENTS = ("restart", "back", "out_of_scope", "session_start", "nlu_fallback")
# Actions every assistant has (Rasa's default actions); see actions/builtin.py.
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


@dataclass(frozen=True)
class ResponseVariation:
    text: str | None = None
    buttons: tuple[dict[str, Any], ...] = ()
    image: str | None = None
    custom: dict[str, Any] | None = None
    attachment: Any = None
    channel: str | None = None
    condition: tuple[dict[str, Any], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FormSpec:
    name: str
    required_slots: tuple[str, ...] = ()
    ignored_intents: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionConfig:
    session_expiration_time: float = 60.0  # minutes; 0 = never
    carry_over_slots_to_new_session: bool = True


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
        from dataclasses import replace

        return replace(self, responses={**extra, **self.responses})

    def to_rasa_dict(self) -> dict[str, Any]:
        """The domain as Rasa sends it to an action server (what rasa_sdk's `domain` argument holds)."""
        slots: dict[str, Any] = {}
        for slot in self.all_slots():
            entry: dict[str, Any] = {
                "type": slot.type,
                "initial_value": slot.initial_value,
                "influence_conversation": slot.influence_conversation,
                "mappings": [_mapping_dict(m) for m in slot.mappings],
            }
            if slot.values:
                entry["values"] = list(slot.values)
            slots[slot.name] = entry
        responses = {}
        for name, variations in self.responses.items():
            responses[name] = [_variation_dict(v) for v in variations]
        intents: list[Any] = []
        for i in self.intents:
            props: dict[str, Any] = {"use_entities": True if i.use_entities is None else list(i.use_entities)}
            if i.ignore_entities:
                props["ignore_entities"] = list(i.ignore_entities)
            intents.append({i.name: props})
        return {
            "version": "3.1",
            "config": {"store_entities_as_slots": True},
            "session_config": {
                "session_expiration_time": self.session_config.session_expiration_time,
                "carry_over_slots_to_new_session": self.session_config.carry_over_slots_to_new_session,
            },
            "intents": intents,
            "entities": [e.name for e in self.entities],
            "slots": slots,
            "responses": responses,
            "actions": list(self.actions),
            "forms": {
                name: {"required_slots": list(f.required_slots), "ignored_intents": list(f.ignored_intents)}
                for name, f in self.forms.items()
            },
        }

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
    ) -> dict[str, Any] | None:
        """Pick a variation of response `name` that fits the slots and channel, and fill `{slot}`s."""
        variations = self.responses.get(name)
        if not variations:
            return None
        fitting = [v for v in variations if _conditions_hold(v.condition, slots)]
        conditional = [v for v in fitting if v.condition]
        pool = conditional or [v for v in fitting if not v.condition]
        on_channel = [v for v in pool if v.channel == channel] if channel else []
        pool = on_channel or [v for v in pool if v.channel is None] or pool
        if not pool:
            return None
        chosen = (rng or random).choice(pool)
        out: dict[str, Any] = {}
        if chosen.text is not None:
            out["text"] = fill_template(chosen.text, slots)
        if chosen.buttons:
            out["buttons"] = [
                {**b, "title": fill_template(str(b.get("title", "")), slots)} for b in chosen.buttons
            ]
        if chosen.image:
            out["image"] = chosen.image
        if chosen.custom is not None:
            out["custom"] = chosen.custom
        if chosen.attachment is not None:
            out["attachment"] = chosen.attachment
        out.update(chosen.extra)
        return out


class _SlotFormatter(string.Formatter):
    def __init__(self, slots: Mapping[str, Any]) -> None:
        self.slots = slots

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str):
            value = self.slots.get(key)
            return "None" if value is None else value
        return super().get_value(key, args, kwargs)


def fill_template(text: str, slots: Mapping[str, Any]) -> str:
    """Fill `{slot}` placeholders as Rasa does; text with unbalanced braces is returned unchanged."""
    try:
        return _SlotFormatter(slots).format(text)
    except (ValueError, IndexError, KeyError, AttributeError):
        return text


def _mapping_dict(m: SlotMapping) -> dict[str, Any]:
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


def _variation_dict(v: ResponseVariation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("text", "image", "custom", "attachment", "channel"):
        if getattr(v, key) is not None:
            out[key] = getattr(v, key)
    if v.buttons:
        out["buttons"] = [dict(b) for b in v.buttons]
    if v.condition:
        out["condition"] = [dict(c) for c in v.condition]
    out.update(v.extra)
    return out


def _conditions_hold(conditions: tuple[dict[str, Any], ...], slots: Mapping[str, Any]) -> bool:
    for cond in conditions:
        if cond.get("type", "slot") == "slot" and slots.get(cond.get("name")) != cond.get("value"):
            return False
    return True


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
    intents = tuple(_intent(item, source) for item in _list(raw, "intents", source))
    entities = tuple(_entity(item, source) for item in _list(raw, "entities", source))
    slots_raw = raw.get("slots") or {}
    if not isinstance(slots_raw, dict):
        raise ConfigError(source, "slots", "must be a mapping of slot name to its definition")
    slots = tuple(_slot(name, spec, source) for name, spec in slots_raw.items())
    responses_raw = raw.get("responses") or {}
    if not isinstance(responses_raw, dict):
        raise ConfigError(source, "responses", "must be a mapping of response name to variations")
    responses = {name: _variations(name, v, source) for name, v in responses_raw.items()}
    actions = tuple(_action_name(a, source) for a in _list(raw, "actions", source))
    forms_raw = raw.get("forms") or {}
    if not isinstance(forms_raw, dict):
        raise ConfigError(source, "forms", "must be a mapping of form name to its definition")
    forms = {name: _form(name, spec, source) for name, spec in forms_raw.items()}
    session = _session(raw.get("session_config") or {}, source)
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
                out[str(name)] = _variations(str(name), items, str(file))
    return out


def _list(raw: Mapping[str, Any], key: str, source: str) -> list[Any]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise ConfigError(source, key, f"must be a list, got {type(value).__name__}")
    return value


def _intent(item: Any, source: str) -> IntentSpec:
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


def _entity(item: Any, source: str) -> EntitySpec:
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


_MAPPING_TYPES = ("from_entity", "from_text", "from_intent", "from_trigger_intent", "custom")
_MAPPING_KEYS = {"type", "entity", "role", "group", "intent", "not_intent", "value", "action", "conditions"}


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _slot(name: str, spec: Any, source: str) -> SlotSpec:
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
                intent=_as_tuple(m.get("intent")),
                not_intent=_as_tuple(m.get("not_intent")),
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


_VARIATION_KEYS = {"text", "buttons", "image", "custom", "attachment", "channel", "condition"}


def _variations(name: str, items: Any, source: str) -> tuple[ResponseVariation, ...]:
    if not isinstance(items, list) or not items:
        raise ConfigError(source, f"responses.{name}", "must be a non-empty list of variations")
    out = []
    for i, v in enumerate(items):
        if isinstance(v, str):
            v = {"text": v}
        if not isinstance(v, dict):
            raise ConfigError(
                source, f"responses.{name}[{i}]", "each variation is a mapping (text:, buttons:, ...)"
            )
        extra = {k: val for k, val in v.items() if k not in _VARIATION_KEYS}
        out.append(
            ResponseVariation(
                text=v.get("text"),
                buttons=tuple(v.get("buttons") or ()),
                image=v.get("image"),
                custom=v.get("custom"),
                attachment=v.get("attachment"),
                channel=v.get("channel"),
                condition=tuple(v.get("condition") or ()),
                extra=extra,
            )
        )
    return tuple(out)


def parse_variations(name: str, items: Any, source: str = "domain.yml") -> tuple[ResponseVariation, ...]:
    """Response variations from their YAML/JSON form (used for responses stored with a model)."""
    return _variations(name, items, source)


def _action_name(item: Any, source: str) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and len(item) == 1:  # `- action_x: {send_domain: true}`
        return str(next(iter(item)))
    raise ConfigError(source, "actions", f"each action is a name, got {item!r}")


def _form(name: str, spec: Any, source: str) -> FormSpec:
    spec = spec or {}
    if not isinstance(spec, dict):
        raise ConfigError(source, f"forms.{name}", "must be a mapping with `required_slots`")
    required = spec.get("required_slots") or []
    if isinstance(required, dict):  # Rasa 2 style {slot: [mappings]}
        required = list(required)
    return FormSpec(name, tuple(required), tuple(_as_tuple(spec.get("ignored_intents"))))


def _session(raw: Any, source: str) -> SessionConfig:
    if not isinstance(raw, dict):
        raise ConfigError(source, "session_config", "must be a mapping")
    unknown = set(raw) - {"session_expiration_time", "carry_over_slots_to_new_session"}
    if unknown:
        raise ConfigError(source, f"session_config.{sorted(unknown)[0]}", "unknown key")
    expiry = raw.get("session_expiration_time", 60)
    if not isinstance(expiry, int | float):
        raise ConfigError(source, "session_config.session_expiration_time", "must be a number of minutes")
    return SessionConfig(float(expiry), bool(raw.get("carry_over_slots_to_new_session", True)))
