"""`parley summarize FILE [--sentences N | --words N] [--json]`: a summary of a text file (or stdin: '-').

    parley summarize article.txt --sentences 2
    cat notes.txt | parley summarize - --words 60 --json

Prints the chosen sentences one per line (or the JSON of POST /summarize) and returns 0. Engine errors
propagate as SummarizationError; the caller maps its `kind` to an exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from actions.summarization.errors import NotFound
from actions.summarization.summary import Budget
from actions.summarization.uploads import text_from_upload


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "summarize",
        help="extractive summary of a text file",
        description="Extractive summary of a text file with the NLU's sentence encoder (English).",
    )
    parser.add_argument("file", metavar="FILE", help="a UTF-8 text file, or '-' for standard input")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--sentences", type=int, metavar="N", help="summary length in sentences (default 3)")
    length.add_argument("--words", type=int, metavar="N", help="summary length in words instead")
    parser.add_argument("--json", action="store_true", help="print the JSON that POST /summarize returns")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, summarizer: Any | None = None) -> int:
    """The `summarize` command; `summarizer` defaults to the shared engine (loaded on first use)."""
    text = _read(args.file)
    budget = None
    if args.sentences is not None:
        budget = Budget(sentences=args.sentences)
    elif args.words is not None:
        budget = Budget(words=args.words)
    if summarizer is None:
        from actions.summarization.engine import default_summarizer

        summarizer = default_summarizer()
    summary = summarizer.summarize(text, budget)
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=1))
    else:
        for sentence in summary.sentences:
            print(sentence.text)
    return 0


def _read(name: str) -> str:
    if name == "-":
        return text_from_upload(sys.stdin.buffer.read(), filename="standard input", content_type="text/plain")
    path = Path(name)
    if not path.is_file():
        raise NotFound(f"{name}: no such file; give the path of a text file, or '-' for standard input")
    return text_from_upload(path.read_bytes(), filename=path.name, content_type="text/plain")
