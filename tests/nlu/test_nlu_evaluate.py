"""`parley test nlu`: every report file, readable plots, correct figures, cross-validation."""

from __future__ import annotations

import json

from PIL import Image

from nlu import load_training_data
from nlu.cli import main
from nlu.data.training_data import EntityAnnotation, Example
from nlu.evaluate import REPORT_FILES, entity_report, evaluate_model, intent_report
from nlu.results import Entity, IntentPrediction, ParseResult


def test_intent_report_figures():
    report = intent_report(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert report["accuracy"] == 0.75
    assert report["a"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1-score": 0.666667,
        "support": 2,
        "confused_with": {"b": 1},
    }
    assert report["b"]["precision"] == 0.666667 and report["b"]["recall"] == 1.0
    assert report["macro avg"]["f1-score"] == round((0.666667 + 0.8) / 2, 6)


def test_entity_report_counts_exact_spans_only():
    gold = [Example("fly to new york", "f", (EntityAnnotation(7, 15, "city", "new york"),))]
    partial = [
        ParseResult(
            "fly to new york", IntentPrediction("f", 1.0), [], [Entity("city", "york", 11, 15, 0.9, "x")]
        )
    ]
    assert entity_report(gold, partial)["micro avg"]["f1-score"] == 0.0
    exact = [
        ParseResult(
            "fly to new york", IntentPrediction("f", 1.0), [], [Entity("city", "new york", 7, 15, 0.9, "x")]
        )
    ]
    assert entity_report(gold, exact)["city"]["f1-score"] == 1.0


def test_evaluation_writes_every_file(sparse_model, tiny_project, tmp_path):
    data = load_training_data([tiny_project / "data"])
    summary = evaluate_model(sparse_model, data, tmp_path / "results")
    for name in REPORT_FILES:
        assert (tmp_path / "results" / name).is_file(), name
    report = json.loads((tmp_path / "results" / "intent_report.json").read_text())
    assert {"accuracy", "macro avg", "weighted avg", "greet"} <= set(report)
    assert set(report["greet"]) >= {"precision", "recall", "f1-score", "support"}
    assert summary.intent_accuracy >= 0.9 and summary.entity_micro_f1 is not None
    entities = json.loads((tmp_path / "results" / "entity_report.json").read_text())
    assert "city" in entities and "micro avg" in entities
    assert isinstance(json.loads((tmp_path / "results" / "errors.json").read_text()), list)
    for png in ("intent_confusion_matrix.png", "intent_histogram.png"):
        width, height = Image.open(tmp_path / "results" / png).size
        assert width >= 600 and height >= 400


def test_cli_test_nlu_and_cross_validation(sparse_model_dir, tiny_project, tmp_path, capsys):
    out = tmp_path / "cli"
    assert (
        main(
            [
                "test",
                "nlu",
                "--model",
                str(sparse_model_dir),
                "--nlu",
                str(tiny_project / "data"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "intent_accuracy" in capsys.readouterr().out
    assert all((out / name).is_file() for name in REPORT_FILES)

    cv = tmp_path / "cv"
    assert (
        main(
            [
                "test",
                "nlu",
                "--cross-validation",
                "--folds",
                "2",
                "--config",
                str(tiny_project / "config.yml"),
                "--nlu",
                str(tiny_project / "data"),
                "--out",
                str(cv),
            ]
        )
        == 0
    )
    summary = json.loads((cv / "cross_validation.json").read_text())
    assert len(summary["folds"]) == 2 and "intent_accuracy_mean" in summary
    assert all((cv / name).is_file() for name in REPORT_FILES)


def test_cli_data_convert_and_split(tmp_path, capsys):
    csv = tmp_path / "train.csv"
    csv.write_text(
        "text,intent\n" + "".join(f"hello number {i},greet\nbye number {i},bye\n" for i in range(20))
    )
    assert main(["data", "convert", str(csv), "--out", str(tmp_path / "nlu.yml")]) == 0
    data = load_training_data([tmp_path / "nlu.yml"])
    assert len(data.examples) == 40
    assert (
        main(
            [
                "data",
                "split",
                "--nlu",
                str(tmp_path / "nlu.yml"),
                "--test-fraction",
                "0.25",
                "--out",
                str(tmp_path / "split"),
            ]
        )
        == 0
    )
    train = load_training_data([tmp_path / "split" / "training_data.yml"])
    test = load_training_data([tmp_path / "split" / "test_data.yml"])
    assert len(train.examples) + len(test.examples) == 40 and set(test.intents) == {"greet", "bye"}


def test_cli_reports_errors_without_traceback(tmp_path, capsys):
    assert main(["test", "nlu", "--model", str(tmp_path / "none"), "--nlu", str(tmp_path)]) == 2
    assert "parley train" in capsys.readouterr().err
