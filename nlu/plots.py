"""The two evaluation plots, readable at a glance: titles, axis labels, a colour bar.

Past `MAX_MATRIX_LABELS` intents a full confusion matrix is a grey carpet with unreadable labels, so the
plot keeps the intents involved in the most confusions, ordered by hierarchical clustering of their
confusions (intents confused with each other sit side by side), with one `(other intents)` row and
column for the confusions with the intents left out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_MATRIX_LABELS = 30
OTHER = "(other intents)"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_matrix(truth: Sequence[str], predicted: Sequence[str | None]) -> tuple[list[str], np.ndarray]:
    """Labels (sorted) and counts: rows true intent, columns predicted."""
    labels = sorted(set(truth) | {str(p) for p in predicted})
    index = {lab: i for i, lab in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)  # (true, predicted)
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[t], index[str(p)]] += 1
    return labels, matrix


def most_confused(labels: Sequence[str], matrix: np.ndarray, n: int) -> list[str]:
    """The n labels with the most wrong predictions, as true or predicted intent, in clustered order."""
    errors = matrix.copy()
    np.fill_diagonal(errors, 0)
    involvement = errors.sum(axis=0) + errors.sum(axis=1)
    order = sorted(range(len(labels)), key=lambda i: (-involvement[i], labels[i]))
    keep = [i for i in order if involvement[i] > 0][:n] or order[:n]
    if len(keep) > 2:
        from scipy.cluster.hierarchy import leaves_list, linkage
        from scipy.spatial.distance import squareform

        pair = errors[np.ix_(keep, keep)]
        pair = pair + pair.T  # (k, k) confusions either way
        distance = 1.0 / (1.0 + pair.astype(np.float64))
        np.fill_diagonal(distance, 0.0)
        keep = [keep[i] for i in leaves_list(linkage(squareform(distance), method="average"))]
    return [labels[i] for i in keep]


def plot_confusion_matrix(
    truth: Sequence[str],
    predicted: Sequence[str | None],
    path: Path,
    max_labels: int = MAX_MATRIX_LABELS,
) -> list[str]:
    """Writes the matrix; returns the intents shown (all of them up to `max_labels`)."""
    plt = _pyplot()
    labels, full = confusion_matrix(truth, predicted)
    total, correct = int(full.sum()), int(np.trace(full))
    accuracy = correct / max(total, 1)
    if len(labels) <= max_labels:
        shown, matrix, truncated = labels, full, False
    else:
        shown = most_confused(labels, full, max_labels)
        index = {lab: i for i, lab in enumerate(labels)}
        idx = [index[lab] for lab in shown]
        rest = [i for i in range(len(labels)) if i not in set(idx)]
        matrix = np.zeros((len(shown) + 1, len(shown) + 1), dtype=np.int64)  # (+other, +other)
        matrix[:-1, :-1] = full[np.ix_(idx, idx)]
        matrix[:-1, -1] = full[np.ix_(idx, rest)].sum(axis=1)
        matrix[-1, :-1] = full[np.ix_(rest, idx)].sum(axis=0)
        shown, truncated = [*shown, OTHER], True
    n = len(shown)
    size = min(max(6.0, 0.32 * n + 3), 40.0)
    font = max(6, min(10, int(260 / max(n, 1))))
    fig, ax = plt.subplots(figsize=(size + 2.5, size))
    colour = matrix.astype(np.float64)
    if truncated:  # colour the confusions; the diagonal's large counts would wash them out
        np.fill_diagonal(colour, 0.0)
        colour[-1, -1] = 0.0
    image = ax.imshow(colour, cmap="Blues" if not truncated else "Reds", interpolation="nearest")
    fig.colorbar(
        image, ax=ax, fraction=0.046, pad=0.04, label="wrong predictions" if truncated else "examples"
    )
    ax.set_xticks(range(n), shown, rotation=90, fontsize=font)
    ax.set_yticks(range(n), shown, fontsize=font)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    title = f"Intent confusion matrix ({total} examples, accuracy {accuracy:.1%})"
    if truncated:
        title += (
            f"\nthe {n - 1} of {len(labels)} intents (true or predicted) in the most confusions, clustered; "
            "diagonal = correct (not coloured)"
        )
    ax.set_title(title, fontsize=11)
    if n <= 45:
        threshold = colour.max() / 2 if colour.size else 0
        for i in range(n):
            for j in range(n):
                if matrix[i, j] and not (truncated and i == j == n - 1):
                    dark = colour[i, j] > threshold
                    ax.text(
                        j,
                        i,
                        str(matrix[i, j]),
                        ha="center",
                        va="center",
                        fontsize=max(5, font - 1),
                        color="white" if dark else ("grey" if truncated and i == j else "black"),
                    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return shown


def plot_histogram(
    confidences: Sequence[float],
    correct: Sequence[bool],
    path: Path,
    refused: Sequence[bool] | None = None,
) -> None:
    """`confidences`: the classifier's own top confidence (not the fallback's threshold); `refused`:
    which predictions were a refusal, drawn as an outline over the bars."""
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
    no = np.asarray(refused if refused is not None else [False] * len(conf), dtype=bool)
    if no.any():
        ax.hist(
            conf[no],
            bins=bins,
            histtype="step",
            linewidth=2,
            color="#1c1c1c",
            label=f"refused: nlu_fallback / out of scope ({no.sum()}; {(no & ok).sum()} right)",
        )
    ax.set_xlabel("classifier's top intent confidence (before any fallback)")
    ax.set_yscale("log")  # the few wrong predictions stay visible beside hundreds of confident ones
    ax.set_ylabel("examples (log scale)")
    ax.set_xlim(0, 1)
    ax.set_title("Intent prediction confidence: correct vs wrong")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
