"""Responses (`responses:` of the domain, or of a data file): their variations, and rendering one.

A variation is chosen by its `condition` (slot values) and `channel`, then its `{slot}` placeholders are
filled as Rasa fills them, so every channel gets the same reply. Parley adds `language:` (a variation
for users of that language; bot/multilingual): asked for a language, the variations in it are chosen,
else those without one, whose texts and button titles `transform` (machine translation) sees before
the slots are filled, so slot values are never translated.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.errors import ConfigError


@dataclass(frozen=True)
class ResponseVariation:
    text: str | None = None
    buttons: tuple[dict[str, Any], ...] = ()
    image: str | None = None
    custom: dict[str, Any] | None = None
    attachment: Any = None
    channel: str | None = None
    condition: tuple[dict[str, Any], ...] = ()
    language: str | None = None  # Parley: a variation for users of this language
    extra: dict[str, Any] = field(default_factory=dict)


def render_response(
    variations: tuple[ResponseVariation, ...] | None,
    slots: Mapping[str, Any],
    channel: str | None = None,
    rng: random.Random | None = None,
    language: str | None = None,
    transform: Callable[[str], str] | None = None,
) -> dict[str, Any] | None:
    """Pick a variation fitting slots, channel and language; `transform` its templates; fill `{slot}`s."""
    if not variations:
        return None
    variations = for_language(variations, language)
    keep = transform or (lambda template: template)
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
        out["text"] = fill_template(keep(chosen.text), slots)
    if chosen.buttons:
        out["buttons"] = [
            {**b, "title": fill_template(keep(str(b.get("title", ""))), slots)} for b in chosen.buttons
        ]
    if chosen.image:
        out["image"] = chosen.image
    if chosen.custom is not None:
        out["custom"] = chosen.custom
    if chosen.attachment is not None:
        out["attachment"] = chosen.attachment
    out.update(chosen.extra)
    return out


def for_language(
    variations: tuple[ResponseVariation, ...], language: str | None
) -> tuple[ResponseVariation, ...]:
    """The variations written in `language` if any, else those without a `language:` (else all)."""
    if language is not None:
        own = tuple(v for v in variations if v.language == language)
        if own:
            return own
    plain = tuple(v for v in variations if v.language is None)
    return plain or variations


def has_language(variations: tuple[ResponseVariation, ...] | None, language: str) -> bool:
    return any(v.language == language for v in variations or ())


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


def _conditions_hold(conditions: tuple[dict[str, Any], ...], slots: Mapping[str, Any]) -> bool:
    for cond in conditions:
        if cond.get("type", "slot") == "slot" and slots.get(cond.get("name")) != cond.get("value"):
            return False
    return True


_VARIATION_KEYS = {"text", "buttons", "image", "custom", "attachment", "channel", "condition", "language"}


def parse_variations(name: str, items: Any, source: str = "domain.yml") -> tuple[ResponseVariation, ...]:
    """Response variations from their YAML/JSON form (a domain's, a data file's, or stored with a model)."""
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
        language = v.get("language")
        if language is not None and not isinstance(language, str):
            raise ConfigError(
                source, f"responses.{name}[{i}].language", "must be a language code such as 'de'"
            )
        out.append(
            ResponseVariation(
                text=v.get("text"),
                buttons=tuple(v.get("buttons") or ()),
                image=v.get("image"),
                custom=v.get("custom"),
                attachment=v.get("attachment"),
                channel=v.get("channel"),
                condition=tuple(v.get("condition") or ()),
                language=language,
                extra=extra,
            )
        )
    return tuple(out)


def variation_dict(v: ResponseVariation) -> dict[str, Any]:
    """A variation in Rasa's form (as written in `responses:`)."""
    out: dict[str, Any] = {}
    for key in ("text", "image", "custom", "attachment", "channel", "language"):
        if getattr(v, key) is not None:
            out[key] = getattr(v, key)
    if v.buttons:
        out["buttons"] = [dict(b) for b in v.buttons]
    if v.condition:
        out["condition"] = [dict(c) for c in v.condition]
    out.update(v.extra)
    return out
