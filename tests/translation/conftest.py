"""Tiny trained models shared by the translation tests (trained once per session, a few seconds each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from translation.config import load_config
from translation.data import prepare
from translation.demo_data import demo_pairs
from translation.training import train
from translation.translator import Translator

TINY_MODELS = {
    "transformer": {
        "name": "transformer",
        "d_model": 64,
        "layers": 1,
        "heads": 2,
        "ff_dim": 128,
        "dropout": 0.0,
    },
    "rnn": {"name": "rnn", "embedding_dim": 32, "units": 64, "dropout": 0.0},
}
TINY_TRAIN = {
    "transformer": {"max_steps": 200, "learning_rate": 0.005},
    "rnn": {"max_steps": 300, "learning_rate": 0.01},
}


def tiny_config(name: str, **train_overrides):
    train_cfg = {
        "warmup_steps": 30,
        "eval_every": 0,
        "checkpoint_every": 100,
        "max_tokens_per_batch": 800,
        "label_smoothing": 0.0,
        **TINY_TRAIN[name],
        **train_overrides,
    }
    return load_config(
        None,
        {
            "model": TINY_MODELS[name],
            "train": train_cfg,
            "decode": {"beam": 3},
            "subwords": {"vocab_size": 200},
        },
    )


@pytest.fixture(scope="session")
def tiny_pairs() -> list[tuple[str, str]]:
    """50 short demo phrase pairs of every domain."""
    return sorted(demo_pairs(), key=lambda p: (len(p[0]), p))[::30][:50]


@pytest.fixture(scope="session")
def prepared(tmp_path_factory, tiny_pairs) -> Path:
    out = tmp_path_factory.mktemp("prepared")
    cfg = tiny_config("transformer")
    prepare(
        out, "en", "de", cfg.data, cfg.subwords, {"train": tiny_pairs, "dev": tiny_pairs, "test": tiny_pairs}
    )
    return out


def _trained(tmp_path_factory, prepared: Path, name: str) -> Path:
    out = tmp_path_factory.mktemp(f"model_{name}")
    train(prepared, out, tiny_config(name), progress=False)
    return out


@pytest.fixture(scope="session")
def transformer_run(tmp_path_factory, prepared):
    """The tiny Transformer, trained in two sessions: 100 steps, then resumed from its checkpoint to 200."""
    out = tmp_path_factory.mktemp("model_transformer")
    first = train(
        prepared, out, tiny_config("transformer", max_steps=100, checkpoint_every=50), progress=False
    )
    second = train(
        prepared, out, tiny_config("transformer", checkpoint_every=50, eval_every=50), progress=False
    )
    return out, first, second


@pytest.fixture(scope="session")
def transformer_dir(transformer_run) -> Path:
    return transformer_run[0]


@pytest.fixture(scope="session")
def rnn_dir(tmp_path_factory, prepared) -> Path:
    return _trained(tmp_path_factory, prepared, "rnn")


@pytest.fixture(scope="session")
def transformer(transformer_dir) -> Translator:
    return Translator.load(transformer_dir)


@pytest.fixture(scope="session")
def rnn(rnn_dir) -> Translator:
    return Translator.load(rnn_dir)
