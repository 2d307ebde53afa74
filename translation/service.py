"""The translation service the server and the bot's translate action call.

`TranslationService.load({("en", "de"): Path("models/translation/en-de")})` loads each pair's model
once (read-only). `translate()` checks the pair and the input length, splits over-long texts into
sentences (or refuses them with 413), and hands the work to a micro-batcher: a small thread that
groups requests arriving within `batch_window_ms` into one decoder call.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from translation.errors import InputTooLong, UnknownLanguagePair
from translation.translator import Hypothesis, Translator

log = logging.getLogger(__name__)

Pair = tuple[str, str]
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


@dataclass(frozen=True)
class Translation:
    text: str
    score: float  # length-normalised log-probability (higher is better; 0 is certain)
    alignment: tuple[tuple[float, ...], ...] | None = None  # (target tokens, source tokens)
    source_tokens: tuple[str, ...] | None = None
    target_tokens: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "score": round(self.score, 4)}
        if self.alignment is not None:
            out["alignment"] = {
                "source_tokens": list(self.source_tokens or ()),
                "target_tokens": list(self.target_tokens or ()),
                "weights": [[round(w, 4) for w in row] for row in self.alignment],
            }
        return out


@dataclass
class _Job:
    pair: Pair
    beam: int
    alignments: bool
    segments: list[str]
    future: Future = field(default_factory=Future)


class MicroBatcher:
    """One worker thread; requests with the same (pair, beam, alignments) that arrive within the
    window are translated in one batch."""

    def __init__(
        self, translators: Mapping[Pair, Translator], window_ms: float = 5.0, max_segments: int = 128
    ) -> None:
        self.translators, self.window_s, self.max_segments = translators, window_ms / 1000.0, max_segments
        self.jobs: queue.Queue[_Job | None] = queue.Queue()
        self.batches = 0  # decoder calls made, for tests and metrics
        self._thread = threading.Thread(target=self._run, name="translation-batcher", daemon=True)
        self._thread.start()

    def submit(self, job: _Job) -> list[Hypothesis]:
        self.jobs.put(job)
        return job.future.result()

    def close(self) -> None:
        self.jobs.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            first = self.jobs.get()
            if first is None:
                return
            jobs, size = [first], len(first.segments)
            deadline = time.monotonic() + self.window_s
            stop = False
            while size < self.max_segments:
                try:
                    job = self.jobs.get(timeout=max(deadline - time.monotonic(), 0.0))
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                jobs.append(job)
                size += len(job.segments)
            groups: dict[tuple, list[_Job]] = {}
            for job in jobs:
                groups.setdefault((job.pair, job.beam, job.alignments), []).append(job)
            for (pair, beam, alignments), group in groups.items():
                self._translate(pair, beam, alignments, group)
            if stop:
                return

    def _translate(self, pair: Pair, beam: int, alignments: bool, group: list[_Job]) -> None:
        try:
            texts = [s for job in group for s in job.segments]
            hyps = self.translators[pair].translate(texts, beam=beam, alignments=alignments)
            self.batches += 1
            log.debug(
                "event=translation.batch pair=%s-%s requests=%d segments=%d", *pair, len(group), len(texts)
            )
            start = 0
            for job in group:
                job.future.set_result(hyps[start : start + len(job.segments)])
                start += len(job.segments)
        except Exception as exc:  # noqa: BLE001 - handed to the waiting callers
            for job in group:
                if not job.future.done():
                    job.future.set_exception(exc)


class TranslationService:
    def __init__(
        self,
        translators: Mapping[Pair, Translator],
        *,
        max_texts: int = 64,
        max_input_tokens: int | None = None,
        split_long: bool = True,
        batch_window_ms: float = 5.0,
    ) -> None:
        self.translators = dict(translators)
        self.max_texts, self.split_long = max_texts, split_long
        self._max_input_tokens = max_input_tokens
        self.batcher = MicroBatcher(self.translators, batch_window_ms)

    @classmethod
    def load(cls, pairs: Mapping[Pair, Path], **options: Any) -> TranslationService:
        translators = {}
        for (source, target), directory in pairs.items():
            translator = Translator.load(Path(directory))
            if (translator.source, translator.target) != (source, target):
                log.warning(
                    "event=translation.pair_mismatch configured=%s-%s model=%s-%s dir=%s",
                    source,
                    target,
                    translator.source,
                    translator.target,
                    directory,
                )
            translators[(source, target)] = translator
            log.info("event=translation.loaded pair=%s-%s dir=%s", source, target, directory)
        return cls(translators, **options)

    @classmethod
    def load_served(cls, pairs: Mapping[Pair, Path], server: Any, **options: Any) -> TranslationService:
        """Each pair translated by TF Serving (translation/serving.py: `server` is its ServerConfig); only
        config.json and the subwords of each model directory are read here, never the weights."""
        from translation.serving import ServingTranslator

        if server.model and len(pairs) > 1:
            raise UnknownLanguagePair(
                "translation_server.model names one served model; with several pairs use models: {pair: name}"
            )
        translators = {pair: ServingTranslator.load(Path(d), server) for pair, d in pairs.items()}
        for (source, target), translator in translators.items():
            log.info("event=translation.served pair=%s-%s url=%s", source, target, translator.predict_url)
        return cls(translators, **options)

    def pairs(self) -> list[Pair]:
        return sorted(self.translators)

    def close(self) -> None:
        self.batcher.close()

    def max_input_tokens(self, pair: Pair) -> int:
        return self._max_input_tokens or self.translators[pair].decode.max_input_tokens

    def translate(
        self, texts: Sequence[str], source: str, target: str, *, beam: int = 4, alignments: bool = False
    ) -> list[Translation]:
        pair = (source, target)
        if pair not in self.translators:
            available = ", ".join(f"{s}-{t}" for s, t in self.pairs()) or "none"
            raise UnknownLanguagePair(f"no model for {source}-{target}; available pairs: {available}")
        if len(texts) > self.max_texts:
            raise InputTooLong(f"{len(texts)} texts in one request, the limit is {self.max_texts}")
        if not texts:
            return []
        segmented = [self._segments(text, pair, i) for i, text in enumerate(texts)]
        flat = [s for segs in segmented for s in segs]
        hyps = self.batcher.submit(_Job(pair, beam, alignments, flat))
        out, start = [], 0
        for segs in segmented:
            out.append(_join(hyps[start : start + len(segs)], alignments))
            start += len(segs)
        return out

    def _segments(self, text: str, pair: Pair, index: int) -> list[str]:
        limit = self.max_input_tokens(pair)
        subwords = self.translators[pair].subwords
        if len(subwords.source.encode(text)) + 1 <= limit:
            return [text]
        n_tokens = len(subwords.source.encode(text)) + 1
        if not self.split_long:
            raise InputTooLong(f"text {index} has {n_tokens} subword tokens, the limit is {limit}")
        sentences = [s for s in SENTENCE_END.split(text.strip()) if s]
        for s in sentences:
            n = len(subwords.source.encode(s)) + 1
            if n > limit:
                raise InputTooLong(
                    f"text {index} has a sentence of {n} subword tokens, the limit is {limit}; "
                    f"split it into shorter sentences"
                )
        return sentences


def _join(hyps: Sequence[Hypothesis], alignments: bool) -> Translation:
    """One Translation from one or more sentence hypotheses (block-diagonal alignment when split)."""
    if len(hyps) == 1:
        h = hyps[0]
        if not alignments or h.attention is None:
            return Translation(h.text, h.score)
        return Translation(
            h.text,
            h.score,
            tuple(tuple(float(x) for x in row) for row in h.attention),
            h.source_tokens,
            h.target_tokens,
        )
    text = " ".join(h.text for h in hyps)
    score = float(np.mean([h.score for h in hyps]))
    if not alignments:
        return Translation(text, score)
    rows = sum(h.attention.shape[0] for h in hyps)  # type: ignore[union-attr]
    cols = sum(h.attention.shape[1] for h in hyps)  # type: ignore[union-attr]
    matrix = np.zeros((rows, cols), np.float32)
    r = c = 0
    for h in hyps:
        a = h.attention
        matrix[r : r + a.shape[0], c : c + a.shape[1]] = a  # type: ignore[union-attr]
        r, c = r + a.shape[0], c + a.shape[1]  # type: ignore[union-attr]
    return Translation(
        text,
        score,
        tuple(tuple(float(x) for x in row) for row in matrix),
        tuple(t for h in hyps for t in h.source_tokens),
        tuple(t for h in hyps for t in h.target_tokens),
    )
