"""Tiny NLU data written by the tests, and session-scoped trained models (one sparse, one on the hub)."""

# ruff: noqa: E501  (training examples read best one per line)

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

TINY_NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
    - good morning
    - hey
    - hello friend
    - hi
- intent: goodbye
  examples: |
    - bye
    - goodbye
    - see you later
    - bye bye
    - see you soon
    - farewell
- intent: book_flight
  examples: |
    - fly from [Berlin]{"entity": "city", "role": "departure"} to [Paris]{"entity": "city", "role": "destination"}
    - book a flight from [London]{"entity": "city", "role": "departure"} to [Rome]{"entity": "city", "role": "destination"}
    - I want to fly to [Madrid]{"entity": "city", "role": "destination"} from [Oslo]{"entity": "city", "role": "departure"}
    - a ticket from [Vienna]{"entity": "city", "role": "departure"} to [Berlin]{"entity": "city", "role": "destination"}
    - flight to [Paris]{"entity": "city", "role": "destination"} from [Rome]{"entity": "city", "role": "departure"}
    - fly from [Paris]{"entity": "city", "role": "departure"} to [London]{"entity": "city", "role": "destination"}
- intent: weather
  examples: |
    - what is the weather in [Berlin](city) [tomorrow](date)
    - will it rain in [Paris](city) [today](date)
    - weather for [NYC](city:New York) please
    - how hot is it in [Rome](city)
    - is it sunny in [London](city) [today](date)
    - forecast for [Oslo](city) [tomorrow](date)
- intent: zip
  examples: |
    - my zip code is [12345](zipcode)
    - send it to zip [90210](zipcode)
    - the postcode is [10115](zipcode)
- synonym: New York
  examples: |
    - big apple
- regex: zipcode
  examples: |
    - \\b[0-9]{5}\\b
- lookup: airline
  examples: |
    - Lufthansa
    - Air France
"""

SPARSE_CONFIG = """\
language: en
pipeline:
  - name: RegexTokenizer
  - name: CharNgramFeaturizer
    buckets: 4096
  - name: RegexEntityExtractor
  - name: IntentEntityClassifier
    epochs: 40
    hidden: 64
    sparse_dim: 32
    entity_hidden: 32
    dropout: 0.0
    learning_rate: 0.005
    weight_decay: 0.0
    token_context: conv
    progress: false
  - name: EntitySynonymMapper
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.05
policies:
  - name: RulePolicy
"""

HUB_CONFIG = """\
language: en
pipeline:
  - name: RegexTokenizer
  - name: HubFeaturizer
  - name: CharNgramFeaturizer
    buckets: 4096
  - name: RegexEntityExtractor
  - name: IntentEntityClassifier
    epochs: 40
    hidden: 64
    sparse_dim: 32
    entity_hidden: 32
    dropout: 0.0
    learning_rate: 0.005
    progress: false
  - name: EntitySynonymMapper
  - name: FallbackClassifier
"""


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("nlu_project")
    (root / "data").mkdir()
    (root / "data" / "nlu.yml").write_text(TINY_NLU)
    (root / "config.yml").write_text(SPARSE_CONFIG)
    (root / "config_hub.yml").write_text(HUB_CONFIG)
    return root


@pytest.fixture(scope="session")
def sparse_model_dir(tiny_project) -> Path:
    from nlu import train_nlu

    out = tiny_project / "models" / "nlu"
    train_nlu(tiny_project / "config.yml", [tiny_project / "data"], out, seed=1)
    return out


@pytest.fixture(scope="session")
def sparse_model(sparse_model_dir):
    from nlu import NLUModel

    return NLUModel.load(sparse_model_dir)


@pytest.fixture(scope="session")
def hub_model_dir(tiny_project) -> Path:
    from nlu import train_nlu

    out = tiny_project / "models" / "nlu_hub"
    train_nlu(tiny_project / "config_hub.yml", [tiny_project / "data"], out, seed=1)
    return out


@pytest.fixture(scope="session")
def hub_model(hub_model_dir):
    from nlu import NLUModel

    return NLUModel.load(hub_model_dir)


@pytest.fixture(scope="session")
def tiny_nlu() -> str:
    return TINY_NLU
