"""Slot filling from the domain's slot mappings, after every user message (Rasa's `action_extract_slots`).

    from_entity          the entity's value (matching role/group); a list slot takes all values
    from_text            the message text
    from_intent          `value` when the intent matches
    from_trigger_intent  `value` when this message activates the form (see actions/forms.py)
    custom               left to a custom action (or `action_validate_slot_mappings`)

A mapping applies when its `intent`/`not_intent` allow the message's intent and one of its
`conditions` holds (`active_loop`, `requested_slot`). While a form is active, an entity that several
of its slots map from fills only the slot the form asked for, and the form's `ignored_intents` fill
nothing of the form.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.domain import REQUESTED_SLOT, Domain, SlotMapping, SlotSpec
from bot.dialogue.events import SlotSet, UserUttered
from bot.dialogue.tracker import Tracker


def extract_slots(tracker: Tracker, domain: Domain) -> list[SlotSet]:
    """The SlotSet events the latest user message fills; unchanged values are not repeated."""
    state = tracker.state()
    message = state.latest_message
    if message is None:
        return []
    loop = state.active_loop
    requested = state.slots.get(REQUESTED_SLOT)
    form = domain.forms.get(loop) if loop else None
    events: list[SlotSet] = []
    for slot in domain.slots:
        in_active_form = form is not None and slot.name in form.required_slots
        if in_active_form and message.intent_name in form.ignored_intents:
            continue
        for mapping in slot.mappings:
            if not _applies(mapping, message, loop, requested):
                continue
            if (
                mapping.type == "from_entity"
                and in_active_form
                and slot.name != requested
                and _entity_shared_in_form(mapping, domain, form.required_slots, slot.name)
            ):
                continue
            found, value = _value(mapping, slot, message)
            if not found:
                continue
            value = coerce(slot, value)
            if value != state.slots.get(slot.name) or in_active_form:
                events.append(SlotSet(name=slot.name, value=value))
            break
    return events


def _applies(mapping: SlotMapping, message: UserUttered, loop: str | None, requested: Any) -> bool:
    intent = message.intent_name
    if mapping.intent and intent not in mapping.intent:
        return False
    if mapping.not_intent and intent in mapping.not_intent:
        return False
    if not mapping.conditions:
        return True
    for condition in mapping.conditions:
        want_loop = condition.get("active_loop", loop)
        if want_loop != loop:
            continue
        if "requested_slot" in condition and condition["requested_slot"] != requested:
            continue
        return True
    return False


def _entity_shared_in_form(
    mapping: SlotMapping, domain: Domain, form_slots: tuple[str, ...], own: str
) -> bool:
    for name in form_slots:
        other = domain.slot(name)
        if name == own or other is None:
            continue
        if any(
            m.type == "from_entity"
            and m.entity == mapping.entity
            and m.role == mapping.role
            and m.group == mapping.group
            for m in other.mappings
        ):
            return True
    return False


def _value(mapping: SlotMapping, slot: SlotSpec, message: UserUttered) -> tuple[bool, Any]:
    if mapping.type == "from_entity":
        values = [
            e.get("value")
            for e in message.entities
            if e.get("entity") == mapping.entity
            and "value" in e
            and e.get("value") is not None
            and (mapping.role is None or e.get("role") == mapping.role)
            and (mapping.group is None or e.get("group") == mapping.group)
        ]
        if not values:
            return False, None
        return True, (values if slot.type == "list" else values[0])
    if mapping.type == "from_text":
        return (message.text is not None and not message.text.startswith("/")), message.text
    if mapping.type == "from_intent":
        return True, mapping.value
    return False, None  # from_trigger_intent (forms) and custom (actions)


def coerce(slot: SlotSpec, value: Any) -> Any:
    """A value as the slot holds it: a list slot wraps a single value; others keep the raw value (as Rasa)."""
    if slot.type == "list" and value is not None and not isinstance(value, list):
        return [value]
    return value
