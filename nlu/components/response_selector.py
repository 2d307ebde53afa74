"""ResponseSelector: picks the response of a retrieval intent (`faq/ask_channels`), as Rasa 3's does.

The intent classifier learns `faq`; this component learns which `faq/<key>` an utterance asks, from the
hub sentence vector (HubFeaturizer) with a softmax regression (L2-regularised, fitted by L-BFGS: small,
deterministic, and quick on the few examples a retrieval intent has). Its output is Rasa's parse JSON:

    response_selector:
      all_retrieval_intents: [faq, chitchat]
      <retrieval_intent, or "default">:
        response: {id, responses, confidence, intent_response_key, utter_action}
        ranking:  [{id, confidence, intent_response_key}, ...]

`retrieval_intent: faq` trains on `faq/...` examples only and answers under `faq`; without it one
selector covers every retrieval intent under `default` (Rasa's default).
"""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.components.base import Component, Message
from nlu.data.training_data import TrainingData
from nlu.errors import TrainingDataError

log = logging.getLogger(__name__)
DEFAULT_KEY = "default"


@dataclass(frozen=True)
class ResponseSelectorConfig:
    retrieval_intent: str | None = None  # None: all retrieval intents, answered under "default"
    ranking_length: int = 10
    l2: float = 1e-3  # weight of the L2 penalty on the weights
    max_iterations: int = 500  # L-BFGS iterations

    def __post_init__(self) -> None:
        if self.ranking_length < 0 or self.max_iterations < 1 or self.l2 < 0:
            raise ValueError("ranking_length and l2 must be >= 0 and max_iterations >= 1")


class ResponseSelector(Component):
    name = "ResponseSelector"
    Config = ResponseSelectorConfig

    def __init__(self, config: ResponseSelectorConfig, state: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        state = state or {}
        self.keys: list[str] = state.get("keys", [])
        self.all_retrieval_intents: list[str] = state.get("all_retrieval_intents", [])
        self.responses: dict[str, list[dict[str, Any]]] = state.get("responses", {})
        self.weights = np.asarray(state.get("weights", np.zeros((0, 0))), dtype=np.float64)  # (d+1, k)

    @property
    def selector_key(self) -> str:
        return self.config.retrieval_intent or DEFAULT_KEY

    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        self.all_retrieval_intents = data.retrieval_intents
        wanted = self.config.retrieval_intent
        labelled = [
            m for m in messages
            if m.example is not None and m.example.response_key is not None
            and (wanted is None or m.example.intent == wanted)
        ]  # fmt: skip
        if wanted is not None and wanted not in self.all_retrieval_intents:
            raise TrainingDataError(
                "training data", None,
                f"ResponseSelector: retrieval_intent '{wanted}' has no '- intent: {wanted}/<key>' examples; "
                f"retrieval intents in the data: {', '.join(self.all_retrieval_intents) or 'none'}",
            )  # fmt: skip
        if not labelled:
            log.warning("event=nlu.response_selector.no_data note='no retrieval intent examples'")
            return {"keys": 0}
        if any(m.sentence_dense is None for m in labelled):
            raise TrainingDataError(
                "pipeline", None, "ResponseSelector needs HubFeaturizer's sentence vectors before it"
            )
        self.keys = sorted({m.example.response_key for m in labelled})  # type: ignore[union-attr]
        index = {k: i for i, k in enumerate(self.keys)}
        x = _with_bias(np.stack([m.sentence_dense for m in labelled]))  # (n, d+1)
        y = np.array([index[m.example.response_key] for m in labelled])  # type: ignore[union-attr]
        self.weights = _fit(x, y, len(self.keys), self.config.l2, self.config.max_iterations)
        self.responses = {k: data.responses.get(f"utter_{k}", []) for k in self.keys}
        missing = [k for k in self.keys if not self.responses[k]]
        if missing and data.responses:
            log.warning(
                "event=nlu.response_selector.responses_missing keys=%s note='no utter_<key> response for "
                "these; add them to domain.yml or a data file's responses:'", ",".join(missing),
            )  # fmt: skip
        return {"keys": len(self.keys), "examples": len(labelled)}

    def process(self, messages: list[Message]) -> None:
        if not self.keys:
            return
        live = [m for m in messages if m.sentence_dense is not None]
        if not live:
            return
        probs = _softmax(_with_bias(np.stack([m.sentence_dense for m in live])) @ self.weights)  # (n, k)
        for msg, p in zip(live, probs, strict=True):
            order = np.argsort(-p, kind="stable")
            top = self.keys[order[0]]
            ranking = [
                {"id": _id(key), "confidence": round(float(p[j]), 6), "intent_response_key": key}
                for j in order[: self.config.ranking_length or len(order)]
                for key in [self.keys[j]]
            ]
            out = dict(msg.response_selector or {})
            out["all_retrieval_intents"] = list(self.all_retrieval_intents)
            out[self.selector_key] = {
                "response": {
                    "id": _id(top),
                    "responses": self.responses.get(top, []),
                    "confidence": round(float(p[order[0]]), 6),
                    "intent_response_key": top,
                    "utter_action": f"utter_{top}",
                },
                "ranking": ranking,
            }
            msg.response_selector = out

    def save(self, directory: Path) -> None:
        state = {
            "keys": self.keys,
            "all_retrieval_intents": self.all_retrieval_intents,
            "responses": self.responses,
            "weights": self.weights.tolist(),
        }
        (directory / "response_selector.json").write_text(json.dumps(state, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path, config: ResponseSelectorConfig) -> ResponseSelector:
        return cls(config, json.loads((directory / "response_selector.json").read_text()))


def _with_bias(x: np.ndarray) -> np.ndarray:
    return np.concatenate([x.astype(np.float64), np.ones((len(x), 1))], axis=1)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _fit(x: np.ndarray, y: np.ndarray, k: int, l2: float, iterations: int) -> np.ndarray:
    """Weights (d+1, k) minimising mean cross-entropy + l2/2 * |W|^2 (bias row not penalised)."""
    from scipy.optimize import minimize

    n, d = x.shape
    onehot = np.eye(k)[y]  # (n, k)
    mask = np.ones((d, k))
    mask[-1] = 0.0  # no penalty on the bias

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(d, k)
        p = _softmax(x @ w)
        ce = -np.mean(np.log(np.clip(p[np.arange(n), y], 1e-12, None)))
        grad = x.T @ (p - onehot) / n + l2 * w * mask
        return ce + 0.5 * l2 * float(np.sum((w * mask) ** 2)), grad.ravel()

    result = minimize(loss, np.zeros(d * k), jac=True, method="L-BFGS-B", options={"maxiter": iterations})
    return result.x.reshape(d, k)


def _id(key: str) -> int:
    """A stable id per response key (Rasa's is a hash of the label)."""
    return zlib.crc32(key.encode("utf-8"))
