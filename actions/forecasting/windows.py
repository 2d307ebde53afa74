"""Training windows for the global model: a padded matrix of all series, random (series, cut) pairs
drawn per batch, and the per-window scaling (divide input and target by the input's mean |x|)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def window_scale(x: np.ndarray) -> np.ndarray:
    """(batch, input) -> (batch, 1): the mean absolute value of each input window (1 when all zero)."""
    s = np.mean(np.abs(x), axis=1, keepdims=True)
    return np.where(s > 0, s, 1.0)


def last_window(y: np.ndarray, size: int) -> np.ndarray:
    """The last `size` points of y, left-padded with its first value when y is shorter."""
    y = np.asarray(y, np.float32)
    if len(y) >= size:
        return y[-size:]
    return np.r_[np.full(size - len(y), y[0], np.float32), y]


@dataclass
class WindowSampler:
    """Draws (input, target) windows: a series uniformly, then a cut point among its last
    `history_limit` admissible points (all when None), as N-BEATS samples them."""

    series: list[np.ndarray]
    input_size: int
    horizon: int
    history_limit: int | None = None
    seed: int = 0
    season: int = 1  # for the per-window seasonal-naive scale (MASE weighting)

    def __post_init__(self) -> None:
        pad = self.input_size
        self.lengths = np.array([len(s) for s in self.series])
        width = pad + int(self.lengths.max())
        self.matrix = np.zeros((len(self.series), width), np.float32)  # (series, pad + max_len)
        for i, s in enumerate(self.series):
            row = np.r_[np.full(pad, s[0], np.float32), np.asarray(s, np.float32)]
            self.matrix[i, : len(row)] = row
        # a cut c (index into the unpadded series) leaves c points before it and needs c + h <= n;
        # at least 2 observed points before the cut, the rest may be padding
        self.hi = self.lengths - self.horizon  # last admissible cut, inclusive
        lo = np.full_like(self.hi, 2)
        if self.history_limit is not None:
            lo = np.maximum(lo, self.hi - self.history_limit + 1)
        self.lo = np.minimum(lo, self.hi)
        self.usable = np.flatnonzero(self.hi >= 2)
        if len(self.usable) == 0:
            raise ValueError(f"no series is longer than horizon {self.horizon} + 2")
        self.rng = np.random.default_rng(self.seed)

    def batch(self, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """-> scaled inputs (size, input), scaled targets (size, horizon), the scales (size, 1), and the
        mean absolute seasonal difference of each scaled input (size, 1), floored at 0.05."""
        rows = self.usable[self.rng.integers(0, len(self.usable), size)]
        cuts = self.rng.integers(self.lo[rows], self.hi[rows] + 1)  # (size,)
        start = cuts  # padded index of the window's first input point is cut + pad - input_size = cut
        offsets = np.arange(self.input_size + self.horizon)
        block = self.matrix[rows[:, None], start[:, None] + offsets[None, :]]  # (size, input + h)
        x, y = block[:, : self.input_size], block[:, self.input_size :]
        scale = window_scale(x)
        xs = x / scale
        lag = self.season if self.season < self.input_size else 1
        mscale = np.maximum(np.mean(np.abs(xs[:, lag:] - xs[:, :-lag]), axis=1, keepdims=True), 0.05)
        return (
            xs.astype(np.float32),
            (y / scale).astype(np.float32),
            scale.astype(np.float32),
            mscale.astype(np.float32),
        )
