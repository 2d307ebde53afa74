"""`--seed` reaches every source of randomness in training (weight initialisation, dropout, the
classifier's batch order): one seed, one model; another seed, another model."""

from __future__ import annotations

import numpy as np
import pytest

CONFIG = """\
language: en
pipeline:
  - name: RegexTokenizer
  - name: CharNgramFeaturizer
    buckets: 2048
  - name: IntentEntityClassifier
    epochs: 8
    min_steps: 40
    batch_size: 8
    hidden: 32
    sparse_dim: 16
    entity_hidden: 16
    dropout: 0.3
    token_context: conv
    progress: false
"""

PROBES = ["hello there", "fly from Rome to Oslo", "weather in Paris tomorrow", "zip 12345", "bye now", "hmm"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, tiny_nlu):
    from nlu import NLUModel, train_nlu

    root = tmp_path_factory.mktemp("seeds")
    (root / "nlu.yml").write_text(tiny_nlu)
    (root / "config.yml").write_text(CONFIG)

    def train(name: str, seed: int):
        train_nlu(root / "config.yml", [root / "nlu.yml"], root / name, seed=seed, force=True)
        results = NLUModel.load(root / name).parse_batch(PROBES)
        weights = (root / name / "components" / "02_IntentEntityClassifier" / "model.weights.h5").read_bytes()
        return results, weights

    return train


def _predictions(results) -> list:
    return [
        (r.intent.name, [(p.name, p.confidence) for p in r.intent_ranking], [e.to_dict() for e in r.entities])
        for r in results
    ]


def test_one_seed_gives_one_model(seeded):
    first, w1 = seeded("a", 7)
    second, w2 = seeded("b", 7)
    assert _predictions(first) == _predictions(second)  # exactly, confidences included
    assert w1 == w2


def test_another_seed_gives_another_model(seeded):
    first, _ = seeded("c", 7)
    other, _ = seeded("d", 8)
    a = np.array([r.intent.confidence for r in first])
    b = np.array([r.intent.confidence for r in other])
    assert not np.array_equal(a, b)


def test_batch_order_follows_the_seed():
    """Two trainings of the classifier alone, with the seed passed in: same order, same weights."""
    from nlu.components.base import Message
    from nlu.components.char_ngrams import CharNgramFeaturizer
    from nlu.components.classifier_config import ClassifierConfig
    from nlu.components.classifier_training import train_classifier
    from nlu.components.tokenizer import RegexTokenizer
    from nlu.data.training_data import Example, TrainingData

    examples = [Example(f"{w} number {i}", w) for w in ("alpha", "beta", "gamma") for i in range(12)]
    data = TrainingData(examples=examples)
    featurizer = CharNgramFeaturizer(CharNgramFeaturizer.Config(buckets=512))
    cfg = ClassifierConfig(epochs=3, min_steps=10, batch_size=4, hidden=16, sparse_dim=8, progress=False)

    def weights(seed: int) -> list[np.ndarray]:
        messages = [Message(ex.text, example=ex) for ex in examples]
        RegexTokenizer(RegexTokenizer.Config()).process(messages)
        featurizer.process(messages)
        np.random.seed(seed + 100)  # the global generator must not matter once a seed is given
        model, _, _ = train_classifier(cfg, messages, data, seed=seed)
        return [v.numpy() for v in model.weights]

    for a, b in zip(weights(3), weights(3), strict=True):
        np.testing.assert_array_equal(a, b)
