"""The global neural model: N-BEATS members trained across all series of one frequency on scaled
windows, with quantile outputs. Deterministic for a seed; saved as Keras weights + JSON (no pickle).

    model = NeuralForecaster(NeuralConfig(horizon=48, input_sizes=(336,)))
    model.fit(histories)                         # list of (n_i,) arrays
    preds = model.predict(histories, levels=(80, 95))
    model.save(path); NeuralForecaster.load(path)
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
from scipy.stats import norm

from .errors import BadInput, NotFound
from .nbeats import QUANTILES, NBeatsConfig
from .series import Prediction
from .windows import WindowSampler, last_window, window_scale

log = logging.getLogger(__name__)
FORMAT = 1


@dataclass(frozen=True)
class NeuralConfig:
    horizon: int
    input_sizes: tuple[int, ...] = (96,)  # one member per (input size, seed)
    seeds: tuple[int, ...] = (0,)
    blocks: int = 3
    layers: int = 4
    width: int = 256
    steps: int = 1500
    batch_size: int = 512
    learning_rate: float = 1e-3
    history_limit: int | None = None
    median_weight: float = 1.0
    point_losses: tuple[str, ...] = ("mae",)  # one member per loss, too: "mae" | "smape"
    mase_weighting: bool = False  # weight each window's loss by 1 / its seasonal-naive scale
    season: int = 1  # m of the series (for the MASE weighting)
    interval_scale: float = 1.0  # widens (>1) or narrows the quantile intervals around the median

    @classmethod
    def from_dict(cls, d: dict) -> NeuralConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown neural config keys {unknown}; valid: {sorted(known)}")
        d = dict(d)
        for key in ("input_sizes", "seeds", "point_losses"):
            if key in d:
                d[key] = tuple(d[key])
        return cls(**d)


def _interval(q: np.ndarray, level: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """q (quantiles, h) -> the level % interval: from its quantile pair when trained, else from the
    95 % pair by the normal ratio of half-widths; widths around the median multiplied by `scale`."""
    med = q[QUANTILES.index(0.5)]
    lo_q, hi_q = round(0.5 - level / 200, 4), round(0.5 + level / 200, 4)
    if lo_q in QUANTILES and hi_q in QUANTILES:
        lo, hi = q[QUANTILES.index(lo_q)], q[QUANTILES.index(hi_q)]
    else:
        ratio = norm.ppf(hi_q) / norm.ppf(0.975)
        lo = med - (med - q[QUANTILES.index(0.025)]) * ratio
        hi = med + (q[QUANTILES.index(0.975)] - med) * ratio
    return med - (med - lo) * scale, med + (hi - med) * scale


class NeuralForecaster:
    name = "nbeats"

    def __init__(self, config: NeuralConfig) -> None:
        self.config = config
        self.members: list = []
        self.train_seconds = 0.0

    def _member_configs(self) -> list[tuple[NBeatsConfig, int, str]]:
        c = self.config
        return [
            (NBeatsConfig(size, c.horizon, c.blocks, c.layers, c.width), seed, loss)
            for size in c.input_sizes
            for loss in c.point_losses
            for seed in c.seeds
        ]

    def fit(self, histories: Sequence[np.ndarray], progress: bool = True) -> NeuralForecaster:
        from .training import TrainOptions, train_member

        started = time.perf_counter()
        self.members = []
        c = self.config
        members = self._member_configs()
        for i, (nb, seed, loss) in enumerate(members):
            options = TrainOptions(
                c.steps, c.batch_size, c.learning_rate, c.median_weight, loss, c.mase_weighting
            )
            limit = self.config.history_limit
            sampler = WindowSampler(list(histories), nb.input_size, nb.horizon, limit, seed, c.season)
            label = f"nbeats {i + 1}/{len(members)} (input {nb.input_size}, {loss}, seed {seed})"
            self.members.append(train_member(nb, sampler, options, seed, label, progress))
        self.train_seconds = time.perf_counter() - started
        return self

    def quantiles(self, histories: Sequence[np.ndarray], batch: int = 2048) -> np.ndarray:
        """-> (series, quantiles, h): the median over members of each quantile, in the series' units."""
        if not self.members:
            raise NotFound("the neural model is not trained; fit() or load() it first")
        outs = []
        for model in self.members:
            size = model.cfg["input_size"]
            x = np.stack([last_window(y, size) for y in histories])  # (series, input)
            scale = window_scale(x)  # (series, 1)
            parts = [
                model(x[i : i + batch] / scale[i : i + batch], training=False).numpy()
                for i in range(0, len(x), batch)
            ]
            outs.append(np.concatenate(parts) * scale[:, :, None])  # (series, quantiles, h)
        q = np.median(np.stack(outs), axis=0)
        return np.sort(q, axis=1)  # no crossing quantiles

    def predict(self, histories: Sequence[np.ndarray], levels: Sequence[int] = (95,)) -> list[Prediction]:
        for level in levels:
            if not 0 < level < 100:
                raise BadInput(f"interval level {level} is not between 0 and 100 (percent)")
        qs = self.quantiles(histories)
        preds = []
        for y, q in zip(histories, qs, strict=True):
            bounds = {lv: _interval(q, lv, self.config.interval_scale) for lv in levels}
            p = Prediction(
                q[QUANTILES.index(0.5)].astype(float),
                {lv: b[0].astype(float) for lv, b in bounds.items()},
                {lv: b[1].astype(float) for lv, b in bounds.items()},
            )
            preds.append(p.clipped(0.0) if np.min(y) >= 0 else p)
        return preds

    def with_interval_scale(self, scale: float) -> NeuralForecaster:
        out = NeuralForecaster(replace(self.config, interval_scale=float(scale)))
        out.members, out.train_seconds = self.members, self.train_seconds
        return out

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for i, model in enumerate(self.members):
            model.save_weights(path / f"member_{i}.weights.h5")
        meta = {"format": FORMAT, "config": asdict(self.config), "train_seconds": self.train_seconds}
        (path / "forecaster.json").write_text(json.dumps(meta, indent=1))

    @classmethod
    def load(cls, path: Path) -> NeuralForecaster:
        from .nbeats import build

        path = Path(path)
        meta_file = path / "forecaster.json"
        if not meta_file.is_file():
            raise NotFound(f"no neural forecaster in {path} (forecaster.json missing); train one first")
        meta = json.loads(meta_file.read_text())
        if meta.get("format") != FORMAT:
            raise NotFound(f"{meta_file} has format {meta.get('format')}, this engine reads {FORMAT}")
        out = cls(NeuralConfig.from_dict(meta["config"]))
        for i, (nb, _, _) in enumerate(out._member_configs()):
            model = build(nb)
            model.load_weights(path / f"member_{i}.weights.h5")
            out.members.append(model)
        out.train_seconds = float(meta.get("train_seconds", 0.0))
        return out
