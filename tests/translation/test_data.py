"""prepare: cleaning report, repeatable split, sentencepiece, and bad input named by file and line."""

from __future__ import annotations

import json

import pytest
import sentencepiece as spm

from translation.cli import main
from translation.config import DataConfig, SubwordConfig
from translation.data import clean, hash_split, prepare, read_parallel, read_tsv
from translation.errors import DataError


def test_cleaning_reports_what_was_dropped_and_why():
    pairs = [
        ("a b", "c d"),
        ("", "x"),
        ("a b", "c d"),
        ("one " * 20, "eins"),
        ("w " * 200, "w " * 200),
        ("fine here", "gut hier"),
    ]
    kept, report = clean(pairs, DataConfig(max_tokens=100, max_length_ratio=3.0))
    assert kept == [("a b", "c d"), ("fine here", "gut hier")]
    assert report.dropped == {
        "empty": 1,
        "duplicate": 1,
        "length ratio above 3.0": 1,
        "longer than 100 tokens": 1,
    }
    assert report.examples["duplicate"] == [3]
    assert "kept 2 of 6 pairs" in report.summary()


def test_hash_split_is_repeatable_and_order_independent():
    pairs = [(f"sentence {i}", f"Satz {i}") for i in range(2000)]
    a = hash_split(pairs, 0.1, 0.1)
    b = hash_split(list(reversed(pairs)), 0.1, 0.1)
    assert {k: sorted(v) for k, v in a.items()} == {k: sorted(v) for k, v in b.items()}
    assert 150 < len(a["dev"]) < 250 and 150 < len(a["test"]) < 250
    assert not set(a["train"]) & set(a["test"])


def test_prepare_splits_one_corpus_and_trains_sentencepiece(tmp_path, tiny_pairs):
    report = prepare(
        tmp_path / "out",
        "en",
        "de",
        DataConfig(dev_fraction=0.2, test_fraction=0.2),
        SubwordConfig(vocab_size=120, model_type="bpe", joint=False),
        {"train": tiny_pairs * 2},
    )
    assert report["splits"]["train"]["dropped"] == {"duplicate": 50}
    assert sum(report["hash_split"].values()) == 50
    sp = spm.SentencePieceProcessor(model_file=str(tmp_path / "out" / "spm.de.model"))
    assert sp.decode(sp.encode("Hallo, Anna!")) == "Hallo, Anna!"
    assert (tmp_path / "out" / "spm.en.model").is_file()
    assert json.loads((tmp_path / "out" / "meta.json").read_text())["joint"] is False


def test_misaligned_files_name_both_files_and_the_line(tmp_path):
    (tmp_path / "a.en").write_text("one\ntwo\nthree\n", encoding="utf-8")
    (tmp_path / "a.de").write_text("eins\nzwei\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.en has 3 lines but .*a\.de has 2.*a\.en:3"):
        read_parallel(tmp_path / "a.en", tmp_path / "a.de")


def test_non_utf8_names_file_and_line(tmp_path):
    (tmp_path / "a.en").write_bytes(b"fine\nalso fine\nbad \xff\xfe here\n")
    (tmp_path / "a.de").write_text("x\ny\nz\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.en: line 3 is not valid UTF-8"):
        read_parallel(tmp_path / "a.en", tmp_path / "a.de")


def test_empty_corpus_names_the_file(tmp_path):
    (tmp_path / "a.en").write_text("", encoding="utf-8")
    (tmp_path / "a.de").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match=r"a\.en: empty corpus"):
        read_parallel(tmp_path / "a.en", tmp_path / "a.de")
    with pytest.raises(DataError, match="empty corpus after cleaning"):
        clean([("", ""), (" ", "x")], DataConfig(), name="train")


def test_tsv_line_without_a_tab_is_named(tmp_path):
    (tmp_path / "c.tsv").write_text("hello\thallo\nno tab here\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"c\.tsv: line 2 has 1 tab-separated fields"):
        read_tsv(tmp_path / "c.tsv")


def test_cli_prepare_reports_bad_input_without_a_traceback(tmp_path, capsys):
    (tmp_path / "train.en").write_text("one\ntwo\n", encoding="utf-8")
    (tmp_path / "train.de").write_text("eins\n", encoding="utf-8")
    code = main(["translate", "prepare", "--data", str(tmp_path), "--out", str(tmp_path / "p")])
    assert code == 2
    assert "train.en has 2 lines but" in capsys.readouterr().err
