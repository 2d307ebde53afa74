"""NLU commands: `parley train nlu`, `parley test nlu`, `parley data split`, `parley data convert`.

`bot/cli.py` hangs `add_train_nlu_parser` under its `parley train`, `add_test_nlu_parser` under its
`parley test` and calls `register_data`; `register` adds them all (`train` and `test` parents
included) for the standalone `python -m nlu.cli`."""

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
        "intent_report.json, intent_confusions.json, intent_confusion_matrix.png, intent_histogram.png, "
        "errors.json, entity_report.json (when the test data has entities) and oos_report.json (when it "
        "has out-of-scope examples) into --out. Examples labelled nlu_fallback, out_of_scope or an "
        "--oos-label are out of scope: a refusal of one counts as right, and in-scope accuracy, OOS "
        "recall and OOS precision are printed. With --cross-validation, train and test --folds times on "
        "the data instead (no trained model needed).",
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
    p.add_argument(
        "--oos-label",
        action="append",
        default=[],
        metavar="NAME",
        help="an intent name that marks out-of-scope test examples, besides nlu_fallback and "
        "out_of_scope (repeatable, e.g. --oos-label oos)",
    )
    p.set_defaults(func=cmd_test_nlu)


def add_train_nlu_parser(train_subparsers: argparse._SubParsersAction) -> None:
    p = train_subparsers.add_parser(
        "nlu",
        help="train the NLU model alone (no domain.yml or project needed)",
        description="Train the NLU pipeline on NLU data alone: no domain.yml, stories or project folder "
        "needed. The pipeline comes from --config, else <project>/config.yml when it exists, else "
        "Parley's default pipeline. An unchanged config and data are not retrained (--force does).",
    )
    _project_arg(p)
    p.add_argument(
        "--data",
        "--nlu",
        "-u",
        type=Path,
        nargs="+",
        default=None,
        help="training data: Rasa YAML files or folders, a CSV (text,intent) or SNIPS JSON "
        "(default: <project>/data)",
    )
    p.add_argument(
        "--config",
        "-c",
        type=Path,
        default=None,
        help="config.yml with the pipeline (default: <project>/config.yml if present, else the default "
        "pipeline)",
    )
    p.add_argument(
        "--out", "-o", type=Path, default=None, help="model folder to write (default: <project>/models/nlu)"
    )
    p.add_argument("--force", action="store_true", help="retrain even when config and data are unchanged")
    p.add_argument("--seed", type=int, default=None, help="random seed for reproducible training")
    p.set_defaults(func=cmd_train_nlu)


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
    train = subparsers.add_parser("train", help="train models")
    add_train_nlu_parser(train.add_subparsers(dest="train_command", required=True, metavar="WHAT"))
    test = subparsers.add_parser("test", help="evaluate models")
    add_test_nlu_parser(test.add_subparsers(dest="test_command", required=True, metavar="WHAT"))
    register_data(subparsers)


def _read(paths: list[Path]):
    from nlu.data.importers import read_any
    from nlu.errors import TrainingDataError

    data = None
    for path in paths:
        if not Path(path).exists():
            raise TrainingDataError(
                path,
                None,
                "no such file or folder (give NLU data: Rasa YAML files or folders, a CSV or SNIPS JSON)",
            )
        part = read_any(path)
        data = part if data is None else data.merge(part)
    return data


def _pipeline(config: Path | None, project: Path):
    """--config, else <project>/config.yml when present, else Parley's default pipeline."""
    from nlu.config import load_pipeline_config, parse_pipeline
    from nlu.errors import PipelineConfigError

    if config is not None and not config.is_file():
        raise PipelineConfigError(config, None, "no such file (give a config.yml with a 'pipeline:')")
    path = config or project / "config.yml"
    if path.is_file():
        return load_pipeline_config(path)
    log.info("event=nlu.config.default reason=no_config_file looked_for=%s", path)
    return parse_pipeline(None, "en", "Parley's default pipeline")


