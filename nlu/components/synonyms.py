"""Maps extracted entity values to their canonical value (`- synonym:` items and `[text](entity:value)`)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlu.components.base import Component, Message
from nlu.data.training_data import TrainingData


@dataclass(frozen=True)
class SynonymConfig:
    pass


class EntitySynonymMapper(Component):
    name = "EntitySynonymMapper"
    Config = SynonymConfig

    def __init__(self, config: SynonymConfig, synonyms: dict[str, str] | None = None) -> None:
        super().__init__(config)
        self.synonyms = synonyms or {}

    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        self.synonyms = dict(data.synonyms)
        return {"synonyms": len(self.synonyms)}

    def process(self, messages: list[Message]) -> None:
        for msg in messages:
            msg.entities = [
                dataclasses.replace(e, value=self.synonyms[str(e.value).lower()])
                if isinstance(e.value, str) and str(e.value).lower() in self.synonyms
                else e
                for e in msg.entities
            ]

    def save(self, directory: Path) -> None:
        (directory / "synonyms.json").write_text(json.dumps(self.synonyms, ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, directory: Path, config: SynonymConfig) -> EntitySynonymMapper:
        return cls(config, json.loads((directory / "synonyms.json").read_text()))
