"""The domain as Rasa sends it to an action server: what rasa_sdk's `domain` argument holds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bot.dialogue.domain_sections import EntitySpec, FormSpec, IntentSpec, SessionConfig
from bot.dialogue.responses import ResponseVariation, variation_dict
from bot.dialogue.slots import SlotSpec, mapping_dict


class DomainParts(Protocol):
    """What the export reads of a `bot.dialogue.domain.Domain` (named apart so neither imports the other)."""

    @property
    def intents(self) -> tuple[IntentSpec, ...]: ...
    @property
    def entities(self) -> tuple[EntitySpec, ...]: ...
    @property
    def responses(self) -> Mapping[str, tuple[ResponseVariation, ...]]: ...
    @property
    def actions(self) -> tuple[str, ...]: ...
    @property
    def forms(self) -> Mapping[str, FormSpec]: ...
    @property
    def session_config(self) -> SessionConfig: ...

    def all_slots(self) -> tuple[SlotSpec, ...]: ...


def rasa_domain_dict(domain: DomainParts) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for slot in domain.all_slots():
        entry: dict[str, Any] = {
            "type": slot.type,
            "initial_value": slot.initial_value,
            "influence_conversation": slot.influence_conversation,
            "mappings": [mapping_dict(m) for m in slot.mappings],
        }
        if slot.values:
            entry["values"] = list(slot.values)
        slots[slot.name] = entry
    responses = {}
    for name, variations in domain.responses.items():
        responses[name] = [variation_dict(v) for v in variations]
    intents: list[Any] = []
    for i in domain.intents:
        props: dict[str, Any] = {"use_entities": True if i.use_entities is None else list(i.use_entities)}
        if i.ignore_entities:
            props["ignore_entities"] = list(i.ignore_entities)
        intents.append({i.name: props})
    return {
        "version": "3.1",
        "config": {"store_entities_as_slots": True},
        "session_config": {
            "session_expiration_time": domain.session_config.session_expiration_time,
            "carry_over_slots_to_new_session": domain.session_config.carry_over_slots_to_new_session,
        },
        "intents": intents,
        "entities": [e.name for e in domain.entities],
        "slots": slots,
        "responses": responses,
        "actions": list(domain.actions),
        "forms": {
            name: {"required_slots": list(f.required_slots), "ignored_intents": list(f.ignored_intents)}
            for name, f in domain.forms.items()
        },
    }
