"""NLU commands: `parley test nlu`, `parley data split`, `parley data convert`.

`bot/cli.py` hangs `add_test_nlu_parser` under its `parley test` and calls `register_data`; `register`
adds both (a `test` parent included) for the standalone `python -m nlu.cli`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger("parley.nlu")


def _project_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--project",
        "-p",
        default=".",
        type=Path,
        help="project folder; the other paths default to places inside it (default: current folder)",
    )


def add_test_nlu_parser(test_subparsers: argparse._SubParsersAction) -> None:
    p = test_subparsers.add_parser(
        "nlu",
        help="evaluate the NLU model: intent and entity reports, confusion matrix, errors",
        description="Parse every example of the test data with the trained NLU model and write "
        "intent_report.json, "
        "intent_confusion_matrix.png, intent_histogram.png, entity_report.json and errors.json into --out. "
        "With --cross-validation, train and test --folds times on the data instead "
        "(no trained model needed).",
    )
    _project_arg(p)
    p.add_argument(
        "--model",
        "-m",
        type=Path,
        default=None,
        help="trained NLU model folder (default: <project>/models/nlu)",
    )
    p.add_argument(
        "--nlu",
        "-u",
        type=Path,
        nargs="+",
        default=None,
        help="test data: Rasa YAML files or folders, a CSV (text,intent) or SNIPS JSON "
        "(default: <project>/data)",
    )
    p.add_argument(
        "--out",
        "-o",
        type=Path,
        default=None,
        help="output folder for the reports (default: <project>/results/nlu)",
    )
    p.add_argument(
        "--config",
        "-c",
        type=Path,
        default=None,
        help="config.yml whose pipeline cross-validation trains (default: <project>/config.yml)",
    )
    p.add_argument(
        "--cross-validation",
        action="store_true",
        help="train and evaluate on --folds hash-assigned folds of the data instead of using --model",
    )
    p.add_argument("--folds", "-f", type=int, default=5, help="number of cross-validation folds (default 5)")
    p.add_argument("--seed", type=int, default=None, help="random seed for cross-validation training")
    p.set_defaults(func=cmd_test_nlu)


def register_data(subparsers: argparse._SubParsersAction) -> None:
    data = subparsers.add_parser("data", help="training data tools: split, convert")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="TOOL")

    split = data_sub.add_parser(
        "split",
        help="split NLU data into a repeatable, stratified train and test set",
        description="Each example goes to the test set when the hash of its text falls below "
        "--test-fraction, so the "
        "same example always lands on the same side, whatever the order or size of the file. Writes "
        "training_data.yml and test_data.yml into --out.",
    )
    split.add_argument(
        "--nlu",
        "-u",
        type=Path,
        nargs="+",
        default=[Path("data")],
        help="NLU data: Rasa YAML files or folders, CSV, SNIPS JSON (default: data)",
    )
    split.add_argument(
        "--test-fraction", type=float, default=0.2, help="share of examples for the test set (default 0.2)"
    )
    split.add_argument(
        "--out",
        "-o",
        type=Path,
        default=Path("train_test_split"),
        help="output folder (default: train_test_split)",
    )
    split.set_defaults(func=cmd_data_split)

    convert = data_sub.add_parser(
        "convert",
        help="convert CSV (text,intent) or SNIPS JSON into Rasa NLU YAML",
        description="Reads a CSV with a header naming a text and an intent column (e.g. `text,intent` or "
        "`text,category`), or SNIPS 2017 JSON files/folders, and writes one Rasa 3 YAML file.",
    )
    convert.add_argument("inputs", type=Path, nargs="+", help="input files or folders")
    convert.add_argument(
        "--out", "-o", type=Path, required=True, help="YAML file to write, e.g. data/nlu.yml"
    )
    convert.set_defaults(func=cmd_data_convert)


def register(subparsers: argparse._SubParsersAction) -> None:
    test = subparsers.add_parser("test", help="evaluate models")
    add_test_nlu_parser(test.add_subparsers(dest="test_command", required=True, metavar="WHAT"))
    register_data(subparsers)


def _read(paths: list[Path]):
    from nlu.data.importers import read_any

    data = None
    for path in paths:
        part = read_any(path)
        data = part if data is None else data.merge(part)
    return data


def cmd_test_nlu(args: argparse.Namespace) -> int:
    project = args.project
    data = _read(args.nlu or [project / "data"])
    out = args.out or project / "results" / "nlu"
    if args.cross_validation:
        from nlu.config import load_pipeline_config
        from nlu.evaluate import cross_validate

        config = load_pipeline_config(args.config or project / "config.yml")
        summary = cross_validate(config, data, args.folds, out, seed=args.seed)
        overall = summary["overall"]
        print(f"cross-validation, {args.folds} folds, {overall['examples']} examples")
        for key in ("intent_accuracy", "intent_macro_f1", "entity_micro_f1"):
            if f"{key}_mean" in summary:
                print(f"  {key:18s} {summary[key + '_mean']:.4f} ± {summary[key + '_std']:.4f}")
    else:
        from nlu.evaluate import evaluate_model
        from nlu.model import NLUModel

        model = NLUModel.load(args.model or project / "models" / "nlu")
        summary = evaluate_model(model, data, out).to_dict()
        print(f"{summary['examples']} examples")
        for key in ("intent_accuracy", "intent_macro_f1", "intent_weighted_f1", "entity_micro_f1"):
            if summary[key] is not None:
                print(f"  {key:18s} {summary[key]:.4f}")
    print(f"reports written to {out}")
    return 0


def cmd_data_split(args: argparse.Namespace) -> int:
    from nlu.data.split import split_data
    from nlu.data.writer import write_yaml

    data = _read(args.nlu)
    train, test = split_data(data, args.test_fraction)
    write_yaml(train, args.out / "training_data.yml")
    write_yaml(test, args.out / "test_data.yml")
    print(f"{len(train.examples)} training and {len(test.examples)} test examples written to {args.out}")
    return 0


def cmd_data_convert(args: argparse.Namespace) -> int:
    from nlu.data.writer import write_yaml

    data = _read(args.inputs)
    write_yaml(data, args.out)
    print(
        f"{len(data.examples)} examples, {len(data.intents)} intents, {len(data.entities)} entities "
        f"written to {args.out}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu.cli", description="Parley NLU commands.")
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much to log (default INFO)",
    )
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from nlu.errors import NLUError

    try:
        return int(args.func(args) or 0)
    except NLUError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
