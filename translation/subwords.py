"""Sentencepiece subwords: training (unigram or BPE, joint or separate) and a small encoder/decoder.

Ids are fixed across all Parley models: pad=0, unk=1, bos=2, eos=3.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sentencepiece as spm

from translation.config import SubwordConfig
from translation.errors import DataError, ModelNotFound

log = logging.getLogger(__name__)

PAD, UNK, BOS, EOS = 0, 1, 2, 3


def model_files(source: str, target: str, joint: bool) -> tuple[str, str]:
    """File names of the (source, target) sentencepiece models inside a prepared/model directory."""
    if joint:
        return "spm.model", "spm.model"
    return f"spm.{source}.model", f"spm.{target}.model"


def train_sentencepiece(texts: Sequence[str], out_file: Path, cfg: SubwordConfig) -> int:
    """Train one sentencepiece model from `texts` into `out_file`; returns the vocabulary size used."""
    if not texts:
        raise DataError(f"cannot train sentencepiece model {out_file}: no sentences")
    if cfg.model_type not in ("unigram", "bpe"):
        raise DataError(f"subwords.model_type must be 'unigram' or 'bpe', got {cfg.model_type!r}")
    texts = list(texts)[: cfg.max_sentences]
    model = io.BytesIO()
    vocab_size = cfg.vocab_size
    # Tiny corpora cannot support a large vocabulary; retry with a smaller one rather than fail.
    for _ in range(8):
        try:
            spm.SentencePieceTrainer.train(
                sentence_iterator=iter(texts),
                model_writer=model,
                vocab_size=vocab_size,
                model_type=cfg.model_type,
                character_coverage=cfg.character_coverage,
                pad_id=PAD,
                unk_id=UNK,
                bos_id=BOS,
                eos_id=EOS,
                input_sentence_size=cfg.max_sentences,
                shuffle_input_sentence=False,
                num_threads=1,
                minloglevel=2,
            )
            break
        except RuntimeError as exc:
            if "Vocabulary size is too high" not in str(exc) and "vocab_size" not in str(exc):
                raise
            vocab_size = max(16, int(vocab_size * 0.7))
            model = io.BytesIO()
            log.info("event=subwords.vocab_shrunk file=%s vocab_size=%d", out_file, vocab_size)
    else:
        raise DataError(f"could not train sentencepiece model {out_file} from {len(texts)} sentences")
    out_file.write_bytes(model.getvalue())
    if vocab_size != cfg.vocab_size:
        log.warning(
            "event=subwords.vocab_smaller file=%s asked=%d used=%d (corpus too small)",
            out_file,
            cfg.vocab_size,
            vocab_size,
        )
    return vocab_size


@dataclass
class Subwords:
    """The pair of sentencepiece processors a model uses; `joint` means both are the same file."""

    source: spm.SentencePieceProcessor
    target: spm.SentencePieceProcessor
    source_file: Path
    target_file: Path

    @classmethod
    def load(cls, directory: Path, source_lang: str, target_lang: str, joint: bool) -> Subwords:
        src_name, tgt_name = model_files(source_lang, target_lang, joint)
        files = (directory / src_name, directory / tgt_name)
        for f in files:
            if not f.is_file():
                raise ModelNotFound(f"sentencepiece model {f} is missing")
        return cls(
            spm.SentencePieceProcessor(model_file=str(files[0])),
            spm.SentencePieceProcessor(model_file=str(files[1])),
            files[0],
            files[1],
        )

    @property
    def source_vocab_size(self) -> int:
        return self.source.get_piece_size()

    @property
    def target_vocab_size(self) -> int:
        return self.target.get_piece_size()

    def encode_source(self, texts: Iterable[str]) -> list[list[int]]:
        """Source ids, each ending with EOS."""
        return [ids + [EOS] for ids in self.source.encode(list(texts))]

    def encode_target(self, texts: Iterable[str]) -> list[list[int]]:
        """Target ids, each ending with EOS (the decoder input is BOS + ids[:-1])."""
        return [ids + [EOS] for ids in self.target.encode(list(texts))]

    def decode_target(self, ids: Sequence[int]) -> str:
        return self.target.decode([i for i in ids if i > EOS or i == UNK])

    def source_pieces(self, text: str) -> list[str]:
        return [*self.source.encode(text, out_type=str), "</s>"]

    def target_pieces(self, ids: Sequence[int]) -> list[str]:
        return [self.target.id_to_piece(i) for i in ids]
