"""Forecasting benchmark: M4 Hourly (414 series, h=48) and Weekly (359 series, h=13), every model and
the ensemble, scored as M4 does (sMAPE, MASE, OWA, MSIS and coverage of the 95 % interval).

    .venv/bin/python bench/forecasting.py                        # validation pass, then the test split
    .venv/bin/python bench/forecasting.py --split validation     # tuning only: the test files are not read
    .venv/bin/python bench/forecasting.py --no-neural            # the statistical benchmarks alone

The validation split is the last h points of each training series (the models see the rest): it picks
the ensemble's members and calibrates the interval widths. The test split is M4's: models are refit on
the whole training series. Writes bench/results/forecasting.json and, per set, a JSON report with PNGs
under bench/results/forecasting/. Data: ../shared/data/m4_hourly_weekly beside the clone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "m4_hourly_weekly"
RESULTS = REPO / "bench" / "results"
log = logging.getLogger("bench.forecasting")

# the global model per set, tuned on the validation split
NEURAL = {
    "hourly": {
        "input_sizes": [168, 336],
        "point_losses": ["mae", "smape"],
        "history_limit": 480,
        "steps": 2000,
    },
    "weekly": {"input_sizes": [52, 104], "point_losses": ["mae", "smape"], "steps": 2000},
}
PUBLISHED = {  # M4 "Point Forecasts-Summary" / "Prediction Interval-Summary" (SOURCE.md)
    "naive2_hourly_smape": 18.383,
    "naive2_hourly_mase": 2.395,
    "naive2_weekly_smape": 9.161,
    "naive2_weekly_mase": 2.777,
    "theta_hourly_smape": 18.138,
    "theta_weekly_smape": 9.093,
    "smyl_hourly_owa": 0.440,
    "smyl_weekly_owa": 0.851,
    "fforma_weekly_owa": 0.796,
    "smyl_hourly_msis": 7.928,
    "smyl_weekly_msis": 22.034,
    "arima_hourly_msis": 7.538,
    "arima_weekly_msis": 19.575,
}
STATS = ("naive", "snaive", "naive2", "ses", "holt", "damped", "theta", "com", "snaive_week")


def machine(load_start: tuple[float, ...]) -> dict:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "loadavg_start": [round(v, 2) for v in load_start],
        "loadavg_end": [round(v, 2) for v in os.getloadavg()],
    }


def neural_model(d, cfg: dict, models: Path | None, reuse: bool, tag: str):
    """Train the global model on d.train (and save it under models/tag), or load the one saved there
    by an earlier run of the same config (its training time as measured then)."""
    from dataclasses import asdict

    from actions.forecasting.neural import NeuralConfig, NeuralForecaster

    config = NeuralConfig.from_dict({"horizon": d.h, "season": d.m, **cfg})
    path = models / tag if models is not None else None
    if reuse and path is not None and (path / "forecaster.json").is_file():
        nn = NeuralForecaster.load(path)
        if asdict(nn.config) | {"interval_scale": 1.0} != asdict(config):
            raise SystemExit(f"{path} holds another config than {cfg}; drop --reuse-models")
        log.info("event=bench.neural.reused path=%s train_s=%.1f", path, nn.train_seconds)
        return nn.with_interval_scale(1.0), True
    nn = NeuralForecaster(config).fit(d.train)
    if path is not None:
        nn.save(path)
    return nn, False


def run_set(
    name: str, splits: list[str], neural_cfg: dict | None, out: Path, models: Path | None, reuse: bool
) -> dict:
    from actions.forecasting import ensemble
    from actions.forecasting.benchmarks import LOCAL_MODELS
    from actions.forecasting.evaluate import (
        best_interval_scale,
        run_local,
        scale_intervals,
        score,
        write_report,
    )
    from actions.forecasting.m4 import load_m4

    data = {split: load_m4(DATA, name, split) for split in splits}
    preds: dict[str, dict] = {s: {} for s in splits}
    times: dict[str, dict] = {s: {} for s in splits}
    for split, d in data.items():
        for model in STATS:
            preds[split][model], secs = run_local(LOCAL_MODELS[model], d, f"{name} {split} {model}")
            times[split][model] = (0.0, secs)
            log.info("event=bench.model set=%s split=%s model=%s seconds=%.1f", name, split, model, secs)
    tuned: dict = {"chosen_on": "validation" if "validation" in data else splits[0]}
    if neural_cfg is not None:
        for split, d in data.items():
            nn, reused = neural_model(d, neural_cfg, models, reuse, f"{name}_{split}")
            started = time.perf_counter()
            p = nn.predict(d.train, (95,))
            fsecs = time.perf_counter() - started
            if split == tuned["chosen_on"]:
                tuned["nbeats_interval_scale"] = best_interval_scale(d, p)
            preds[split]["nbeats"] = [scale_intervals(q, tuned["nbeats_interval_scale"]) for q in p]
            times[split]["nbeats"] = (nn.train_seconds, fsecs)
            tuned[f"nbeats_{split}_reused_trained_model"] = reused
    # the ensemble: members, a blend partner, then the interval source and width, chosen on validation only
    dv = data[tuned["chosen_on"]]
    pv = preds[tuned["chosen_on"]]
    n2v = score(dv, pv["naive2"])
    candidates = {k: v for k, v in pv.items() if k != "naive"}
    members, val_owa = ensemble.choose_members(candidates, dv.train, dv.test, dv.m, (n2v.smape, n2v.mase))
    point = [ensemble.median([pv[m][i] for m in members]) for i in range(len(dv.ids))]
    partner, weight, val_owa = ensemble.choose_blend(
        point, candidates, dv.train, dv.test, dv.m, (n2v.smape, n2v.mase)
    )
    if partner is not None:
        point = [ensemble.blend(a, b, weight) for a, b in zip(point, pv[partner], strict=True)]
    source, factor, centre, val_msis = ensemble.choose_interval_source(
        point, candidates, dv.train, dv.test, dv.m
    )
    tuned.update(
        {
            "ensemble_members": list(members),
            "ensemble_blend_partner": partner,
            "ensemble_blend_weight": weight,
            "ensemble_validation_owa": round(val_owa, 4),
            "ensemble_interval_source": source,
            "ensemble_interval_scale": factor,
            "ensemble_interval_recentred": centre,
            "ensemble_validation_msis": round(val_msis, 4),
        }
    )
    log.info(
        "event=bench.ensemble set=%s members=%s blend=%s w=%.2f validation_owa=%.4f intervals=%s x%.2f "
        "msis=%.3f",
        name,
        members,
        partner,
        weight,
        val_owa,
        source,
        factor,
        val_msis,
    )
    result: dict = {"tuned": tuned}

    def point_of(ps: dict, i: int):
        p = ensemble.median([ps[m][i] for m in members])
        return p if partner is None else ensemble.blend(p, ps[partner][i], weight)

    for split, d in data.items():
        ps = preds[split]
        ps["ensemble"] = [
            ensemble.recentred(point_of(ps, i), ps[source][i], factor, centre) for i in range(len(d.ids))
        ]
        used = set(members) | {source} | ({partner} if partner else set())
        times[split]["ensemble"] = tuple(sum(times[split][m][k] for m in used) for k in (0, 1))
        n2 = score(d, ps["naive2"])
        scores = {m: score(d, p, (n2.smape, n2.mase), *times[split][m]) for m, p in ps.items()}
        write_report(out, d, scores, ps, "ensemble", {"split": split, "tuned": tuned, "neural": neural_cfg})
        result[split] = {m: s.rounded() for m, s in scores.items()}
    return result


def headline(sets: dict, split: str) -> dict:
    """The issue's keys, from the given split."""
    out: dict = {}
    for name, res in sets.items():
        if split not in res:
            continue
        ens, n2, th = res[split]["ensemble"], res[split]["naive2"], res[split]["theta"]
        out.update(
            {
                f"{name}_owa": ens["owa"],
                f"{name}_smape": ens["smape"],
                f"{name}_mase": ens["mase"],
                f"{name}_msis": ens["msis"],
                f"{name}_coverage95": ens["coverage95"],
                f"naive2_{name}_smape": n2["smape"],
                f"naive2_{name}_mase": n2["mase"],
                f"theta_{name}_smape": th["smape"],
            }
        )
    return out


