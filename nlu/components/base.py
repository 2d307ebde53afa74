"""The component lifecycle (as in Rasa): created from a config, `train` on a batch of messages,
`process` a batch in place, `save` to its own folder and `load` back from it.

A `Message` carries one text through the pipeline; each component fills in its part."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from nlu.data.training_data import Example, TrainingData
from nlu.errors import PipelineConfigError
from nlu.results import Entity, IntentPrediction


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


def build_config(cls: type, raw: dict[str, Any], *, source: str | None, component: str) -> Any:
    """A frozen config dataclass from a YAML mapping; unknown keys, wrong types fail naming file and key."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key, value in raw.items():
        if key not in names:
            valid = ", ".join(names) or "(none)"
            raise PipelineConfigError(source, key, f"unknown option for {component}; valid options: {valid}")
        if not _type_ok(value, hints[key]):
            raise PipelineConfigError(
                source, key, f"{component} expects {_type_name(hints[key])}, got {value!r}"
            )
    try:
        config = cls(**raw)
    except (ValueError, TypeError) as exc:
        raise PipelineConfigError(source, None, f"{component}: {exc}") from None
    return config


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in (tuple, list):
        return isinstance(value, list | tuple)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
