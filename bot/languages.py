"""config.yml's multilingual keys, read into one frozen `LanguageSettings`.

    language: en                 # the bot's language: its NLU data and responses
    languages: [en, de]          # the languages users may write in (the bot's own is added if missing)
    language_detection:          # optional
      min_confidence: 0.8        # below it a message keeps the conversation's language
      short_min_confidence: 0.95 # a one-word message must be this sure to change the language
      recognise: [fr, es, it]    # unconfigured languages told apart, to answer "I speak en and de"

Every user language other than the bot's needs both translation directions in `translation: pairs:`;
a missing pair names the key and the pairs that are there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

_CODE = re.compile(r"^[a-z]{2}$")
_DETECTION_KEYS = {"min_confidence", "short_min_confidence", "recognise"}
DEFAULT_RECOGNISE = ("fr", "es", "it", "nl", "pt")


@dataclass(frozen=True)
class DetectionSettings:
    min_confidence: float = 0.8
    short_min_confidence: float = 0.95
    recognise: tuple[str, ...] = DEFAULT_RECOGNISE


@dataclass(frozen=True)
class LanguageSettings:
    bot: str = "en"
    users: tuple[str, ...] = ()  # empty: the bot is monolingual, nothing is detected or translated
    detection: DetectionSettings = DetectionSettings()

    @property
    def multilingual(self) -> bool:
        return any(code != self.bot for code in self.users)

    @property
    def foreign(self) -> tuple[str, ...]:
        """The user languages that need translation."""
        return tuple(code for code in self.users if code != self.bot)


def read_language_settings(
    config: dict[str, Any], path: Path, pairs: Sequence[tuple[str, str]]
) -> LanguageSettings:
    """`languages:` and `language_detection:` of config.yml, checked against the translation pairs."""
    bot = config.get("language", "en")
    raw = config.get("languages")
    if raw is None:
        if "language_detection" in config:
            raise ConfigError(path, "language_detection", "needs `languages:` (e.g. [en, de])")
        return LanguageSettings(bot=bot)
    if not isinstance(raw, list) or not raw:
        raise ConfigError(path, "languages", "must be a list of language codes such as [en, de]")
    for i, code in enumerate(raw):
        if not isinstance(code, str) or not _CODE.match(code):
            raise ConfigError(path, f"languages[{i}]", f"{code!r} is not a two-letter code such as 'de'")
    users = tuple(dict.fromkeys([bot, *raw]))
    have = set(pairs)
    listed = ", ".join(f"{s}-{t}" for s, t in sorted(have)) or "none"
    for i, code in enumerate(raw):
        missing = [f"{s}-{t}" for s, t in ((code, bot), (bot, code)) if code != bot and (s, t) not in have]
        if missing:
            raise ConfigError(
                path,
                f"languages[{i}]",
                f"{code!r} needs the translation pair(s) {', '.join(missing)} in `translation: pairs:` "
                f"(source, target, model); configured: {listed}",
            )
    return LanguageSettings(
        bot=bot, users=users, detection=_detection(config.get("language_detection"), path)
    )


def _detection(raw: Any, path: Path) -> DetectionSettings:
    if raw is None:
        return DetectionSettings()
    if not isinstance(raw, dict):
        raise ConfigError(
            path, "language_detection", f"must be a mapping; keys: {', '.join(sorted(_DETECTION_KEYS))}"
        )
    for key in raw:
        if key not in _DETECTION_KEYS:
            raise ConfigError(
                path, f"language_detection.{key}", f"unknown key; valid: {', '.join(sorted(_DETECTION_KEYS))}"
            )
    out: dict[str, Any] = {}
    for key in ("min_confidence", "short_min_confidence"):
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ConfigError(path, f"language_detection.{key}", "must be a number from 0 to 1")
            out[key] = float(value)
    if "recognise" in raw:
        codes = raw["recognise"]
        if not isinstance(codes, list) or not all(isinstance(c, str) and _CODE.match(c) for c in codes):
            raise ConfigError(path, "language_detection.recognise", "must be a list of two-letter codes")
        out["recognise"] = tuple(codes)
    return DetectionSettings(**out)
