"""The built hub module reproduces sentence-transformers' all-MiniLM-L6-v2 (reference made with torch)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def cosine(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_hub_load_gives_reference_sentence_vectors(hub_module, reference):
    out = hub_module(tf.constant([r["text"] for r in reference]))
    sentence = out["sentence"].numpy()
    assert sentence.shape == (len(reference), 384)
    cosines = {r["text"][:40]: cosine(sentence[i], r["sentence"]) for i, r in enumerate(reference)}
    worst = min(cosines, key=cosines.get)
    assert cosines[worst] >= 0.9999, f"cosine {cosines[worst]:.6f} on {worst!r}"
    np.testing.assert_allclose(np.linalg.norm(sentence, axis=1), 1.0, atol=1e-5)


def test_wordpieces_and_offsets_match_the_original_tokenizer(encoder, reference):
    enc = encoder.encode([r["text"] for r in reference])
    for i, r in enumerate(reference):
        n = int(enc.mask[i].sum())
        assert enc.wordpieces[i] == r["wordpieces"], r["text"][:60]
        offsets = list(zip(enc.starts[i, :n].tolist(), enc.ends[i, :n].tolist(), strict=True))
        assert offsets == [tuple(o) for o in r["offsets"]], r["text"][:60]


def test_token_vectors_match_reference(encoder, reference):
    with_tokens = [r for r in reference if "token_vectors" in r]
    assert with_tokens
    enc = encoder.encode([r["text"] for r in with_tokens])
    for i, r in enumerate(with_tokens):
        for j, vector in enumerate(r["token_vectors"]):
            assert cosine(enc.tokens[i, j], vector) >= 0.9999, (r["text"], j)


def test_long_input_is_cut_at_254_wordpieces_like_the_original(encoder, reference):
    long = next(r for r in reference if len(r["ids"]) == 254)
    enc = encoder.encode([long["text"]])
    assert enc.mask.sum() == 254
    assert bool(enc.truncated[0])
    assert cosine(enc.sentence[0], long["sentence"]) >= 0.9999


def test_one_text_per_call_gives_the_reference_too(hub_module, reference):
    """A single text takes the XLA-compiled encoder (the serving path); it must agree with the
    reference and with the same text inside a batch (the plain graph)."""
    batch = hub_module(tf.constant([r["text"] for r in reference]))
    for i, r in enumerate(reference):
        alone = hub_module(tf.constant([r["text"]]))
        assert cosine(alone["sentence"].numpy()[0], r["sentence"]) >= 0.9999, r["text"][:40]
        n = int(alone["mask"].numpy()[0].sum())
        assert alone["tokens"].shape[1] == n  # cut back to the text's own length after XLA's padding
        np.testing.assert_allclose(alone["tokens"].numpy()[0], batch["tokens"].numpy()[i, :n], atol=1e-4)
