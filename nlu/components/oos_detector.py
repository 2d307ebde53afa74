"""OutOfScopeDetector: refuses a message (intent `nlu_fallback`, as Rasa's FallbackClassifier does) when
its sentence vector lies far from every intent seen in training, whatever the classifier's confidence.

Training keeps, per intent, the centroid of the hub sentence vectors (`HubFeaturizer` must run before
it) and one covariance shared by all intents, shrunk towards a multiple of the identity. The score of a
message is its distance to the nearest centroid, in units of the median distance of held-out in-scope
examples (so 1.0 is a typical in-scope message):

    mahalanobis   squared distance under the shared covariance
    cosine        1 - cosine similarity to the nearest (normalised) centroid

plus `confidence_weight` x (-log of the classifier's top confidence) when that weight is > 0 (the
classifier runs before it). The distance finds messages unlike every intent; the confidence finds
messages between two intents.

Without a `threshold` in config.yml the threshold is the `inscope_quantile` of the scores of the
training examples' distances, each scored against centroids fitted without it (5 hashed folds), so
that about `1 - inscope_quantile` of in-scope messages are refused (somewhat more with a
confidence_weight, whose part is not known at training). With a `threshold` (e.g. tuned on a
development split with out-of-scope examples, as `bench/nlu.py` does), that value is used as it is.

A refusal puts `nlu_fallback` first in the ranking with confidence = the share of those held-out
in-scope scores below the message's score, and keeps the classifier's ranking after it. Messages
already refused (by a FallbackClassifier before it) are left alone.

Saved as `oos_detector.npz` (centroids, whitening matrix, held-out score quantiles) + JSON; no pickle.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.components.base import Component, Message
from nlu.components.fallback import FALLBACK_INTENT
from nlu.data.split import example_hash
from nlu.data.training_data import TrainingData
from nlu.errors import IncompatibleModel, TrainingDataError
from nlu.results import IntentPrediction

log = logging.getLogger(__name__)
CALIBRATION_FOLDS = 5


@dataclass(frozen=True)
class OutOfScopeDetectorConfig:
    method: str = "mahalanobis"  # or "cosine"
    threshold: float | None = None  # refuse above this score; None: the inscope_quantile below
    inscope_quantile: float = 0.97  # without threshold: keep this share of held-out in-scope examples
    shrinkage: float = 0.1  # covariance -> (1 - s) * covariance + s * mean variance * identity
    confidence_weight: float = 0.0  # > 0: add this times -log(top intent confidence) to the score

    def __post_init__(self) -> None:
        if self.method not in ("mahalanobis", "cosine"):
            raise ValueError(f"method must be 'mahalanobis' or 'cosine', got {self.method!r}")
        if not 0.5 <= self.inscope_quantile <= 1.0:
            raise ValueError(f"inscope_quantile must be within [0.5, 1], got {self.inscope_quantile}")
        if not 0.0 < self.shrinkage <= 1.0:
            raise ValueError(f"shrinkage must be within (0, 1], got {self.shrinkage}")
        if self.threshold is not None and self.threshold < 0:
            raise ValueError(f"threshold must be >= 0, got {self.threshold}")
        if self.confidence_weight < 0:
            raise ValueError(f"confidence_weight must be >= 0, got {self.confidence_weight}")


@dataclass(frozen=True)
class _Geometry:
    """What scoring needs: centroids in the space the score is measured in, and the map into it."""

    centroids: np.ndarray  # (intents, d) whitened (mahalanobis) or unit-norm (cosine)
    whiten: np.ndarray | None  # (d, d) x -> x @ whiten, mahalanobis only
    scale: float = 1.0  # the median held-out in-scope distance: scores are distances / scale


def _fit(method: str, shrinkage: float, x: np.ndarray, y: np.ndarray, n_classes: int) -> _Geometry:
    """x (n, d) sentence vectors, y (n,) intent ids."""
    d = x.shape[1]
    present = np.unique(y)
    means = np.zeros((n_classes, d))
    for c in present:
        means[c] = x[y == c].mean(axis=0)
    if method == "cosine":
        norms = np.linalg.norm(means[present], axis=1, keepdims=True)
        return _Geometry((means[present] / np.maximum(norms, 1e-12)).astype(np.float32), None)
    centred = x - means[y]  # (n, d) within-intent deviations
    cov = centred.T @ centred / max(len(x) - len(present), 1)  # (d, d) shared covariance
    cov = (1.0 - shrinkage) * cov + shrinkage * (np.trace(cov) / d) * np.eye(d)
    values, vectors = np.linalg.eigh(cov)
    whiten = vectors / np.sqrt(np.maximum(values, 1e-12))  # (d, d): x @ whiten has identity covariance
    return _Geometry((means[present] @ whiten).astype(np.float32), whiten.astype(np.float32))


def _distances(method: str, geometry: _Geometry, x: np.ndarray) -> np.ndarray:
    """(n,) distance of each row of x (n, d) to its nearest centroid, divided by the geometry's scale."""
    if method == "cosine":
        unit = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        return (1.0 - (unit @ geometry.centroids.T).max(axis=1)) / geometry.scale
    z = x @ geometry.whiten  # (n, d)
    c = geometry.centroids  # (intents, d)
    sq = (z * z).sum(1, keepdims=True) - 2.0 * z @ c.T + (c * c).sum(1)[None, :]  # (n, intents)
    return np.maximum(sq.min(axis=1), 0.0) / geometry.scale


