"""IntentEntityClassifier: one small Keras model predicting the intent and BILOU entity tags (and
roles and groups where the data has them) from whatever features the pipeline computed before it.
Trained with a held-out validation slice for early stopping; saved as Keras weights + JSON.

    classifier.py           the component: config, process (intent ranking, Viterbi-decoded entities),
                            save/load
    classifier_arrays.py    messages -> padded feature and label arrays, TensorSpecs
    classifier_training.py  the training loop and early stopping
    joint_model.py          the Keras model itself
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from nlu.components import bilou
from nlu.components.base import Component, Message
from nlu.components.classifier_arrays import NONE_LABEL, batch_arrays, probe_arrays, signature
from nlu.components.classifier_config import ClassifierConfig
from nlu.components.classifier_training import train_classifier
from nlu.data.training_data import TrainingData
from nlu.errors import IncompatibleModel
from nlu.results import Entity, IntentPrediction

log = logging.getLogger(__name__)


class IntentEntityClassifier(Component):
    name = "IntentEntityClassifier"
    Config = ClassifierConfig

    def __init__(
        self, config: ClassifierConfig, meta: dict[str, Any] | None = None, model: Any = None
    ) -> None:
        super().__init__(config)
        self.meta = meta or {}
        self.model = model
        self._predict = None
        if model is not None:
            self._compile_predict()

    # ---------------------------------------------------------------- training
    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        self.model, self.meta, summary = train_classifier(self.config, messages, data)
        self.meta["temperature"] = self._fit_temperature(messages) if self.config.calibrate else 1.0
        summary["temperature"] = round(self.meta["temperature"], 4)
        self._compile_predict()
        log.info(
            "event=nlu.classifier.trained %s",
            " ".join(f"{k}={v}" for k, v in summary.items() if k != "final"),
        )
        return summary

    def _fit_temperature(self, messages: list[Message]) -> float:
        """T fitted on the slice training held out (none for small data: T = 1)."""
        from nlu.components.calibration import fit_temperature
        from nlu.data.split import validation_slice

        cut = validation_slice([m.text for m in messages], self.config.validation_split)
        held = [m for m, c in zip(messages, cut, strict=True) if c and m.tokens and m.example is not None]
        if not held:
            return 1.0
        index = {name: i for i, name in enumerate(self.meta["intents"])}
        labels = np.array([index[m.example.intent] for m in held])  # type: ignore[union-attr]
        return fit_temperature(self.intent_logits(held), labels)

    def intent_logits(self, messages: list[Message]) -> np.ndarray:
        """(n, intents) logits before temperature and softmax (for calibration)."""
        out = [
            self.model(batch_arrays(self.meta, messages[s : s + 256]), training=False)["intent"].numpy()
            for s in range(0, len(messages), 256)
        ]
        return np.concatenate(out) if out else np.zeros((0, len(self.meta["intents"])))

    # ---------------------------------------------------------------- inference
    def _compile_predict(self) -> None:
        import tensorflow as tf

        model = self.model
        x_spec, _ = signature(probe_arrays(self.meta), {})
        temperature = float(self.meta.get("temperature", 1.0))

        @tf.function(input_signature=[x_spec], autograph=False)
        def predict(x):
            out = model(x, training=False)
            out = {**out, "intent": out["intent"] / temperature}
            return {k: tf.nn.softmax(v, axis=-1) for k, v in out.items()}

        self._predict = predict
        self._masks = bilou.transition_mask(self.meta["tags"]) if self.meta["tags"] else None

    def process(self, messages: list[Message]) -> None:
        if not messages:
            return
        m = self.meta
        live = [msg for msg in messages if msg.tokens]
        for msg in messages:
            if not msg.tokens:  # empty or whitespace-only text
                msg.intent = IntentPrediction(None, 0.0)
                msg.ranking = []
        for s in range(0, len(live), 256):
            chunk = live[s : s + 256]
            out = {k: v.numpy() for k, v in self._predict(batch_arrays(m, chunk)).items()}
            for i, msg in enumerate(chunk):
                probs = out["intent"][i]
                order = np.argsort(-probs, kind="stable")
                msg.ranking = [IntentPrediction(m["intents"][j], float(probs[j])) for j in order[:10]]
                msg.intent = msg.ranking[0]
                if "tags" in out:
                    msg.entities.extend(self._entities(msg, out, i))

    def _entities(self, msg: Message, out: dict[str, np.ndarray], i: int) -> list[Entity]:
        m = self.meta
        n = len(msg.tokens)
        tag_probs = out["tags"][i, :n]
        path = bilou.viterbi(tag_probs, self._masks)
        found = []
        for entity, a, b in bilou.decode(path, m["tags"]):
            start, end = msg.tokens[a].start, msg.tokens[b].end
            confidence = float(np.mean(tag_probs[np.arange(a, b + 1), path[a : b + 1]]))
            extra = {}
            for key in ("roles", "groups"):
                if key in out:
                    p = out[key][i, a : b + 1].mean(axis=0)
                    label = m[key][int(np.argmax(p))]
                    extra[key[:-1]] = None if label == NONE_LABEL else label
            found.append(Entity(entity, msg.text[start:end], start, end, confidence, self.name, **extra))
        return found

    # ---------------------------------------------------------------- persistence
    def save(self, directory: Path) -> None:
        (directory / "classifier.json").write_text(json.dumps(self.meta, indent=1, ensure_ascii=False))
        import h5py

        with h5py.File(directory / "model.weights.h5", "w") as f:
            for i, variable in enumerate(self.model.weights):
                f.create_dataset(f"{i:03d}", data=variable.numpy()).attrs["path"] = variable.path

    @classmethod
    def load(cls, directory: Path, config: ClassifierConfig) -> IntentEntityClassifier:
        from nlu.components.joint_model import ModelSpec, build_model

        meta = json.loads((directory / "classifier.json").read_text())
        model = build_model(ModelSpec(**meta["spec"]))
        import h5py

        with h5py.File(directory / "model.weights.h5", "r") as f:
            if len(f) != len(model.weights):
                raise IncompatibleModel(
                    f"{directory}: {len(f)} weight arrays stored, the model has {len(model.weights)}"
                )
            for i, variable in enumerate(model.weights):
                value = f[f"{i:03d}"][()]
                if tuple(value.shape) != tuple(variable.shape):
                    raise IncompatibleModel(
                        f"{directory}: weight {variable.path} has shape {value.shape}, "
                        f"expected {tuple(variable.shape)}"
                    )
                variable.assign(value)
        return cls(config, meta, model)
