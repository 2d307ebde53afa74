"""One text per call (a served utterance): XLA only up to `XLA_MAX_WIDTH` positions, every width warmed."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from nlu.embeddings.bucketing import XLA_MAX_WIDTH, XLA_PAD_MULTIPLE, xla_widths


def test_xla_widths_cover_every_padded_width_up_to_the_cap():
    widths = xla_widths()
    assert widths == sorted(widths) and widths[-1] == XLA_MAX_WIDTH
    for positions in range(3, XLA_MAX_WIDTH + 1):  # any text of 1..cap-2 wordpieces
        padded = -(-positions // XLA_PAD_MULTIPLE) * XLA_PAD_MULTIPLE
        assert padded in widths, positions


def test_warm_up_texts_fill_each_width_exactly(hub_module):
    """The encoder warms each XLA program with `width - 2` dots: one wordpiece each."""
    for width in xla_widths():
        tok = hub_module.tokenize(tf.constant(["." * (width - 2)]))
        assert int(tok["mask"].numpy().sum()) == width - 2


def test_single_texts_either_side_of_the_cap_equal_the_same_text_in_a_batch(hub_module):
    """At the cap the single text runs XLA, one wordpiece over it the plain graph: the same vectors."""
    texts = [" ".join(["card"] * n) for n in (XLA_MAX_WIDTH - 3, XLA_MAX_WIDTH - 2, XLA_MAX_WIDTH - 1, 100)]
    batch = hub_module(tf.constant(texts + ["hi"]))
    for i, text in enumerate(texts):
        alone = hub_module(tf.constant([text]))
        n = int(alone["mask"].numpy()[0].sum())
        assert alone["tokens"].shape[1] == n
        np.testing.assert_allclose(alone["sentence"].numpy()[0], batch["sentence"].numpy()[i], atol=1e-4)
        np.testing.assert_allclose(alone["tokens"].numpy()[0], batch["tokens"].numpy()[i, :n], atol=1e-4)


def test_encoder_gives_the_same_vectors_for_long_and_short_single_texts_as_in_a_batch(encoder):
    texts = ["where is my card", " ".join(["why was my transfer declined"] * 14)]  # 4 and 70 wordpieces
    together = encoder.encode(texts)
    for i, text in enumerate(texts):
        alone = encoder.encode([text + " "])  # a new text (no cache hit), same wordpieces
        n = int(alone.mask[0].sum())
        np.testing.assert_allclose(alone.sentence[0], together.sentence[i], atol=1e-4)
        np.testing.assert_allclose(alone.tokens[0, :n], together.tokens[i, :n], atol=1e-4)
