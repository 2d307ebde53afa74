"""Translations are scored against the raw references, never the cleaned test split `prepare` writes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.translation.conftest import tiny_config
from translation.cli import main
from translation.data import RAW_TEST, clean, hash_split, prepare, raw_test_pairs, read_parallel


def _raw_test(tiny_pairs) -> list[tuple[str, str]]:
    """Test pairs the way published test sets look: odd spacing, a duplicate, one very long pair."""
    long_source = " ".join(["a man in a blue shirt"] * 25)
    long_target = " ".join(["ein Mann in einem blauen Hemd"] * 25)
    return [
        *tiny_pairs[:6],
        ("  " + tiny_pairs[6][0] + "  ", tiny_pairs[6][1] + "  "),  # whitespace cleaning would change it
        tiny_pairs[0],  # a duplicate: cleaning drops it
        (long_source, long_target),  # over max_tokens: cleaning drops it
        ("", ""),  # a blank line: nothing to score, not kept
    ]


@pytest.fixture(scope="module")
def prepared_raw(tmp_path_factory, tiny_pairs) -> Path:
    out = tmp_path_factory.mktemp("prepared_raw")
    cfg = tiny_config("transformer")
    prepare(out, "en", "de", cfg.data, cfg.subwords,
            {"train": tiny_pairs, "dev": tiny_pairs, "test": _raw_test(tiny_pairs)})  # fmt: skip
    return out


def test_prepare_keeps_the_raw_test_pairs_beside_the_cleaned_split(prepared_raw, tiny_pairs):
    raw = read_parallel(prepared_raw / f"{RAW_TEST}.en", prepared_raw / f"{RAW_TEST}.de")
    cleaned = read_parallel(prepared_raw / "test.en", prepared_raw / "test.de")
    assert raw == _raw_test(tiny_pairs)[:-1]  # as given, byte for byte; only the blank pair is gone
    assert len(cleaned) == 7 < len(raw) == 9  # cleaning dropped the duplicate and the long pair
    meta = json.loads((prepared_raw / "meta.json").read_text())
    assert meta["raw_test"] == {"stem": RAW_TEST, "pairs": 9}


def test_cli_evaluate_prepared_scores_the_raw_references_and_records_both_signatures(
    transformer_dir, prepared_raw, tiny_pairs, tmp_path, capsys
):
    out = tmp_path / "eval.json"
    argv = ["translate", "evaluate", "--model", str(transformer_dir), "--prepared", str(prepared_raw),
            "--out", str(out), "--beam", "2", "--plot-sentence", "-1"]  # fmt: skip
    assert main(argv) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["sentences_count"] == 9  # the raw test set, not the 7 cleaned pairs
    assert report["references"]["from"] == str(prepared_raw / f"{RAW_TEST}.de")
    assert len(report["references"]["sha256"]) == 64
    assert [s["reference"] for s in report["sentences"]] == [t for _, t in _raw_test(tiny_pairs)[:-1]]
    assert report["bleu_signature"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    assert report["chrf_signature"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:")
    assert report["sacrebleu_version"] in report["bleu_signature"]
    # scoring the cleaned split instead leaves out the long pair and the duplicate: another figure
    cleaned_out = tmp_path / "cleaned.json"
    argv = ["translate", "evaluate", "--model", str(transformer_dir), "--src", str(prepared_raw / "test.en"),
            "--ref", str(prepared_raw / "test.de"), "--out", str(cleaned_out), "--beam", "2",
            "--plot-sentence", "-1"]  # fmt: skip
    assert main(argv) == 0
    cleaned = json.loads(cleaned_out.read_text())
    assert cleaned["sentences_count"] == 7
    assert cleaned["references"]["sha256"] != report["references"]["sha256"]
    assert f"references: {prepared_raw / (RAW_TEST + '.de')} (9 lines)" in capsys.readouterr().out


def test_evaluate_prepared_without_raw_files_says_how_to_fix_it(
    transformer_dir, prepared_raw, tmp_path, capsys
):
    old = tmp_path / "old_prepared"
    old.mkdir()
    for f in prepared_raw.iterdir():
        if not f.name.startswith(RAW_TEST):
            (old / f.name).write_bytes(f.read_bytes())
    argv = ["translate", "evaluate", "--model", str(transformer_dir), "--prepared", str(old)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{RAW_TEST}.de is missing" in err and "re-run `parley translate prepare`" in err


def test_hash_split_raw_test_holds_every_raw_pair_of_the_test_bucket(tiny_pairs):
    cfg = replace(tiny_config("transformer").data, test_fraction=0.3)
    corpus = [*tiny_pairs, *[(f"  {s.upper()} ", t) for s, t in tiny_pairs[:20]]]
    raw = raw_test_pairs(corpus, cfg, hashed=True)
    cleaned, _ = clean(corpus, cfg)
    wanted = hash_split(cleaned, cfg.dev_fraction, cfg.test_fraction)["test"]
    assert wanted and all(pair in corpus for pair in raw)  # raw pairs, as given
    assert set(wanted) <= set(clean(raw, cfg)[0])  # nothing of the cleaned test split is missing
    assert len(raw) < len(corpus) / 2  # and it is the test bucket, not the corpus
