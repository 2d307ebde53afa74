"""`parley summarize` through register() on a fresh argparse parser."""

from __future__ import annotations

import argparse
import io
import json
import sys

import pytest

from actions.summarization.cli import register
from actions.summarization.errors import BadInput, NotFound


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_a_file_gives_its_summary_one_sentence_per_line(parser, summarizer, article, tmp_path, capsys):
    path = tmp_path / "article.txt"
    path.write_text(article, encoding="utf-8")
    args = parser.parse_args(["summarize", str(path), "--sentences", "2"])
    assert args.func(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and all(line in article for line in lines)


def test_stdin_and_json(parser, summarizer, article, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(article.encode())))
    args = parser.parse_args(["summarize", "-", "--words", "40", "--json"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["budget"] == {"words": 40} and out["summary_words"] <= 40


def test_errors_propagate_with_their_kind(parser, tmp_path):
    args = parser.parse_args(["summarize", str(tmp_path / "missing.txt")])
    with pytest.raises(NotFound, match="no such file") as info:
        args.func(args)
    assert info.value.kind == "not_found"
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4 binary")
    args = parser.parse_args(["summarize", str(pdf)])
    with pytest.raises(BadInput, match="PDF"):
        args.func(args)


def test_sentences_and_words_exclude_each_other(parser, capsys):
    with pytest.raises(SystemExit):
        parser.parse_args(["summarize", "x.txt", "--sentences", "2", "--words", "30"])
    assert "not allowed with argument" in capsys.readouterr().err
