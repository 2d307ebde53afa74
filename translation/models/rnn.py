"""An RNN encoder-decoder with attention: a bidirectional GRU/LSTM encoder and a unidirectional
decoder with Bahdanau (additive, attends with the previous state) or Luong (multiplicative,
attends with the new state) attention (Bahdanau et al. 2015; Luong et al. 2015).

Training and inference share `step()`: training scans it over the target (teacher forcing).
Shapes: B batch, S source length, T target length, E embedding, U units, V vocabulary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import tensorflow as tf

NEG_INF = -1e9


@dataclass(frozen=True)
class RNNConfig:
    source_vocab_size: int = 8000
    target_vocab_size: int = 8000
    embedding_dim: int = 256
    units: int = 512
    encoder_layers: int = 1
    cell: str = "gru"  # gru | lstm
    attention: str = "bahdanau"  # bahdanau | luong
    dropout: float = 0.2
    share_embeddings: bool = False


def _rnn(cell: str, units: int, **kwargs) -> keras.layers.Layer:
    if cell == "gru":
        return keras.layers.GRU(units, return_sequences=True, **kwargs)
    if cell == "lstm":
        return keras.layers.LSTM(units, return_sequences=True, **kwargs)
    raise ValueError(f"cell must be 'gru' or 'lstm', got {cell!r}")


class RNNSeq2Seq(keras.Model):
    config_class = RNNConfig

    def __init__(self, **config) -> None:
        super().__init__(name="rnn")
        self.cfg = c = RNNConfig(**config)
        if c.attention not in ("bahdanau", "luong"):
            raise ValueError(f"attention must be 'bahdanau' or 'luong', got {c.attention!r}")
        self.src_embed = keras.layers.Embedding(c.source_vocab_size, c.embedding_dim, name="source_embedding")
        self.tgt_embed = (self.src_embed if c.share_embeddings else
                          keras.layers.Embedding(c.target_vocab_size, c.embedding_dim, name="target_embedding"))
        self.encoder = [keras.layers.Bidirectional(_rnn(c.cell, c.units // 2), name=f"encoder_{i}")
                        for i in range(c.encoder_layers)]
        self.bridge = keras.layers.Dense(c.units, activation="tanh", name="bridge")
        cell_cls = keras.layers.GRUCell if c.cell == "gru" else keras.layers.LSTMCell
        self.cell = cell_cls(c.units, name="decoder_cell")
        self.query = keras.layers.Dense(c.units, use_bias=False, name="attention_query")
        self.keys = keras.layers.Dense(c.units, use_bias=False, name="attention_keys")
        self.score_v = keras.layers.Dense(1, use_bias=False, name="attention_v")  # Bahdanau only
        self.combine = keras.layers.Dense(c.units, activation="tanh", name="attention_combine")
        self.out = keras.layers.Dense(c.target_vocab_size, name="output")
        self.drop = keras.layers.Dropout(c.dropout)

    def build(self, input_shape) -> None:  # layers build on the first call
        self.built = True

    def get_config(self) -> dict:
        return asdict(self.cfg)

    def encode(self, src, training=False):
        mask = tf.not_equal(src, 0)  # (B, S)
        x = self.drop(self.src_embed(src), training=training)  # (B, S, E)
        for layer in self.encoder:
            x = layer(x, mask=mask, training=training)  # (B, S, U)
        return x, mask

    def start(self, src, training=False):
        """Encode once. static: memory and attention keys (B, S, U); dynamic: decoder state (B, U)."""
        memory, mask = self.encode(src, training)
        m = tf.cast(mask, tf.float32)[:, :, None]
        mean = tf.reduce_sum(memory * m, axis=1) / tf.maximum(tf.reduce_sum(m, axis=1), 1.0)  # (B, U)
        h = self.bridge(mean)
        dynamic = {"h": h, "c": tf.zeros_like(h)} if self.cfg.cell == "lstm" else {"h": h}
        static = {"memory": memory, "keys": self.keys(memory),
                  "bias": (1.0 - tf.cast(mask, tf.float32)) * NEG_INF}  # (B, S, U), (B, S, U), (B, S)
        return static, dynamic

    def _attend(self, h, static):
        """h (B, U) -> context (B, U), weights (B, S)."""
        q = self.query(h)[:, None, :]  # (B, 1, U)
        if self.cfg.attention == "bahdanau":
            scores = self.score_v(tf.tanh(static["keys"] + q))[:, :, 0]  # (B, S)
        else:
            scores = tf.reduce_sum(static["keys"] * q, axis=-1)  # (B, S)
        weights = tf.nn.softmax(scores + static["bias"], axis=-1)
        return tf.einsum("bs,bsu->bu", weights, static["memory"]), weights

    def step(self, tokens, position, static, dynamic, training=False):
        """tokens (B,) -> logits (B, V), attention (B, S), updated dynamic. `position` is unused."""
        del position
        x = self.drop(self.tgt_embed(tokens), training=training)  # (B, E)
        states = [dynamic["h"], dynamic["c"]] if self.cfg.cell == "lstm" else [dynamic["h"]]
        if self.cfg.attention == "bahdanau":
            context, weights = self._attend(dynamic["h"], static)
            h, new_states = self.cell(tf.concat([x, context], -1), states, training=training)
        else:
            h, new_states = self.cell(x, states, training=training)
            context, weights = self._attend(h, static)
        feature = self.combine(tf.concat([h, context], -1))  # (B, U)
        logits = self.out(self.drop(feature, training=training))  # (B, V)
        new = {"h": new_states[0]}
        if self.cfg.cell == "lstm":
            new["c"] = new_states[1]
        return logits, weights, new

    def call(self, inputs, training=False):
        """inputs = (src (B, S), tgt_in (B, T)) -> logits (B, T, V), scanning `step` over T."""
        src, tgt_in = inputs
        static, dynamic = self.start(src, training)

        def body(carry, tokens):
            _, state = carry
            logits, _, new = self.step(tokens, 0, static, state, training)
            return logits, new

        b = tf.shape(src)[0]
        init = (tf.zeros([b, self.cfg.target_vocab_size]), dynamic)
        logits, _ = tf.scan(body, tf.transpose(tgt_in), initializer=init)  # (T, B, V)
        return tf.transpose(logits, [1, 0, 2])
