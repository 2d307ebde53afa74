"""Which language a message is in: lingua, restricted to the configured languages, with a floor.

`LinguaDetector.detect(text)` answers the best configured language and its confidence (lingua's
relative confidence among the configured languages; 0..1, summing to 1). The same detector also knows
`recognise` (a few widespread other languages) and tells a message that is confidently in one of them,
so the bot can say which languages it speaks.
`StaticDetector` is the in-memory double for tests.

Two additions to lingua's answer on the whole message, measured on xSID valid (bench/multilingual.py,
tuned on the hash half the NLU trains on, reported on all 600 sentences):
- the *frame*: the message without its capitalised words after the first. A German request for an
  English title ("spiele das Album Everybody Happy von Lee Aaron") is German by its frame ("spiele das
  von"), English by its title; the frame's evidence counts `FRAME_WEIGHT` times the whole message's.
- a *prior* for the conversation's language (the bot's at the start): `PRIOR` in log space, so an
  ambiguous message ("alarm on") is taken to be in the language the conversation is already in.
The confidence is the softmax of the combined score divided by 1 + FRAME_WEIGHT (a message without
names or a prior: lingua's relative confidence among the configured languages, as before).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.errors import ConfigError

log = logging.getLogger(__name__)

FRAME_WEIGHT = 4.0  # tuned on the xSID hash half: 100 % there for 3 <= w <= 6 and 0.55 <= prior <= 1.3
PRIOR = 0.85


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
    def detect(self, text: str, prior: str | None = None) -> Detection:
        """`prior`: the conversation's language, favoured when the message is ambiguous."""
        ...


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

    def detect(self, text: str, prior: str | None = None) -> Detection:
        if not text.strip() or not any(c.isalpha() for c in text):
            return Detection(None, 0.0)
        if self._detector is None:
            return Detection(self.languages[0], 1.0)
        values = self._values(text)
        whole = self._relative(values)
        if whole is None:
            language, confidence = self.languages[0], 1.0 / len(self.languages)
        else:
            frame_text = frame(text)
            parts = whole  # no name or title in it: the frame is the whole message
            if frame_text != text and any(c.isalpha() for c in frame_text):
                parts = self._relative(self._values(frame_text)) or whole
            language, confidence = _combine(whole, parts, prior)
        unsupported = None
        if values and values[0][0] not in self.languages and values[0][1] >= self.min_confidence:
            if word_count(text) >= 2:
                unsupported = values[0][0]
        return Detection(language, confidence, unsupported)

    def _values(self, text: str) -> list[tuple[str, float]]:
        assert self._detector is not None
        return [
            (_code(v.language), float(v.value))
            for v in self._detector.compute_language_confidence_values(text)
        ]

    def _relative(self, values: list[tuple[str, float]]) -> dict[str, float] | None:
        """lingua's confidences renormalised over the configured languages; None when it has none."""
        ours = {code: value for code, value in values if code in self.languages}
        total = sum(ours.values())
        return {code: ours.get(code, 0.0) / total for code in self.languages} if total > 0 else None


def frame(text: str) -> str:
    """The message without its capitalised words after the first: the sentence around names and titles."""
    words = text.split()
    return " ".join(w for i, w in enumerate(words) if i == 0 or not w[:1].isupper())


def _combine(whole: dict[str, float], parts: dict[str, float], prior: str | None) -> tuple[str, float]:
    """The best language and its confidence from the whole message, its frame and the prior."""
    scores = {
        code: math.log(p + 1e-6)
        + FRAME_WEIGHT * math.log(parts[code] + 1e-6)
        + (PRIOR if code == prior else 0.0)
        for code, p in whole.items()
    }
    scaled = {code: score / (1.0 + FRAME_WEIGHT) for code, score in scores.items()}
    top = max(scaled.values())
    exp = {code: math.exp(v - top) for code, v in scaled.items()}
    language = max(exp, key=lambda code: exp[code])
    return language, exp[language] / sum(exp.values())


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

    def detect(self, text: str, prior: str | None = None) -> Detection:
        return self.known.get(text, Detection(self.default, 1.0))
