"""The data that crosses the engine's boundary: a length budget in, a `Summary` out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from actions.summarization.errors import BadInput


@dataclass(frozen=True)
class Budget:
    """How long a summary may be: a number of sentences, or of words (exactly one of the two)."""

    sentences: int | None = None
    words: int | None = None

    def __post_init__(self) -> None:
        if (self.sentences is None) == (self.words is None):
            raise BadInput("give the summary length as sentences or as words, not both and not neither")
        value = self.sentences if self.sentences is not None else self.words
        unit = "sentences" if self.sentences is not None else "words"
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadInput(f"{unit} must be a whole number >= 1, got {value!r}")

    def describe(self) -> str:
        return f"{self.sentences} sentences" if self.sentences is not None else f"{self.words} words"

    def to_dict(self) -> dict[str, int]:
        return {"sentences": self.sentences} if self.sentences is not None else {"words": self.words}


@dataclass(frozen=True)
class SummarySentence:
    index: int  # position in the input, 0-based
    text: str
    score: float  # position-aware centrality with lead bias, in [0, 1] within its document


@dataclass(frozen=True)
class Summary:
    """Chosen sentences in input order, and how many the input had."""

    sentences: tuple[SummarySentence, ...]
    input_sentences: int
    input_words: int
    budget: Budget

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.text,
            "sentences": [s.text for s in self.sentences],
            "indices": [s.index for s in self.sentences],
            "scores": [round(s.score, 4) for s in self.sentences],
            "input_sentences": self.input_sentences,
            "input_words": self.input_words,
            "summary_words": self.words,
            "budget": self.budget.to_dict(),
        }
