"""The M4 statistical benchmarks, as the competition's R code defines them: Naive, seasonal Naive,
Naive2, SES, Holt, Damped, Theta and Com, all but Naive and sNaive on the Naive2-deseasonalised series.
ETS fits (SES = ANN, Holt = AAN, Damped = AAdN) come from statsforecast's port of R's `forecast::ets`.

Each function takes the history y (n,), the horizon h, the season length m and the interval levels,
and returns a `Prediction`; negative forecasts of a non-negative series are clipped to 0, as in M4.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.stats import norm

from .seasonality import deseasonalise
from .series import Prediction

LocalModel = Callable[[np.ndarray, int, int, Sequence[int]], Prediction]


def _z(level: int) -> float:
    return float(norm.ppf(0.5 + level / 200.0))


def _random_walk(y: np.ndarray, h: int, lag: int, levels: Sequence[int]) -> Prediction:
    """Repeat the last `lag` values; intervals from the in-sample lag-differences (sqrt of the cycles)."""
    mean = np.array([y[len(y) - lag + (k % lag)] for k in range(h)], float)
    resid = y[lag:] - y[:-lag]
    sigma = float(np.sqrt(np.mean(resid**2))) if len(resid) else 0.0
    steps = np.sqrt(np.arange(h) // lag + 1.0)
    lower = {lv: mean - _z(lv) * sigma * steps for lv in levels}
    upper = {lv: mean + _z(lv) * sigma * steps for lv in levels}
    return Prediction(mean, lower, upper)


def _reseason(p: Prediction, factors: np.ndarray) -> Prediction:
    return Prediction(
        p.mean * factors,
        {k: v * factors for k, v in p.lower.items()},
        {k: v * factors for k, v in p.upper.items()},
    )


def _finish(p: Prediction, y: np.ndarray) -> Prediction:
    return p.clipped(0.0) if np.min(y) >= 0 else p


def naive(y: np.ndarray, h: int, m: int, levels: Sequence[int] = (95,)) -> Prediction:
    return _finish(_random_walk(np.asarray(y, float), h, 1, levels), y)


def seasonal_naive(y: np.ndarray, h: int, m: int, levels: Sequence[int] = (95,)) -> Prediction:
    y = np.asarray(y, float)
    return _finish(_random_walk(y, h, m if len(y) > m else 1, levels), y)


def _deseasonalised(fit: Callable[[np.ndarray, int, Sequence[int]], Prediction]) -> LocalModel:
    def model(y: np.ndarray, h: int, m: int, levels: Sequence[int] = (95,)) -> Prediction:
        y = np.asarray(y, float)
        des = deseasonalise(y, m)
        p = fit(des.values, h, levels)
        return _finish(_reseason(p, des.future(h, len(y))), y)

    model.__doc__ = fit.__doc__
    return model


def _ets(spec: str, damped: bool = False) -> Callable[[np.ndarray, int, Sequence[int]], Prediction]:
    def fit(x: np.ndarray, h: int, levels: Sequence[int]) -> Prediction:
        from statsforecast.models import AutoETS

        out = AutoETS(season_length=1, model=spec, damped=damped).forecast(y=x, h=h, level=list(levels))
        return Prediction(
            np.asarray(out["mean"], float),
            {lv: np.asarray(out[f"lo-{lv}"], float) for lv in levels},
            {lv: np.asarray(out[f"hi-{lv}"], float) for lv in levels},
        )

    fit.__doc__ = f"ETS({spec}{', damped' if damped else ''}) on the deseasonalised series"
    return fit


def _naive_fit(x: np.ndarray, h: int, levels: Sequence[int]) -> Prediction:
    """Naive2: the last deseasonalised value, reseasonalised."""
    return _random_walk(x, h, 1, levels)


def _theta_fit(x: np.ndarray, h: int, levels: Sequence[int]) -> Prediction:
    """Theta classic (M4's `Theta.classic`): the mean of the linear trend line (theta 0) and SES on
    the theta-2 line 2x - trend."""
    n = len(x)
    t = np.arange(1, n + 1, dtype=float)
    slope, intercept = np.polyfit(t, x, 1)
    line_in = intercept + slope * t
    line_out = intercept + slope * np.arange(n + 1, n + h + 1, dtype=float)
    ses = _ets("ANN")(2.0 * x - line_in, h, levels)
    return Prediction(
        0.5 * ses.mean + 0.5 * line_out,
        {lv: 0.5 * ses.lower[lv] + 0.5 * line_out for lv in levels},
        {lv: 0.5 * ses.upper[lv] + 0.5 * line_out for lv in levels},
    )


naive2 = _deseasonalised(_naive_fit)
ses = _deseasonalised(_ets("ANN"))
holt = _deseasonalised(_ets("AAN"))
damped = _deseasonalised(_ets("AAN", damped=True))
theta = _deseasonalised(_theta_fit)


def com(y: np.ndarray, h: int, m: int, levels: Sequence[int] = (95,)) -> Prediction:
    """Com: the mean of SES, Holt and Damped (forecasts and interval bounds)."""
    parts = [f(y, h, m, levels) for f in (ses, holt, damped)]
    return Prediction(
        np.mean([p.mean for p in parts], axis=0),
        {lv: np.mean([p.lower[lv] for p in parts], axis=0) for lv in levels},
        {lv: np.mean([p.upper[lv] for p in parts], axis=0) for lv in levels},
    )


BENCHMARKS: dict[str, LocalModel] = {
    "naive": naive,
    "snaive": seasonal_naive,
    "naive2": naive2,
    "ses": ses,
    "holt": holt,
    "damped": damped,
    "theta": theta,
    "com": com,
}


def weekly_naive(y: np.ndarray, h: int, m: int, levels: Sequence[int] = (95,)) -> Prediction:
    """Not an M4 benchmark: hourly series repeat their last week (lag 168) when they hold two weeks;
    other series fall back to the seasonal naive."""
    y = np.asarray(y, float)
    lag = 7 * m if m == 24 and len(y) >= 14 * m else (m if len(y) > m else 1)
    return _finish(_random_walk(y, h, lag, levels), y)


# the engine's per-series models: the M4 benchmarks and a weekly seasonal naive for hourly data
LOCAL_MODELS: dict[str, LocalModel] = {**BENCHMARKS, "snaive_week": weekly_naive}
