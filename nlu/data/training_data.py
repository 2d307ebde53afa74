"""Typed NLU training data: examples with entity annotations, synonyms, regexes, lookup tables."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EntityAnnotation:
    """One annotated span: `text[start:end]` is the surface form, `value` the (synonym-mapped) value."""

    start: int
    end: int
    entity: str
    value: str
    role: str | None = None
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "value": self.value,
        }
        if self.role is not None:
            out["role"] = self.role
        if self.group is not None:
            out["group"] = self.group
        return out


@dataclass(frozen=True)
class Example:
    """`intent` is what the intent classifier learns; for Rasa's retrieval intent `faq/ask_channels` that
    is `faq`, and `response_key` is the whole `faq/ask_channels` (what ResponseSelector learns)."""

    text: str
    intent: str
    entities: tuple[EntityAnnotation, ...] = ()
    source: str = ""  # "file:line", for messages
    response_key: str | None = None

    @property
    def full_intent(self) -> str:
        """The intent as written in the data: `faq/ask_channels`, or `greet`."""
        return self.response_key or self.intent

    def to_dict(self) -> dict[str, Any]:
        entities = [e.to_dict() for e in self.entities]
        return {"text": self.text, "intent": self.full_intent, "entities": entities}


@dataclass(frozen=True)
class RegexPattern:
    name: str
    pattern: str


@dataclass(frozen=True)
class LookupTable:
    name: str
    elements: tuple[str, ...]


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # lower-cased surface form -> canonical value
    regexes: list[RegexPattern] = field(default_factory=list)
    lookups: list[LookupTable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # retrieval responses (`utter_faq/ask_channels`) as Rasa's JSON variations, for ResponseSelector
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def retrieval_intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples if e.response_key is not None})

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    @property
    def entities(self) -> list[str]:
        return sorted({a.entity for e in self.examples for a in e.entities})

    @property
    def roles(self) -> list[str]:
        return sorted({a.role for e in self.examples for a in e.entities if a.role is not None})

    @property
    def groups(self) -> list[str]:
        return sorted({a.group for e in self.examples for a in e.entities if a.group is not None})

    def intent_counts(self) -> Counter[str]:
        return Counter(e.intent for e in self.examples)

    def merge(self, other: TrainingData) -> TrainingData:
        return TrainingData(
            examples=self.examples + other.examples,
            synonyms={**self.synonyms, **other.synonyms},
            regexes=self.regexes + other.regexes,
            lookups=self.lookups + other.lookups,
            warnings=self.warnings + other.warnings,
            responses={**self.responses, **other.responses},
        )

    def with_examples(self, examples: list[Example]) -> TrainingData:
        """The same synonyms/regexes/lookups with other examples (a split or a fold)."""
        return TrainingData(
            list(examples), dict(self.synonyms), list(self.regexes), list(self.lookups), [],
            dict(self.responses),
        )  # fmt: skip

    def fingerprint_payload(self) -> dict[str, Any]:
        """Everything that changes what a trained model does, in a canonical order."""
        return {
            "examples": sorted(
                [e.text, e.full_intent, [sorted(a.to_dict().items()) for a in e.entities]]
                for e in self.examples
            ),
            "synonyms": sorted(self.synonyms.items()),
            "regexes": sorted((r.name, r.pattern) for r in self.regexes),
            "lookups": sorted((t.name, sorted(t.elements)) for t in self.lookups),
        }
