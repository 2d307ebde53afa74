"""Out-of-scope detection: the figures (`nlu.oos`), the threshold tuning, and the OutOfScopeDetector on
the real embedding module: far-away texts are refused as `nlu_fallback`, in-scope ones kept."""

# ruff: noqa: E501  (training examples read best one per line)

from __future__ import annotations

import numpy as np
import pytest

from nlu.components.base import Message
from nlu.components.fallback import FALLBACK_INTENT
from nlu.components.oos_detector import OutOfScopeDetector, OutOfScopeDetectorConfig
from nlu.oos import oos_report, refused, tune_refusal
from nlu.results import IntentPrediction

INTENTS = {
    "greet": [
        "hello",
        "hi there",
        "good morning",
        "hey",
        "hello friend",
        "hi",
        "good evening",
        "hey there, how are you",
    ],
    "goodbye": [
        "bye",
        "goodbye",
        "see you later",
        "bye bye",
        "see you soon",
        "farewell",
        "talk to you later",
        "have a nice day, bye",
    ],
    "book_flight": [
        "book a flight to Paris",
        "I want to fly from Berlin to Rome",
        "a plane ticket to London please",
        "find me flights to Madrid",
        "fly from Oslo to Vienna",
        "I need a flight tomorrow",
        "book two seats on a plane to Lisbon",
        "any cheap flights to Prague",
    ],
    "weather": [
        "what is the weather in Berlin",
        "will it rain tomorrow",
        "how hot is it in Rome",
        "is it sunny in London today",
        "weather forecast for Oslo",
        "do I need an umbrella today",
        "how cold will it be tonight",
        "is it going to snow this weekend",
    ],
}
IN_SCOPE = [
    "hello, nice to meet you",
    "bye for now",
    "book me a flight to Rome",
    "what's the weather like in Paris",
]
FAR = [
    "the mitochondria is the powerhouse of the cell",
    "what is the integral of x squared",
    "my cat ate a sock",
    "please transfer 100 dollars to my savings account",
]


# ------------------------------------------------------------------- figures
def test_oos_report_counts_a_correct_refusal_as_right():
    truth = ["a", "a", "b", "out_of_scope", "out_of_scope", "out_of_scope", "nlu_fallback"]
    pred = ["a", "nlu_fallback", "b", "nlu_fallback", "a", "nlu_fallback", "nlu_fallback"]
    r = oos_report(truth, pred)
    assert (r.inscope_examples, r.oos_examples) == (3, 4)
    assert r.inscope_accuracy == pytest.approx(2 / 3) and r.inscope_refused == pytest.approx(1 / 3)
    assert r.oos_recall == pytest.approx(3 / 4) and r.oos_precision == pytest.approx(3 / 4)
    assert r.accuracy == pytest.approx(5 / 7)
    assert oos_report(["a", "b"], ["a", "nlu_fallback"]) is None  # nothing out of scope to measure


def test_tuning_keeps_the_in_scope_budget_and_prefers_recall():
    rng = np.random.default_rng(0)
    n_in, n_oos = 400, 200
    is_oos = np.r_[np.zeros(n_in, bool), np.ones(n_oos, bool)]
    correct = np.r_[rng.random(n_in) < 0.9, np.zeros(n_oos, bool)]
    confidence = np.r_[rng.uniform(0.5, 1.0, n_in), rng.uniform(0.2, 0.8, n_oos)]
    score = np.r_[rng.normal(1.0, 0.3, n_in), rng.normal(2.5, 0.5, n_oos)]
    gap = confidence / 2
    choice = tune_refusal(correct, is_oos, confidence, gap, score, max_inscope_drop=0.015)
    r = refused(
        confidence, gap, score, choice.threshold, choice.ambiguity_threshold, choice.detector_threshold
    )
    assert np.mean(r[:n_in] & correct[:n_in]) <= 0.015
    assert choice.oos_recall == pytest.approx(np.mean(r[n_in:])) and choice.oos_recall > 0.9
    plain = tune_refusal(correct, is_oos, confidence, gap, None, max_inscope_drop=0.015)
    assert plain.detector_threshold is None and plain.oos_recall < choice.oos_recall


# ------------------------------------------------------------------- the detector
@pytest.fixture(scope="module")
def featurize():
    from nlu.components.hub_featurizer import HubFeaturizer, HubFeaturizerConfig
    from nlu.components.tokenizer import RegexTokenizer

    tokenizer, hub = (
        RegexTokenizer(RegexTokenizer.Config()),
        HubFeaturizer(HubFeaturizerConfig(token_features=False)),
    )

    def run(messages: list[Message]) -> list[Message]:
        tokenizer.process(messages)
        hub.process(messages)
        return messages

    return run


