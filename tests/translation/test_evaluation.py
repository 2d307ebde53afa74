"""evaluate writes BLEU/chrF with signatures, per-sentence scores and an alignment PNG; explain plots."""

from __future__ import annotations

import json

from translation.cli import main
from translation.evaluation import evaluate


def test_evaluate_writes_scores_signature_per_sentence_and_png(transformer, tiny_pairs, tmp_path):
    out = tmp_path / "eval" / "report.json"
    report = evaluate(
        transformer, [p[0] for p in tiny_pairs], [p[1] for p in tiny_pairs], out, beam=2, plot_sentence=3
    )
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["bleu"] == report["bleu"] >= 90
    assert saved["chrf"] >= 90
    assert "case:mixed" in saved["bleu_signature"] and "tok:13a" in saved["bleu_signature"]
    assert len(saved["sentences"]) == 50
    assert set(saved["sentences"][0]) >= {"source", "reference", "hypothesis", "bleu", "chrf"}
    png = tmp_path / "eval" / "report.alignment.png"
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_cli_evaluate_and_explain(transformer_dir, prepared, tiny_pairs, tmp_path, capsys):
    source, reference = tiny_pairs[0]  # a pair the tiny model memorised
    assert (
        main(
            [
                "translate",
                "evaluate",
                "--model",
                str(transformer_dir),
                "--prepared",
                str(prepared),
                "--out",
                str(tmp_path / "e.json"),
                "--beam",
                "2",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "BLEU" in printed and "signature: nrefs:1|case:mixed" in printed
    assert (
        main(
            [
                "translate",
                "explain",
                source,
                "--model",
                str(transformer_dir),
                "--out",
                str(tmp_path / "a.png"),
            ]
        )
        == 0
    )
    assert reference in capsys.readouterr().out
    assert (tmp_path / "a.png").stat().st_size > 1000
