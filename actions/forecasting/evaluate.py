"""Evaluation as M4 does it: every model's forecasts of a set scored by sMAPE, MASE, OWA (against
Naive2 on the set totals), MSIS and coverage of the 95 % interval; a JSON report and PNGs beside it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from . import metrics
from .m4 import M4Set
from .series import Forecast, Prediction, Series

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Score:
    smape: float
    mase: float
    owa: float
    msis: float
    coverage95: float
    train_s: float = 0.0
    forecast_s: float = 0.0

    def rounded(self) -> dict:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def run_local(
    model: Callable, data: M4Set, label: str, progress: bool = True
) -> tuple[list[Prediction], float]:
    """A per-series model over a whole set, with a progress bar; -> predictions and wall seconds."""
    started = time.perf_counter()
    preds = [
        model(x, data.h, data.m, (95,))
        for x in tqdm(data.train, desc=label, disable=not progress, mininterval=2.0, leave=False)
    ]
    return preds, time.perf_counter() - started


def score(
    data: M4Set,
    preds: Sequence[Prediction],
    naive2: tuple[float, float] | None = None,
    train_s: float = 0.0,
    forecast_s: float = 0.0,
) -> Score:
    """Totals over the set; OWA against `naive2` = (sMAPE, MASE) of Naive2 on the same split (1.0 when
    not given: the model is Naive2)."""
    triples = list(zip(data.train, data.test, preds, strict=True))
    s = float(np.mean([metrics.smape(y, p.mean) for _, y, p in triples]))
    a = float(np.mean([metrics.mase(y, p.mean, x, data.m) for x, y, p in triples]))
    ms = float(np.mean([metrics.msis(y, p.lower[95], p.upper[95], x, data.m) for x, y, p in triples]))
    cov = float(np.mean([metrics.coverage(y, p.lower[95], p.upper[95]) for _, y, p in triples]))
    ref = naive2 or (s, a)
    return Score(s, a, metrics.owa(s, a, *ref), ms, cov, train_s, forecast_s)


def scale_intervals(pred: Prediction, factor: float) -> Prediction:
    """Widen (>1) or narrow the intervals around the point forecast."""
    return Prediction(
        pred.mean,
        {k: pred.mean - (pred.mean - v) * factor for k, v in pred.lower.items()},
        {k: pred.mean + (v - pred.mean) * factor for k, v in pred.upper.items()},
    )


def best_interval_scale(
    data: M4Set,
    preds: Sequence[Prediction],
    grid: Sequence[float] = tuple(np.round(np.arange(0.5, 2.01, 0.1), 2)),
) -> float:
    """The width factor with the lowest MSIS on this (validation) split."""

    def msis_of(f: float) -> float:
        return float(
            np.mean(
                [
                    metrics.msis(y, q.lower[95], q.upper[95], x, data.m)
                    for x, y, q in zip(
                        data.train, data.test, (scale_intervals(p, f) for p in preds), strict=True
                    )
                ]
            )
        )

    return float(min(grid, key=msis_of))


def write_report(
    out_dir: Path,
    data: M4Set,
    scores: Mapping[str, Score],
    preds: Mapping[str, Sequence[Prediction]],
    show: str,
    extra: dict | None = None,
    examples: int = 4,
) -> Path:
    """`{set}.json` with every model's scores, `{set}_table.png`, and `{set}_examples.png` (a few series
    with history, the `show` model's forecast and 95 % interval, and the actual values)."""
    from .plot import examples_png, table_png

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {
        "set": data.name,
        "series": len(data.ids),
        "horizon": data.h,
        "season": data.m,
        "models": {k: v.rounded() for k, v in scores.items()},
        **(extra or {}),
    }
    path = out_dir / f"{data.name}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    cols = ["smape", "mase", "owa", "msis", "coverage95", "train_s", "forecast_s"]
    table_png(
        {k: asdict(v) for k, v in scores.items()},
        cols,
        f"M4 {data.name}: {len(data.ids)} series, h={data.h}",
        out_dir / f"{data.name}_table.png",
    )
    picks = np.linspace(0, len(data.ids) - 1, examples).astype(int)
    items = []
    for i in picks:
        s = Series(data.ids[i], data.train[i], data.freq)
        p = preds[show][i]
        items.append((s, Forecast(s.id, show, p.mean, p.lower, p.upper), data.test[i]))
    examples_png(items, out_dir / f"{data.name}_examples.png", history=min(5 * data.h, 240))
    log.info("event=forecasting.report path=%s", path)
    return path
