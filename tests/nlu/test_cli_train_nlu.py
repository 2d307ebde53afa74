"""`parley train nlu --data ...` with no domain.yml and no project folder, `parley test nlu` on its
model with an out-of-scope label (the classifier's real confidence in errors.json), cross-validation
from the command line, and clear messages for missing files."""

from __future__ import annotations

import json

import pytest

from nlu.cli import _pipeline, main
from nlu.components.defaults import DEFAULT_PIPELINE
from tests.nlu.conftest import SPARSE_CONFIG, TINY_NLU

# The tiny pipeline with a fallback that refuses every message short of certainty (its top two
# confidences a whole 1.0 apart): the tiny model is confident even on messages it never saw.
STRICT_CONFIG = SPARSE_CONFIG.replace("threshold: 0.3", "threshold: 1.0").replace(
    "ambiguity_threshold: 0.05", "ambiguity_threshold: 1.0"
)

OOS_TEST = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello there friend
    - hi
- intent: goodbye
  examples: |
    - goodbye and see you
- intent: oos
  examples: |
    - what is the capital of peru
    - recommend a good novel
"""


@pytest.fixture(scope="module")
def nlu_only(tmp_path_factory):
    """A folder with NLU data and a config only: no domain.yml, stories or rules."""
    root = tmp_path_factory.mktemp("nlu_only")
    (root / "nlu.yml").write_text(TINY_NLU)
    (root / "strict.yml").write_text(STRICT_CONFIG)
    (root / "test.yml").write_text(OOS_TEST)
    return root


@pytest.fixture(scope="module")
def trained(nlu_only):
    out = nlu_only / "model"
    code = main(
        [
            "train",
            "nlu",
            "--data",
            str(nlu_only / "nlu.yml"),
            "--config",
            str(nlu_only / "strict.yml"),
            "--out",
            str(out),
            "--seed",
            "1",
        ]
    )
    assert code == 0
    return out


def test_train_nlu_without_a_domain(trained, nlu_only, capsys):
    assert not (nlu_only / "domain.yml").exists()
    metadata = json.loads((trained / "metadata.json").read_text())
    assert set(metadata["intents"]) == {"greet", "goodbye", "book_flight", "weather", "zip"}
    # the same config and data again: kept, not retrained
    again = ["train", "nlu", "--data", str(nlu_only / "nlu.yml"), "--config", str(nlu_only / "strict.yml")]
    assert main([*again, "--out", str(trained), "--seed", "1"]) == 0
    assert "NLU model unchanged, kept" in capsys.readouterr().out


def test_test_nlu_shows_the_real_confidence_beside_the_fallback(trained, nlu_only, capsys):
    from nlu.model import NLUModel

    out = nlu_only / "results"
    args = ["test", "nlu", "--model", str(trained), "--nlu", str(nlu_only / "test.yml"), "--out", str(out)]
    assert main([*args, "--oos-label", "oos"]) == 0
    printed = capsys.readouterr().out
    assert "5 examples: 3 in scope, 2 out of scope" in printed
    assert "inscope_accuracy" in printed and "oos_recall" in printed and "oos_precision" in printed
    assert "entity_micro_f1" not in printed and not (out / "entity_report.json").exists()
    assert (out / "oos_report.json").is_file()

    errors = json.loads((out / "errors.json").read_text())
    refused = [e for e in errors if e["fallback"]]
    assert refused, "the strict fallback refuses the in-scope messages"
    model = NLUModel.load(trained)
    for error in refused:
        parsed = model.parse(error["text"])
        assert parsed.intent.name == "nlu_fallback" and parsed.intent.confidence == 1.0
        top = parsed.intent_ranking[1]  # FallbackClassifier prepends itself: the classifier's own top next
        assert error["intent_prediction"] == {"name": top.name, "confidence": round(top.confidence, 6)}
        assert error["intent"] != "oos"  # a refused out-of-scope message is right, not an error


OOS_TRAIN = """\
- intent: oos
  examples: |
    - what is the capital of peru
    - recommend a good novel
    - how tall is mount everest
    - tell me a joke about cats
    - who won the football match
    - what is the meaning of life
"""


def test_cross_validation_from_the_command_line(nlu_only, tmp_path, capsys):
    data = tmp_path / "nlu.yml"
    data.write_text(TINY_NLU + OOS_TRAIN)  # `oos` trained as an intent of its own
    cv = tmp_path / "cv"
    args = ["test", "nlu", "--cross-validation", "--folds", "2", "--nlu", str(data), "--out", str(cv)]
    assert main([*args, "--config", str(nlu_only / "strict.yml"), "--seed", "1", "--oos-label", "oos"]) == 0
    printed = capsys.readouterr().out
    assert "fold 1/2:" in printed and "fold 2/2:" in printed  # progress, fold by fold
    assert "mean ± std over the folds" in printed and "oos_recall" in printed
    summary = json.loads((cv / "cross_validation.json").read_text())
    assert len(summary["folds"]) == 2
    assert {"intent_accuracy_std", "oos_recall_mean", "inscope_accuracy_mean"} <= set(summary)
    assert summary["overall"]["oos_examples"] == 6 and (cv / "oos_report.json").is_file()


def test_default_pipeline_without_a_config(tmp_path):
    config = _pipeline(None, tmp_path)  # no --config, no <project>/config.yml
    assert [c.name for c in config.components] == [c["name"] for c in DEFAULT_PIPELINE]
    (tmp_path / "config.yml").write_text(SPARSE_CONFIG)
    assert "HubFeaturizer" not in [c.name for c in _pipeline(None, tmp_path).components]


def test_missing_files_are_named(tmp_path, capsys):
    assert main(["train", "nlu", "--data", str(tmp_path / "nope.yml"), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "nope.yml" in err and "no such file or folder" in err and "Traceback" not in err
    (tmp_path / "nlu.yml").write_text(TINY_NLU)
    args = ["train", "nlu", "--data", str(tmp_path / "nlu.yml"), "--config", str(tmp_path / "cfg.yml")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "cfg.yml" in err and "no such file" in err
    assert not (tmp_path / "models").exists()
