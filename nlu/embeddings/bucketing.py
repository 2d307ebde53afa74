"""Length bucketing: split a batch, sorted by wordpiece count, into chunks that waste little on padding.

A call of the encoder costs about `overhead + n * L * (1 + quad * L)` token-units for n inputs padded to L
(the overhead is the fixed cost of one graph call; the quadratic term is attention). Measured on the 2-core
benchmark machine: one call ~ 40 wordpieces of work, attention ~0.5% per position. Padding a 6-wordpiece
utterance to the 60 of the longest in a batch of 64 costs more than two extra calls, so `plan_chunks` finds
the cheapest cut of the sorted lengths (dynamic programming, O(n * max_batch)).

One text per call (a served utterance) takes the XLA-compiled encoder instead, padded to a multiple of
`XLA_PAD_MULTIPLE` positions: XLA compiles one program per shape, ~0.5-1 s each on 2 cores (5-7 s when the
machine is loaded). Only `XLA_MAX_WIDTH` positions and under take it, so there are four programs, all
compiled when the encoder loads; a longer text runs the plain graph, which has no per-shape compilation.
Without the cap every new multiple of 16 up to 256 compiled on a user's request: the parse tail.
"""

from __future__ import annotations

import numpy as np

CALL_OVERHEAD = 40.0  # cost of one encoder call, in wordpiece-units
ATTENTION = 0.005  # extra cost per wordpiece per position of length (attention is quadratic)
XLA_PAD_MULTIPLE = 16  # a single text is padded up to a multiple of this many positions for XLA
XLA_MAX_WIDTH = 64  # positions ([CLS] + wordpieces + [SEP]) up to which a single text runs under XLA


def xla_widths() -> list[int]:
    """Every padded width the single-text XLA encoder compiles for: 16, 32, 48, 64."""
    return list(range(XLA_PAD_MULTIPLE, XLA_MAX_WIDTH + 1, XLA_PAD_MULTIPLE))


def plan_chunks(
    sorted_lengths: np.ndarray, *, max_batch: int, max_tokens: int, specials: int = 2
) -> list[tuple[int, int]]:
    """Cut sorted (ascending) lengths into [start, end) chunks of <= max_batch inputs, <= max_tokens padded
    wordpieces each (a single input always fits), minimising the modelled cost."""
    lengths = np.asarray(sorted_lengths, np.float64) + specials  # [CLS] and [SEP] are encoded too
    n = len(lengths)
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    start_of = np.zeros(n + 1, np.int64)
    for end in range(1, n + 1):
        longest = lengths[end - 1]
        per_input = longest * (1.0 + ATTENTION * longest)
        for start in range(end - 1, max(-1, end - 1 - max_batch), -1):
            size = end - start
            if size > 1 and size * longest > max_tokens:
                break
            cost = best[start] + CALL_OVERHEAD + size * per_input
            if cost < best[end]:
                best[end], start_of[end] = cost, start
    chunks = []
    end = n
    while end > 0:
        chunks.append((int(start_of[end]), end))
        end = int(start_of[end])
    return chunks[::-1]