class OutOfScopeDetector(Component):
    name = "OutOfScopeDetector"
    Config = OutOfScopeDetectorConfig

    def __init__(
        self,
        config: OutOfScopeDetectorConfig,
        geometry: _Geometry | None = None,
        quantiles: np.ndarray | None = None,
        threshold: float | None = None,
    ) -> None:
        super().__init__(config)
        self.geometry = geometry
        self.quantiles = quantiles  # (101,) held-out in-scope scores at 0 %, 1 %, ..., 100 %
        self.threshold = config.threshold if config.threshold is not None else threshold

    # ---------------------------------------------------------------- training
    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        labelled = [m for m in messages if m.example is not None and m.sentence_dense is not None]
        if not labelled:
            raise TrainingDataError(
                "config", None, "OutOfScopeDetector needs sentence vectors: put HubFeaturizer before it"
            )
        intents = sorted({m.example.intent for m in labelled})  # type: ignore[union-attr]
        index = {name: i for i, name in enumerate(intents)}
        x = np.stack([m.sentence_dense for m in labelled]).astype(np.float64)  # (n, d)
        y = np.array([index[m.example.intent] for m in labelled])  # type: ignore[union-attr]
        cfg = self.config
        # Each example scored against centroids fitted on the other folds: honest in-scope scores.
        fold = np.array(
            [
                min(int(example_hash(m.text, "oos-calibration") * CALIBRATION_FOLDS), CALIBRATION_FOLDS - 1)
                for m in labelled
            ]
        )
        held = np.zeros(len(labelled))
        for k in range(CALIBRATION_FOLDS):
            out = fold == k
            if out.any() and (~out).any():
                geometry = _fit(cfg.method, cfg.shrinkage, x[~out], y[~out], len(intents))
                held[out] = _distances(cfg.method, geometry, x[out])
        scale = float(np.median(held)) or 1.0
        held /= scale
        self.quantiles = np.quantile(held, np.linspace(0.0, 1.0, 101)).astype(np.float64)
        geometry = _fit(cfg.method, cfg.shrinkage, x, y, len(intents))
        self.geometry = dataclasses.replace(geometry, scale=scale)
        calibrated = float(np.quantile(held, cfg.inscope_quantile))
        self.threshold = cfg.threshold if cfg.threshold is not None else calibrated
        summary = {
            "examples": len(labelled),
            "intents": len(intents),
            "threshold": round(self.threshold, 6),
            "calibrated_threshold": round(calibrated, 6),
            "held_out_refused": round(float(np.mean(held > self.threshold)), 4),
        }
        log.info("event=nlu.oos_detector.trained %s", " ".join(f"{k}={v}" for k, v in summary.items()))
        return summary

    # ---------------------------------------------------------------- inference
    def scores(self, messages: list[Message]) -> np.ndarray:
        """(n,) the out-of-scope score of each message (NaN where it has no sentence vector); with a
        confidence_weight, once the classifier has set each message's intent."""
        out = np.full(len(messages), np.nan)
        live = [i for i, m in enumerate(messages) if m.sentence_dense is not None]
        if live and self.geometry is not None:
            x = np.stack([messages[i].sentence_dense for i in live]).astype(np.float64)
            out[live] = _distances(self.config.method, self.geometry, x)
        if self.config.confidence_weight > 0:
            top = np.array([m.intent.confidence if m.intent is not None else 1.0 for m in messages])
            out += self.config.confidence_weight * -np.log(np.clip(top, 1e-12, 1.0))
        return out

    def process(self, messages: list[Message]) -> None:
        if self.threshold is None:
            return
        scores = self.scores(messages)
        for msg, score in zip(messages, scores, strict=True):
            if msg.intent is None or msg.intent.name in (None, FALLBACK_INTENT) or np.isnan(score):
                continue
            if score > self.threshold:
                share = float(np.searchsorted(self.quantiles, score) / (len(self.quantiles) - 1))
                fallback = IntentPrediction(FALLBACK_INTENT, min(share, 1.0))
                msg.intent = fallback
                msg.ranking = [fallback, *msg.ranking]

    # ---------------------------------------------------------------- persistence
    def save(self, directory: Path) -> None:
        if self.geometry is None or self.quantiles is None:
            return
        arrays = {
            "centroids": self.geometry.centroids,
            "scale": np.array(self.geometry.scale),
            "quantiles": self.quantiles,
        }
        if self.geometry.whiten is not None:
            arrays["whiten"] = self.geometry.whiten
        np.savez(directory / "oos_detector.npz", **arrays)
        meta = {"method": self.config.method, "threshold": self.threshold}
        (directory / "oos_detector.json").write_text(json.dumps(meta, indent=1))

    @classmethod
    def load(cls, directory: Path, config: OutOfScopeDetectorConfig) -> OutOfScopeDetector:
        path = directory / "oos_detector.npz"
        if not path.is_file():
            raise IncompatibleModel(f"{path} is missing: retrain the model")
        meta = json.loads((directory / "oos_detector.json").read_text())
        if meta["method"] != config.method:
            raise IncompatibleModel(f"{path} was trained with method {meta['method']}; retrain the model")
        with np.load(path, allow_pickle=False) as f:
            whiten = f["whiten"] if "whiten" in f.files else None
            geometry = _Geometry(f["centroids"], whiten, float(f["scale"]))
            quantiles = f["quantiles"]
        return cls(config, geometry, quantiles, meta["threshold"])
