"""Training the IntentEntityClassifier's joint Keras model: what the features and labels are (the
meta), the loss, one traced train and eval step, length-bucketed batches, and early stopping on the
best validation accuracy (intent + entity tokens), restoring that epoch's weights."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np

from nlu.components import bilou
from nlu.components.base import Message
from nlu.components.classifier_arrays import NONE_LABEL, batch_arrays, signature, target_arrays
from nlu.data.split import validation_slice
from nlu.data.training_data import TrainingData
from nlu.errors import TrainingDataError

if TYPE_CHECKING:
    from nlu.components.classifier_config import ClassifierConfig

log = logging.getLogger(__name__)


def train_classifier(
    cfg: ClassifierConfig, messages: list[Message], data: TrainingData, seed: int | None = None
) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(Keras model, meta, training summary) for `messages`, early-stopped on a held-out slice.

    Every random draw follows from `seed`: the batch order (a numpy Generator seeded with it) and the
    weight initialisers and dropout masks (Keras seed generators, seeded by `keras.utils.set_random_seed`,
    which `Pipeline.train` calls with `parley train --seed`). Without `seed`, the batch order's seed is
    drawn from numpy's global generator, which that same call seeded."""
    import keras
    import tensorflow as tf

    from nlu.components.joint_model import ModelSpec, build_model

    if seed is not None:
        keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(int(np.random.randint(2**31 - 1)) if seed is None else seed)

    intents = data.intents
    if not intents:
        raise TrainingDataError("training data", None, "no intent examples to train on")
    first = messages[0]
    has_token_features = first.token_dense is not None or first.token_ngrams is not None
    entities = data.entities if cfg.entities and has_token_features else []
    meta = {
        "intents": intents,
        "entities": entities,
        "tags": bilou.tag_names(entities) if entities else [],
        "roles": [NONE_LABEL, *data.roles] if entities and data.roles else [],
        "groups": [NONE_LABEL, *data.groups] if entities and data.groups else [],
        "dense_dim": 0 if first.sentence_dense is None else int(first.sentence_dense.shape[-1]),
        "token_dense_dim": 0
        if first.token_dense is None or not (entities or cfg.intent_attention)
        else int(first.token_dense.shape[-1]),
        "intent_attention": cfg.intent_attention if first.token_dense is not None else 0,
        "buckets": int(first.ngram_buckets) if first.sentence_ngrams is not None else 0,
        "n_patterns": 0
        if first.token_patterns is None or not entities
        else int(first.token_patterns.shape[1]),
    }
    m = meta
    if not m["dense_dim"] and not m["buckets"]:
        raise TrainingDataError(
            "config",
            None,
            "IntentEntityClassifier needs a featurizer before it (HubFeaturizer or CharNgramFeaturizer)",
        )
    spec = ModelSpec(
        n_intents=len(intents),
        n_tags=len(m["tags"]),
        n_roles=len(m["roles"]),
        n_groups=len(m["groups"]),
        dense_dim=m["dense_dim"],
        token_dense_dim=m["token_dense_dim"],
        buckets=m["buckets"],
        n_patterns=m["n_patterns"],
        hidden=cfg.hidden,
        sparse_dim=cfg.sparse_dim,
        entity_hidden=cfg.entity_hidden,
        dropout=cfg.dropout,
        intent_attention=m["intent_attention"],
        token_context=cfg.token_context,
    )
    meta["spec"] = asdict(spec)
    model = build_model(spec)
    optimizer = (
        keras.optimizers.AdamW(cfg.learning_rate, weight_decay=cfg.weight_decay)
        if cfg.weight_decay > 0
        else keras.optimizers.Adam(cfg.learning_rate)
    )

    cut = validation_slice([msg.text for msg in messages], cfg.validation_split)
    val_msgs = [msg for msg, c in zip(messages, cut, strict=True) if c]
    train_msgs = [msg for msg, c in zip(messages, cut, strict=True) if not c]

    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    def losses(y, out, mask):
        loss = tf.reduce_mean(ce(y["intent"], out["intent"]))
        denom = tf.maximum(tf.reduce_sum(mask), 1.0)
        for key in ("tags", "roles", "groups"):
            if key in y:
                loss += cfg.entity_loss_weight * tf.reduce_sum(ce(y[key], out[key]) * mask) / denom
        return loss

    probe = batch_arrays(meta, messages[:2])
    x_spec, y_spec = signature(
        probe, target_arrays(meta, messages[:2], probe.get("tok_mask", np.zeros((1, 1))).shape[1])
    )

    @tf.function(input_signature=[x_spec, y_spec], autograph=False)  # one trace for every batch shape
    def train_step(x, y):
        with tf.GradientTape() as tape:
            out = model(x, training=True)
            loss = losses(y, out, x.get("tok_mask", tf.zeros((1, 1))))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function(input_signature=[x_spec, y_spec], autograph=False)
    def eval_step(x, y):
        out = model(x, training=False)
        loss = losses(y, out, x.get("tok_mask", tf.zeros((1, 1))))
        hits = tf.equal(tf.argmax(out["intent"], -1, output_type=tf.int32), y["intent"])
        correct = tf.reduce_sum(tf.cast(hits, tf.float32))
        if "tags" in y:  # tag accuracy on the tokens inside gold entities
            inside = tf.cast(y["tags"] > 0, tf.float32)
            predicted = tf.argmax(out["tags"], -1, output_type=tf.int32)
            tag_hits = tf.cast(tf.equal(predicted, y["tags"]), tf.float32)
            return loss, correct, tf.reduce_sum(tag_hits * inside), tf.reduce_sum(inside)
        return loss, correct, tf.constant(0.0), tf.constant(0.0)

    def batches(msgs: list[Message], order: np.ndarray):
        for s in range(0, len(order), cfg.batch_size):
            chunk = [msgs[i] for i in order[s : s + cfg.batch_size]]
            x = batch_arrays(meta, chunk)
            length = x["tok_mask"].shape[1] if "tok_mask" in x else 1
            yield x, target_arrays(meta, chunk, length)

    lengths = np.array([len(msg.tokens) for msg in train_msgs], dtype=np.float64)

    def bucketed_order() -> np.ndarray:
        # Batches of similar length (less padding: the GRU runs to the longest), in random order.
        order = np.argsort(lengths + rng.uniform(0.0, 3.0, len(lengths)), kind="stable")
        chunks = [order[s : s + cfg.batch_size] for s in range(0, len(order), cfg.batch_size)]
        return np.concatenate([chunks[i] for i in rng.permutation(len(chunks))]) if chunks else order

    val_batches = list(batches(val_msgs, np.arange(len(val_msgs)))) if val_msgs else []
    best: tuple = ((-1.0, -np.inf), None, 0)
    history = []
    waited = 0
    started = time.perf_counter()
    steps_per_epoch = max(1, -(-len(train_msgs) // cfg.batch_size))
    epochs = max(cfg.epochs, -(-cfg.min_steps // steps_per_epoch))
    progress = _progress(epochs, cfg.progress)
    for epoch in range(epochs):
        total, n = 0.0, 0
        for x, y in batches(train_msgs, bucketed_order()):
            total += float(train_step(x, y)) * len(y["intent"])
            n += len(y["intent"])
        record = {"epoch": epoch + 1, "loss": round(total / max(n, 1), 5)}
        if val_batches:
            vl, vc, vn, tc, tn = 0.0, 0.0, 0, 0.0, 0.0
            for x, y in val_batches:
                loss, correct, tag_correct, tag_total = eval_step(x, y)
                vl += float(loss) * len(y["intent"])
                vc += float(correct)
                vn += len(y["intent"])
                tc, tn = tc + float(tag_correct), tn + float(tag_total)
            record.update(val_loss=round(vl / vn, 5), val_intent_accuracy=round(vc / vn, 5))
            if tn:
                record["val_entity_token_accuracy"] = round(tc / tn, 5)
            # Keep the epoch with the best validation accuracy (intent + entity tokens); loss breaks ties.
            key = (round(vc / vn + (tc / tn if tn else 0.0), 4), -record["val_loss"])
            if key > best[0]:
                best, waited = (key, [v.numpy() for v in model.weights], epoch + 1), 0
            else:
                waited += 1
        history.append(record)
        progress.update(record)
        if val_batches and waited >= cfg.patience:
            break
    progress.close()
    if best[1] is not None:
        for variable, value in zip(model.weights, best[1], strict=True):
            variable.assign(value)
    summary = {
        "examples": len(train_msgs),
        "validation_examples": len(val_msgs),
        "epochs_run": len(history),
        "best_epoch": best[2] or len(history),
        "seconds": round(time.perf_counter() - started, 2),
        "final": history[-1] if history else {},
    }
    return model, meta, summary


class _progress:
    """tqdm over epochs when enabled, else one log line per epoch."""

    def __init__(self, epochs: int, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=epochs, desc="training NLU", unit="epoch", leave=False)

    def update(self, record: dict[str, Any]) -> None:
        if self.bar is not None:
            self.bar.set_postfix({k: v for k, v in record.items() if k != "epoch"})
            self.bar.update(1)
        else:
            log.debug("event=nlu.classifier.epoch %s", " ".join(f"{k}={v}" for k, v in record.items()))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
