"""The forecasting engine's one entry point: series in, point forecasts and intervals out.

    forecast([Series("visits", values, "H")], horizon=48, levels=(80, 95))  # -> list[Forecast]

Models by name (an unknown name raises, listing the valid ones): the M4 benchmarks (`benchmarks.py`)
and `snaive_week`, `nbeats` (the global neural model: a trained `NeuralForecaster` passed in, or one
trained here on the given series), `ensemble` (the per-step median of theta, damped and seasonal
naive, plus nbeats when a trained one is passed in), and `auto` (the default: per series, the two
models with the lowest error on the series' own last h points, averaged; see `select.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import ensemble
from .benchmarks import LOCAL_MODELS
from .errors import BadInput
from .series import Forecast, Prediction, Series
from .validate import DEFAULT_MAX_HORIZON, check_horizon, check_levels, check_series

if TYPE_CHECKING:  # the neural model imports TensorFlow: only when asked for
    from .neural import NeuralForecaster

log = logging.getLogger(__name__)

DEFAULT_ENSEMBLE = ("theta", "damped", "snaive")
MODEL_NAMES = ("auto", *LOCAL_MODELS, "nbeats", "ensemble")


@dataclass(frozen=True)
class QuickNeural:
    """How the engine trains a global model on the request's own series when none is passed in."""

    steps: int = 300
    width: int = 128
    blocks: int = 2
    seed: int = 0


def _check_model(model: str) -> str:
    if model not in MODEL_NAMES:
        raise BadInput(f"unknown model {model!r}; use one of {', '.join(MODEL_NAMES)}")
    return model


def _neural_predictions(
    series: Sequence[Series],
    horizon: int,
    levels: tuple[int, ...],
    neural: NeuralForecaster | None,
    quick: QuickNeural,
) -> list[Prediction]:
    from .neural import NeuralConfig, NeuralForecaster

    histories = [s.values for s in series]
    if neural is None:
        shortest = min(len(y) for y in histories)
        m = max(s.m for s in series)
        size = max(4, min(max(2 * horizon, 4 * m), shortest - horizon))
        if shortest - horizon < 4:
            raise BadInput(
                f"nbeats needs at least horizon + 4 = {horizon + 4} points per series to train "
                f"on; the shortest has {shortest}: ask for a shorter horizon or another model"
            )
        config = NeuralConfig(
            horizon=horizon,
            input_sizes=(size,),
            seeds=(quick.seed,),
            steps=quick.steps,
            width=quick.width,
            blocks=quick.blocks,
            season=m,
        )
        neural = NeuralForecaster(config).fit(histories, progress=False)
    elif neural.config.horizon < horizon:
        raise BadInput(
            f"the trained neural model forecasts {neural.config.horizon} steps; horizon "
            f"{horizon} is longer: ask for at most {neural.config.horizon}"
        )
    preds = neural.predict(histories, levels)
    return [
        Prediction(
            p.mean[:horizon],
            {k: v[:horizon] for k, v in p.lower.items()},
            {k: v[:horizon] for k, v in p.upper.items()},
        )
        for p in preds
    ]


def predictions(
    series: Sequence[Series],
    horizon: int,
    levels: tuple[int, ...],
    model: str,
    neural: NeuralForecaster | None = None,
    quick: QuickNeural = QuickNeural(),
) -> list[Prediction]:
    """One model's `Prediction` per series (inputs already checked)."""
    if model in LOCAL_MODELS:
        return [LOCAL_MODELS[model](s.values, horizon, s.m, levels) for s in series]
    if model == "auto":
        from .select import auto_prediction

        return [auto_prediction(s, horizon, levels)[0] for s in series]
    if model == "nbeats":
        return _neural_predictions(series, horizon, levels, neural, quick)
    members = [predictions(series, horizon, levels, name) for name in DEFAULT_ENSEMBLE]
    if neural is not None:
        members.append(_neural_predictions(series, horizon, levels, neural, quick))
    return [ensemble.median([m[i] for m in members]) for i in range(len(series))]


def forecast(
    series: Sequence[Series],
    horizon: int,
    *,
    levels: Sequence[int] = (80, 95),
    model: str = "auto",
    max_horizon: int = DEFAULT_MAX_HORIZON,
    neural: NeuralForecaster | None = None,
) -> list[Forecast]:
    """Checks everything first (BadInput says what to fix), then forecasts every series."""
    if not series:
        raise BadInput("give at least one series to forecast")
    horizon = check_horizon(horizon, max_horizon)
    levels = check_levels(levels)
    model = _check_model(model)
    ids = [s.id for s in series]
    if len(set(ids)) != len(ids):
        raise BadInput(f"series ids must be unique; repeated: {sorted({i for i in ids if ids.count(i) > 1})}")
    checked = [check_series(s) for s in series]
    log.info("event=forecasting.forecast series=%d horizon=%d model=%s", len(checked), horizon, model)
    if model == "auto":
        from .select import auto_prediction

        picked = [auto_prediction(s, horizon, levels) for s in checked]
        preds = [p for p, _ in picked]
        names = [f"auto: {' + '.join(chosen)}" for _, chosen in picked]
    else:
        preds = predictions(checked, horizon, levels, model, neural)
        names = [model if not (model == "ensemble" and neural is not None) else "ensemble+nbeats"] * len(
            preds
        )
    return [
        Forecast(
            s.id, name, np.asarray(p.mean, float), p.lower, p.upper, s.future_timestamps(horizon), s.unit
        )
        for s, p, name in zip(checked, preds, names, strict=True)
    ]
