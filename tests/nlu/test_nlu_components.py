"""Each pipeline component on its own."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.components import REGISTRY, Message
from nlu.components.base import Token
from nlu.components.bilou import decode, encode, tag_names, transition_mask, viterbi
from nlu.components.char_ngrams import CharNgramConfig, CharNgramFeaturizer
from nlu.components.fallback import FallbackClassifier, FallbackConfig
from nlu.components.hub_featurizer import pool_to_tokens
from nlu.components.regex_extractor import RegexEntityExtractor, RegexExtractorConfig
from nlu.components.synonyms import EntitySynonymMapper, SynonymConfig
from nlu.components.tokenizer import RegexTokenizer, TokenizerConfig
from nlu.data.training_data import EntityAnnotation, LookupTable, RegexPattern, TrainingData
from nlu.results import Entity, IntentPrediction


def _tokenized(text: str) -> Message:
    msg = Message(text)
    RegexTokenizer(TokenizerConfig()).process([msg])
    return msg


def test_tokenizer_offsets_and_punctuation():
    msg = _tokenized("Fly to São Paulo, now!")
    assert [t.text for t in msg.tokens] == ["Fly", "to", "São", "Paulo", ",", "now", "!"]
    assert all(msg.text[t.start : t.end] == t.text for t in msg.tokens)
    assert _tokenized("   ").tokens == []


def test_char_ngrams_are_stable_and_case_insensitive():
    feat = CharNgramFeaturizer(CharNgramConfig(buckets=1024))
    a, b = _tokenized("Hello World"), _tokenized("hello world")
    feat.process([a, b])
    assert np.array_equal(a.sentence_ngrams, b.sentence_ngrams)
    assert len(a.token_ngrams) == 2 and all(ids.min() >= 1 and ids.max() < 1024 for ids in a.token_ngrams)
    # The same word gives the same ids in another process too (crc32, not Python's salted hash).
    assert (
        feat.token_ids("hello").tolist()
        == CharNgramFeaturizer(CharNgramConfig(buckets=1024)).token_ids("HELLO").tolist()
    )


def test_regex_and_lookup_extraction():
    data = TrainingData(
        regexes=[RegexPattern("zipcode", r"\b[0-9]{5}\b")],
        lookups=[LookupTable("airline", ("Lufthansa", "Air France"))],
    )
    ext = RegexEntityExtractor(RegexExtractorConfig())
    ext.train([], data)
    msg = _tokenized("fly air france to 10115")
    ext.process([msg])
    found = {(e.entity, e.value, e.start, e.end) for e in msg.entities}
    assert found == {("airline", "air france", 4, 14), ("zipcode", "10115", 18, 23)}
    assert msg.token_patterns.shape == (len(msg.tokens), 2)
    assert msg.token_patterns[:, 1].tolist() == [0, 1, 1, 0, 0]  # air, france match the lookup


def test_synonym_mapper():
    mapper = EntitySynonymMapper(SynonymConfig())
    mapper.train([], TrainingData(synonyms={"nyc": "New York"}))
    msg = Message(
        "to NYC", entities=[Entity("city", "NYC", 3, 6, 0.9, "x"), Entity("city", "Rome", 0, 0, 0.9, "x")]
    )
    mapper.process([msg])
    assert [e.value for e in msg.entities] == ["New York", "Rome"]


@pytest.mark.parametrize(
    ("scores", "expected"), [((0.9, 0.05), "a"), ((0.25, 0.2), "nlu_fallback"), ((0.5, 0.45), "nlu_fallback")]
)
def test_fallback_threshold_and_ambiguity(scores, expected):
    msg = Message(
        "x",
        intent=IntentPrediction("a", scores[0]),
        ranking=[IntentPrediction("a", scores[0]), IntentPrediction("b", scores[1])],
    )
    FallbackClassifier(FallbackConfig(threshold=0.3, ambiguity_threshold=0.1)).process([msg])
    assert msg.intent.name == expected
    if expected == "nlu_fallback":
        assert (
            msg.intent.confidence == 0.3
            and msg.ranking[0].name == "nlu_fallback"
            and msg.ranking[1].name == "a"
        )


def test_bilou_encode_decode_round_trip():
    tokens = [Token(w, i * 10, i * 10 + len(w)) for i, w in enumerate(["fly", "to", "new", "york", "today"])]
    tags = tag_names(["city", "date"])
    ann = [EntityAnnotation(20, 34, "city", "new york"), EntityAnnotation(40, 45, "date", "today")]
    ids = encode(tokens, ann, tags)
    assert [tags[i] for i in ids] == ["O", "O", "B-city", "L-city", "U-date"]
    probs = np.full((5, len(tags)), 0.01)
    probs[np.arange(5), ids] = 0.9
    assert decode(viterbi(probs, transition_mask(tags)), tags) == [("city", 2, 3), ("date", 4, 4)]


def test_viterbi_never_returns_a_broken_span():
    tags = tag_names(["city"])
    probs = np.full((3, len(tags)), 0.01)
    probs[0, tags.index("I-city")] = 0.9  # an I- with no B-: invalid on its own
    probs[1, tags.index("L-city")] = 0.9
    path = viterbi(probs, transition_mask(tags))
    assert decode(path, tags) == [("city", 0, 1)]


def test_hub_token_pooling_maps_wordpieces_to_tokens():
    tokens = [Token("playing", 0, 7), Token("music", 8, 13)]
    starts, ends = np.array([0, 4, 8, 0]), np.array([4, 7, 13, 0])
    mask = np.array([True, True, True, False])
    vectors = np.array([[1.0, 0], [3.0, 0], [0, 2.0], [9.0, 9.0]])
    pooled = pool_to_tokens(tokens, starts, ends, mask, vectors)
    assert pooled.tolist() == [[2.0, 0.0], [0.0, 2.0]]


def test_registry_is_a_plain_dict_of_components():
    assert set(REGISTRY) >= {
        "RegexTokenizer",
        "HubFeaturizer",
        "CharNgramFeaturizer",
        "IntentEntityClassifier",
        "RegexEntityExtractor",
        "EntitySynonymMapper",
        "FallbackClassifier",
    }
