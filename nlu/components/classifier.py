"""IntentEntityClassifier: one small Keras model predicting the intent and BILOU entity tags (and
roles and groups where the data has them) from whatever features the pipeline computed before it.
Trained with a held-out validation slice for early stopping; saved as Keras weights + JSON."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.components import bilou
from nlu.components.base import Component, Message
from nlu.data.split import validation_slice
from nlu.data.training_data import TrainingData
from nlu.errors import IncompatibleModel, TrainingDataError
from nlu.results import Entity, IntentPrediction

log = logging.getLogger(__name__)
NONE_LABEL = "<none>"


@dataclass(frozen=True)
class ClassifierConfig:
    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 0.001
    weight_decay: float = 0.01  # > 0: AdamW with this decoupled weight decay
    hidden: int = 512
    sparse_dim: int = 64
    entity_hidden: int = 128
    dropout: float = 0.4
    validation_split: float = 0.1  # held out for early stopping when that makes >= 100 examples
    patience: int = 6
    min_steps: int = 600  # small data: more epochs, so that at least this many batches are seen
    entities: bool = True  # learn entities when the data has any
    entity_loss_weight: float = 1.0
    intent_attention: int = 0  # >0: width of an attention pooling of hub token vectors fed to the intent
    token_context: str = "conv+bigru"  # how the tagger mixes neighbouring tokens: conv, bigru, conv+bigru
    progress: bool = True

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs and batch_size must be >= 1, got {self.epochs} and {self.batch_size}")
        if self.token_context not in ("conv", "bigru", "conv+bigru"):
            raise ValueError(
                f"token_context must be 'conv', 'bigru' or 'conv+bigru', got {self.token_context!r}"
            )
        if not 0.0 <= self.dropout < 1.0 or not 0.0 <= self.validation_split < 0.5:
            raise ValueError("dropout must be in [0, 1) and validation_split in [0, 0.5)")


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

    # ---------------------------------------------------------------- features -> arrays
    def _batch(self, messages: list[Message]) -> dict[str, np.ndarray]:
        m = self.meta
        b = len(messages)
        x: dict[str, np.ndarray] = {}
        if m["dense_dim"]:
            x["sent_dense"] = np.stack([msg.sentence_dense for msg in messages]).astype(np.float32)
        if m["buckets"]:
            n = max(1, max(len(msg.sentence_ngrams) for msg in messages))
            ids = np.zeros((b, n), dtype=np.int32)
            for i, msg in enumerate(messages):
                ids[i, : len(msg.sentence_ngrams)] = msg.sentence_ngrams
            x["sent_ids"] = np.minimum(ids, m["buckets"] - 1)
        if m["tags"] or m.get("intent_attention"):
            length = max(1, max(len(msg.tokens) for msg in messages))
            mask = np.zeros((b, length), dtype=np.float32)
            for i, msg in enumerate(messages):
                mask[i, : len(msg.tokens)] = 1.0
            x["tok_mask"] = mask
            if m["token_dense_dim"]:
                dense = np.zeros((b, length, m["token_dense_dim"]), dtype=np.float32)
                for i, msg in enumerate(messages):
                    dense[i, : len(msg.tokens)] = msg.token_dense
                x["tok_dense"] = dense
            if m["buckets"] and m["tags"]:
                k = max([1] + [len(t) for msg in messages for t in msg.token_ngrams])
                ids = np.zeros((b, length, k), dtype=np.int32)
                for i, msg in enumerate(messages):
                    for j, t in enumerate(msg.token_ngrams):
                        ids[i, j, : len(t)] = t
                x["tok_ids"] = np.minimum(ids, m["buckets"] - 1)
            if m["n_patterns"] and m["tags"]:
                pats = np.zeros((b, length, m["n_patterns"]), dtype=np.float32)
                for i, msg in enumerate(messages):
                    if msg.token_patterns is not None and len(msg.tokens):
                        p = msg.token_patterns[:, : m["n_patterns"]]
                        pats[i, : len(msg.tokens), : p.shape[1]] = p
                x["tok_patterns"] = pats
        return x

    def _targets(self, messages: list[Message], length: int) -> dict[str, np.ndarray]:
        m = self.meta
        index = {name: i for i, name in enumerate(m["intents"])}
        y = {"intent": np.array([index[msg.example.intent] for msg in messages], dtype=np.int32)}
        if m["tags"]:
            for key, labels in (("tags", None), ("roles", m["roles"]), ("groups", m["groups"])):
                if key != "tags" and not labels:
                    continue
                arr = np.zeros((len(messages), length), dtype=np.int32)
                for i, msg in enumerate(messages):
                    if key == "tags":
                        arr[i, : len(msg.tokens)] = bilou.encode(msg.tokens, msg.example.entities, m["tags"])
                    else:
                        lab = {name: j for j, name in enumerate(labels)}
                        attr = key[:-1]
                        for ann in msg.example.entities:
                            value = getattr(ann, attr)
                            if value is not None and value in lab:
                                for t in bilou.token_span(msg.tokens, ann.start, ann.end):
                                    arr[i, t] = lab[value]
                y[key] = arr
        return y

    @staticmethod
    def _signature(x: dict[str, np.ndarray], y: dict[str, np.ndarray]):
        """TensorSpecs with every dimension open except the feature width, so one trace serves all shapes."""
        import tensorflow as tf

        keep_last = {"sent_dense", "tok_dense", "tok_patterns"}
        x_spec = {
            k: tf.TensorSpec(
                [None] * (v.ndim - 1) + [v.shape[-1] if k in keep_last else None], tf.as_dtype(v.dtype)
            )
            for k, v in x.items()
        }
        y_spec = {k: tf.TensorSpec([None] * v.ndim, tf.as_dtype(v.dtype)) for k, v in y.items()}
        return x_spec, y_spec

    def _batch_spec_probe(self) -> dict[str, np.ndarray]:
        """Zero arrays with the right dtypes and feature widths, standing in for a batch."""
        m = self.meta
        x: dict[str, np.ndarray] = {}
        if m["dense_dim"]:
            x["sent_dense"] = np.zeros((1, m["dense_dim"]), np.float32)
        if m["buckets"]:
            x["sent_ids"] = np.zeros((1, 1), np.int32)
        if m["tags"] or m.get("intent_attention"):
            x["tok_mask"] = np.zeros((1, 1), np.float32)
            if m["token_dense_dim"]:
                x["tok_dense"] = np.zeros((1, 1, m["token_dense_dim"]), np.float32)
            if m["buckets"] and m["tags"]:
                x["tok_ids"] = np.zeros((1, 1, 1), np.int32)
            if m["n_patterns"] and m["tags"]:
                x["tok_patterns"] = np.zeros((1, 1, m["n_patterns"]), np.float32)
        return x

    # ---------------------------------------------------------------- training
    def train(self, messages: list[Message], data: TrainingData) -> dict[str, Any]:
        import keras
        import tensorflow as tf

        from nlu.components.joint_model import ModelSpec, build_model

        cfg = self.config
        intents = data.intents
        if not intents:
            raise TrainingDataError("training data", None, "no intent examples to train on")
        first = messages[0]
        has_token_features = first.token_dense is not None or first.token_ngrams is not None
        entities = data.entities if cfg.entities and has_token_features else []
        self.meta = {
            "intents": intents,
            "entities": entities,
            "tags": bilou.tag_names(entities) if entities else [],
            "roles": [NONE_LABEL, *data.roles] if entities and data.roles else [],
            "groups": [NONE_LABEL, *data.groups] if entities and data.groups else [],
            "dense_dim": 0 if first.sentence_dense is None else int(first.sentence_dense.shape[-1]),
            "token_dense_dim": 0
            if first.token_dense is None or not (entities or cfg.intent_attention)
            else int(first.token_dense.shape[-1]),
            "intent_attention": cfg.intent_attention if first.token_dense is not None else 0,
            "buckets": int(first.ngram_buckets) if first.sentence_ngrams is not None else 0,
            "n_patterns": 0
            if first.token_patterns is None or not entities
            else int(first.token_patterns.shape[1]),
        }
        m = self.meta
        if not m["dense_dim"] and not m["buckets"]:
            raise TrainingDataError(
                "config",
                None,
                "IntentEntityClassifier needs a featurizer before it (HubFeaturizer or CharNgramFeaturizer)",
            )
        spec = ModelSpec(
            n_intents=len(intents),
            n_tags=len(m["tags"]),
            n_roles=len(m["roles"]),
            n_groups=len(m["groups"]),
            dense_dim=m["dense_dim"],
            token_dense_dim=m["token_dense_dim"],
            buckets=m["buckets"],
            n_patterns=m["n_patterns"],
            hidden=cfg.hidden,
            sparse_dim=cfg.sparse_dim,
            entity_hidden=cfg.entity_hidden,
            dropout=cfg.dropout,
            intent_attention=m["intent_attention"],
            token_context=cfg.token_context,
        )
        self.meta["spec"] = asdict(spec)
        model = build_model(spec)
        optimizer = (
            keras.optimizers.AdamW(cfg.learning_rate, weight_decay=cfg.weight_decay)
            if cfg.weight_decay > 0
            else keras.optimizers.Adam(cfg.learning_rate)
        )

        cut = validation_slice([msg.text for msg in messages], cfg.validation_split)
        val_msgs = [msg for msg, c in zip(messages, cut, strict=True) if c]
        train_msgs = [msg for msg, c in zip(messages, cut, strict=True) if not c]

        ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

        def losses(y, out, mask):
            loss = tf.reduce_mean(ce(y["intent"], out["intent"]))
            denom = tf.maximum(tf.reduce_sum(mask), 1.0)
            for key in ("tags", "roles", "groups"):
                if key in y:
                    loss += cfg.entity_loss_weight * tf.reduce_sum(ce(y[key], out[key]) * mask) / denom
            return loss

        probe = self._batch(messages[:2])
        x_spec, y_spec = self._signature(
            probe, self._targets(messages[:2], probe.get("tok_mask", np.zeros((1, 1))).shape[1])
        )

        @tf.function(input_signature=[x_spec, y_spec], autograph=False)  # one trace for every batch shape
        def train_step(x, y):
            with tf.GradientTape() as tape:
                out = model(x, training=True)
                loss = losses(y, out, x.get("tok_mask", tf.zeros((1, 1))))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            return loss

        @tf.function(input_signature=[x_spec, y_spec], autograph=False)
        def eval_step(x, y):
            out = model(x, training=False)
            loss = losses(y, out, x.get("tok_mask", tf.zeros((1, 1))))
            hits = tf.equal(tf.argmax(out["intent"], -1, output_type=tf.int32), y["intent"])
            correct = tf.reduce_sum(tf.cast(hits, tf.float32))
            if "tags" in y:  # tag accuracy on the tokens inside gold entities
                inside = tf.cast(y["tags"] > 0, tf.float32)
                predicted = tf.argmax(out["tags"], -1, output_type=tf.int32)
                tag_hits = tf.cast(tf.equal(predicted, y["tags"]), tf.float32)
                return loss, correct, tf.reduce_sum(tag_hits * inside), tf.reduce_sum(inside)
            return loss, correct, tf.constant(0.0), tf.constant(0.0)

        def batches(msgs: list[Message], order: np.ndarray):
            for s in range(0, len(order), cfg.batch_size):
                chunk = [msgs[i] for i in order[s : s + cfg.batch_size]]
                x = self._batch(chunk)
                length = x["tok_mask"].shape[1] if "tok_mask" in x else 1
                yield x, self._targets(chunk, length)

        lengths = np.array([len(msg.tokens) for msg in train_msgs], dtype=np.float64)

        def bucketed_order() -> np.ndarray:
            # Batches of similar length (less padding: the GRU runs to the longest), in random order.
            order = np.argsort(lengths + rng.uniform(0.0, 3.0, len(lengths)), kind="stable")
            chunks = [order[s : s + cfg.batch_size] for s in range(0, len(order), cfg.batch_size)]
            return np.concatenate([chunks[i] for i in rng.permutation(len(chunks))]) if chunks else order

        rng = np.random.default_rng(
            int(np.random.randint(2**31 - 1))
        )  # seeded by keras.utils.set_random_seed
        val_batches = list(batches(val_msgs, np.arange(len(val_msgs)))) if val_msgs else []
        best: tuple = ((-1.0, -np.inf), None, 0)
        history = []
        waited = 0
        started = time.perf_counter()
        steps_per_epoch = max(1, -(-len(train_msgs) // cfg.batch_size))
        epochs = max(cfg.epochs, -(-cfg.min_steps // steps_per_epoch))
        progress = _progress(epochs, cfg.progress)
        for epoch in range(epochs):
            total, n = 0.0, 0
            for x, y in batches(train_msgs, bucketed_order()):
                total += float(train_step(x, y)) * len(y["intent"])
                n += len(y["intent"])
            record = {"epoch": epoch + 1, "loss": round(total / max(n, 1), 5)}
            if val_batches:
                vl, vc, vn, tc, tn = 0.0, 0.0, 0, 0.0, 0.0
                for x, y in val_batches:
                    loss, correct, tag_correct, tag_total = eval_step(x, y)
                    vl += float(loss) * len(y["intent"])
                    vc += float(correct)
                    vn += len(y["intent"])
                    tc, tn = tc + float(tag_correct), tn + float(tag_total)
                record.update(val_loss=round(vl / vn, 5), val_intent_accuracy=round(vc / vn, 5))
                if tn:
                    record["val_entity_token_accuracy"] = round(tc / tn, 5)
                # Keep the epoch with the best validation accuracy (intent + entity tokens); loss breaks ties.
                key = (round(vc / vn + (tc / tn if tn else 0.0), 4), -record["val_loss"])
                if key > best[0]:
                    best, waited = (key, [v.numpy() for v in model.weights], epoch + 1), 0
                else:
                    waited += 1
            history.append(record)
            progress.update(record)
            if val_batches and waited >= cfg.patience:
                break
        progress.close()
        if best[1] is not None:
            for variable, value in zip(model.weights, best[1], strict=True):
                variable.assign(value)
        self.model = model
        self._compile_predict()
        summary = {
            "examples": len(train_msgs),
            "validation_examples": len(val_msgs),
            "epochs_run": len(history),
            "best_epoch": best[2] or len(history),
            "seconds": round(time.perf_counter() - started, 2),
            "final": history[-1] if history else {},
        }
        log.info(
            "event=nlu.classifier.trained %s",
            " ".join(f"{k}={v}" for k, v in summary.items() if k != "final"),
        )
        return summary

    # ---------------------------------------------------------------- inference
    def _compile_predict(self) -> None:
        import tensorflow as tf

        model = self.model
        x_spec, _ = self._signature(self._batch_spec_probe(), {})

        @tf.function(input_signature=[x_spec], autograph=False)
        def predict(x):
            out = model(x, training=False)
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
            out = {k: v.numpy() for k, v in self._predict(self._batch(chunk)).items()}
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


class _progress:
    """tqdm over epochs when enabled, else one log line per epoch."""

    def __init__(self, epochs: int, enabled: bool) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=epochs, desc="training NLU", unit="epoch", leave=False)

    def update(self, record: dict[str, Any]) -> None:
        if self.bar is not None:
            self.bar.set_postfix({k: v for k, v in record.items() if k != "epoch"})
            self.bar.update(1)
        else:
            log.debug("event=nlu.classifier.epoch %s", " ".join(f"{k}={v}" for k, v in record.items()))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