def _predicted(featurize, texts: list[str]) -> list[Message]:
    messages = featurize([Message(t) for t in texts])
    for m in messages:  # as if the classifier had been sure
        m.intent = IntentPrediction("greet", 0.95)
        m.ranking = [m.intent, IntentPrediction("goodbye", 0.05)]
    return messages


@pytest.mark.parametrize("method", ["mahalanobis", "cosine"])
def test_detector_refuses_far_texts_and_keeps_in_scope_ones(featurize, method, tmp_path):
    from nlu.data.training_data import Example, TrainingData

    examples = [Example(t, intent) for intent, texts in INTENTS.items() for t in texts]
    training = featurize([Message(ex.text, example=ex) for ex in examples])
    detector = OutOfScopeDetector(OutOfScopeDetectorConfig(method=method))
    summary = detector.train(training, TrainingData(examples=examples))
    assert summary["intents"] == 4 and summary["threshold"] > 0

    inscope, far = _predicted(featurize, IN_SCOPE), _predicted(featurize, FAR)
    detector.process(inscope + far)
    assert [m.intent.name for m in inscope] == ["greet"] * len(IN_SCOPE)
    assert [m.intent.name for m in far] == [FALLBACK_INTENT] * len(FAR)
    refusal = far[0]
    assert (
        refusal.ranking[0].name == FALLBACK_INTENT and refusal.ranking[1].name == "greet"
    )  # real ranking kept
    assert 0.9 <= refusal.intent.confidence <= 1.0  # share of held-out in-scope scores below it

    # Saved as npz + JSON, loaded back to the same scores.
    detector.save(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"oos_detector.npz", "oos_detector.json"}
    loaded = OutOfScopeDetector.load(tmp_path, detector.config)
    probe = featurize([Message(t) for t in FAR + IN_SCOPE])
    np.testing.assert_allclose(loaded.scores(probe), detector.scores(probe), rtol=1e-5)
    assert loaded.threshold == pytest.approx(detector.threshold)


def test_detector_needs_sentence_vectors():
    from nlu.data.training_data import Example, TrainingData
    from nlu.errors import TrainingDataError

    ex = Example("hello", "greet")
    with pytest.raises(TrainingDataError, match="HubFeaturizer"):
        OutOfScopeDetector(OutOfScopeDetectorConfig()).train(
            [Message("hello", example=ex)], TrainingData([ex])
        )


def test_detector_config_is_checked(tmp_path):
    from nlu.config import load_pipeline_config
    from nlu.errors import PipelineConfigError

    path = tmp_path / "config.yml"
    path.write_text("pipeline:\n  - name: RegexTokenizer\n  - name: OutOfScopeDetector\n    method: knn\n")
    with pytest.raises(PipelineConfigError, match="method"):
        load_pipeline_config(path)


def test_pipeline_with_detector_refuses_as_rasa_does(tmp_path):
    """config.yml -> trained model folder -> NLUModel: out-of-scope text gets intent nlu_fallback."""
    from nlu import NLUModel, train_nlu

    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in INTENTS.items():
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {t}" for t in texts)]
    (tmp_path / "nlu.yml").write_text("\n".join(lines) + "\n")
    (tmp_path / "config.yml").write_text(
        "language: en\npipeline:\n  - name: RegexTokenizer\n  - name: HubFeaturizer\n    token_features: false\n"
        "  - name: IntentEntityClassifier\n    epochs: 10\n    min_steps: 60\n    hidden: 32\n    progress: false\n"
        "  - name: FallbackClassifier\n    threshold: 0.2\n    ambiguity_threshold: 0.0\n"
        "  - name: OutOfScopeDetector\n"
    )
    train_nlu(tmp_path / "config.yml", [tmp_path / "nlu.yml"], tmp_path / "model", seed=0)
    stored = list((tmp_path / "model" / "components").glob("*_OutOfScopeDetector/oos_detector.npz"))
    assert len(stored) == 1
    model = NLUModel.load(tmp_path / "model")
    far = model.parse_batch(FAR)
    assert [r.intent.name for r in far] == [FALLBACK_INTENT] * len(FAR)
    assert far[0].to_dict()["intent"]["name"] == "nlu_fallback"
    assert far[0].intent_ranking[1].name in INTENTS  # the classifier's own guess follows
    kept = model.parse_batch(IN_SCOPE)
    assert [r.intent.name for r in kept] == ["greet", "goodbye", "book_flight", "weather"]
