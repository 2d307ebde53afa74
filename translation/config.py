"""Typed, frozen configuration for prepare/train/decode, read from one YAML file.

Example (`translation/configs/demo.yml`):

    data:     {max_tokens: 64, max_length_ratio: 3.0, dev_fraction: 0.05, test_fraction: 0.05}
    subwords: {model_type: unigram, vocab_size: 1000, joint: true}
    model:    {name: transformer, d_model: 128, layers: 2, heads: 4, ff_dim: 256}
    train:    {max_tokens_per_batch: 2048, warmup_steps: 400, max_steps: 2000}
    decode:   {beam: 4, length_penalty: 0.6, max_length_ratio: 1.5}

Unknown keys and wrong types fail with the file and the key.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from translation.errors import ConfigError


@dataclass(frozen=True)
class DataConfig:
    max_tokens: int = 100  # whitespace tokens per side; longer pairs are dropped
    max_length_ratio: float = 3.0  # drop pairs whose token-count ratio exceeds this
    dev_fraction: float = 0.05  # hash split, used only when no dev/test files are given
    test_fraction: float = 0.05
    lowercase: bool = False


@dataclass(frozen=True)
class SubwordConfig:
    model_type: str = "unigram"  # unigram | bpe
    vocab_size: int = 8000
    joint: bool = True  # one vocabulary for both languages (needed for tied embeddings)
    character_coverage: float = 1.0
    max_sentences: int = 200_000  # sentences fed to the sentencepiece trainer


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 1234
    max_tokens_per_batch: int = 4096  # source+target tokens incl. padding
    bucket_width: int = 4
    learning_rate: float = 7e-4  # peak of the inverse-sqrt schedule (reached after warmup_steps)
    warmup_steps: int = 4000
    clip_norm: float = 1.0
    label_smoothing: float = 0.1
    max_steps: int = 100_000
    max_minutes: float = 0.0  # 0 = no time budget
    checkpoint_every: int = 500
    keep_checkpoints: int = 5
    average_last: int = 1  # average the last K checkpoints into the final model
    eval_every: int = 1000  # dev BLEU every N steps (0 = never)
    eval_sentences: int = 300
    patience: int = 0  # stop after N evaluations without dev BLEU improvement (0 = never)
    log_every: int = 50
    deterministic: bool = False


@dataclass(frozen=True)
class DecodeConfig:
    beam: int = 4
    length_penalty: float = 0.6
    max_length_ratio: float = 1.5
    max_length_extra: int = 10
    max_input_tokens: int = 200  # subword tokens per sentence the server accepts


@dataclass(frozen=True)
class ProjectConfig:
    data: DataConfig = field(default_factory=DataConfig)
    subwords: SubwordConfig = field(default_factory=SubwordConfig)
    model: dict[str, Any] = field(default_factory=lambda: {"name": "transformer"})
    train: TrainConfig = field(default_factory=TrainConfig)
    decode: DecodeConfig = field(default_factory=DecodeConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check_type(value: Any, annotation: Any, path: object, key: str) -> Any:
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    origin = typing.get_origin(annotation)
    expected: type | tuple[type, ...] = origin or annotation
    if origin is types.UnionType:
        expected = tuple(typing.get_origin(a) or a for a in typing.get_args(annotation))
    if not isinstance(value, expected) or (isinstance(value, bool) and expected in (int, float)):
        raise ConfigError(
            path,
            key,
            f"expected {getattr(annotation, '__name__', annotation)}, got {type(value).__name__} {value!r}",
        )
    return value


def from_dict(cls: type, raw: dict[str, Any] | None, path: object, prefix: str = "") -> Any:
    """Build dataclass `cls` from `raw`, rejecting unknown keys and wrong types (naming them)."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(path, prefix.rstrip(".") or None, f"expected a mapping, got {raw!r}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - names)
    if unknown:
        raise ConfigError(path, prefix + unknown[0], f"unknown key; valid keys: {', '.join(sorted(names))}")
    kwargs = {}
    for name, value in raw.items():
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            kwargs[name] = from_dict(hint, value, path, f"{prefix}{name}.")
        else:
            kwargs[name] = _check_type(value, hint, path, prefix + name)
    return cls(**kwargs)


def load_config(path: str | Path | None, overrides: dict[str, dict[str, Any]] | None = None) -> ProjectConfig:
    """Read a YAML config (or defaults when `path` is None), applying per-section overrides."""
    raw: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(p, None, "file not found")
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    for section, values in (overrides or {}).items():
        raw.setdefault(section, {})
        raw[section] = {**raw[section], **values}
    return from_dict(ProjectConfig, raw, path or "<defaults>")
