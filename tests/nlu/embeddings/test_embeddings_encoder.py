"""SentenceEncoder: dynamic padding, bad input, cache, threads."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest

from nlu.embeddings import EmbeddingInputError, Encodings


def test_a_batch_is_padded_to_its_own_longest_input(encoder):
    short = encoder.encode(["hi", "book a table"])
    assert short.tokens.shape == (2, 3, 384)  # "book a table" is 3 wordpieces, not 128 or 256
    assert short.mask.tolist() == [[True, False, False], [True, True, True]]
    assert not short.tokens[0, 1:].any()  # padding is zero
    longer = encoder.encode(["hi", "please book a table for two people at eight tonight"])
    assert longer.tokens.shape[1] == int(longer.mask[1].sum()) == 10


def test_encode_sentences_equals_encode_sentence(encoder):
    texts = ["what's the weather in Oslo", "cancel my order"]
    np.testing.assert_allclose(encoder.encode_sentences(texts), encoder.encode(texts).sentence, atol=1e-6)


def test_similar_sentences_are_closer_than_unrelated_ones(encoder):
    texts = ["book a flight to Paris", "I want to fly to Paris", "my cat is asleep"]
    a, b, c = encoder.encode_sentences(texts)
    assert a @ b > a @ c + 0.3


def test_cache_hit_returns_identical_vectors(encoder):
    text = "a sentence only this test encodes"
    first = encoder.encode([text])
    hits = encoder.cache_info["hits"]
    second = encoder.encode([text, text])
    assert encoder.cache_info["hits"] >= hits + 1
    np.testing.assert_array_equal(second.sentence[0], first.sentence[0])
    np.testing.assert_array_equal(second.sentence[1], first.sentence[0])
    np.testing.assert_array_equal(second.tokens[0], first.tokens[0])
    second.sentence[0] += 1.0  # the caller owns its arrays: the cache is not corrupted
    np.testing.assert_array_equal(encoder.encode([text]).sentence[0], first.sentence[0])


def test_cache_is_bounded():
    from nlu.embeddings.encoder import _LRU, _Entry

    lru = _LRU(max_entries=3, max_bytes=10**9)
    for i in range(10):
        lru.put(str(i), _Entry(np.zeros(384, np.float32), None, None, None, None, False))
    assert len(lru) == 3
    assert lru.get("0", need_full=False) is None and lru.get("9", need_full=False) is not None


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["ok", None], ["ok", 3.5], "a bare string"])
def test_bad_input_is_a_clear_error(encoder, bad):
    with pytest.raises(EmbeddingInputError) as err:
        encoder.encode(bad)
    assert err.value.kind == "bad_input"
    assert "str" in err.value.message


def test_a_one_megabyte_text_is_truncated_with_a_warning(encoder, caplog):
    huge = "word " * 200_000 + "tail"  # 1 MB
    with caplog.at_level(logging.WARNING, logger="nlu.embeddings.encoder"):
        enc = encoder.encode([huge, "hi"])
    assert "truncated" in caplog.text and "1000004" in caplog.text
    assert enc.mask[0].sum() == 254 and bool(enc.truncated[0])
    assert np.isfinite(enc.sentence).all()


def test_empty_batch_and_empty_text(encoder):
    assert encoder.encode_sentences([]).shape == (0, 384)
    enc = encoder.encode(["", "   "])
    assert isinstance(enc, Encodings)
    assert enc.tokens.shape == (2, 0, 384) and enc.wordpieces == [[], []]
    np.testing.assert_allclose(np.linalg.norm(enc.sentence, axis=1), 1.0, atol=1e-5)


def test_lone_surrogates_do_not_crash(encoder):
    enc = encoder.encode(["bad \ud800 text"])
    assert enc.wordpieces[0][0] == "bad"


def test_threads_share_one_encoder(encoder):
    texts = [f"thread test sentence number {i}" for i in range(24)]
    expected = encoder.encode_sentences(texts)
    results: dict[int, np.ndarray] = {}

    def work(k: int) -> None:
        results[k] = encoder.encode(texts[k::4]).sentence

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(4):
        np.testing.assert_allclose(results[k], expected[k::4], atol=1e-6)


def test_batches_larger_than_batch_size_are_split_and_reassembled(module_path):
    from nlu.embeddings import SentenceEncoder

    small = SentenceEncoder(batch_size=3, cache_size=0)
    texts = ["one", "two words", "three words here", "a much longer input than the others", "x", "hi there"]
    enc = small.encode(texts)
    assert enc.tokens.shape[0] == 6 and enc.wordpieces[0] == ["one"] and enc.wordpieces[4] == ["x"]
    np.testing.assert_allclose(enc.sentence, small.encode_sentences(texts), atol=1e-6)


def test_length_bucketing_gives_the_same_vectors_as_one_padded_batch(module_path):
    from nlu.embeddings import SentenceEncoder

    texts = ["hi", "ok then", "book a table for two at eight", "x " * 120, "what's up", "a" * 30]
    bucketed = SentenceEncoder(cache_size=0, batch_size=4).encode(texts)
    plain = SentenceEncoder(cache_size=0)
    plain._bucketing = False
    padded = plain.encode(texts)
    np.testing.assert_allclose(bucketed.sentence, padded.sentence, atol=2e-6)
    np.testing.assert_allclose(bucketed.tokens, padded.tokens, atol=2e-5)
    assert bucketed.wordpieces == padded.wordpieces
    np.testing.assert_array_equal(bucketed.starts, padded.starts)


def test_plan_chunks_separates_short_from_long_inputs():
    from nlu.embeddings.bucketing import plan_chunks

    lengths = np.array([3] * 60 + [200] * 4)
    chunks = plan_chunks(lengths, max_batch=64, max_tokens=64 * 64)
    assert (0, 60) in chunks  # the short ones are not padded to 200
    assert sum(e - s for s, e in chunks) == 64 and all(e - s <= 64 for s, e in chunks)
    for s, e in chunks:
        assert e - s == 1 or (e - s) * (lengths[e - 1] + 2) <= 64 * 64
    assert plan_chunks(np.array([5]), max_batch=64, max_tokens=10) == [(0, 1)]
    assert plan_chunks(np.array([], int), max_batch=64, max_tokens=10) == []
