"""Which language a message is in: lingua, restricted to the configured languages, with a floor.

`LinguaDetector.detect(text)` answers the best configured language and its confidence (lingua's
relative confidence among the configured languages; 0..1, summing to 1). A second lingua detector in
low-accuracy mode over the configured languages plus `recognise` (a few widespread others) tells a
message that is confidently in another language, so the bot can say which languages it speaks.
`StaticDetector` is the in-memory double for tests.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Detection:
    language: str | None  # the best configured language; None for an empty message
    confidence: float  # 0..1 among the configured languages
    unsupported: str | None = None  # an unconfigured language the message is confidently in

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"language": self.language, "confidence": round(self.confidence, 4)}
        if self.unsupported:
            out["unsupported"] = self.unsupported
        return out


class LanguageDetector(Protocol):
    def detect(self, text: str) -> Detection: ...


def word_count(text: str) -> int:
    return len([w for w in text.split() if any(c.isalpha() for c in w)])


class LinguaDetector:
    """lingua over `languages`; `recognise` adds languages it only reports as unsupported."""

    def __init__(
        self,
        languages: Sequence[str],
        recognise: Sequence[str] = (),
        min_confidence: float = 0.8,
        source: str = "config.yml",
    ) -> None:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        def iso(code: str, key: str) -> IsoCode639_1:
            try:
                return IsoCode639_1.from_str(code)
            except ValueError:
                raise ConfigError(source, key, f"{code!r}: lingua does not know this language") from None

        self.languages = tuple(languages)
        codes = [iso(c, "languages") for c in self.languages]
        if len(codes) == 1:
            self._main = None
        else:
            self._main = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models()
            self._main = self._main.build()
        others = [c for c in dict.fromkeys(recognise) if c not in self.languages]
        self._broad = None
        if others:
            all_codes = codes + [iso(c, "language_detection.recognise") for c in others]
            self._broad = (
                LanguageDetectorBuilder.from_iso_codes_639_1(*all_codes).with_low_accuracy_mode().build()
            )
        self.min_confidence = min_confidence

    def detect(self, text: str) -> Detection:
        if not text.strip() or not any(c.isalpha() for c in text):
            return Detection(None, 0.0)
        if self._main is None:
            language, confidence = self.languages[0], 1.0
        else:
            values = self._main.compute_language_confidence_values(text)
            if not values:
                return Detection(None, 0.0)
            language, confidence = _code(values[0].language), float(values[0].value)
        unsupported = None
        if self._broad is not None and word_count(text) >= 2:
            top = self._broad.compute_language_confidence_values(text)
            if top and _code(top[0].language) not in self.languages and top[0].value >= self.min_confidence:
                unsupported = _code(top[0].language)
        return Detection(language, confidence, unsupported)


def _code(language: object) -> str:
    return language.iso_code_639_1.name.lower()  # type: ignore[attr-defined]


class StaticDetector:
    """A test double: the detections of known texts; anything else is `default` with confidence 1."""

    def __init__(self, known: Mapping[str, Detection], default: str = "en") -> None:
        self.known, self.default = dict(known), default

    def detect(self, text: str) -> Detection:
        return self.known.get(text, Detection(self.default, 1.0))
