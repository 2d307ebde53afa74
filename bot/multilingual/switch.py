"""Explicit language switches: "can we speak German?", "auf Englisch bitte", "en français s'il vous plaît".

A switch is a short message that names a language and carries a cue (speak, switch, please, sprechen,
bitte, ...). A request to translate ("translate hello into German") is never a switch.
"""

from __future__ import annotations

import re

# a language's names as users write them (English, German, French, Spanish, Italian, Dutch, Portuguese)
NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "englisch", "anglais", "inglés", "ingles", "inglese", "engels", "inglês"),
    "de": ("german", "deutsch", "allemand", "alemán", "aleman", "tedesco", "duits", "alemão"),
    "fr": ("french", "französisch", "franzoesisch", "français", "francais", "francés", "francese", "frans"),
    "es": ("spanish", "spanisch", "espagnol", "español", "espanol", "spagnolo", "spaans", "espanhol"),
    "it": ("italian", "italienisch", "italien", "italiano", "italiaans"),
    "nl": ("dutch", "niederländisch", "holländisch", "néerlandais", "neerlandés", "olandese", "nederlands"),
    "pt": ("portuguese", "portugiesisch", "portugais", "portugués", "portoghese", "portugees", "português"),
}
# each language's own name, and its name in English (for "I speak English and German")
NATIVE = {
    "en": "English", "de": "Deutsch", "fr": "français", "es": "español",
    "it": "italiano", "nl": "Nederlands", "pt": "português",
}  # fmt: skip
ENGLISH = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish",
    "it": "Italian", "nl": "Dutch", "pt": "Portuguese",
}  # fmt: skip

_CUES = re.compile(
    r"\b(speak|talk|switch|change|continue|reply|answer|respond|write|please|"
    r"sprechen|sprich|sprichst|reden|rede|wechseln|weiter|antworte|antworten|schreib|bitte|"
    r"parler|parlez|parle|plaît|plait|hablar|hablamos|habla|favor|parlare|parla|spreken|praten|falar)\b",
    re.IGNORECASE,
)
_TRANSLATE = re.compile(r"\b(translat\w*|übersetz\w*|uebersetz\w*|tradu\w*)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MAX_WORDS = 8


def requested_language(text: str) -> str | None:
    """The language a message asks to switch to, else None."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words or len(words) > MAX_WORDS or _TRANSLATE.search(text) or not _CUES.search(text):
        return None
    named = {code for code, names in NAMES.items() for w in words if w in names}
    return named.pop() if len(named) == 1 else None


def english_name(code: str) -> str:
    return ENGLISH.get(code, code)


def native_name(code: str) -> str:
    return NATIVE.get(code, code)


def spoken_list(codes: list[str] | tuple[str, ...]) -> str:
    """'English and German', 'English, German and French'."""
    names = [english_name(c) for c in codes]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
