"""The model catalog: an explicit name -> class table. Unknown names raise, listing the valid ones."""

from __future__ import annotations

from typing import Any

import keras

from translation.errors import UnknownModel
from translation.models.rnn import RNNConfig, RNNSeq2Seq
from translation.models.transformer import Transformer, TransformerConfig

MODELS: dict[str, type[keras.Model]] = {
    "transformer": Transformer,
    "rnn": RNNSeq2Seq,
}


def model_class(name: str) -> type[keras.Model]:
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModel(f"unknown model {name!r}; valid models: {', '.join(sorted(MODELS))}") from None


def build_model(spec: dict[str, Any], source_vocab_size: int, target_vocab_size: int) -> keras.Model:
    """Build from a config mapping `{"name": ..., <params>}`; vocabulary sizes come from the data."""
    spec = dict(spec)
    name = spec.pop("name", "transformer")
    cls = model_class(name)
    valid = set(cls.config_class.__dataclass_fields__)
    unknown = sorted(set(spec) - valid)
    if unknown:
        raise UnknownModel(f"model {name!r} has no option {unknown[0]!r}; valid options: "
                           f"{', '.join(sorted(valid - {'source_vocab_size', 'target_vocab_size'}))}")
    spec.update(source_vocab_size=source_vocab_size, target_vocab_size=target_vocab_size)
    return cls(**spec)


__all__ = ["MODELS", "RNNConfig", "RNNSeq2Seq", "Transformer", "TransformerConfig", "build_model",
           "model_class"]
