"""Position-aware sentence scores: PacSum's directed centrality (Zheng & Lapata 2019) plus a lead prior.

For unit sentence vectors v (n, d) with similarities s_ij = v_i . v_j, PacSum keeps the strong edges,

    e_ij = max(0, s_ij - (s_min + beta * (s_max - s_min)))          (min / max over the pairs compared)

and scores a sentence by how much the sentences *after* it resemble it, and (with a negative weight) how
much the ones *before* it do: a sentence that opens a topic the rest of the text develops scores high,

    c_i = lambda_backward * sum_{j<i} e_ij + lambda_forward * sum_{j>i} e_ij.

The final score adds an explicit lead bias, for news and for most reports alike:

    score_i = (c_i scaled to [0, 1]) + lead_weight * exp(-i / lead_decay), then scaled to [0, 1].

Long inputs: sentence i is compared with the `window` sentences on each side only (a band of the
similarity matrix), computed in blocks of `window` rows, so time and memory grow as n * window, not n^2.
Inputs up to `window + 1` sentences are exactly the full PacSum graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CentralityParams:
    lambda_backward: float
    lambda_forward: float
    beta: float
    window: int


@dataclass(frozen=True)
class _Block:
    rows: slice  # sentences a..b
    cols: slice  # their neighbours c..d
    sims: np.ndarray  # (b - a, d - c) float32, nan outside the band and on the diagonal


def _band_blocks(vectors: np.ndarray, window: int) -> list[_Block]:
    n = len(vectors)
    blocks = []
    for a in range(0, n, window):
        b = min(n, a + window)
        c, d = max(0, a - window), min(n, b + window)
        sims = (vectors[a:b] @ vectors[c:d].T).astype(np.float32)  # (b - a, d - c)
        rows = np.arange(a, b)[:, None]
        cols = np.arange(c, d)[None, :]
        outside = (np.abs(rows - cols) > window) | (rows == cols)
        sims[outside] = np.nan
        blocks.append(_Block(slice(a, b), slice(c, d), sims))
    return blocks


def directed_centrality(vectors: np.ndarray, params: CentralityParams) -> np.ndarray:
    """(n,) PacSum centrality c_i of unit vectors (n, d); see the module docstring."""
    n = len(vectors)
    if n < 2:
        return np.zeros(n, np.float64)
    blocks = _band_blocks(vectors, params.window)
    s_min = min(float(np.nanmin(b.sims)) for b in blocks if not np.all(np.isnan(b.sims)))
    s_max = max(float(np.nanmax(b.sims)) for b in blocks if not np.all(np.isnan(b.sims)))
    threshold = s_min + params.beta * (s_max - s_min)
    backward = np.zeros(n, np.float64)
    forward = np.zeros(n, np.float64)
    for block in blocks:
        edges = np.nan_to_num(block.sims - threshold, nan=0.0).clip(min=0.0)  # (rows, cols)
        rows = np.arange(block.rows.start, block.rows.stop)[:, None]
        cols = np.arange(block.cols.start, block.cols.stop)[None, :]
        backward[block.rows] = np.where(cols < rows, edges, 0.0).sum(axis=1)
        forward[block.rows] = np.where(cols > rows, edges, 0.0).sum(axis=1)
    return params.lambda_backward * backward + params.lambda_forward * forward


def scale01(values: np.ndarray) -> np.ndarray:
    """Min-max scaling to [0, 1]; all zeros when the values are all equal."""
    values = np.asarray(values, np.float64)
    if values.size == 0:
        return values
    spread = float(values.max() - values.min())
    if spread <= 1e-12:
        return np.zeros_like(values)
    return (values - values.min()) / spread


def lead_prior(n: int, decay: float) -> np.ndarray:
    """(n,) exp(-i / decay): 1 for the first sentence, falling with position."""
    return np.exp(-np.arange(n, dtype=np.float64) / decay)


def sentence_scores(
    vectors: np.ndarray, params: CentralityParams, lead_weight: float, lead_decay: float
) -> np.ndarray:
    """(n,) final scores in [0, 1]: scaled centrality plus the weighted lead prior, scaled again."""
    n = len(vectors)
    combined = scale01(directed_centrality(vectors, params)) + lead_weight * lead_prior(n, lead_decay)
    top = float(combined.max()) if n else 0.0
    return combined / top if top > 1e-12 else combined
