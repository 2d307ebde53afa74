"""Temperature scaling: fitted T undoes a known distortion, ECE falls, accuracy is unchanged; the
classifier fits T on its held-out slice and keeps it through save/load."""

from __future__ import annotations

import numpy as np

from nlu.components.calibration import (
    correct_below,
    expected_calibration_error,
    fit_temperature,
    scaled,
)


def _calibrated_logits(n: int = 4000, k: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits whose softmax is calibrated by construction: labels drawn from it."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.0, (n, k))
    probs = scaled(logits, 1.0)
    labels = np.array([rng.choice(k, p=p) for p in probs])
    return logits, labels


def test_fitted_temperature_undoes_an_under_confident_model():
    logits, labels = _calibrated_logits()
    soft = logits / 3.0  # a model three times too unsure (Parley's confidences ran low)
    t = fit_temperature(soft, labels)
    assert abs(t - 1 / 3.0) < 0.05
    before = expected_calibration_error(scaled(soft, 1.0), labels)
    after = expected_calibration_error(scaled(soft, t), labels)
    assert after < 0.03 < before
    assert (scaled(soft, t).argmax(1) == scaled(soft, 1.0).argmax(1)).all()  # accuracy unchanged


def test_correct_below_counts_correct_predictions_under_the_threshold():
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.55, 0.45]])
    labels = np.array([0, 0, 1, 1])  # the last one is wrong
    assert correct_below(probs, labels, 0.7) == 1 / 3


def test_the_classifier_fits_its_temperature_on_the_held_out_slice(tmp_path):
    from nlu import NLUModel
    from nlu.config import parse_pipeline
    from nlu.data.training_data import Example, TrainingData
    from nlu.train import train_on_data

    words = {"greet": "hello hi hey", "bye": "bye goodbye later", "book": "book reserve table"}
    examples = [
        Example(f"{w} number {i}", intent)
        for intent, ws in words.items()
        for i in range(90)
        for w in [ws.split()[i % 3]]
    ]
    config = parse_pipeline(
        [
            {"name": "RegexTokenizer"},
            {"name": "CharNgramFeaturizer", "buckets": 1024},
            {"name": "IntentEntityClassifier", "epochs": 3, "min_steps": 10, "hidden": 16, "sparse_dim": 8,
             "validation_split": 0.45, "progress": False},
        ]  # fmt: skip
    )
    outcome = train_on_data(config, TrainingData(examples), tmp_path / "m", seed=1)
    t = outcome.summary["components"]["IntentEntityClassifier"]["temperature"]
    assert t != 1.0 and 0.05 <= t <= 20
    loaded = NLUModel.load(tmp_path / "m")
    classifier = loaded.pipeline.components[-1]
    assert abs(classifier.meta["temperature"] - t) < 1e-3
