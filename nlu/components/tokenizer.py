"""Splits text into word and punctuation tokens with character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.components.base import Component, Message, Token

DEFAULT_PATTERN = r"\w+|[^\w\s]"


@dataclass(frozen=True)
class TokenizerConfig:
    pattern: str = DEFAULT_PATTERN  # each match is one token; the default keeps punctuation as tokens

    def __post_init__(self) -> None:
        re.compile(self.pattern)


def tokenize(text: str, pattern: re.Pattern[str]) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in pattern.finditer(text)]


class RegexTokenizer(Component):
    name = "RegexTokenizer"
    Config = TokenizerConfig
    featurizes = True

    def __init__(self, config: TokenizerConfig) -> None:
        super().__init__(config)
        self._pattern = re.compile(config.pattern)

    def process(self, messages: list[Message]) -> None:
        for msg in messages:
            msg.tokens = tokenize(msg.text, self._pattern)
