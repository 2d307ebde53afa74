"""`parley translate {demo-data,prepare,train,evaluate,explain,export}`.

`register(subparsers)` adds the commands to Parley's CLI; `python -m translation.cli` runs them alone.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from translation.errors import DataError, TranslationError

log = logging.getLogger(__name__)


def _demo_data(args: argparse.Namespace) -> int:
    from translation.demo_data import write_demo_data

    sizes = write_demo_data(Path(args.out), seed=args.seed)
    print(
        f"wrote demo English-German phrase pairs to {args.out}: "
        + ", ".join(f"{k} {v}" for k, v in sizes.items())
    )
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from translation.config import load_config
    from translation.data import prepare, read_parallel, read_tsv

    cfg = load_config(args.config)
    splits = {}
    if args.tsv:
        if args.data:
            raise DataError("give either --tsv or --data, not both")
        splits["train"] = read_tsv(Path(args.tsv))
    elif args.data:
        data = Path(args.data)
        for split, name in (("train", args.train), ("dev", args.dev), ("test", args.test)):
            src, tgt = data / f"{name}.{args.source}", data / f"{name}.{args.target}"
            if split == "train" or src.exists() or tgt.exists():
                splits[split] = read_parallel(src, tgt)
    else:
        raise DataError("give the corpus with --data DIR (aligned files) or --tsv FILE")
    report = prepare(Path(args.out), args.source, args.target, cfg.data, cfg.subwords, splits)
    for split, rep in report["splits"].items():
        dropped = ", ".join(f"{n} {r}" for r, n in rep["dropped"].items()) or "nothing"
        print(f"{split}: kept {rep['kept']} of {rep['total']} pairs (dropped {dropped})")
    if "hash_split" in report:
        print(
            "hash split of the single corpus: "
            + ", ".join(f"{k} {v}" for k, v in report["hash_split"].items())
        )
    print(f"sentencepiece vocabulary: {report['vocab_size']}; prepared data in {args.out}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from translation.config import load_config
    from translation.training import train

    overrides: dict = {"train": {}}
    if args.max_steps is not None:
        overrides["train"]["max_steps"] = args.max_steps
    cfg = load_config(args.config, overrides)
    summary = train(Path(args.data), Path(args.out), cfg, restart=args.restart, max_minutes=args.max_minutes)
    print(
        f"trained {summary.steps} steps ({summary.epochs} epochs) in {summary.elapsed_s / 60:.1f} min, "
        f"{summary.target_tokens_per_s:.0f} target tokens/s; best dev BLEU {summary.best_dev_bleu}; "
        f"stopped: {summary.stopped_because}; model in {args.out}"
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from translation.data import RAW_TEST, read_lines, read_parallel
    from translation.evaluation import evaluate
    from translation.translator import Translator

    translator = Translator.load(Path(args.model))
    if args.prepared:
        # the raw test pairs that `prepare` kept, never its cleaned test split (cleaning drops the long
        # and odd pairs and may lowercase: a score on it would flatter the model)
        src_file = Path(args.prepared) / f"{RAW_TEST}.{translator.source}"
        ref_file = Path(args.prepared) / f"{RAW_TEST}.{translator.target}"
        if not ref_file.is_file():
            raise DataError(
                f"{ref_file} is missing: {args.prepared} was prepared before `prepare` kept the raw test "
                f"pairs; re-run `parley translate prepare`, or give the raw files with --src and --ref"
            )
        pairs = read_parallel(src_file, ref_file)
        sources, refs = [p[0] for p in pairs], [p[1] for p in pairs]
    elif args.src and args.ref:
        ref_file = Path(args.ref)
        sources, refs = read_lines(Path(args.src)), read_lines(ref_file)
    else:
        raise DataError("give --src and --ref files (raw), or --prepared DIR (its raw test pairs)")
    out = Path(args.out or Path(args.model) / "evaluation.json")
    report = evaluate(
        translator,
        sources,
        refs,
        out,
        beam=args.beam,
        plot_sentence=args.plot_sentence,
        references_from=ref_file,
    )
    print(report["bleu_detail"])
    print(
        f"BLEU {report['bleu']:.2f}  chrF {report['chrf']:.2f}  ({report['sentences_count']} sentences, "
        f"beam {report['beam']}, {report['seconds']:.1f} s)"
    )
    print(f"signature: {report['bleu_signature']}")
    print(f"signature: {report['chrf_signature']}")
    print(f"references: {report['references']['from']} ({report['references']['lines']} lines)")
    print(
        f"per-sentence scores: {out}"
        + (f"; alignment plot: {report['alignment_png']}" if "alignment_png" in report else "")
    )
    return 0


def _explain(args: argparse.Namespace) -> int:
    from translation.evaluation import plot_alignment
    from translation.translator import Translator

    translator = Translator.load(Path(args.model))
    hyp = translator.translate([args.sentence], beam=args.beam, alignments=True)[0]
    png = plot_alignment(hyp, Path(args.out), title=f"{args.sentence[:60]}")
    print(hyp.text)
    print(f"score {hyp.score:.3f}; alignment plot: {png}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from translation.export import export

    out = export(Path(args.model), Path(args.out), beam=args.beam)
    print(f"SavedModel written to {out} (signature serving_default: text -> translation, score)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `translate` and its sub-commands to an argparse subparsers object."""
    top = subparsers.add_parser(
        "translate",
        help="neural machine translation: prepare, train, evaluate, serve",
        description="Train, evaluate and export Parley's translation models.",
    )
    sub = top.add_subparsers(dest="translate_command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo-data", help="write the demo English-German phrase pairs (train/dev/test)")
    p.add_argument("--out", required=True, help="directory for train/dev/test .en/.de files")
    p.add_argument("--seed", type=int, default=7, help="seed of the deterministic sampling (default 7)")
    p.set_defaults(func=_demo_data)

    p = sub.add_parser("prepare", help="clean a parallel corpus, split it and train sentencepiece subwords")
    p.add_argument("--data", help="directory with aligned files <split>.<lang>, e.g. train.en and train.de")
    p.add_argument("--tsv", help="one file of source<TAB>target lines (hash-split into train/dev/test)")
    p.add_argument("--source", default="en", help="source language code (file suffix), default en")
    p.add_argument("--target", default="de", help="target language code (file suffix), default de")
    p.add_argument("--train", default="train", help="file stem of the training split (default train)")
    p.add_argument(
        "--dev", default="dev", help="file stem of the dev split; hash split if absent (default dev)"
    )
    p.add_argument("--test", default="test", help="file stem of the test split; hash split if absent")
    p.add_argument("--config", help="YAML config (sections data, subwords); defaults otherwise")
    p.add_argument("--out", required=True, help="output directory for the prepared data")
    p.set_defaults(func=_prepare)

    p = sub.add_parser("train", help="train a model on prepared data (resumes from checkpoints in --out)")
    p.add_argument("--data", required=True, help="prepared directory (from `prepare`)")
    p.add_argument("--config", help="YAML config (sections model, train, decode)")
    p.add_argument(
        "--out", required=True, help="model directory to write (checkpoints go to OUT/checkpoints)"
    )
    p.add_argument("--max-minutes", type=float, help="time budget; stops, checkpoints and saves when reached")
    p.add_argument("--max-steps", type=int, help="override train.max_steps")
    p.add_argument("--restart", action="store_true", help="ignore existing checkpoints and start over")
    p.set_defaults(func=_train)

    p = sub.add_parser("evaluate", help="BLEU and chrF (sacrebleu), per-sentence scores, alignment plot")
    p.add_argument("--model", required=True, help="model directory")
    p.add_argument("--src", help="source sentences, one per line")
    p.add_argument("--ref", help="reference translations, one per line, raw (as published)")
    p.add_argument(
        "--prepared", help="prepared directory: evaluate on its raw (uncleaned) test pairs, test.raw.*"
    )
    p.add_argument("--beam", type=int, help="beam width (default: the model's decode.beam; 1 = greedy)")
    p.add_argument("--out", help="report JSON (default MODEL/evaluation.json); the PNG goes beside it")
    p.add_argument("--plot-sentence", type=int, default=0, help="index of the sentence to plot (default 0)")
    p.set_defaults(func=_evaluate)

    p = sub.add_parser("explain", help="translate one sentence and plot its attention alignment")
    p.add_argument("sentence", help='the source sentence, e.g. "a black cat sits on the mat"')
    p.add_argument("--model", required=True, help="model directory")
    p.add_argument("--beam", type=int, help="beam width (default: the model's decode.beam)")
    p.add_argument("--out", default="alignment.png", help="PNG file to write (default alignment.png)")
    p.set_defaults(func=_explain)

    p = sub.add_parser("export", help="export a SavedModel with a string -> string serving signature")
    p.add_argument("--model", required=True, help="model directory")
    p.add_argument("--out", required=True, help="SavedModel directory to write")
    p.add_argument("--beam", type=int, help="beam width baked into the export (default: decode.beam)")
    p.set_defaults(func=_export)


def run(args: argparse.Namespace) -> int:
    """Run a parsed `translate` command; engine errors become a one-line message and exit code 2."""
    try:
        return args.func(args)
    except TranslationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="parley")
    register(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
