"""The IntentEntityClassifier's batches: message features and gold labels as the padded arrays the joint
model reads, and the TensorSpecs that let one `tf.function` trace serve every batch shape.

Array names: `sent_dense` (batch, dense_dim), `sent_ids` (batch, n_ngrams), `tok_mask` (batch, tokens),
`tok_dense` (batch, tokens, token_dense_dim), `tok_ids` (batch, tokens, k), `tok_patterns`
(batch, tokens, n_patterns); targets `intent` (batch,), `tags`/`roles`/`groups` (batch, tokens).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nlu.components import bilou
from nlu.components.base import Message

NONE_LABEL = "<none>"  # the role/group label of tokens outside any entity


def batch_arrays(m: dict[str, Any], messages: list[Message]) -> dict[str, np.ndarray]:
    """The features of `messages` as padded arrays (`m` is the classifier's meta)."""
    b = len(messages)
    x: dict[str, np.ndarray] = {}
    if m["dense_dim"]:
        x["sent_dense"] = np.stack([msg.sentence_dense for msg in messages]).astype(np.float32)
    if m["buckets"]:
        n = max(1, max(len(msg.sentence_ngrams) for msg in messages))
        ids = np.zeros((b, n), dtype=np.int32)
        for i, msg in enumerate(messages):
            ids[i, : len(msg.sentence_ngrams)] = msg.sentence_ngrams
        x["sent_ids"] = np.minimum(ids, m["buckets"] - 1)
    if m["tags"] or m.get("intent_attention"):
        length = max(1, max(len(msg.tokens) for msg in messages))
        mask = np.zeros((b, length), dtype=np.float32)
        for i, msg in enumerate(messages):
            mask[i, : len(msg.tokens)] = 1.0
        x["tok_mask"] = mask
        if m["token_dense_dim"]:
            dense = np.zeros((b, length, m["token_dense_dim"]), dtype=np.float32)
            for i, msg in enumerate(messages):
                dense[i, : len(msg.tokens)] = msg.token_dense
            x["tok_dense"] = dense
        if m["buckets"] and m["tags"]:
            k = max([1] + [len(t) for msg in messages for t in msg.token_ngrams])
            ids = np.zeros((b, length, k), dtype=np.int32)
            for i, msg in enumerate(messages):
                for j, t in enumerate(msg.token_ngrams):
                    ids[i, j, : len(t)] = t
            x["tok_ids"] = np.minimum(ids, m["buckets"] - 1)
        if m["n_patterns"] and m["tags"]:
            pats = np.zeros((b, length, m["n_patterns"]), dtype=np.float32)
            for i, msg in enumerate(messages):
                if msg.token_patterns is not None and len(msg.tokens):
                    p = msg.token_patterns[:, : m["n_patterns"]]
                    pats[i, : len(msg.tokens), : p.shape[1]] = p
            x["tok_patterns"] = pats
    return x


def target_arrays(m: dict[str, Any], messages: list[Message], length: int) -> dict[str, np.ndarray]:
    """The gold intent ids and per-token tag, role and group ids of `messages`, padded to `length`."""
    index = {name: i for i, name in enumerate(m["intents"])}
    y = {"intent": np.array([index[msg.example.intent] for msg in messages], dtype=np.int32)}
    if m["tags"]:
        for key, labels in (("tags", None), ("roles", m["roles"]), ("groups", m["groups"])):
            if key != "tags" and not labels:
                continue
            arr = np.zeros((len(messages), length), dtype=np.int32)
            for i, msg in enumerate(messages):
                if key == "tags":
                    arr[i, : len(msg.tokens)] = bilou.encode(msg.tokens, msg.example.entities, m["tags"])
                else:
                    lab = {name: j for j, name in enumerate(labels)}
                    attr = key[:-1]
                    for ann in msg.example.entities:
                        value = getattr(ann, attr)
                        if value is not None and value in lab:
                            for t in bilou.token_span(msg.tokens, ann.start, ann.end):
                                arr[i, t] = lab[value]
            y[key] = arr
    return y


def signature(x: dict[str, np.ndarray], y: dict[str, np.ndarray]):
    """TensorSpecs with every dimension open except the feature width, so one trace serves all shapes."""
    import tensorflow as tf

    keep_last = {"sent_dense", "tok_dense", "tok_patterns"}
    x_spec = {
        k: tf.TensorSpec(
            [None] * (v.ndim - 1) + [v.shape[-1] if k in keep_last else None], tf.as_dtype(v.dtype)
        )
        for k, v in x.items()
    }
    y_spec = {k: tf.TensorSpec([None] * v.ndim, tf.as_dtype(v.dtype)) for k, v in y.items()}
    return x_spec, y_spec


def probe_arrays(m: dict[str, Any]) -> dict[str, np.ndarray]:
    """Zero arrays with the right dtypes and feature widths, standing in for a batch."""
    x: dict[str, np.ndarray] = {}
    if m["dense_dim"]:
        x["sent_dense"] = np.zeros((1, m["dense_dim"]), np.float32)
    if m["buckets"]:
        x["sent_ids"] = np.zeros((1, 1), np.int32)
    if m["tags"] or m.get("intent_attention"):
        x["tok_mask"] = np.zeros((1, 1), np.float32)
        if m["token_dense_dim"]:
            x["tok_dense"] = np.zeros((1, 1, m["token_dense_dim"]), np.float32)
        if m["buckets"] and m["tags"]:
            x["tok_ids"] = np.zeros((1, 1, 1), np.int32)
        if m["n_patterns"] and m["tags"]:
            x["tok_patterns"] = np.zeros((1, 1, m["n_patterns"]), np.float32)
    return x
