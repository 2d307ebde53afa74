"""Reading a horizon from what a user says: "48 hours", "next 2 weeks", "3 days", "tomorrow", or a bare
number of steps, converted into steps of the series' frequency."""

from __future__ import annotations

import re

from .errors import BadInput

HOURS_PER = {"hour": 1, "day": 24, "week": 168, "month": 730, "year": 8760}
UNIT_WORDS = {
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "hour": "hour",
    "hours": "hour",
    "d": "day",
    "day": "day",
    "days": "day",
    "w": "week",
    "wk": "week",
    "wks": "week",
    "week": "week",
    "weeks": "week",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fourteen": 14,
    "twenty": 20,
    "thirty": 30,
    "forty-eight": 48,
    "couple": 2,
    "few": 3,
}
STEP_HOURS = {"H": 1, "D": 24, "W": 168, "M": 730, "Q": 2190, "Y": 8760}
_PATTERN = re.compile(r"(\d+(?:\.\d+)?|[a-z-]+)?\s*(?:of\s+)?([a-z]+)\b")


def parse_horizon(text: str, freq: str) -> int:
    """-> a number of steps of `freq`; raises BadInput when no horizon can be read from `text`."""
    t = str(text).strip().lower()
    if re.fullmatch(r"\d+", t):
        return int(t)
    if t in ("tomorrow", "next day"):
        t = "1 day"
    for m in _PATTERN.finditer(t):
        count_word, unit_word = m.group(1), m.group(2)
        unit = UNIT_WORDS.get(unit_word)
        if unit is None:
            continue
        if count_word is None or count_word in ("next", "the", "coming"):
            count = 1.0
        elif re.fullmatch(r"\d+(?:\.\d+)?", count_word):
            count = float(count_word)
        elif count_word in NUMBER_WORDS:
            count = float(NUMBER_WORDS[count_word])
        else:
            continue
        hours = count * HOURS_PER[unit]
        steps = round(hours / STEP_HOURS[freq])
        if steps < 1:
            raise BadInput(f"{text!r} is shorter than one step of this {freq} series; ask for longer")
        return int(steps)
    raise BadInput(f"could not read a horizon from {text!r}; say e.g. '48 hours' or 'the next 2 weeks'")
