"""PacSum directed centrality, the lead bias and MMR on hand-made vectors, against hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from actions.summarization.centrality import (
    CentralityParams,
    _band_blocks,
    directed_centrality,
    sentence_scores,
)
from actions.summarization.selection import mmr_select
from actions.summarization.summary import Budget

# cosine similarities: s01 = .6, s02 = .8, s12 = .96, everything with sentence 3 is 0
HAND = np.array([[1, 0, 0], [0.6, 0.8, 0], [0.8, 0.6, 0], [0, 0, 1]], np.float32)


def test_directed_centrality_matches_the_hand_computation():
    # beta 0: threshold = min = 0, so e = s;  c_i = -0.5 * sum_{j<i} e_ij + 1 * sum_{j>i} e_ij
    c = directed_centrality(
        HAND, CentralityParams(lambda_backward=-0.5, lambda_forward=1.0, beta=0.0, window=8)
    )
    # c0 = .6 + .8 = 1.4;  c1 = -.5 * .6 + .96 = .66;  c2 = -.5 * (.8 + .96) = -.88;  c3 = 0
    np.testing.assert_allclose(c, [1.4, 0.66, -0.88, 0.0], atol=1e-5)


def test_beta_keeps_only_the_strong_edges():
    # beta .5: threshold = 0 + .5 * (.96 - 0) = .48, so e01 = .12, e02 = .32, e12 = .48
    c = directed_centrality(HAND, CentralityParams(-0.5, 1.0, beta=0.5, window=8))
    np.testing.assert_allclose(c, [0.44, -0.06 + 0.48, -0.5 * (0.32 + 0.48), 0.0], atol=1e-5)


def test_lead_bias_decides_between_a_central_sentence_and_the_first_one():
    # sentence 0 is off-topic; 1..3 share a topic.
    # lambda_backward 0: c = [0, 1.4, .96, 0] -> scaled [0, 1, .686, 0]
    v = np.array([[0, 0, 1], [1, 0, 0], [0.8, 0.6, 0], [0.6, 0.8, 0]], np.float32)
    params = CentralityParams(0.0, 1.0, 0.0, window=8)
    one = Budget(sentences=1)
    words = [10] * 4

    def pick(lead_weight: float) -> list[int]:
        scores = sentence_scores(v, params, lead_weight=lead_weight, lead_decay=1.0)
        return mmr_select(scores, v, words, one, redundancy=0.0, min_words=0)

    assert pick(0.0) == [1]  # centrality alone
    assert pick(0.5) == [1]  # 0 + .5 * 1 = .5 < 1 + .5 * e^-1 = 1.18
    assert pick(2.0) == [0]  # 0 + 2 = 2 > 1 + 2 * e^-1 = 1.74


def test_mmr_trades_score_for_novelty():
    params = CentralityParams(-0.5, 1.0, 0.0, window=8)
    scores = sentence_scores(HAND, params, lead_weight=0.0, lead_decay=1.0)
    # scaled c: [1, (.66 + .88) / 2.28, 0, .88 / 2.28] = [1, .675, 0, .386]
    np.testing.assert_allclose(scores, [1.0, 1.54 / 2.28, 0.0, 0.88 / 2.28], atol=1e-5)
    two = Budget(sentences=2)
    assert mmr_select(scores, HAND, [10] * 4, two, redundancy=0.0, min_words=0) == [0, 1]
    # redundancy .5, after 0: gain1 = .5 * .675 - .5 * .6 = .04, gain3 = .5 * .386 - 0 = .19 -> 3
    assert mmr_select(scores, HAND, [10] * 4, two, redundancy=0.5, min_words=0) == [0, 3]


def test_word_budget_skips_what_overflows_and_short_sentences_come_last():
    scores = np.array([1.0, 0.9, 0.8, 0.7])
    v = np.eye(4, dtype=np.float32)
    words = [30, 25, 3, 15]
    assert mmr_select(scores, v, words, Budget(words=50), redundancy=0.0, min_words=5) == [0, 3]
    assert mmr_select(scores, v, words, Budget(words=60), redundancy=0.0, min_words=5) == [0, 1]
    # the 3-word sentence is used only once every longer one is in
    assert mmr_select(scores, v, words, Budget(words=80), redundancy=0.0, min_words=5) == [0, 1, 2, 3]
    assert mmr_select(scores, v, words, Budget(sentences=4), redundancy=0.0, min_words=5) == [0, 1, 2, 3]
    assert mmr_select(scores, v, words, Budget(sentences=3), redundancy=0.0, min_words=5) == [0, 1, 3]
    # no full-length sentence fits: the best comes back alone, over budget, rather than a fragment or nothing
    assert mmr_select(scores, v, words, Budget(words=10), redundancy=0.0, min_words=5) == [0]


def _banded_by_hand(v: np.ndarray, lb: float, lf: float, window: int) -> np.ndarray:
    n = len(v)
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j and abs(i - j) <= window]
    s = v @ v.T
    low = min(s[i, j] for i, j in pairs)
    out = np.zeros(n)
    for i, j in pairs:
        e = max(0.0, s[i, j] - low)
        out[i] += lf * e if j > i else lb * e
    return out


@pytest.mark.parametrize("window", [1, 2, 3, 50])
def test_the_banded_graph_is_the_full_graph_restricted_to_the_band(window):
    rng = np.random.default_rng(0)
    v = rng.normal(size=(11, 6)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    got = directed_centrality(v, CentralityParams(-0.5, 1.0, 0.0, window=window))
    np.testing.assert_allclose(got, _banded_by_hand(v, -0.5, 1.0, window), atol=1e-4)


def test_long_inputs_compare_each_sentence_with_its_window_only():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(3000, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    blocks = _band_blocks(v, window=64)
    assert sum(b.sims.size for b in blocks) <= 3000 * 3 * 64  # n * window, not n^2 = 9,000,000
    scores = sentence_scores(v, CentralityParams(-0.5, 1.0, 0.0, window=64), 1.0, 3.0)
    assert scores.shape == (3000,) and 0.0 <= scores.min() and scores.max() == pytest.approx(1.0)