def cmd_train_nlu(args: argparse.Namespace) -> int:
    import time

    from nlu.train import train_on_data

    started = time.monotonic()
    project = args.project
    config = _pipeline(args.config, project)
    data = _read(args.data or [project / "data"])
    out = args.out or project / "models" / "nlu"
    outcome = train_on_data(config, data, out, force=args.force, seed=args.seed)
    verdict = "trained" if outcome.retrained else "unchanged, kept"
    figures = ", ".join(f"{k}={v}" for k, v in outcome.summary.items() if not isinstance(v, dict | list))
    print(f"NLU model {verdict} -> {outcome.model_dir}  ({figures})")
    print(f"pipeline: {config.source}")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


FIGURES = (  # printed under these names, as in the summary JSON
    "intent_accuracy",
    "intent_macro_f1",
    "intent_weighted_f1",
    "inscope_accuracy",
    "oos_recall",
    "oos_precision",
    "entity_micro_f1",
)


def _print_summary(summary: dict, labels: frozenset[str], top: int = 10) -> None:
    n, oos = summary["examples"], summary["oos_examples"]
    if oos:
        print(f"{n} examples: {n - oos} in scope, {oos} out of scope ({', '.join(sorted(labels))})")
    else:
        print(f"{n} examples, none labelled out of scope ({', '.join(sorted(labels))}; more: --oos-label)")
    for key in FIGURES:
        if summary.get(key) is not None:
            print(f"  {key:20s} {summary[key]:.4f}")
    if summary["refused"]:
        right = "; a refusal of an out-of-scope example counts as right" if oos else ""
        print(f"  {summary['refused']} refusals (nlu_fallback or an out-of-scope label){right}")
    if summary["entity_micro_f1"] is None:
        print("  (no entities in the test data: no entity figures)")
    confusions = summary["top_confusions"][:top]
    if confusions:
        print("top confusions (true -> predicted: examples):")
        for c in confusions:
            print(f"  {c['intent']} -> {c['predicted']}: {c['count']}")


def _print_fold(fold: int, n_folds: int, summary, seconds: float) -> None:
    figures = [f"intent accuracy {summary.intent_accuracy:.4f}"]
    if summary.oos_recall is not None:
        figures.append(f"in-scope {summary.inscope_accuracy:.4f}, OOS recall {summary.oos_recall:.4f}")
    if summary.entity_micro_f1 is not None:
        figures.append(f"entity F1 {summary.entity_micro_f1:.4f}")
    print(f"fold {fold}/{n_folds}: {summary.examples} test examples, {', '.join(figures)} ({seconds:.0f} s)")
    sys.stdout.flush()


def cmd_test_nlu(args: argparse.Namespace) -> int:
    from nlu.oos import oos_labels_from

    project = args.project
    data = _read(args.nlu or [project / "data"])
    out = args.out or project / "results" / "nlu"
    labels = oos_labels_from(args.oos_label)
    if args.cross_validation:
        from nlu.evaluate import cross_validate

        if args.folds < 2:
            raise SystemExit(f"error: --folds must be at least 2, got {args.folds}")
        config = _pipeline(args.config, project)
        print(
            f"cross-validation: {args.folds} folds of {len(data.examples)} examples, pipeline {config.source}"
        )
        summary = cross_validate(
            config, data, args.folds, out, seed=args.seed, oos_labels=labels, progress=_print_fold
        )
        print(f"cross-validation, {args.folds} folds, mean ± std over the folds:")
        for key in FIGURES:
            if f"{key}_mean" in summary:
                print(f"  {key:20s} {summary[key + '_mean']:.4f} ± {summary[key + '_std']:.4f}")
        print("all held-out predictions together:")
        _print_summary(summary["overall"], labels)
    else:
        from nlu.evaluate import evaluate_model
        from nlu.model import NLUModel

        model = NLUModel.load(args.model or project / "models" / "nlu")
        _print_summary(evaluate_model(model, data, out, oos_labels=labels).to_dict(), labels)
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
