"""`Summarizer`: text -> extractive summary, on the NLU's sentence encoder.

    summarizer = Summarizer.load()                        # the pretrained encoder, loaded once per process
    summary = summarizer.summarize(text, Budget(sentences=3))
    summary.text, summary.sentences[0].index, summary.to_dict()

Steps: check the input (size, sentence count, language), split (splitting.py), embed the sentences in
batches (the encoder caches and length-buckets them), score them by directed centrality with a lead bias
(centrality.py), pick by MMR to the budget (selection.py). Everything is deterministic.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from actions.summarization.centrality import CentralityParams, sentence_scores
from actions.summarization.config import SummarizerConfig
from actions.summarization.errors import BadInput, InternalError, Unavailable
from actions.summarization.language import check_english
from actions.summarization.selection import mmr_select
from actions.summarization.splitting import count_words, split_sentences
from actions.summarization.summary import Budget, Summary, SummarySentence

log = logging.getLogger(__name__)


class SentenceEmbedder(Protocol):
    """What the engine needs of an encoder: `nlu.embeddings.SentenceEncoder` is one."""

    def encode_sentences(self, texts: list[str]) -> np.ndarray: ...  # (n, dim) unit vectors


@dataclass(frozen=True)
class Prepared:
    """A text split and embedded, ready to be scored under any config (the benchmark tunes on these)."""

    sentences: tuple[str, ...]
    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    words: tuple[int, ...]


class Summarizer:
    def __init__(self, encoder: SentenceEmbedder, config: SummarizerConfig | None = None) -> None:
        self.encoder = encoder
        self.config = config or SummarizerConfig()

    # --- construction ---------------------------------------------------------------------------
    @classmethod
    def load(cls, config: SummarizerConfig | None = None) -> Summarizer:
        """The engine on the pretrained encoder `config.handle` (shared with the NLU, loaded once)."""
        config = config or SummarizerConfig()
        return cls(shared_encoder(config.handle), config)

    def with_config(self, config: SummarizerConfig) -> Summarizer:
        return Summarizer(self.encoder, config)

    def default_budget(self) -> Budget:
        if self.config.words is not None:
            return Budget(words=self.config.words)
        return Budget(sentences=self.config.sentences)

    # --- public -----------------------------------------------------------------------------------
    def summarize(self, text: str, budget: Budget | None = None) -> Summary:
        """The summary of `text`; BadInput (kind "bad_input") says what to fix when it cannot be made."""
        return self.select(self.prepare(text), budget)

    def prepare(self, text: str) -> Prepared:
        cfg = self.config
        if not isinstance(text, str):
            raise BadInput(f"the text to summarize must be a string, got {type(text).__name__}")
        if not text.strip():
            raise BadInput("the text to summarize is empty: paste or upload the text itself")
        if "\x00" in text:
            raise BadInput("the text contains NUL bytes: it looks like a binary file, not text")
        if len(text) > cfg.max_chars:
            raise BadInput(
                f"the text has {len(text):,} characters, the maximum is {cfg.max_chars:,}: send a part of it"
            )
        if cfg.check_language:
            verdict = check_english(text)
            if not verdict.english:
                raise BadInput(
                    f"the text does not look like English ({verdict.reason}); the sentence encoder "
                    f"({cfg.handle}) reads English only: translate it first"
                )
        sentences = split_sentences(text)
        if len(sentences) < 2:
            raise BadInput(
                "the text is a single sentence: there is nothing to shorten; "
                "send a text of two sentences or more"
            )
        if len(sentences) > cfg.max_sentences:
            raise BadInput(
                f"the text has {len(sentences):,} sentences, the maximum is {cfg.max_sentences:,}: "
                "send a part of it"
            )
        return Prepared(tuple(sentences), self._embed(sentences), tuple(count_words(s) for s in sentences))

    def select(self, prepared: Prepared, budget: Budget | None = None) -> Summary:
        cfg = self.config
        budget = budget or self.default_budget()
        params = CentralityParams(cfg.lambda_backward, cfg.lambda_forward, cfg.beta, cfg.window)
        scores = sentence_scores(prepared.vectors, params, cfg.lead_weight, cfg.lead_decay)  # (n,)
        chosen = mmr_select(
            scores,
            prepared.vectors,
            list(prepared.words),
            budget,
            redundancy=cfg.redundancy,
            min_words=cfg.min_words,
        )
        return Summary(
            sentences=tuple(SummarySentence(i, prepared.sentences[i], float(scores[i])) for i in chosen),
            input_sentences=len(prepared.sentences),
            input_words=sum(prepared.words),
            budget=budget,
        )

    # --- internals ----------------------------------------------------------------------------------
    def _embed(self, sentences: list[str]) -> np.ndarray:
        size = self.config.batch_size
        parts = []
        for start in range(0, len(sentences), size):
            batch = sentences[start : start + size]
            vectors = np.asarray(self.encoder.encode_sentences(batch), np.float32)  # (batch, dim)
            if vectors.shape[0] != len(batch):
                raise InternalError(f"encoder returned {vectors.shape[0]} vectors for {len(batch)} sentences")
            parts.append(vectors)
        return np.concatenate(parts)  # (n, dim)


_ENCODERS: dict[str, SentenceEmbedder] = {}
_ENCODER_LOCK = threading.Lock()
_DEFAULT: Summarizer | None = None
_DEFAULT_LOCK = threading.Lock()


def shared_encoder(handle: str) -> SentenceEmbedder:
    """One `SentenceEncoder` per handle per process (the hub module itself is shared with the NLU)."""
    with _ENCODER_LOCK:
        if handle not in _ENCODERS:
            from nlu.embeddings import EmbeddingModuleError, SentenceEncoder

            try:
                _ENCODERS[handle] = SentenceEncoder(handle)
            except EmbeddingModuleError as exc:
                raise Unavailable(f"the sentence encoder {handle!r} cannot be loaded: {exc}") from exc
        return _ENCODERS[handle]


def default_summarizer() -> Summarizer:
    """The engine with the default config on the default encoder, built on first use and then reused."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Summarizer.load()
        return _DEFAULT
