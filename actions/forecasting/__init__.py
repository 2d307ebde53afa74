"""Forecasting: a model-backed action and its engine (imports neither `bot` nor the server).

- `engine.forecast(series, horizon, levels=..., model=...)` -> `Forecast`s; input problems raise
  `errors.BadInput` (kind "bad_input") with what to fix;
- models: the M4 benchmarks (`benchmarks.py`), a global N-BEATS model in TensorFlow (`neural.py`),
  their median ensemble (`ensemble.py`);
- evaluation as M4 defines it (`metrics.py`, `evaluate.py`), the M4 sets (`m4.py`), plots (`plot.py`);
- surfaces: `cli.register` (`parley forecast`), `http.forecast_request` (POST /forecast),
  `action.ForecastAction` (`action_forecast`).
"""
