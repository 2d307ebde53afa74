"""Shared fixtures: the real default hub module (built once into the cache folder) and the reference vectors.

The module is built into `$PARLEY_CACHE_DIR` (default `~/.cache/parley`), like in production, so the whole
test session (and the NLU tests using the hub featurizer) builds it at most once (~15 s), then reuses it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "embeddings" / "reference.json"


@pytest.fixture(scope="session")
def reference() -> list[dict]:
    """Per input: text, sentence (384 floats), ids, wordpieces, offsets, maybe token_vectors."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["inputs"]


@pytest.fixture(scope="session")
def module_path() -> Path:
    from nlu.embeddings import build_module

    return build_module()


@pytest.fixture(scope="session")
def hub_module(module_path):
    from nlu.embeddings.handles import import_hub

    return import_hub().load(str(module_path))


@pytest.fixture(scope="session")
def encoder(module_path):
    from nlu.embeddings import SentenceEncoder

    return SentenceEncoder(cache_size=256)
