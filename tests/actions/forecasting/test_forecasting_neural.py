"""The global N-BEATS model: it learns, it is deterministic for a seed, and it survives save/load."""

from __future__ import annotations

import json

import numpy as np
import pytest

from actions.forecasting import metrics
from actions.forecasting.errors import NotFound
from actions.forecasting.neural import NeuralConfig, NeuralForecaster

TINY = NeuralConfig(
    horizon=6, input_sizes=(24,), blocks=1, layers=2, width=32, steps=300, batch_size=64, learning_rate=3e-3
)


@pytest.fixture(scope="module")
def trained(request) -> tuple[NeuralForecaster, list[np.ndarray]]:
    t = np.arange(120)
    series = [level * (2.0 + np.sin(2 * np.pi * t / 24)) for level in (1.0, 5.0, 20.0)]
    return NeuralForecaster(TINY).fit(series, progress=False), series


def test_learns_a_seasonal_pattern(trained):
    model, series = trained
    history = [s[:-6] for s in series]
    future = [s[-6:] for s in series]
    # the training windows included these targets: a memorisable set must be memorised
    preds = model.predict(history, (80, 95))
    assert np.mean([metrics.smape(y, p.mean) for y, p in zip(future, preds, strict=True)]) < 10
    for p in preds:
        assert p.mean.shape == (6,)
        assert np.all(p.lower[95] <= p.lower[80]) and np.all(p.upper[80] <= p.upper[95])


def test_save_load_round_trip(trained, tmp_path):
    model, series = trained
    model.save(tmp_path / "nn")
    meta = json.loads((tmp_path / "nn" / "forecaster.json").read_text())
    assert meta["config"]["horizon"] == 6
    assert not list((tmp_path / "nn").glob("*.pkl"))
    loaded = NeuralForecaster.load(tmp_path / "nn")
    np.testing.assert_allclose(loaded.quantiles(series), model.quantiles(series), rtol=1e-5, atol=1e-5)


def test_same_seed_same_model(trained):
    model, series = trained
    again = NeuralForecaster(TINY).fit(series, progress=False)
    np.testing.assert_allclose(again.quantiles(series), model.quantiles(series), rtol=1e-5, atol=1e-5)


def test_load_of_a_missing_model_says_so(tmp_path):
    with pytest.raises(NotFound, match="forecaster.json"):
        NeuralForecaster.load(tmp_path)


def test_unknown_config_key_is_named():
    with pytest.raises(ValueError, match="epochs"):
        NeuralConfig.from_dict({"horizon": 4, "epochs": 3})
