"""Configs reject unknown keys and wrong types naming file and key; the catalog lists valid models."""

from __future__ import annotations

import pytest

from translation.config import load_config
from translation.errors import ConfigError, UnknownModel
from translation.models import build_model


def test_unknown_key_names_file_and_key(tmp_path):
    f = tmp_path / "c.yml"
    f.write_text("train: {max_step: 10}\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"c\.yml:1: key 'train\.max_step': unknown key; valid keys: .*max_steps"
    ):
        load_config(f)


def test_wrong_type_names_the_key(tmp_path):
    f = tmp_path / "c.yml"
    f.write_text("subwords: {vocab_size: lots}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'subwords\.vocab_size': expected int"):
        load_config(f)


def test_shipped_configs_load():
    for name in ("demo", "multi30k_transformer", "multi30k_rnn"):
        cfg = load_config(f"translation/configs/{name}.yml")
        assert cfg.model["name"] in ("transformer", "rnn")


def test_catalog_lists_valid_models_and_options():
    with pytest.raises(UnknownModel, match="unknown model 'lstm'; valid models: rnn, transformer"):
        build_model({"name": "lstm"}, 10, 10)
    with pytest.raises(UnknownModel, match="model 'transformer' has no option 'units'"):
        build_model({"name": "transformer", "units": 3}, 10, 10)


def test_errors_carry_the_line_and_nothing_is_coerced(tmp_path):
    f = tmp_path / "c.yml"
    f.write_text("data:\n  max_tokens: 64\n  lowercase: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yml:3: key 'data\.lowercase': expected bool, got int 1"):
        load_config(f)
    f.write_text("train:\n  max_steps: '10'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yml:2: key 'train\.max_steps': expected int, got str '10'"):
        load_config(f)


def test_overrides_apply_on_top_of_the_file(tmp_path):
    f = tmp_path / "c.yml"
    f.write_text("train: {max_steps: 10, seed: 7}\ndecode: {length_penalty: 1}\n", encoding="utf-8")
    cfg = load_config(f, {"train": {"max_steps": 3}})
    assert (cfg.train.max_steps, cfg.train.seed, cfg.decode.length_penalty) == (3, 7, 1.0)
