"""A trained model plus its subwords: the model directory format and the Python translator.

A model directory holds `config.json` (languages, model spec, decode settings), `model.weights.h5`
(Keras weights) and the sentencepiece model(s). No pickle.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from translation.config import DecodeConfig, from_dict
from translation.decoding import beam_search, greedy
from translation.errors import ModelNotFound
from translation.models import build_model
from translation.subwords import EOS, Subwords, model_files

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.weights.h5"


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float  # log-probability divided by the length penalty
    token_ids: tuple[int, ...]
    attention: np.ndarray | None = field(default=None, compare=False)  # (target tokens, source tokens)
    source_tokens: tuple[str, ...] = ()
    target_tokens: tuple[str, ...] = ()


@contextlib.contextmanager
def keras_numpy_copy_warning_ignored() -> Iterator[None]:
    """Keras 3.15 converts TF variables with `np.array(x)`, which NumPy 2.4 flags as deprecated."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="__array__ implementation doesn't accept a copy keyword",
            category=DeprecationWarning,
        )
        yield


def build(model: keras.Model) -> keras.Model:
    """Create all variables eagerly (loops under tf.function cannot create them)."""
    src = tf.constant([[5, EOS]], tf.int32)
    model((src, tf.constant([[2, 5]], tf.int32)))
    static, dynamic = model.start(src)
    model.step(tf.constant([2]), tf.constant(0), static, dynamic)
    return model


class Translator:
    def __init__(
        self,
        model: keras.Model,
        subwords: Subwords,
        spec: dict[str, Any],
        source: str,
        target: str,
        joint: bool,
        decode: DecodeConfig,
    ) -> None:
        self.model, self.subwords, self.spec = model, subwords, spec
        self.source, self.target, self.joint, self.decode = source, target, joint, decode
        self._fns: dict[tuple[int, int], Any] = {}

    # ---- persistence ----------------------------------------------------------------------------
    @classmethod
    def load(cls, directory: str | Path) -> Translator:
        directory = Path(directory)
        cfg_file = directory / CONFIG_FILE
        if not cfg_file.is_file() or not (directory / WEIGHTS_FILE).is_file():
            raise ModelNotFound(
                f"no trained translation model in {directory} (expected {CONFIG_FILE} and "
                f"{WEIGHTS_FILE}); train one with `parley translate train`"
            )
        cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
        subwords = Subwords.load(directory, cfg["source"], cfg["target"], cfg["joint"])
        model = build(build_model(cfg["model"], subwords.source_vocab_size, subwords.target_vocab_size))
        with keras_numpy_copy_warning_ignored():
            model.load_weights(str(directory / WEIGHTS_FILE))
        decode = from_dict(DecodeConfig, cfg.get("decode", {}), cfg_file, "decode.")
        return cls(model, subwords, cfg["model"], cfg["source"], cfg["target"], cfg["joint"], decode)

    def save(self, directory: str | Path, extra: dict[str, Any] | None = None) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with keras_numpy_copy_warning_ignored():
            self.model.save_weights(str(directory / WEIGHTS_FILE))
        for f in {self.subwords.source_file, self.subwords.target_file}:
            if f.resolve() != (directory / f.name).resolve():
                shutil.copyfile(f, directory / f.name)
        cfg = {
            "format": 1,
            "source": self.source,
            "target": self.target,
            "joint": self.joint,
            "model": self.spec,
            "decode": asdict(self.decode),
            **(extra or {}),
        }
        (directory / CONFIG_FILE).write_text(json.dumps(cfg, indent=2), encoding="utf-8")

    @property
    def spm_files(self) -> tuple[str, str]:
        return model_files(self.source, self.target, self.joint)

    # ---- translation ----------------------------------------------------------------------------
    def decode_fn(self, beam: int, n_best: int = 1):
        """A compiled src (B, S) int32 -> (tokens (B, N, T), scores (B, N), attention (B, N, T, S))."""
        key = (beam, n_best)
        if key not in self._fns:
            d = self.decode

            @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
            def fn(src):
                if beam == 1:
                    tokens, scores, attn = greedy(
                        self.model, src, d.max_length_ratio, d.max_length_extra, d.length_penalty
                    )
                    return tokens[:, None], scores[:, None], attn[:, None]
                return beam_search(
                    self.model, src, beam, d.length_penalty, d.max_length_ratio, d.max_length_extra, n_best
                )

            self._fns[key] = fn
        return self._fns[key]

    def translate(
        self,
        texts: Sequence[str],
        beam: int | None = None,
        alignments: bool = False,
        batch_tokens: int = 6000,
        max_batch: int = 128,
    ) -> list[Hypothesis]:
        return [h[0] for h in self.translate_nbest(texts, beam, 1, alignments, batch_tokens, max_batch)]

    def translate_nbest(
        self,
        texts: Sequence[str],
        beam: int | None = None,
        n_best: int = 1,
        alignments: bool = False,
        batch_tokens: int = 6000,
        max_batch: int = 128,
    ) -> list[list[Hypothesis]]:
        beam = beam or self.decode.beam
        if n_best > beam:
            raise ValueError(f"n_best {n_best} exceeds beam {beam}")
        ids = self.subwords.encode_source(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        results: list[list[Hypothesis] | None] = [None] * len(ids)
        fn = self.decode_fn(beam, n_best)
        start = 0
        while start < len(order):
            end = start + 1
            while (
                end < len(order)
                and end - start < max_batch
                and (end - start + 1) * len(ids[order[end]]) * beam <= batch_tokens
            ):
                end += 1
            chunk = order[start:end]
            width = max(len(ids[i]) for i in chunk)
            src = np.zeros((len(chunk), width), np.int32)
            for row, i in enumerate(chunk):
                src[row, : len(ids[i])] = ids[i]
            tokens, scores, attn = (t.numpy() for t in fn(tf.constant(src)))
            for row, i in enumerate(chunk):
                results[i] = [
                    self._hypothesis(
                        texts[i],
                        len(ids[i]),
                        tokens[row, n],
                        float(scores[row, n]),
                        attn[row, n] if alignments else None,
                    )
                    for n in range(n_best)
                ]
            start = end
        return results  # type: ignore[return-value]

    def _hypothesis(
        self, text: str, src_len: int, tokens: np.ndarray, score: float, attn: np.ndarray | None
    ) -> Hypothesis:
        out = []
        for t in tokens.tolist():
            if t == EOS or t == 0:
                break
            out.append(t)
        hyp_text = self.subwords.decode_target(out)
        if attn is None:
            return Hypothesis(hyp_text, score, tuple(out))
        steps = len(out) + 1  # incl. EOS
        return Hypothesis(
            hyp_text,
            score,
            tuple(out),
            np.asarray(attn[:steps, :src_len], np.float32),
            tuple(self.subwords.source_pieces(text)),
            tuple(self.subwords.target_pieces(out)) + ("</s>",),
        )
