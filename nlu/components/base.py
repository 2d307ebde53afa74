"""The component lifecycle (as in Rasa): created from a config, `train` on a batch of messages,
`process` a batch in place, `save` to its own folder and `load` back from it.

A `Message` carries one text through the pipeline; each component fills in its part."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from nlu.data.training_data import Example, TrainingData
from nlu.errors import PipelineConfigError
from nlu.results import Entity, IntentPrediction
from nlu.yamlio import ConfigFileError, validate


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


@dataclass
class Message:
    text: str
    example: Example | None = None  # the training target, when training or evaluating
    tokens: list[Token] = field(default_factory=list)
    sentence_dense: np.ndarray | None = None  # (d,)
    token_dense: np.ndarray | None = None  # (n_tokens, d)
    sentence_ngrams: np.ndarray | None = None  # (n_ids,) int32 hashed n-gram ids, 0 never used
    token_ngrams: list[np.ndarray] | None = None  # n_tokens x (n_ids,) int32
    ngram_buckets: int = 0  # ids above are < this
    token_patterns: np.ndarray | None = None  # (n_tokens, n_patterns) 0/1 regex and lookup matches
    intent: IntentPrediction | None = None
    ranking: list[IntentPrediction] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    response_selector: dict[str, Any] | None = None  # Rasa's `response_selector` JSON (ResponseSelector)


class Component:
    """Base class. Subclasses set `name`, `Config` and override what they need."""

    name: ClassVar[str] = "Component"
    Config: ClassVar[type] = object
    featurizes: ClassVar[bool] = False  # True: training messages are processed after training

    def __init__(self, config: Any) -> None:
        self.config = config

    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> None:
        raise NotImplementedError

    def save(self, directory: Path) -> None:
        """Write whatever `load` needs into `directory` (JSON, Keras weights; never pickle)."""

    @classmethod
    def load(cls, directory: Path, config: Any) -> Component:
        return cls(config)


def build_config(
    cls: type, raw: dict[str, Any], *, source: str | None, component: str, key: str = ""
) -> Any:
    """A frozen config dataclass from a YAML mapping, through the one validator (`nlu.yamlio.validate`):
    unknown keys, wrong types and refused values fail naming the file, the line and `key.option`."""
    try:
        return validate(cls, raw, path=source or "pipeline config", key_prefix=key)
    except ConfigFileError as exc:
        err = PipelineConfigError(exc.location, exc.key, f"{component}: {exc.problem}")
        err.path, err.line = exc.path, exc.line  # type: ignore[attr-defined]
        raise err from None
