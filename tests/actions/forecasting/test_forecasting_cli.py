"""`parley forecast` through its register() function on a fresh parser."""

from __future__ import annotations

import argparse
import json

import pytest

from actions.forecasting.cli import register
from actions.forecasting.errors import BadInput


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_forecast_writes_json_and_plot(visits_csv, tmp_path):
    out, png = tmp_path / "fc.json", tmp_path / "fc.png"
    args = _parser().parse_args(
        [
            "forecast",
            "--csv",
            str(visits_csv),
            "--horizon",
            "48",
            "--level",
            "95",
            "--plot",
            str(png),
            "--json",
            str(out),
        ]
    )
    assert args.func(args) == 0
    body = json.loads(out.read_text())
    assert body["horizon"] == 48 and set(body["intervals"]) == {"95"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_csv_raises_bad_input(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text("value\n" + "5\n" * 60)
    args = _parser().parse_args(["forecast", "--csv", str(path), "--horizon", "4"])
    with pytest.raises(BadInput, match="constant"):
        args.func(args)
    args = _parser().parse_args(["forecast", "--csv", str(tmp_path / "nope.csv"), "--horizon", "4"])
    with pytest.raises(BadInput, match="does not exist"):
        args.func(args)


def test_non_numeric_csv_value(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("value\n" + "".join(f"{i % 7}\n" for i in range(60)) + "n/a\n")
    args = _parser().parse_args(["forecast", "--csv", str(path), "--horizon", "4"])
    with pytest.raises(BadInput, match="'n/a', not a number"):
        args.func(args)
