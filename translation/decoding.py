"""Greedy and batched beam search over any catalog model exposing `start()` and `step()`.

Both run as `tf.while_loop`s (usable eagerly, under `tf.function`, and inside an exported SavedModel).
The model's per-hypothesis decoder state ("dynamic": Transformer key/value caches, RNN hidden state)
is carried between steps and reordered by beam search, so each step feeds only the newest token.
Shapes: B sentences, K beams, S source length, T target length, V vocabulary.
"""

from __future__ import annotations

import tensorflow as tf

from translation.subwords import BOS, EOS

NEG_INF = -1e9


def length_limits(src: tf.Tensor, ratio: float, extra: int) -> tf.Tensor:
    """Per-sentence maximum target length (B,) from the source length."""
    lengths = tf.reduce_sum(tf.cast(tf.not_equal(src, 0), tf.float32), axis=1)
    return tf.cast(tf.math.ceil(lengths * ratio), tf.int32) + extra


def length_penalty(lengths: tf.Tensor, alpha: float) -> tf.Tensor:
    """GNMT length penalty ((5 + len) / 6) ** alpha."""
    return tf.pow((5.0 + tf.cast(lengths, tf.float32)) / 6.0, alpha)


def _invariants(structure):
    return tf.nest.map_structure(lambda t: tf.TensorShape([None] * t.shape.rank), structure)


def _force_eos(logp: tf.Tensor, force: tf.Tensor) -> tf.Tensor:
    """Where force (N,) is true, keep only the EOS column of logp (N, V)."""
    eos_only = tf.one_hot(EOS, tf.shape(logp)[-1], on_value=0.0, off_value=NEG_INF)
    return tf.where(force[:, None], logp + eos_only, logp)


def greedy(model, src: tf.Tensor, ratio: float = 1.5, extra: int = 10, alpha: float = 0.6):
    """src (B, S) -> tokens (B, T) incl. EOS then padding, scores (B,), attention (B, T, S)."""
    b, s = tf.shape(src)[0], tf.shape(src)[1]
    limits = length_limits(src, ratio, extra)
    static, dynamic = model.start(src)

    def cond(t, prev, dyn, done, *_):
        return tf.logical_and(t < tf.reduce_max(limits), tf.logical_not(tf.reduce_all(done)))

    def body(t, prev, dyn, done, tokens, attn, logprob, length):
        logits, weights, dyn = model.step(prev, t, static, dyn)
        logp = _force_eos(tf.nn.log_softmax(logits), t + 1 >= limits)  # (B, V)
        token = tf.argmax(logp, axis=-1, output_type=tf.int32)  # (B,)
        token = tf.where(done, 0, token)
        gained = tf.gather(logp, token, batch_dims=1)
        logprob += tf.where(done, 0.0, gained)
        length += tf.cast(tf.logical_not(done), tf.int32)
        tokens = tf.concat([tokens, token[:, None]], 1)
        attn = tf.concat([attn, weights[:, None, :]], 1)
        return t + 1, token, dyn, tf.logical_or(done, tf.equal(token, EOS)), tokens, attn, logprob, length

    loop_vars = (
        tf.constant(0),
        tf.fill([b], BOS),
        dynamic,
        tf.zeros([b], tf.bool),
        tf.zeros([b, 0], tf.int32),
        tf.zeros([b, 0, s]),
        tf.zeros([b]),
        tf.zeros([b], tf.int32),
    )
    out = tf.while_loop(cond, body, loop_vars, shape_invariants=_invariants(loop_vars))
    *_, tokens, attn, logprob, length = out
    return tokens, logprob / length_penalty(length, alpha), attn


def _merge(x: tf.Tensor) -> tf.Tensor:
    """(B, K, ...) -> (B*K, ...)."""
    return tf.reshape(x, tf.concat([[-1], tf.shape(x)[2:]], 0))


def beam_search(
    model,
    src: tf.Tensor,
    beam: int = 4,
    alpha: float = 0.6,
    ratio: float = 1.5,
    extra: int = 10,
    n_best: int = 1,
):
    """src (B, S) -> tokens (B, N, T), scores (B, N), attention (B, N, T, S) for the N best hypotheses.

    Hypotheses are ranked by summed log-probability while searching and by log-probability divided by
    the length penalty at the end. Finished hypotheses stay in the beam and only extend with padding.
    """
    k = beam
    b, s = tf.shape(src)[0], tf.shape(src)[1]
    limits = tf.repeat(length_limits(src, ratio, extra), k)  # (B*K,)
    static, dynamic = model.start(src)
    static = tf.nest.map_structure(lambda x: tf.repeat(x, k, axis=0), static)  # (B*K, ...)
    dynamic = tf.nest.map_structure(lambda x: tf.repeat(x, k, axis=0), dynamic)
    first = tf.concat([tf.zeros([1]), tf.fill([k - 1], NEG_INF)], 0)  # only beam 0 is alive at t=0
    logprob = tf.tile(first[None, :], [b, 1])  # (B, K)

    def cond(t, prev, dyn, done, *_):
        return tf.logical_and(t < tf.reduce_max(limits), tf.logical_not(tf.reduce_all(done)))

    def body(t, prev, dyn, done, tokens, attn, logprob, length):
        logits, weights, dyn = model.step(prev, t, static, dyn)  # (B*K, V), (B*K, S)
        v = tf.shape(logits)[-1]
        logp = _force_eos(tf.nn.log_softmax(logits), t + 1 >= limits)
        flat_done = tf.reshape(done, [-1])
        pad_only = tf.one_hot(0, v, on_value=0.0, off_value=NEG_INF)
        logp = tf.where(flat_done[:, None], pad_only[None, :], logp)  # finished: extend with pad at 0 cost
        cand = logprob[:, :, None] + tf.reshape(logp, [b, k, v])  # (B, K, V)
        logprob, idx = tf.math.top_k(tf.reshape(cand, [b, k * v]), k=k)  # (B, K)
        origin, token = idx // v, idx % v  # beam it came from, token it adds
        flat = _merge(origin + tf.range(b)[:, None] * k)  # (B*K,) rows to gather
        dyn = tf.nest.map_structure(lambda x: tf.gather(x, flat), dyn)
        was_done = tf.gather(done, origin, batch_dims=1)
        tokens = tf.concat([tf.gather(tokens, origin, batch_dims=1), token[:, :, None]], 2)  # (B, K, t+1)
        step_attn = tf.gather(tf.reshape(weights, [b, k, s]), origin, batch_dims=1)
        attn = tf.concat([tf.gather(attn, origin, batch_dims=1), step_attn[:, :, None, :]], 2)
        length = tf.gather(length, origin, batch_dims=1) + tf.cast(tf.logical_not(was_done), tf.int32)
        done = tf.logical_or(was_done, tf.equal(token, EOS))
        return t + 1, _merge(token), dyn, done, tokens, attn, logprob, length

    loop_vars = (
        tf.constant(0),
        tf.fill([b * k], BOS),
        dynamic,
        tf.zeros([b, k], tf.bool),
        tf.zeros([b, k, 0], tf.int32),
        tf.zeros([b, k, 0, s]),
        logprob,
        tf.zeros([b, k], tf.int32),
    )
    out = tf.while_loop(cond, body, loop_vars, shape_invariants=_invariants(loop_vars))
    *_, tokens, attn, logprob, length = out
    normalised = logprob / length_penalty(length, alpha)  # (B, K)
    scores, order = tf.math.top_k(normalised, k=n_best)  # (B, N)
    return (tf.gather(tokens, order, batch_dims=1), scores, tf.gather(attn, order, batch_dims=1))
