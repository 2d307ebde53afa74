"""The trained dialogue policy: a small GRU over the featurised history (Rasa's `TEDPolicy` maps here).

Each of the last `max_history` states (intent, entities, slots, previous action, active loop) is a
multi-hot vector; a dense layer embeds it, a GRU reads the sequence, a softmax scores every action:

    x (batch, max_history, n_features) -> Dense -> (batch, max_history, embed)
      -> GRU -> (batch, hidden) -> Dense softmax -> (batch, n_actions)

Unlike memoization it scores histories it never saw, feature by feature, so it generalises to new
paths (a story's turn after a different opening, a slot set in another order). Weights are saved as
`ted.weights.h5` beside `ted.json` (vocabulary, actions, config); no pickle.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.dialogue.domain import Domain
from bot.dialogue.policies.base import Prediction
from bot.dialogue.policies.ted_options import RASA_IGNORED_OPTIONS, check_honoured  # noqa: F401 (model.py)
from bot.dialogue.states import State, tracker_trajectory, trajectory
from bot.dialogue.stories import DialogueData, steps_to_events, story_paths
from bot.dialogue.tracker import Tracker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TEDPolicyConfig:
    priority: int = 1
    max_history: int = 5
    epochs: int = 100
    batch_size: int | tuple[int, int] = 32  # [32, 64]: Rasa's linearly growing batch size over the epochs
    embed_dim: int = 32
    hidden_units: int = 64
    learning_rate: float = 0.01
    augmentation_factor: int = 10  # extra samples from stories glued end to end, as Rasa's augmentation
    random_seed: int = 1
    drop_rate_dialogue: float = 0.0  # dropout on the GRU's inputs while training
    ranking_length: int = 0  # > 0: only the top N actions keep a confidence (0: all)
    renormalize_confidences: bool = False  # with ranking_length: the top N sum to 1
    model_confidence: str = "softmax"  # the only value Parley computes (see ted_options.py)
    loss_type: str = "cross_entropy"  # the only value Parley computes
    ignored_options: tuple[str, ...] = ()  # Rasa options given and not used (set by build_config)

    def __post_init__(self) -> None:
        check_honoured(self)


class TEDPolicy:
    name = "TEDPolicy"

    def __init__(self, config: TEDPolicyConfig | None = None) -> None:
        self.config = config or TEDPolicyConfig()
        self.priority = self.config.priority
        self.features: dict[str, int] = {}
        self.actions: list[str] = []
        self.model: Any = None
        self._cached_weights: list[np.ndarray] | None = None

    # ------------------------------------------------------------------ featurisation
    def _encode(self, histories: list[list[State]]) -> np.ndarray:
        mh = self.config.max_history
        x = np.zeros(
            (len(histories), mh, len(self.features)), dtype=np.float32
        )  # (batch, max_history, features)
        for b, history in enumerate(histories):
            window = history[-mh:]
            offset = mh - len(window)  # left padding: zero rows are masked
            for t, state in enumerate(window):
                for feature in state:
                    index = self.features.get(feature)
                    if index is not None:
                        x[b, offset + t, index] = 1.0
        return x

    def _build(self, *, compile: bool = True) -> Any:
        import keras

        keras.utils.set_random_seed(self.config.random_seed)
        inputs = keras.Input((self.config.max_history, len(self.features)))  # (batch, T, F)
        masked = keras.layers.Masking(0.0)(inputs)
        embedded = keras.layers.Dense(self.config.embed_dim, activation="relu")(masked)  # (batch, T, embed)
        gru = keras.layers.GRU(self.config.hidden_units, dropout=self.config.drop_rate_dialogue)
        hidden = gru(embedded)  # (batch, hidden)
        outputs = keras.layers.Dense(len(self.actions), activation="softmax")(hidden)  # (batch, actions)
        model = keras.Model(inputs, outputs, name="ted_gru")
        if compile:
            model.compile(
                optimizer=keras.optimizers.Adam(self.config.learning_rate),
                loss="sparse_categorical_crossentropy",
            )
        return model

    # ------------------------------------------------------------------ training
    def train(self, data: DialogueData, domain: Domain) -> dict[str, Any]:
        trajectories = [
            trajectory(steps_to_events(steps), domain).pairs for _, steps in story_paths(data.stories)
        ]
        trajectories = [t for t in trajectories if t]
        if not trajectories:
            log.info("event=ted.skipped reason=no_stories")
            return {"ted_samples": 0, **self._ignored_summary()}
        rng = np.random.default_rng(self.config.random_seed)
        glued = []
        for _ in range(self.config.augmentation_factor * len(trajectories) if len(trajectories) > 1 else 0):
            a, b = rng.choice(len(trajectories), 2)
            glued.append(trajectories[a] + trajectories[b][1:])  # b's opening listen is already in a's end
        histories: list[list[State]] = []
        labels: list[str] = []
        seen: set[tuple[str, str]] = set()
        for pairs in [*trajectories, *glued]:
            states = [s for s, _ in pairs]
            for i, (_, action) in enumerate(pairs):
                window = states[max(0, i + 1 - self.config.max_history) : i + 1]
                key = (repr([sorted(s) for s in window]), action)
                if key in seen:
                    continue
                seen.add(key)
                histories.append(window)
                labels.append(action)
        self.features = {f: i for i, f in enumerate(sorted({f for h in histories for s in h for f in s}))}
        self.actions = sorted(set(labels))
        x = self._encode(histories)
        y = np.array([self.actions.index(a) for a in labels], dtype=np.int32)  # (samples,)
        self.model = self._build()
        losses: list[float] = []
        for start, stop, size in batch_schedule(self.config.batch_size, self.config.epochs):
            history = self.model.fit(
                x, y, initial_epoch=start, epochs=stop, batch_size=size, shuffle=True, verbose=0
            )
            losses += history.history["loss"]
        keras_probs = self._forward(x)
        self._cached_weights = None
        drift = float(np.abs(self._forward_numpy(x[:64]) - keras_probs[:64]).max())
        if drift > 1e-3:
            raise RuntimeError(f"TED NumPy forward pass differs from Keras by {drift:.2e} (max 1e-3)")
        accuracy = float(np.mean(np.argmax(keras_probs, axis=-1) == y))
        log.info(
            "event=ted.trained samples=%d features=%d actions=%d loss=%.4f->%.4f train_accuracy=%.3f",
            len(y),
            len(self.features),
            len(self.actions),
            losses[0],
            losses[-1],
            accuracy,
        )
        summary: dict[str, Any] = {
            "ted_samples": len(y),
            "ted_loss": round(float(losses[-1]), 4),
            "ted_train_accuracy": round(accuracy, 3),
        }
        return {**summary, **self._ignored_summary()}

    def _ignored_summary(self) -> dict[str, str]:
        """The Rasa options given and not used, for the training summary (also a start-up WARNING)."""
        if not self.config.ignored_options:
            return {}
        return {"ted_ignored_options": ",".join(self.config.ignored_options)}

    # ------------------------------------------------------------------ prediction
    def _forward(self, x: np.ndarray) -> np.ndarray:
        """Keras forward pass (training-time checks); serving uses `_forward_numpy`."""
        out = self.model(x, training=False)  # (batch, actions)
        return np.asarray(out.numpy() if hasattr(out, "numpy") else out)

    def _weights(self) -> list[np.ndarray]:
        if getattr(self, "_cached_weights", None) is None:
            self._cached_weights = [np.asarray(w) for w in self.model.get_weights()]
        return self._cached_weights

    def _forward_numpy(self, x: np.ndarray) -> np.ndarray:
        """The same network in NumPy: ~50x faster than an eager Keras call for one conversation.

        Keras' GRU (reset_after=True): gates ordered z, r, h; bias (2, 3*units) = input and recurrent parts.
        Masked (all-zero) timesteps keep the previous state, as Keras' Masking does.
        """
        embed_w, embed_b, kernel, recurrent, bias, out_w, out_b = self._weights()
        units = recurrent.shape[0]
        out = np.zeros((x.shape[0], out_b.shape[0]), dtype=np.float32)
        for b in range(x.shape[0]):
            h = np.zeros(units, dtype=np.float32)  # (hidden,)
            for step in x[b]:  # (features,)
                if not step.any():
                    continue
                e = np.maximum(step @ embed_w + embed_b, 0.0)  # (embed,)
                xz, xr, xh = np.split(e @ kernel + bias[0], 3)
                rz, rr, rh = np.split(h @ recurrent + bias[1], 3)
                z = 1.0 / (1.0 + np.exp(-(xz + rz)))
                r = 1.0 / (1.0 + np.exp(-(xr + rr)))
                h = z * h + (1.0 - z) * np.tanh(xh + r * rh)
            logits = h @ out_w + out_b  # (actions,)
            exp = np.exp(logits - logits.max())
            out[b] = exp / exp.sum()
        return out

    def probabilities(self, tracker: Tracker, domain: Domain) -> dict[str, float]:
        if self.model is None:
            return {}
        states = tracker_trajectory(tracker, domain).states
        probs = self._forward_numpy(self._encode([states]))[0]  # (actions,)
        return _ranked({a: float(p) for a, p in zip(self.actions, probs, strict=True)}, self.config)

    def predict(
        self, tracker: Tracker, domain: Domain, excluded: frozenset[str] = frozenset()
    ) -> Prediction | None:
        probs = {a: p for a, p in self.probabilities(tracker, domain).items() if a not in excluded}
        if not probs:
            return None
        action = max(probs, key=probs.__getitem__)
        return Prediction(action, probs[action], self.name, self.priority)

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "config": asdict(self.config),
            "features": self.features,
            "actions": self.actions,
            "trained": self.model is not None,
        }
        (directory / "ted.json").write_text(json.dumps(meta))
        if self.model is not None:
            self.model.save_weights(directory / "ted.weights.h5")  # weights only: no optimizer state

    @classmethod
    def load(cls, directory: Path, config: TEDPolicyConfig | None = None) -> TEDPolicy:
        meta = json.loads((directory / "ted.json").read_text())
        policy = cls(config or config_from_json(meta["config"]))
        policy.features = meta["features"]
        policy.actions = meta["actions"]
        if meta["trained"]:
            policy.model = policy._build(compile=False)
            policy.model.load_weights(directory / "ted.weights.h5")
        return policy


def config_from_json(raw: dict[str, Any]) -> TEDPolicyConfig:
    """A saved config (JSON has lists where the dataclass has tuples)."""
    raw = dict(raw)
    raw["ignored_options"] = tuple(raw.get("ignored_options", ()))
    if isinstance(raw.get("batch_size"), list):
        raw["batch_size"] = tuple(raw["batch_size"])
    return TEDPolicyConfig(**raw)


def batch_schedule(batch_size: int | tuple[int, int], epochs: int) -> list[tuple[int, int, int]]:
    """(first epoch, end epoch, batch size) runs. A pair grows linearly from the first size in the first
    epoch to the second in the last, as Rasa's `linearly_increasing_batch_size`."""
    if isinstance(batch_size, int):
        return [(0, epochs, batch_size)]
    low, high = batch_size
    sizes = [int(low + e * (high - low) / (epochs - 1)) if epochs > 1 else int(low) for e in range(epochs)]
    runs: list[tuple[int, int, int]] = []
    for e, size in enumerate(sizes):
        if runs and runs[-1][2] == size:
            runs[-1] = (runs[-1][0], e + 1, size)
        else:
            runs.append((e, e + 1, size))
    return runs


def _ranked(probs: dict[str, float], config: TEDPolicyConfig) -> dict[str, float]:
    """Rasa's `ranking_length` and `renormalize_confidences`: keep the top N, optionally summing to 1."""
    if not config.ranking_length or len(probs) <= config.ranking_length:
        return probs
    top = sorted(probs, key=probs.__getitem__, reverse=True)[: config.ranking_length]
    kept = {a: probs[a] for a in top}
    if config.renormalize_confidences:
        total = sum(kept.values()) or 1.0
        kept = {a: p / total for a, p in kept.items()}
    return kept
