"""What the NLU hands to the rest of Parley: typed, frozen, with Rasa's parse JSON as `to_dict()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RANKING_LENGTH = 10  # Rasa returns the top 10 intents


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any
    start: int
    end: int
    confidence: float | None
    extractor: str
    role: str | None = None
    group: str | None = None
    text: str | None = None  # the matched text, for extractors that give it (Duckling)
    additional_info: Any = None  # Duckling's whole value (grain, unit, interval, ...)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence": None if self.confidence is None else round(float(self.confidence), 6),
            "extractor": self.extractor,
        }
        # Rasa only writes role/group when set; we always write them so clients see one shape.
        out["role"] = self.role
        out["group"] = self.group
        if self.text is not None:
            out["text"] = self.text
        if self.additional_info is not None:
            out["additional_info"] = self.additional_info
        return out


@dataclass(frozen=True)
class IntentPrediction:
    name: str | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": round(float(self.confidence), 6)}


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: IntentPrediction
    intent_ranking: list[IntentPrediction] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    response_selector: dict[str, Any] | None = None  # only when the pipeline has a ResponseSelector

    def to_dict(self) -> dict[str, Any]:
        out = {
            "text": self.text,
            "intent": self.intent.to_dict(),
            "intent_ranking": [p.to_dict() for p in self.intent_ranking[:RANKING_LENGTH]],
            "entities": [e.to_dict() for e in self.entities],
        }
        if self.response_selector is not None:
            out["response_selector"] = self.response_selector
            name = self.intent.name
            if name in self.response_selector.get("all_retrieval_intents", []):
                # as Rasa's processor adds it: the selector of that retrieval intent, if it has one
                selected = (self.response_selector.get(name) or {}).get("response") or {}
                out["intent"]["full_retrieval_intent_name"] = selected.get("intent_response_key")
        return out


@dataclass(frozen=True)
class TrainOutcome:
    model_dir: Path
    retrained: bool
    summary: dict[str, Any]
