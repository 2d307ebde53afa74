from __future__ import annotations

import numpy as np

from translation.batching import make_batches


def test_batches_respect_the_token_budget_and_cover_every_pair():
    rng = np.random.default_rng(0)
    src = [list(range(1, 2 + rng.integers(1, 40))) for _ in range(500)]
    tgt = [list(range(1, 2 + rng.integers(1, 40))) for _ in range(500)]
    batches = make_batches(src, tgt, max_tokens=600, bucket_width=4, seed=1, epoch=0)
    assert sum(b.src.shape[0] for b in batches) == 500
    assert all(b.src.size + b.tgt_out.size <= 600 or b.src.shape[0] == 1 for b in batches)
    assert sum(b.target_tokens for b in batches) == sum(map(len, tgt))
    again = make_batches(src, tgt, max_tokens=600, bucket_width=4, seed=1, epoch=0)
    assert all(np.array_equal(a.src, b.src) for a, b in zip(batches, again, strict=True))
    other = make_batches(src, tgt, max_tokens=600, bucket_width=4, seed=1, epoch=1)
    assert not all(np.array_equal(a.src, b.src) for a, b in zip(batches, other, strict=False))
