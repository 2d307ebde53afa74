"""Entities from the training data's regexes and lookup tables (the pattern's name is the entity).
Also marks, per token, which patterns matched (`token_patterns`) so a tagger can use them as features."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.components.base import Component, Message
from nlu.data.training_data import TrainingData
from nlu.results import Entity


@dataclass(frozen=True)
class RegexExtractorConfig:
    use_regexes: bool = True
    use_lookup_tables: bool = True
    case_sensitive: bool = False
    use_word_boundaries: bool = True
    extract_entities: bool = True  # False: only mark tokens (features), extract nothing


class RegexEntityExtractor(Component):
    name = "RegexEntityExtractor"
    Config = RegexExtractorConfig
    featurizes = True

    def __init__(self, config: RegexExtractorConfig, patterns: list[tuple[str, str]] | None = None) -> None:
        super().__init__(config)
        self.patterns: list[tuple[str, str]] = patterns or []  # (entity, regex)
        self._compile()

    def _compile(self) -> None:
        flags = 0 if self.config.case_sensitive else re.IGNORECASE
        self._compiled = [(name, re.compile(p, flags)) for name, p in self.patterns]

    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        wrap = (r"\b{}\b" if self.config.use_word_boundaries else "{}").format
        patterns: list[tuple[str, str]] = []
        if self.config.use_regexes:
            patterns += [(r.name, r.pattern) for r in data.regexes]
        if self.config.use_lookup_tables:
            for table in data.lookups:
                elements = sorted({e for e in table.elements if e}, key=len, reverse=True)
                if elements:
                    patterns.append((table.name, wrap("(?:" + "|".join(map(re.escape, elements)) + ")")))
        self.patterns = patterns
        self._compile()
        return {"patterns": len(patterns)}

    def process(self, messages: list[Message]) -> None:
        for msg in messages:
            marks = np.zeros((len(msg.tokens), len(self._compiled)), dtype=np.float32)
            for j, (name, pattern) in enumerate(self._compiled):
                for match in pattern.finditer(msg.text):
                    if match.end() <= match.start():
                        continue
                    for i, tok in enumerate(msg.tokens):
                        if tok.start < match.end() and tok.end > match.start():
                            marks[i, j] = 1.0
                    if self.config.extract_entities:
                        msg.entities.append(
                            Entity(name, match.group(), match.start(), match.end(), 1.0, self.name)
                        )
            msg.token_patterns = (
                marks if msg.token_patterns is None else np.concatenate([msg.token_patterns, marks], axis=1)
            )

    def save(self, directory: Path) -> None:
        (directory / "patterns.json").write_text(json.dumps(self.patterns, ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, directory: Path, config: RegexExtractorConfig) -> RegexEntityExtractor:
        patterns = json.loads((directory / "patterns.json").read_text())
        return cls(config, [tuple(p) for p in patterns])
