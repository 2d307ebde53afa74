"""Sparse lexical features: hashed character n-grams of each token (fastText style, `<word>`) and
hashed word n-grams of the sentence. No vocabulary to store: a stable hash (crc32) maps each n-gram
into `buckets` ids; id 0 is never used, so 0 can pad."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from nlu.components.base import Component, Message


@dataclass(frozen=True)
class CharNgramConfig:
    min_ngram: int = 2
    max_ngram: int = 4
    word_ngrams: int = 2  # sentence features: word unigrams up to this order
    buckets: int = 32768
    lowercase: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.min_ngram <= self.max_ngram:
            raise ValueError(f"need 1 <= min_ngram <= max_ngram, got {self.min_ngram} and {self.max_ngram}")
        if self.buckets < 16:
            raise ValueError(f"buckets must be >= 16, got {self.buckets}")


def _hash(text: str, buckets: int) -> int:
    return 1 + zlib.crc32(text.encode("utf-8")) % (buckets - 1)


class CharNgramFeaturizer(Component):
    name = "CharNgramFeaturizer"
    Config = CharNgramConfig
    featurizes = True

    def token_ids(self, word: str) -> np.ndarray:
        cfg = self.config
        w = word.lower() if cfg.lowercase else word
        grams = {"w:" + w}
        padded = f"<{w}>"
        for n in range(cfg.min_ngram, cfg.max_ngram + 1):
            for i in range(len(padded) - n + 1):
                grams.add(padded[i : i + n])
        return np.array(sorted(_hash(g, cfg.buckets) for g in grams), dtype=np.int32)

    def process(self, messages: list[Message]) -> None:
        cfg = self.config
        cache: dict[str, np.ndarray] = {}
        for msg in messages:
            token_ids = []
            for tok in msg.tokens:
                ids = cache.get(tok.text)
                if ids is None:
                    ids = cache[tok.text] = self.token_ids(tok.text)
                token_ids.append(ids)
            words = [t.text.lower() if cfg.lowercase else t.text for t in msg.tokens]
            sentence = set(np.concatenate(token_ids).tolist()) if token_ids else set()
            for n in range(2, cfg.word_ngrams + 1):
                for i in range(len(words) - n + 1):
                    sentence.add(_hash("s:" + " ".join(words[i : i + n]), cfg.buckets))
            msg.token_ngrams = token_ids
            msg.ngram_buckets = cfg.buckets
            msg.sentence_ngrams = np.array(sorted(sentence), dtype=np.int32)
