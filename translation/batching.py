"""Token-count batches bucketed by length, reproducible for a seed and an epoch number."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from translation.subwords import BOS


@dataclass(frozen=True)
class Batch:
    src: np.ndarray  # (B, S) int32, 0-padded, ends with EOS
    tgt_in: np.ndarray  # (B, T) BOS + target[:-1]
    tgt_out: np.ndarray  # (B, T) target incl. EOS

    @property
    def target_tokens(self) -> int:
        return int((self.tgt_out != 0).sum())


def _pad(rows: Sequence[Sequence[int]], width: int) -> np.ndarray:
    out = np.zeros((len(rows), width), np.int32)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def make_batches(
    src: Sequence[Sequence[int]],
    tgt: Sequence[Sequence[int]],
    max_tokens: int,
    bucket_width: int = 4,
    seed: int = 0,
    epoch: int = 0,
    shuffle: bool = True,
) -> list[Batch]:
    """Group pairs of similar length so that batch_size * (S + T) <= max_tokens (padding included).

    The same (seed, epoch) always gives the same batches in the same order, so a resumed run can skip
    the batches it already trained on.
    """
    rng = np.random.default_rng([seed, epoch])
    n = len(src)
    keys = np.array([max(len(s), len(t)) for s, t in zip(src, tgt, strict=True)]) // bucket_width
    noise = rng.random(n) if shuffle else np.arange(n) / max(n, 1)
    order = np.lexsort((noise, keys))  # by bucket, shuffled within a bucket
    batches, start = [], 0
    while start < n:
        end, s_w, t_w = start, 0, 0
        while end < n:
            i = order[end]
            s2, t2 = max(s_w, len(src[i])), max(t_w, len(tgt[i]))
            if end > start and (end - start + 1) * (s2 + t2) > max_tokens:
                break
            s_w, t_w, end = s2, t2, end + 1
        idx = order[start:end]
        tgt_rows = [tgt[i] for i in idx]
        batches.append(
            Batch(
                _pad([src[i] for i in idx], s_w),
                _pad([[BOS, *t[:-1]] for t in tgt_rows], t_w),
                _pad(tgt_rows, t_w),
            )
        )
        start = end
    if shuffle:
        perm = rng.permutation(len(batches))
        batches = [batches[i] for i in perm]
    return batches
