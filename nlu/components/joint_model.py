"""The Keras model behind `IntentEntityClassifier`: an intent head on sentence features and a BILOU
tagging head (plus optional role and group heads) on token features, trained jointly.

Inputs (any subset, decided by the features the pipeline provides):
    sent_dense   (batch, d)                 hub sentence vector
    sent_ids     (batch, n_ids)             hashed n-gram ids of the sentence, 0 = padding
    tok_dense    (batch, len, d)            hub token vectors pooled to our tokens
    tok_ids      (batch, len, n_tok_ids)    hashed char n-gram ids of each token, 0 = padding
    tok_patterns (batch, len, n_patterns)   regex / lookup matches
    tok_mask     (batch, len)               1 for real tokens
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers, ops


@dataclass(frozen=True)
class ModelSpec:
    n_intents: int
    n_tags: int  # 0: no entity head
    n_roles: int  # 0: no role head (else includes "none" at 0)
    n_groups: int
    dense_dim: int  # 0: no dense sentence features
    token_dense_dim: int  # 0: no dense token features
    buckets: int  # 0: no sparse features
    n_patterns: int
    hidden: int
    sparse_dim: int
    entity_hidden: int
    dropout: float
    intent_attention: int = 0  # >0: the intent also sees an attention pooling of the token vectors
    token_context: str = "conv"  # "conv": a width-3 convolution; "bigru": a bidirectional GRU


@keras.saving.register_keras_serializable(package="parley")
class HashedBag(layers.Layer):
    """Sum of embeddings of hashed ids over the last axis, scaled by 1/sqrt(count): a sparse
    bag-of-n-grams times a dense matrix, without building the sparse matrix."""

    def __init__(self, buckets: int, dim: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.buckets = buckets
        self.dim = dim

    def build(self, input_shape) -> None:
        self.table = self.add_weight(
            shape=(self.buckets, self.dim),
            initializer=keras.initializers.RandomNormal(stddev=0.05),
            name="table",
        )

    def call(self, ids):
        # ids (..., n_ids) -> (..., dim)
        present = ops.cast(ops.greater(ids, 0), self.compute_dtype)  # (..., n_ids)
        vectors = ops.take(self.table, ids, axis=0) * ops.expand_dims(present, -1)  # (..., n_ids, dim)
        count = ops.sum(present, axis=-1, keepdims=True)  # (..., 1)
        return ops.sum(vectors, axis=-2) / ops.sqrt(ops.maximum(count, 1.0))

    def get_config(self) -> dict:
        return {**super().get_config(), "buckets": self.buckets, "dim": self.dim}


def build_model(spec: ModelSpec) -> keras.Model:
    inputs: dict[str, keras.KerasTensor] = {}
    bag = HashedBag(spec.buckets, spec.sparse_dim, name="ngrams") if spec.buckets else None

    if spec.n_tags or spec.intent_attention:
        inputs["tok_mask"] = keras.Input((None,), name="tok_mask")
        if spec.token_dense_dim:
            inputs["tok_dense"] = keras.Input((None, spec.token_dense_dim), name="tok_dense")

    # Intent head.
    parts = []
    if spec.intent_attention and spec.token_dense_dim:
        values = layers.Dense(spec.intent_attention, activation="gelu", name="attention_values")
        h = values(inputs["tok_dense"])  # (batch, len, intent_attention)
        score = layers.Dense(1, name="attention_scores")(h)[..., 0]  # (batch, len)
        score = score + (1.0 - inputs["tok_mask"]) * -1e9
        weights = ops.expand_dims(ops.softmax(score, axis=-1), -1)  # (batch, len, 1)
        parts.append(ops.sum(h * weights, axis=1))  # (batch, intent_attention)
    if spec.dense_dim:
        inputs["sent_dense"] = keras.Input((spec.dense_dim,), name="sent_dense")
        parts.append(inputs["sent_dense"])
    if bag is not None:
        inputs["sent_ids"] = keras.Input((None,), dtype="int32", name="sent_ids")
        parts.append(bag(inputs["sent_ids"]))  # (batch, sparse_dim)
    x = parts[0] if len(parts) == 1 else layers.Concatenate()(parts)
    x = layers.Dropout(spec.dropout)(x)
    x = layers.Dense(spec.hidden, activation="gelu", name="intent_hidden")(x)  # (batch, hidden)
    x = layers.Dropout(spec.dropout)(x)
    outputs = {"intent": layers.Dense(spec.n_intents, name="intent_logits")(x)}  # (batch, n_intents)

    # Token head.
    if spec.n_tags:
        mask = ops.expand_dims(inputs["tok_mask"], -1)  # (batch, len, 1)
        parts = []
        if spec.token_dense_dim:
            parts.append(inputs["tok_dense"])
        if bag is not None:
            inputs["tok_ids"] = keras.Input((None, None), dtype="int32", name="tok_ids")
            parts.append(bag(inputs["tok_ids"]))  # (batch, len, sparse_dim)
        if spec.n_patterns:
            inputs["tok_patterns"] = keras.Input((None, spec.n_patterns), name="tok_patterns")
            parts.append(inputs["tok_patterns"])
        t = parts[0] if len(parts) == 1 else layers.Concatenate()(parts)
        t = layers.Dropout(spec.dropout)(t)
        t = layers.Dense(spec.entity_hidden, activation="gelu", name="token_hidden")(t) * mask  # (b, len, eh)
        if spec.token_context in ("conv", "conv+bigru"):
            conv = layers.Conv1D(spec.entity_hidden, 3, padding="same", activation="gelu", name="token_conv")
            c = conv(t)
            t = t + c * mask  # (batch, len, entity_hidden)
        if spec.token_context in ("bigru", "conv+bigru"):
            gru = layers.GRU(spec.entity_hidden // 2, return_sequences=True)
            c = layers.Bidirectional(gru, name="token_gru")(t, mask=ops.greater(inputs["tok_mask"], 0))
            t = t + c * mask  # (batch, len, entity_hidden)
        t = layers.LayerNormalization(name="token_norm")(t)
        t = layers.Dropout(spec.dropout)(t)
        outputs["tags"] = layers.Dense(spec.n_tags, name="tag_logits")(t)  # (batch, len, n_tags)
        if spec.n_roles:
            outputs["roles"] = layers.Dense(spec.n_roles, name="role_logits")(t)  # (batch, len, n_roles)
        if spec.n_groups:
            outputs["groups"] = layers.Dense(spec.n_groups, name="group_logits")(t)  # (batch, len, n_groups)
    return keras.Model(inputs=inputs, outputs=outputs, name="intent_entity")