def reproduction(sets: dict, split: str) -> dict:
    """Our Naive2 and Theta against the published M4 figures (should agree within 1 %)."""
    out = {}
    head = headline(sets, split)
    for key in (
        "naive2_hourly_smape",
        "naive2_hourly_mase",
        "naive2_weekly_smape",
        "naive2_weekly_mase",
        "theta_hourly_smape",
        "theta_weekly_smape",
    ):
        if key in head:
            rel = head[key] / PUBLISHED[key] - 1.0
            out[key] = {
                "measured": head[key],
                "published": PUBLISHED[key],
                "relative_difference": round(rel, 5),
                "within_1pct": abs(rel) <= 0.01,
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="+", default=["hourly", "weekly"], choices=["hourly", "weekly"])
    parser.add_argument("--split", choices=["validation", "test", "both"], default="both")
    parser.add_argument("--no-neural", action="store_true", help="the statistical models only")
    parser.add_argument(
        "--neural",
        type=json.loads,
        default=None,
        help='override the global model per set, e.g. \'{"hourly": {"steps": 500}}\'',
    )
    parser.add_argument("--save-models", type=Path, help="save the trained neural models under this folder")
    parser.add_argument(
        "--reuse-models",
        action="store_true",
        help="load the neural models an earlier run saved under --save-models (same config) "
        "instead of training them again; their train_s is the one measured then",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "forecasting.json")
    parser.add_argument("--note", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not DATA.is_dir():
        print(f"benchmark data not found at {DATA}", file=sys.stderr)
        return 1
    load_start = os.getloadavg()
    started = time.time()
    splits = ["validation", "test"] if args.split == "both" else [args.split]
    configs = {k: dict(v) for k, v in NEURAL.items()}
    for k, v in (args.neural or {}).items():
        configs[k].update(v)
    sets = {}
    for name in args.sets:
        sets[name] = run_set(
            name,
            splits,
            None if args.no_neural else configs[name],
            args.out.parent / "forecasting",
            args.save_models,
            args.reuse_models,
        )
    main_split = "test" if "test" in splits else "validation"
    test_train = sum(
        m["train_s"] for s in sets.values() for k, m in s.get("test", {}).items() if k in ("nbeats",)
    )
    test_forecast = sum(s.get("test", {}).get("ensemble", {}).get("forecast_s", 0.0) for s in sets.values())
    result = {
        **headline(sets, main_split),
        "train_s": round(test_train, 1),
        "forecast_s": round(test_forecast, 1),
        "train_forecast_s": round(test_train + test_forecast, 1),
        "reproduction": reproduction(sets, main_split),
        "headline_split": main_split,
        "headline_model": "ensemble",
        "splits": {
            "validation": "last h points of each M4 training series (models fit on the rest)",
            "test": "M4 test files (models fit on the whole training series)",
        },
        "published": PUBLISHED,
        "sets": sets,
        "neural": None if args.no_neural else {k: configs[k] for k in args.sets},
        "command": " ".join(["python", *sys.argv]),
        "note": args.note,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "bench_wall_s": round(time.time() - started, 1),
        "machine": machine(load_start),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name, res in sets.items():
        print(
            f"\nM4 {name} ({main_split})\n{'model':10} {'sMAPE':>7} {'MASE':>6} {'OWA':>6} {'MSIS':>7} "
            f"{'cov95':>6} {'train_s':>8} {'fc_s':>6}"
        )
        for model, s in res[main_split].items():
            print(
                f"{model:10} {s['smape']:7.3f} {s['mase']:6.3f} {s['owa']:6.3f} {s['msis']:7.3f} "
                f"{s['coverage95']:6.3f} {s['train_s']:8.1f} {s['forecast_s']:6.1f}"
            )
        print(f"ensemble members: {res['tuned']['ensemble_members']}")
    for key, r in result["reproduction"].items():
        print(
            f"{key:22} {r['measured']:8.3f} published {r['published']:8.3f} "
            f"({100 * r['relative_difference']:+.2f} %)"
        )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
