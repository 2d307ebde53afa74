"""Training of one N-BEATS member: seeded, Adam with cosine decay, quantile loss, tqdm progress."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from .nbeats import NBeatsConfig, build, forecast_loss
from .windows import WindowSampler


@dataclass(frozen=True)
class TrainOptions:
    steps: int
    batch_size: int
    learning_rate: float
    median_weight: float = 1.0
    point_loss: str = "mae"  # "mae" | "smape"
    mase_weighting: bool = False


log = logging.getLogger(__name__)


def train_member(
    nb: NBeatsConfig,
    sampler: WindowSampler,
    config: TrainOptions,
    seed: int,
    label: str,
    progress: bool = True,
):
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    model = build(nb)
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, config.steps, alpha=0.05)
    optimizer = keras.optimizers.Adam(schedule, clipnorm=1.0)
    quantiles = tf.constant(nb.quantiles, tf.float32)
    mid = list(nb.quantiles).index(0.5)

    @tf.function(reduce_retracing=True)
    def step(x, y, w):  # x (batch, input), y (batch, horizon), w (batch, 1)
        with tf.GradientTape() as tape:
            pred = model(x, training=True)
            loss = forecast_loss(y, pred, quantiles, mid, config.median_weight, config.point_loss, w)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    losses = []
    bar = tqdm(range(config.steps), desc=label, disable=not progress, mininterval=2.0, leave=False)
    for i in bar:
        x, y, _, mscale = sampler.batch(config.batch_size)
        w = mscale if config.mase_weighting else np.ones_like(mscale)
        losses.append(float(step(tf.constant(x), tf.constant(np.clip(y, -50, 50)), tf.constant(w))))
        if i % 100 == 99:
            bar.set_postfix(loss=f"{np.mean(losses[-100:]):.4f}")
    log.info(
        "event=forecasting.member.trained member=%r steps=%d first_loss=%.4f last_loss=%.4f",
        label,
        config.steps,
        np.mean(losses[:50]),
        np.mean(losses[-50:]),
    )
    return model
