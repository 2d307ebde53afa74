"""Properties of `domain.yml` Parley reads nothing from, named in a WARNING instead of dropped silently.

Rasa 3 accepts some keys it no longer uses (`config: {store_entities_as_slots}`, an intent's
`triggers`), and a typo in a property (`influence_conversaton`) would otherwise change nothing without a
word. Each unknown property is one `event=domain.property_ignored` line naming the file, the key and the
properties that are read there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

KNOWN = {
    "intents": ("use_entities", "ignore_entities"),
    "entities": ("roles", "groups", "influence_conversation"),
    "slots": (
        "type",
        "mappings",
        "influence_conversation",
        "initial_value",
        "values",
        "min_value",
        "max_value",
    ),  # fmt: skip
    "forms": ("required_slots", "ignored_intents"),
}
# the domain's `config:` section: what each key means here
CONFIG_NOTES = {
    "store_entities_as_slots": "as in Rasa 3, slots are filled by their `mappings` (from_entity), not by "
    "entity name; the key has no effect",
}


def ignored_properties(raw: Mapping[str, Any], source: str) -> list[str]:
    """`section.name.property` for each property nobody reads; each is also logged as a WARNING."""
    found: list[tuple[str, str]] = []
    for section in ("intents", "entities"):
        for item in raw.get(section) or []:
            if isinstance(item, dict) and len(item) == 1:
                name, props = next(iter(item.items()))
                found += _unknown(section, str(name), props)
    for section in ("slots", "forms"):
        block = raw.get(section) or {}
        for name, props in block.items() if isinstance(block, dict) else ():
            found += _unknown(section, str(name), props)
    config = raw.get("config") or {}
    for key in config if isinstance(config, dict) else ():
        note = CONFIG_NOTES.get(key, f"unknown key; known: {', '.join(CONFIG_NOTES)}")
        found.append((f"config.{key}", note))
    for key, note in found:
        log.warning("event=domain.property_ignored file=%s key=%s note='%s'", source, key, note)
    return [key for key, _ in found]


def _unknown(section: str, name: str, props: Any) -> list[tuple[str, str]]:
    if not isinstance(props, dict):
        return []
    known = KNOWN[section]
    return [
        (f"{section}.{name}.{prop}", f"Parley reads {', '.join(known)} here; this property has no effect")
        for prop in props
        if prop not in known
    ]
