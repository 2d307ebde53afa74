"""`parley forecast`: forecast a CSV series from the command line.

parley forecast --csv data.csv --horizon 48 --level 95 --plot out.png [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .engine import MODEL_NAMES, forecast
from .validate import DEFAULT_MAX_HORIZON


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forecast",
        help="forecast a series from a CSV file (point forecasts and intervals)",
        description="Forecast a series from a CSV with a header: a timestamp column "
        "(timestamp/ds/date) when there is one, and the value column (value/y, else the last).",
    )
    p.add_argument("--csv", type=Path, required=True, help="the series, one row per time step")
    p.add_argument("--horizon", type=int, required=True, help="steps to forecast")
    p.add_argument(
        "--level", type=int, action="append", help="interval level in percent (repeatable; default 80 and 95)"
    )
    p.add_argument("--freq", default="H", help="frequency: H, D, W, M, Q or Y (default H)")
    p.add_argument("--column", help="value column name (default: value, y, or the last column)")
    p.add_argument(
        "--model", default="auto", choices=MODEL_NAMES, help="model (default auto: chosen per series)"
    )
    p.add_argument("--neural-dir", type=Path, help="a trained neural model directory (for nbeats/ensemble)")
    p.add_argument("--max-horizon", type=int, default=DEFAULT_MAX_HORIZON, help=argparse.SUPPRESS)
    p.add_argument("--plot", type=Path, help="write the history, forecast and intervals as a PNG here")
    p.add_argument("--json", type=Path, help="write the forecast as JSON here (default: print it)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .data import read_csv

    series = read_csv(args.csv, freq=args.freq, column=args.column)
    neural = None
    if args.neural_dir is not None:
        from .neural import NeuralForecaster

        neural = NeuralForecaster.load(args.neural_dir)
    levels = args.level or [80, 95]
    (fc,) = forecast(
        [series], args.horizon, levels=levels, model=args.model, max_horizon=args.max_horizon, neural=neural
    )
    body = json.dumps(fc.to_dict(), indent=1)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(body + "\n")
        print(f"wrote {args.json}")
    else:
        print(body)
    if args.plot is not None:
        from .plot import forecast_png

        forecast_png(series, fc, args.plot)
        print(f"wrote {args.plot}")
    top = max(levels)
    print(
        f"{series.id}: next {fc.horizon} steps by {fc.model}, first {fc.mean[0]:.4g} "
        f"({top} % interval {fc.lower[top][0]:.4g} .. {fc.upper[top][0]:.4g})",
        file=sys.stderr,
    )
    return 0
