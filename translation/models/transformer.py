"""A pre-LN Transformer encoder-decoder (Vaswani et al. 2017, pre-norm as in Xiong et al. 2020).

Training runs the decoder over the whole target at once with a causal mask; inference runs
`step()` one token at a time with per-layer key/value caches, so each step costs one token's work.
Shapes: B batch, S source length, T target length, D d_model, H heads, V vocabulary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import keras
import numpy as np
import tensorflow as tf

NEG_INF = -1e9


@dataclass(frozen=True)
class TransformerConfig:
    source_vocab_size: int = 8000
    target_vocab_size: int = 8000
    d_model: int = 256
    layers: int = 3  # encoder layers = decoder layers
    heads: int = 4
    ff_dim: int = 1024
    dropout: float = 0.1
    positions: str = "sinusoidal"  # sinusoidal | learned
    max_positions: int = 512
    share_embeddings: bool = True  # one embedding for source, target and output (joint vocabulary)


def sinusoid_table(length: int, dim: int) -> np.ndarray:
    pos = np.arange(length)[:, None]
    i = np.arange(dim // 2)[None, :]
    angle = pos / np.power(10000.0, 2 * i / dim)
    return np.concatenate([np.sin(angle), np.cos(angle)], axis=-1).astype("float32")  # (L, D)


class Attention(keras.layers.Layer):
    """Multi-head attention with separate key/value projection so callers can cache them."""

    def __init__(self, d_model: int, heads: int, dropout: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.d_model, self.heads, self.dropout_rate = d_model, heads, dropout
        self.depth = d_model // heads
        self.q = keras.layers.Dense(d_model, name="q")
        self.k = keras.layers.Dense(d_model, name="k")
        self.v = keras.layers.Dense(d_model, name="v")
        self.o = keras.layers.Dense(d_model, name="o")
        self.drop = keras.layers.Dropout(dropout)

    def split(self, x: tf.Tensor) -> tf.Tensor:
        b, t = tf.shape(x)[0], tf.shape(x)[1]
        x = tf.reshape(x, [b, t, self.heads, self.depth])  # (B, T, H, Dh)
        return tf.transpose(x, [0, 2, 1, 3])  # (B, H, T, Dh)

    def keys_values(self, x: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return self.split(self.k(x)), self.split(self.v(x))  # 2 x (B, H, S, Dh)

    def attend(self, x, k, v, bias, training=False) -> tuple[tf.Tensor, tf.Tensor]:
        """x (B, T, D) attends over k, v (B, H, S, Dh); bias (B or 1, 1, T or 1, S) is 0 or -1e9."""
        q = self.split(self.q(x)) * (self.depth ** -0.5)  # (B, H, T, Dh)
        scores = tf.matmul(q, k, transpose_b=True) + bias  # (B, H, T, S)
        weights = tf.nn.softmax(scores, axis=-1)
        out = tf.matmul(self.drop(weights, training=training), v)  # (B, H, T, Dh)
        out = tf.transpose(out, [0, 2, 1, 3])
        out = tf.reshape(out, [tf.shape(out)[0], tf.shape(out)[1], self.d_model])  # (B, T, D)
        return self.o(out), tf.reduce_mean(weights, axis=1)  # (B, T, D), (B, T, S)

    def get_config(self) -> dict:
        return {**super().get_config(), "d_model": self.d_model, "heads": self.heads,
                "dropout": self.dropout_rate}


class FeedForward(keras.layers.Layer):
    def __init__(self, d_model: int, ff_dim: int, dropout: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.d_model, self.ff_dim, self.dropout_rate = d_model, ff_dim, dropout
        self.inner = keras.layers.Dense(ff_dim, activation="relu", name="inner")
        self.outer = keras.layers.Dense(d_model, name="outer")
        self.drop = keras.layers.Dropout(dropout)

    def call(self, x, training=False):
        return self.outer(self.drop(self.inner(x), training=training))  # (B, T, D)

    def get_config(self) -> dict:
        return {**super().get_config(), "d_model": self.d_model, "ff_dim": self.ff_dim,
                "dropout": self.dropout_rate}


class EncoderLayer(keras.layers.Layer):
    def __init__(self, d_model: int, heads: int, ff_dim: int, dropout: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.args = {"d_model": d_model, "heads": heads, "ff_dim": ff_dim, "dropout": dropout}
        self.norm1 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.attn = Attention(d_model, heads, dropout, name="self_attention")
        self.norm2 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.ff = FeedForward(d_model, ff_dim, dropout, name="ff")
        self.drop = keras.layers.Dropout(dropout)

    def build(self, input_shape) -> None:  # sublayers build on first call
        self.built = True

    def call(self, x, bias, training=False):
        h = self.norm1(x)
        k, v = self.attn.keys_values(h)
        x = x + self.drop(self.attn.attend(h, k, v, bias, training)[0], training=training)
        return x + self.drop(self.ff(self.norm2(x), training=training), training=training)  # (B, S, D)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.args}


class DecoderLayer(keras.layers.Layer):
    def __init__(self, d_model: int, heads: int, ff_dim: int, dropout: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.args = {"d_model": d_model, "heads": heads, "ff_dim": ff_dim, "dropout": dropout}
        self.norm1 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.self_attn = Attention(d_model, heads, dropout, name="self_attention")
        self.norm2 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.cross_attn = Attention(d_model, heads, dropout, name="cross_attention")
        self.norm3 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.ff = FeedForward(d_model, ff_dim, dropout, name="ff")
        self.drop = keras.layers.Dropout(dropout)

    def build(self, input_shape) -> None:  # sublayers build on first call
        self.built = True

    def call(self, x, self_kv, self_bias, cross_kv, cross_bias, training=False):
        """x (B, T, D); self_kv: cached (B, H, T', Dh) pairs incl. x's own; returns (B, T, D), (B, T, S)."""
        h = self.norm1(x)
        x = x + self.drop(self.self_attn.attend(h, *self_kv, self_bias, training)[0], training=training)
        c, weights = self.cross_attn.attend(self.norm2(x), *cross_kv, cross_bias, training)
        x = x + self.drop(c, training=training)
        return x + self.drop(self.ff(self.norm3(x), training=training), training=training), weights

    def get_config(self) -> dict:
        return {**super().get_config(), **self.args}


class Transformer(keras.Model):
    config_class = TransformerConfig

    def __init__(self, **config) -> None:
        super().__init__(name="transformer")
        self.cfg = c = TransformerConfig(**config)
        if c.share_embeddings and c.source_vocab_size != c.target_vocab_size:
            raise ValueError(f"share_embeddings needs one vocabulary, got source {c.source_vocab_size} "
                             f"and target {c.target_vocab_size} entries (use subwords.joint: true)")
        self.src_embed = keras.layers.Embedding(c.source_vocab_size, c.d_model, name="source_embedding")
        self.tgt_embed = (self.src_embed if c.share_embeddings else
                          keras.layers.Embedding(c.target_vocab_size, c.d_model, name="target_embedding"))
        if c.positions == "learned":
            self.pos_embed = keras.layers.Embedding(c.max_positions, c.d_model, name="positions")
        elif c.positions == "sinusoidal":
            self.pos_table = tf.constant(sinusoid_table(c.max_positions, c.d_model))
        else:
            raise ValueError(f"positions must be 'sinusoidal' or 'learned', got {c.positions!r}")
        self.drop = keras.layers.Dropout(c.dropout)
        self.encoder = [EncoderLayer(c.d_model, c.heads, c.ff_dim, c.dropout, name=f"encoder_{i}")
                        for i in range(c.layers)]
        self.decoder = [DecoderLayer(c.d_model, c.heads, c.ff_dim, c.dropout, name=f"decoder_{i}")
                        for i in range(c.layers)]
        self.enc_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="encoder_norm")
        self.dec_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="decoder_norm")
        self.out_bias = self.add_weight(shape=(c.target_vocab_size,), initializer="zeros", name="out_bias")

    def build(self, input_shape) -> None:  # layers build on the first call
        self.built = True

    def get_config(self) -> dict:
        return asdict(self.cfg)

    def _positions(self, start, length):
        idx = tf.range(length) + start
        if self.cfg.positions == "learned":
            return self.pos_embed(idx)  # (T, D)
        return tf.gather(self.pos_table, idx)  # (T, D)

    def _embed(self, layer, ids, start, training):
        x = layer(ids) * (self.cfg.d_model ** 0.5) + self._positions(start, tf.shape(ids)[1])
        return self.drop(x, training=training)  # (B, T, D)

    def _logits(self, h):
        return tf.matmul(h, self.tgt_embed.embeddings, transpose_b=True) + self.out_bias  # (B, T, V)

    def encode(self, src, training=False):
        mask = tf.not_equal(src, 0)  # (B, S)
        bias = (1.0 - tf.cast(mask, tf.float32))[:, None, None, :] * NEG_INF  # (B, 1, 1, S)
        x = self._embed(self.src_embed, src, 0, training)
        for layer in self.encoder:
            x = layer(x, bias=bias, training=training)
        return self.enc_norm(x), mask, bias  # (B, S, D), (B, S), (B, 1, 1, S)

    def call(self, inputs, training=False):
        """inputs = (src (B, S), tgt_in (B, T)) -> logits (B, T, V)."""
        src, tgt_in = inputs
        memory, _, cross_bias = self.encode(src, training)
        t = tf.shape(tgt_in)[1]
        causal = 1.0 - tf.linalg.band_part(tf.ones([t, t]), -1, 0)
        self_bias = (causal * NEG_INF)[None, None, :, :]  # (1, 1, T, T)
        x = self._embed(self.tgt_embed, tgt_in, 0, training)
        for layer in self.decoder:
            h = layer.norm1(x)
            x, _ = layer(x, self_kv=layer.self_attn.keys_values(h), self_bias=self_bias,
                         cross_kv=layer.cross_attn.keys_values(memory), cross_bias=cross_bias,
                         training=training)
        return self._logits(self.dec_norm(x))

    # ---- incremental decoding -------------------------------------------------------------------
    def start(self, src):
        """Encode once. Returns (static, dynamic): static is per sentence (cross-attention keys/values),
        dynamic is per hypothesis (self-attention caches, reordered by beam search)."""
        memory, mask, bias = self.encode(src)
        static = {"mask": mask, "bias": bias}
        dynamic = {}
        b = tf.shape(src)[0]
        for i, layer in enumerate(self.decoder):
            static[f"ck{i}"], static[f"cv{i}"] = layer.cross_attn.keys_values(memory)  # (B, H, S, Dh)
            empty = tf.zeros([b, self.cfg.heads, 0, self.cfg.d_model // self.cfg.heads])
            dynamic[f"k{i}"], dynamic[f"v{i}"] = empty, empty  # (B, H, 0, Dh)
        return static, dynamic

    def step(self, tokens, position, static, dynamic):
        """tokens (B,) at `position` -> logits (B, V), cross-attention (B, S), updated dynamic."""
        x = self._embed(self.tgt_embed, tokens[:, None], position, False)  # (B, 1, D)
        new = {}
        weights = None
        for i, layer in enumerate(self.decoder):
            k, v = layer.self_attn.keys_values(layer.norm1(x))  # (B, H, 1, Dh)
            new[f"k{i}"] = tf.concat([dynamic[f"k{i}"], k], axis=2)  # (B, H, t+1, Dh)
            new[f"v{i}"] = tf.concat([dynamic[f"v{i}"], v], axis=2)
            x, weights = layer(x, self_kv=(new[f"k{i}"], new[f"v{i}"]), self_bias=0.0,
                               cross_kv=(static[f"ck{i}"], static[f"cv{i}"]), cross_bias=static["bias"])
        return self._logits(self.dec_norm(x))[:, 0], weights[:, 0], new
