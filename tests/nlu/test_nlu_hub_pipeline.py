"""The default pipeline on the real hub embedding module (built once per session, offline)."""

from __future__ import annotations

import shutil

import numpy as np

from nlu import NLUModel
from nlu.components import Message
from nlu.components.hub_featurizer import HubFeaturizer, HubFeaturizerConfig
from nlu.components.tokenizer import RegexTokenizer, TokenizerConfig


def test_hub_featurizer_gives_sentence_and_per_token_vectors():
    msgs = [Message("Book a table in São Paulo"), Message("hi")]
    RegexTokenizer(TokenizerConfig()).process(msgs)
    HubFeaturizer(HubFeaturizerConfig()).process(msgs)
    for msg in msgs:
        assert msg.sentence_dense.shape == (384,)
        assert abs(float(np.linalg.norm(msg.sentence_dense)) - 1.0) < 1e-3
        assert msg.token_dense.shape == (len(msg.tokens), 384)
        assert np.all(np.abs(msg.token_dense).sum(axis=1) > 0)  # every token got wordpieces


def test_hub_model_parses_intents_and_entities(hub_model):
    result = hub_model.parse("please fly from Oslo to Vienna")
    assert result.intent.name == "book_flight"
    assert {(e.value, e.role) for e in result.entities if e.entity == "city"} == {
        ("Oslo", "departure"),
        ("Vienna", "destination"),
    }
    assert hub_model.parse("good evening").intent.name == "greet"
    assert hub_model.parse("see ya").intent.name == "goodbye"


def test_hub_model_round_trip(hub_model, hub_model_dir, tmp_path):
    shutil.copytree(hub_model_dir, tmp_path / "m")
    again = NLUModel.load(tmp_path / "m")
    for text in ["weather in Rome tomorrow", "hello", "fly from London to Paris", ""]:
        assert again.parse(text).to_dict() == hub_model.parse(text).to_dict()
