"""The two evaluation plots, readable at a glance: titles, axis labels, a colour bar."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion_matrix(truth: Sequence[str], predicted: Sequence[str | None], path: Path) -> None:
    plt = _pyplot()
    labels = sorted(set(truth) | {str(p) for p in predicted})
    index = {lab: i for i, lab in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t], index[str(p)]] += 1
    n = len(labels)
    size = min(max(6.0, 0.28 * n + 3), 40.0)
    font = max(4, min(10, int(220 / max(n, 1))))
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(matrix, cmap="Blues", interpolation="nearest")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="examples")
    ax.set_xticks(range(n), labels, rotation=90, fontsize=font)
    ax.set_yticks(range(n), labels, fontsize=font)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    accuracy = float(np.trace(matrix)) / max(matrix.sum(), 1)
    ax.set_title(f"Intent confusion matrix ({matrix.sum()} examples, accuracy {accuracy:.1%})")
    if n <= 30:
        threshold = matrix.max() / 2 if matrix.size else 0
        for i in range(n):
            for j in range(n):
                if matrix[i, j]:
                    ax.text(
                        j,
                        i,
                        str(matrix[i, j]),
                        ha="center",
                        va="center",
                        fontsize=font,
                        color="white" if matrix[i, j] > threshold else "black",
                    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_histogram(confidences: Sequence[float], correct: Sequence[bool], path: Path) -> None:
    plt = _pyplot()
    conf = np.asarray(confidences, dtype=np.float64)
    ok = np.asarray(correct, dtype=bool)
    bins = np.linspace(0.0, 1.0, 21)
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.hist(
        [conf[ok], conf[~ok]],
        bins=bins,
        label=[f"correct ({ok.sum()})", f"wrong ({(~ok).sum()})"],
        color=["#2b8a3e", "#c92a2a"],
        stacked=False,
    )
    ax.set_xlabel("intent confidence")
    ax.set_yscale("log")  # the few wrong predictions stay visible beside hundreds of confident ones
    ax.set_ylabel("examples (log scale)")
    ax.set_xlim(0, 1)
    ax.set_title("Intent prediction confidence: correct vs wrong")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
