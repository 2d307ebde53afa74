"""Plots (matplotlib, Agg backend): a series' history with its forecast and intervals, and a table of
per-model scores. Each returns PNG bytes, or writes them when given a path."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .series import Forecast, Series  # noqa: E402


def _png(fig, path: Path | None) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    data = buf.getvalue()
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
    return data


def _axis(series: Series, fc: Forecast, history: int) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(series.values), history)
    if series.timestamps is not None and fc.timestamps is not None:
        return series.timestamps[-n:], fc.timestamps
    total = len(series.values)
    return np.arange(total - n, total), np.arange(total, total + fc.horizon)


def draw_forecast(
    ax, series: Series, fc: Forecast, history: int = 336, actual: np.ndarray | None = None
) -> None:
    x_hist, x_fc = _axis(series, fc, history)
    ax.plot(x_hist, series.values[-len(x_hist) :], color="#333333", lw=1, label="history")
    for level, alpha in zip(sorted(fc.lower, reverse=True), (0.18, 0.32, 0.45), strict=False):
        ax.fill_between(
            x_fc,
            fc.lower[level],
            fc.upper[level],
            color="#1f77b4",
            alpha=alpha,
            lw=0,
            label=f"{level} % interval",
        )
    ax.plot(x_fc, fc.mean, color="#1f77b4", lw=1.5, label=f"forecast ({fc.model})")
    if actual is not None:
        ax.plot(x_fc, actual, color="#d62728", lw=1, label="actual")
    ax.set_title(series.id + (f" ({series.unit})" if series.unit else ""))
    ax.legend(loc="upper left", fontsize=7)
    ax.grid(alpha=0.3)


def forecast_png(series: Series, fc: Forecast, path: Path | None = None, history: int = 336) -> bytes:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    draw_forecast(ax, series, fc, history)
    fig.autofmt_xdate()
    return _png(fig, path)


def examples_png(
    items: Sequence[tuple[Series, Forecast, np.ndarray]], path: Path | None = None, history: int = 240
) -> bytes:
    """A grid of examples (series, forecast, actual future values)."""
    rows = len(items)
    fig, axes = plt.subplots(rows, 1, figsize=(9, 2.8 * rows), squeeze=False)
    for ax, (s, fc, actual) in zip(axes[:, 0], items, strict=True):
        draw_forecast(ax, s, fc, history, actual)
    fig.tight_layout()
    return _png(fig, path)


def table_png(
    rows: Mapping[str, Mapping[str, float]], columns: Sequence[str], title: str, path: Path | None = None
) -> bytes:
    """A table: one row per model, the given metric columns."""
    cells = [[f"{rows[name].get(c, float('nan')):.3f}" for c in columns] for name in rows]
    fig, ax = plt.subplots(figsize=(1.6 + 1.25 * len(columns), 0.45 * (len(rows) + 2)))
    ax.axis("off")
    table = ax.table(cellText=cells, rowLabels=list(rows), colLabels=list(columns), loc="center")
    table.scale(1, 1.3)
    ax.set_title(title)
    return _png(fig, path)
