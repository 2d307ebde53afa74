"""`HubEmbeddingLayer`: a hub module as a Keras 3 layer (`hub.KerasLayer` is tf_keras, and fails in Keras 3).

    texts = keras.Input(shape=(), dtype="string")
    x = HubEmbeddingLayer(output_key="sentence")(texts)     # (batch, 384)
    probs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(texts, probs)

`output_key="tokens"` gives the (batch, len, 384) wordpiece vectors (0 on padding); `output_key="all"` gives
the module's dict (`sentence`, `tokens`, `mask`, `starts`, `ends`, ...), e.g. to pool with the mask:
`GlobalAveragePooling1D()(out["tokens"], mask=out["mask"])`. The module's weights are frozen and are not
Keras weights: the layer is a feature extractor. It needs the TensorFlow backend. `get_config()` stores the
handle, not the weights, so a saved model reloads it from the handle (building the default one if needed).
"""

from __future__ import annotations

import keras

from nlu.embeddings.builder import DEFAULT_HANDLE
from nlu.embeddings.errors import EmbeddingModuleError
from nlu.embeddings.handles import load_hub_module

_OUTPUTS = ("sentence", "tokens", "all")


@keras.saving.register_keras_serializable(package="parley")
class HubEmbeddingLayer(keras.layers.Layer):
    def __init__(self, handle: str = DEFAULT_HANDLE, output_key: str = "sentence", **kwargs) -> None:
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if output_key not in _OUTPUTS:
            raise EmbeddingModuleError(
                f"HubEmbeddingLayer output_key {output_key!r} is unknown; use one of {_OUTPUTS}"
            )
        if keras.backend.backend() != "tensorflow":
            raise EmbeddingModuleError(
                f"HubEmbeddingLayer needs the TensorFlow Keras backend, got {keras.backend.backend()!r}"
            )
        self.handle = handle
        self.output_key = output_key
        self._module = load_hub_module(handle)
        if output_key != "sentence" and not hasattr(self._module, "tokenize"):
            raise EmbeddingModuleError(
                f"module {handle!r} has no per-token outputs; use output_key='sentence'"
            )

    def call(self, texts):
        import tensorflow as tf

        texts = tf.reshape(tf.convert_to_tensor(texts, tf.string), [-1])  # (batch,)
        out = self._module(texts)
        if not isinstance(out, dict):
            return out  # a sentence-only module returning a tensor (batch, dim)
        if self.output_key == "all":
            return dict(out)
        if self.output_key == "tokens":
            return out["tokens"]  # (batch, len, dim)
        for key in ("sentence", "default", "outputs"):
            if key in out:
                return out[key]  # (batch, dim)
        raise EmbeddingModuleError(f"module {self.handle!r} has no sentence output among {sorted(out)}")

    def get_config(self) -> dict:
        return {**super().get_config(), "handle": self.handle, "output_key": self.output_key}
