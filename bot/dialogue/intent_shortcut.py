"""Rasa's intent shortcut: a message `/greet` or `/inform{"city": "Berlin"}` names the intent itself."""

from __future__ import annotations

import json
from typing import Any


def intent_shortcut(text: str) -> dict[str, Any]:
    """`/greet` or `/inform{"city": "Berlin"}` sets the intent directly, as in Rasa."""
    body = text[1:]
    entities: list[dict[str, Any]] = []
    if "{" in body:
        name, _, rest = body.partition("{")
        try:
            values = json.loads("{" + rest)
            entities = [{"entity": k, "value": v, "start": None, "end": None} for k, v in values.items()]
        except ValueError:
            pass
    else:
        name = body
    name = name.strip()
    return {
        "text": text,
        "intent": {"name": name, "confidence": 1.0},
        "entities": entities,
        "intent_ranking": [{"name": name, "confidence": 1.0}],
    }
