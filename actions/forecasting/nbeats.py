"""An N-BEATS-style network (Oreshkin et al. 2020, the generic architecture): a stack of residual MLP
blocks, each removing its backcast from the input and adding its forecast; the forecast head emits
one horizon per quantile."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import keras
import tensorflow as tf

QUANTILES = (0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975)  # the 95 %, 90 % and 80 % intervals and the median


@dataclass(frozen=True)
class NBeatsConfig:
    input_size: int
    horizon: int
    blocks: int = 3
    layers: int = 4
    width: int = 256
    quantiles: tuple[float, ...] = QUANTILES

    @classmethod
    def from_dict(cls, d: dict) -> NBeatsConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown N-BEATS config keys {unknown}; valid: {sorted(known)}")
        d = dict(d)
        if "quantiles" in d:
            d["quantiles"] = tuple(d["quantiles"])
        return cls(**d)

    def to_dict(self) -> dict:
        return asdict(self)


@keras.saving.register_keras_serializable(package="parley_forecasting")
class NBeatsBlock(keras.layers.Layer):
    """FC stack -> (backcast (batch, input), None in the last block; forecast (batch, h * quantiles))."""

    def __init__(
        self, input_size: int, output_size: int, layers: int, width: int, backcast: bool = True, **kwargs
    ):
        super().__init__(**kwargs)
        self.input_size, self.output_size, self.n_layers, self.width = input_size, output_size, layers, width
        self.has_backcast = backcast
        self.hidden = [keras.layers.Dense(width, activation="relu") for _ in range(layers)]
        self.backcast = keras.layers.Dense(input_size) if backcast else None
        self.forecast = keras.layers.Dense(output_size)

    def call(self, x):  # x: (batch, input)
        z = x
        for dense in self.hidden:
            z = dense(z)  # (batch, width)
        return (self.backcast(z) if self.backcast is not None else None), self.forecast(z)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "input_size": self.input_size,
            "output_size": self.output_size,
            "layers": self.n_layers,
            "width": self.width,
            "backcast": self.has_backcast,
        }


@keras.saving.register_keras_serializable(package="parley_forecasting")
class NBeats(keras.Model):
    """(batch, input) scaled history -> (batch, quantiles, horizon) scaled forecasts."""

    def __init__(
        self, input_size: int, horizon: int, blocks: int, layers: int, width: int, n_quantiles: int, **kwargs
    ):
        super().__init__(**kwargs)
        self.cfg = {
            "input_size": input_size,
            "horizon": horizon,
            "blocks": blocks,
            "layers": layers,
            "width": width,
            "n_quantiles": n_quantiles,
        }
        self.stack = [
            NBeatsBlock(input_size, horizon * n_quantiles, layers, width, backcast=i < blocks - 1)
            for i in range(blocks)
        ]

    def call(self, x):  # x: (batch, input)
        residual = x
        total = 0.0
        for block in self.stack:
            back, fore = block(residual)
            if back is not None:
                residual = residual - back  # (batch, input)
            total = total + fore  # (batch, horizon * quantiles)
        q, h = self.cfg["n_quantiles"], self.cfg["horizon"]
        return tf.reshape(total, (-1, q, h))  # (batch, quantiles, horizon)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.cfg}


def build(config: NBeatsConfig) -> NBeats:
    model = NBeats(
        config.input_size, config.horizon, config.blocks, config.layers, config.width, len(config.quantiles)
    )
    model(tf.zeros((1, config.input_size)))  # create the weights
    return model


def forecast_loss(y, pred, quantiles: tf.Tensor, mid: int, median_weight: float, point_loss: str, weights):
    """y (batch, horizon), pred (batch, quantiles, horizon), weights (batch, 1) -> scalar.

    The quantile (pinball) loss of every head divided by `weights` (1, or the window's seasonal-naive
    scale: MASE-like), plus `median_weight` times the point loss of the median head ("mae", divided
    by `weights` too, or "smape", scale-free)."""
    diff = y[:, None, :] - pred  # (batch, quantiles, horizon)
    q = quantiles[None, :, None]
    w = weights[:, 0]  # (batch,)
    pinball = tf.reduce_mean(tf.maximum(q * diff, (q - 1.0) * diff), axis=[1, 2]) / w  # (batch,)
    f = pred[:, mid, :]  # (batch, horizon)
    if point_loss == "smape":
        point = tf.reduce_mean(2.0 * tf.abs(y - f) / (tf.abs(y) + tf.abs(f) + 1e-6), axis=1)
    else:
        point = tf.reduce_mean(tf.abs(y - f), axis=1) / w
    return tf.reduce_mean(pinball + median_weight * point)
