"""Which language a message is in: lingua, restricted to the configured languages, with a floor.

`LinguaDetector.detect(text)` answers the best configured language and its confidence (lingua's
relative confidence among the configured languages; 0..1, summing to 1). The same detector also knows
`recognise` (a few widespread other languages) and tells a message that is confidently in one of them,
so the bot can say which languages it speaks.
`StaticDetector` is the in-memory double for tests.
"""

from __future__ import annotations

import functools
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
    """lingua over `languages`; `recognise` adds languages it only reports as unsupported.

    One high-accuracy lingua detector over both sets (built once per process and shared: it is
    immutable): the configured language is the best configured one, its confidence renormalised over
    the configured languages, so it reads as if lingua were restricted to them; `unsupported` is set
    when a message of two words or more is an unconfigured language with `min_confidence` or more.
    """

    def __init__(
        self,
        languages: Sequence[str],
        recognise: Sequence[str] = (),
        min_confidence: float = 0.8,
        source: str = "config.yml",
    ) -> None:
        self.languages = tuple(languages)
        others = tuple(c for c in dict.fromkeys(recognise) if c not in self.languages)
        for key, codes in (("languages", self.languages), ("language_detection.recognise", others)):
            for code in codes:
                if code not in _known_codes():
                    raise ConfigError(source, key, f"{code!r}: lingua does not know this language")
        self._detector = _lingua(self.languages + others) if len(self.languages + others) > 1 else None
        self.min_confidence = min_confidence

    def detect(self, text: str) -> Detection:
        if not text.strip() or not any(c.isalpha() for c in text):
            return Detection(None, 0.0)
        if self._detector is None:
            return Detection(self.languages[0], 1.0)
        values = [
            (_code(v.language), float(v.value))
            for v in self._detector.compute_language_confidence_values(text)
        ]
        ours = [(code, value) for code, value in values if code in self.languages]
        total = sum(value for _, value in ours)
        if not ours or total <= 0:
            language, confidence = self.languages[0], 1.0 / len(self.languages)
        else:
            language, best = max(ours, key=lambda item: item[1])
            confidence = best / total
        unsupported = None
        if values and values[0][0] not in self.languages and values[0][1] >= self.min_confidence:
            if word_count(text) >= 2:
                unsupported = values[0][0]
        return Detection(language, confidence, unsupported)


@functools.cache
def _known_codes() -> frozenset[str]:
    from lingua import IsoCode639_1

    return frozenset(name.lower() for name in dir(IsoCode639_1) if len(name) == 2 and name.isupper())


@functools.cache
def _lingua(codes: tuple[str, ...]):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    isos = [IsoCode639_1.from_str(c) for c in codes]
    log.info("event=multilingual.detector_loading languages=%s", ",".join(codes))
    return LanguageDetectorBuilder.from_iso_codes_639_1(*isos).with_preloaded_language_models().build()


def _code(language: object) -> str:
    return language.iso_code_639_1.name.lower()  # type: ignore[attr-defined]


class StaticDetector:
    """A test double: the detections of known texts; anything else is `default` with confidence 1."""

    def __init__(self, known: Mapping[str, Detection], default: str = "en") -> None:
        self.known, self.default = dict(known), default

    def detect(self, text: str) -> Detection:
        return self.known.get(text, Detection(self.default, 1.0))
