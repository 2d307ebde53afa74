"""Typed, frozen configuration for prepare/train/decode, read from one YAML file.

Example (`translation/configs/demo.yml`):

    data:     {max_tokens: 64, max_length_ratio: 3.0, dev_fraction: 0.05, test_fraction: 0.05}
    subwords: {model_type: unigram, vocab_size: 1000, joint: true}
    model:    {name: transformer, d_model: 128, layers: 2, heads: 4, ff_dim: 256}
    train:    {max_tokens_per_batch: 2048, warmup_steps: 400, max_steps: 2000}
    decode:   {beam: 4, length_penalty: 0.6, max_length_ratio: 1.5}

The sections are pydantic dataclasses validated through Parley's one loader (`nlu.yamlio`): unknown
keys and wrong types fail with the file, the line and the dotted key. `model` is checked by the model
catalog (`translation.models.build_model`), which knows each architecture's options.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic.dataclasses import dataclass

from nlu.yamlio import ConfigFileError, load_yaml, validate, yaml_type
from translation.errors import ConfigError

# Unknown keys are errors; fields are Strict* types, so nothing is coerced ("3" is not an int, true is
# not a number; an int is a fine float).
_FORBID_EXTRA = ConfigDict(extra="forbid")


@dataclass(frozen=True, config=_FORBID_EXTRA)
class DataConfig:
    max_tokens: StrictInt = 100  # whitespace tokens per side; longer pairs are dropped
    max_length_ratio: StrictFloat = 3.0  # drop pairs whose token-count ratio exceeds this
    dev_fraction: StrictFloat = 0.05  # hash split, used only when no dev/test files are given
    test_fraction: StrictFloat = 0.05
    lowercase: StrictBool = False


@dataclass(frozen=True, config=_FORBID_EXTRA)
class SubwordConfig:
    model_type: StrictStr = "unigram"  # unigram | bpe
    vocab_size: StrictInt = 8000
    joint: StrictBool = True  # one vocabulary for both languages (needed for tied embeddings)
    character_coverage: StrictFloat = 1.0
    max_sentences: StrictInt = 200_000  # sentences fed to the sentencepiece trainer


@dataclass(frozen=True, config=_FORBID_EXTRA)
class TrainConfig:
    seed: StrictInt = 1234
    max_tokens_per_batch: StrictInt = 4096  # source+target tokens incl. padding
    bucket_width: StrictInt = 4
    learning_rate: StrictFloat = 7e-4  # peak of the inverse-sqrt schedule (reached after warmup_steps)
    warmup_steps: StrictInt = 4000
    clip_norm: StrictFloat = 1.0
    label_smoothing: StrictFloat = 0.1
    max_steps: StrictInt = 100_000
    max_minutes: StrictFloat = 0.0  # 0 = no time budget
    checkpoint_every: StrictInt = 500
    keep_checkpoints: StrictInt = 5
    average_last: StrictInt = 1  # average the last K checkpoints into the final model
    eval_every: StrictInt = 1000  # dev BLEU every N steps (0 = never)
    eval_sentences: StrictInt = 300
    patience: StrictInt = 0  # stop after N evaluations without dev BLEU improvement (0 = never)
    log_every: StrictInt = 50
    deterministic: StrictBool = False


@dataclass(frozen=True, config=_FORBID_EXTRA)
class DecodeConfig:
    beam: StrictInt = 4
    length_penalty: StrictFloat = 0.6
    max_length_ratio: StrictFloat = 1.5
    max_length_extra: StrictInt = 10
    max_input_tokens: StrictInt = 200  # subword tokens per sentence the server accepts


@dataclass(frozen=True, config=_FORBID_EXTRA)
class ProjectConfig:
    data: DataConfig = Field(default_factory=DataConfig)
    subwords: SubwordConfig = Field(default_factory=SubwordConfig)
    model: dict[str, Any] = Field(default_factory=lambda: {"name": "transformer"})
    train: TrainConfig = Field(default_factory=TrainConfig)
    decode: DecodeConfig = Field(default_factory=DecodeConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def from_dict(cls: type, raw: dict[str, Any] | None, path: object, prefix: str = "") -> Any:
    """Section `cls` built from `raw`, rejecting unknown keys and wrong types (naming file, line, key)."""
    try:
        return validate(cls, raw or {}, path=str(path), key_prefix=prefix)
    except ConfigFileError as exc:
        raise config_error(exc) from None


def load_config(path: str | Path | None, overrides: dict[str, dict[str, Any]] | None = None) -> ProjectConfig:
    """Read a YAML config (or defaults when `path` is None), applying per-section overrides."""
    raw: Any = {}
    if path is not None:
        try:
            raw = load_yaml(path) or {}
        except ConfigFileError as exc:
            raise config_error(exc) from None
        if not isinstance(raw, dict):
            raise ConfigError(path, None, f"expected a mapping of sections, got {yaml_type(raw)}")
    for section, values in (overrides or {}).items():
        current = raw.get(section) or {}
        if not isinstance(current, dict):
            raise ConfigError(path, section, f"expected a mapping, got {current!r}")
        merged = type(current)(current)
        merged.update(values)
        if hasattr(current, "lines"):
            merged.line, merged.lines = current.line, dict(current.lines)
        raw[section] = merged
    return from_dict(ProjectConfig, raw, path or "<defaults>")


def config_error(exc: ConfigFileError) -> ConfigError:
    """The loader's error as the engine's own: `file:line: key 'a.b': problem`."""
    err = ConfigError(exc.location, exc.key, exc.problem)
    err.path, err.line = exc.path, exc.line  # type: ignore[attr-defined]
    return err
