"""Parley's NLU engine: Rasa-format training data in, intents and entities out.

Importing `nlu` is cheap: TensorFlow loads only when a model is trained or loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nlu.errors import ModelNotFound, NLUError
from nlu.results import Entity, IntentPrediction, ParseResult, TrainOutcome

if TYPE_CHECKING:
    from nlu.data.training_data import TrainingData
    from nlu.data.yaml_reader import load_training_data
    from nlu.model import NLUModel
    from nlu.train import train_nlu

_LAZY = {
    "NLUModel": ("nlu.model", "NLUModel"),
    "train_nlu": ("nlu.train", "train_nlu"),
    "load_training_data": ("nlu.data.yaml_reader", "load_training_data"),
    "TrainingData": ("nlu.data.training_data", "TrainingData"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'nlu' has no attribute {name!r}")


__all__ = [
    "Entity",
    "IntentPrediction",
    "ModelNotFound",
    "NLUError",
    "NLUModel",
    "ParseResult",
    "TrainOutcome",
    "TrainingData",
    "load_training_data",
    "train_nlu",
]
