"""Temperature scaling of the intent confidences (Guo et al. 2017), and how calibrated they are.

One number, T, divides the classifier's logits before the softmax: argmax (so accuracy) is unchanged,
confidences become sharper (T < 1) or softer (T > 1). T is fitted on held-out examples by minimising
their negative log-likelihood, so that a confidence of 0.7 means about 70 % correct, as thresholds
written for Rasa (FallbackClassifier `threshold: 0.7`) expect.
"""

from __future__ import annotations

import numpy as np

T_MIN, T_MAX = 0.05, 20.0


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def scaled(logits: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities (n, k) of `logits` (n, k) at `temperature`."""
    return np.exp(_log_softmax(np.asarray(logits, dtype=np.float64) / temperature))


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """T in [T_MIN, T_MAX] minimising the mean NLL of `labels` (n,) under softmax(logits / T)."""
    from scipy.optimize import minimize_scalar

    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    if len(labels) == 0:
        return 1.0

    def nll(log_t: float) -> float:
        return float(-_log_softmax(logits / np.exp(log_t))[np.arange(len(labels)), labels].mean())

    best = minimize_scalar(nll, bounds=(np.log(T_MIN), np.log(T_MAX)), method="bounded")
    return float(np.exp(best.x))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by their size."""
    probs = np.asarray(probs)
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def correct_below(probs: np.ndarray, labels: np.ndarray, threshold: float = 0.7) -> float:
    """Share of the correct predictions whose confidence is below `threshold` (a fallback would drop)."""
    probs = np.asarray(probs)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    if not correct.any():
        return 0.0
    return float((probs.max(axis=1)[correct] < threshold).mean())
