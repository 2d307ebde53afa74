"""Sets the intent to `nlu_fallback` when the classifier is unsure (as Rasa's FallbackClassifier):
top confidence below `threshold`, or the top two closer than `ambiguity_threshold`. For messages that
are confidently misread as one of the intents, see `OutOfScopeDetector` (nlu/components/oos_detector.py)."""

from __future__ import annotations

from dataclasses import dataclass

from nlu.components.base import Component, Message
from nlu.results import IntentPrediction

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class FallbackConfig:
    threshold: float = 0.3
    ambiguity_threshold: float = 0.1

    def __post_init__(self) -> None:
        for key in ("threshold", "ambiguity_threshold"):
            if not 0.0 <= getattr(self, key) <= 1.0:
                raise ValueError(f"{key} must be within [0, 1], got {getattr(self, key)}")


class FallbackClassifier(Component):
    name = "FallbackClassifier"
    Config = FallbackConfig

    def process(self, messages: list[Message]) -> None:
        for msg in messages:
            if msg.intent is None or msg.intent.name in (None, FALLBACK_INTENT):
                continue  # no text, or already refused (e.g. by an OutOfScopeDetector before it)
            top = msg.intent.confidence
            second = msg.ranking[1].confidence if len(msg.ranking) > 1 else 0.0
            if top < self.config.threshold or top - second < self.config.ambiguity_threshold:
                fallback = IntentPrediction(FALLBACK_INTENT, self.config.threshold)
                msg.intent = fallback
                msg.ranking = [fallback, *msg.ranking]
