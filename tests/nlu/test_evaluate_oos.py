"""`parley test nlu` on test data with out-of-scope examples: the in-scope / OOS breakdown, a correct
refusal counted as right, the classifier's real confidence beside the fallback decision, no entity
figures without entities, and a confusion matrix that stays readable at 150 intents."""

from __future__ import annotations

import json
import random
from collections import Counter

from PIL import Image

from nlu.cli import _print_summary
from nlu.data.training_data import Example
from nlu.data.yaml_reader import read_yaml
from nlu.evaluate import evaluate_model, scored, write_reports
from nlu.oos import oos_labels_from
from nlu.plots import MAX_MATRIX_LABELS, OTHER, plot_confusion_matrix
from nlu.results import IntentPrediction, ParseResult

OOS_TEST = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello there
    - hi friend
- intent: goodbye
  examples: |
    - bye for now
    - see you
- intent: out_of_scope
  examples: |
    - what is the capital of peru
    - recommend a good novel
    - how tall is mount everest
"""


def _answer(text: str, intent: str, confidence: float, second: str = "other") -> ParseResult:
    ranking = [IntentPrediction(intent, confidence), IntentPrediction(second, (1 - confidence) / 2)]
    return ParseResult(text, ranking[0], ranking)


def _refusal(text: str, top: str, confidence: float, threshold: float = 0.3) -> ParseResult:
    """As FallbackClassifier leaves it: nlu_fallback at the threshold, prepended to the ranking."""
    fallback = IntentPrediction("nlu_fallback", threshold)
    return ParseResult(text, fallback, [fallback, IntentPrediction(top, confidence)])


def test_a_refusal_of_an_out_of_scope_example_counts_as_right(tmp_path):
    examples = [
        Example("hi", "greet"),
        Example("bye", "goodbye"),
        Example("hello", "greet"),
        Example("weather on mars", "out_of_scope"),
        Example("sing a song", "out_of_scope"),
    ]
    results = [
        _answer("hi", "greet", 0.9),
        _answer("bye", "goodbye", 0.8),
        _refusal("hello", "greet", 0.25),  # in scope, refused: wrong
        _refusal("weather on mars", "goodbye", 0.12),  # out of scope, refused: right
        _answer("sing a song", "greet", 0.7),  # out of scope, answered: wrong
    ]
    summary = write_reports(examples, results, tmp_path)
    assert summary.oos_examples == 2 and summary.refused == 2
    assert summary.inscope_accuracy == round(2 / 3, 6)
    assert summary.oos_recall == 0.5 and summary.oos_precision == 0.5
    assert summary.intent_accuracy == 0.6  # 2 in-scope right + 1 correct refusal, of 5
    oos = json.loads((tmp_path / "oos_report.json").read_text())
    assert oos["oos_examples"] == 2 and oos["inscope_examples"] == 3
    assert oos["oos_recall"] == 0.5 and set(oos["oos_labels"]) >= {"nlu_fallback", "out_of_scope"}
    report = json.loads((tmp_path / "intent_report.json").read_text())
    assert report["out_of_scope"]["recall"] == 0.5  # the refusal scored as `out_of_scope`
    assert report["out_of_scope"]["precision"] == 0.5  # the in-scope refusal counts against it

    errors = {e["text"]: e for e in json.loads((tmp_path / "errors.json").read_text())}
    assert set(errors) == {"hello", "sing a song"}  # the correct refusal is no error
    refused = errors["hello"]
    assert refused["predicted"] == "nlu_fallback" and refused["fallback"] is True
    # the classifier's own top intent and confidence, not the fallback threshold (0.3)
    assert refused["intent_prediction"] == {"name": "greet", "confidence": 0.25}
    assert errors["sing a song"]["fallback"] is False
    assert errors["sing a song"]["intent_prediction"]["confidence"] == 0.7


def test_no_entity_figures_without_entities_and_a_configured_oos_label(tmp_path, capsys):
    examples = [Example("hi", "greet"), Example("bye", "goodbye"), Example("dance", "oos")]
    results = [_answer("hi", "greet", 0.9), _answer("bye", "greet", 0.6), _refusal("dance", "greet", 0.1)]
    (tmp_path / "entity_report.json").write_text("{}")  # from an earlier run: must not stay
    summary = write_reports(examples, results, tmp_path, oos_labels=["oos"])
    assert summary.entity_micro_f1 is None and not (tmp_path / "entity_report.json").exists()
    assert summary.oos_examples == 1 and summary.oos_recall == 1.0
    errors = json.loads((tmp_path / "errors.json").read_text())
    assert [e["text"] for e in errors] == ["bye"] and errors[0]["wrong"] == ["intent"]

    _print_summary(summary.to_dict(), oos_labels_from(["oos"]))
    printed = capsys.readouterr().out
    assert "2 in scope, 1 out of scope" in printed
    assert "inscope_accuracy" in printed and "oos_recall" in printed and "oos_precision" in printed
    assert "1 refusals" in printed and "counts as right" in printed
    assert "entity" not in printed.replace("no entities in the test data: no entity figures", "")
    assert "goodbye -> greet: 1" in printed

    plain = write_reports(examples, results, tmp_path / "plain")  # `oos` not named: no breakdown
    assert plain.oos_examples == 0 and plain.oos_recall is None
    assert not (tmp_path / "plain" / "oos_report.json").exists()


def test_a_trained_model_on_out_of_scope_test_data(sparse_model, tmp_path):
    summary = evaluate_model(sparse_model, read_yaml(OOS_TEST), tmp_path)
    assert summary.examples == 7 and summary.oos_examples == 3
    assert summary.inscope_accuracy is not None and summary.oos_recall is not None
    assert summary.entity_micro_f1 is None and not (tmp_path / "entity_report.json").exists()
    oos = json.loads((tmp_path / "oos_report.json").read_text())
    assert oos["inscope_examples"] == 4 and 0.0 <= oos["oos_recall"] <= 1.0
    for error in json.loads((tmp_path / "errors.json").read_text()):
        top = error["intent_prediction"]
        assert top["name"] != "nlu_fallback"  # the classifier's own intent, the decision beside it
        assert error["fallback"] == (error["predicted"] == "nlu_fallback")


def _banking_like_set(n_intents: int = 150, per_intent: int = 8, n_oos: int = 150):
    """Synthetic predictions for a 150-intent set: most right, some confused between neighbours,
    some refused; out-of-scope examples mostly refused."""
    rng = random.Random(7)
    intents = [
        f"intent_{i:03d}_{w}" for i, w in enumerate(rng.choices(["card", "transfer", "refund"], k=150))
    ]
    intents = intents[:n_intents]
    examples, results = [], []
    for i, intent in enumerate(intents):
        for k in range(per_intent):
            text = f"{intent} {k}"
            examples.append(Example(text, intent))
            r = rng.random()
            if r < 0.8:
                results.append(_answer(text, intent, rng.uniform(0.6, 1.0)))
            elif r < 0.95:
                results.append(_answer(text, intents[(i + 1) % n_intents], rng.uniform(0.3, 0.7)))
            else:
                results.append(_refusal(text, intent, rng.uniform(0.05, 0.3)))
    for k in range(n_oos):
        text = f"off topic {k}"
        examples.append(Example(text, "out_of_scope"))
        if rng.random() < 0.7:
            results.append(_refusal(text, rng.choice(intents), rng.uniform(0.05, 0.3)))
        else:
            results.append(_answer(text, rng.choice(intents), rng.uniform(0.3, 0.9)))
    return examples, results


def test_150_intents_with_out_of_scope_give_the_breakdown_and_a_readable_matrix(tmp_path, capsys):
    examples, results = _banking_like_set()
    summary = write_reports(examples, results, tmp_path)
    _print_summary(summary.to_dict(), oos_labels_from(None))
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "1350 examples: 1200 in scope, 150 out of scope (nlu_fallback, out_of_scope)"
    assert any(line.split() == ["oos_recall", f"{summary.oos_recall:.4f}"] for line in printed)
    listed = printed[printed.index("top confusions (true -> predicted: examples):") + 1 :]
    assert len(listed) == 10 and all(" -> " in line for line in listed)
    assert summary.examples == 150 * 8 + 150 and summary.oos_examples == 150
    oos = json.loads((tmp_path / "oos_report.json").read_text())
    truth_oos = [r for e, r in zip(examples, results, strict=True) if e.intent == "out_of_scope"]
    refused_oos = sum(r.intent.name == "nlu_fallback" for r in truth_oos)
    assert oos["oos_recall"] == round(refused_oos / 150, 6)
    assert summary.oos_recall == oos["oos_recall"] and summary.inscope_accuracy == oos["inscope_accuracy"]

    confusions = json.loads((tmp_path / "intent_confusions.json").read_text())["top_confusions"]
    assert len(confusions) == 20 and confusions[0]["count"] >= confusions[-1]["count"] > 0
    pairs = Counter(
        (e.intent, r.intent.name)
        for e, r in zip(examples, results, strict=True)
        if e.intent != r.intent.name and not (e.intent == "out_of_scope" and r.intent.name == "nlu_fallback")
    )
    assert confusions[0]["count"] == max(pairs.values())  # the correct refusals are no confusion

    png = tmp_path / "intent_confusion_matrix.png"
    width, height = Image.open(png).size
    assert 800 <= width <= 4000 and 800 <= height <= 4000  # big enough to read, small enough to open
    truth = [e.intent for e in examples]
    predicted = scored(truth, [r.intent.name for r in results], oos_labels_from(None))  # as write_reports
    shown = plot_confusion_matrix(truth, predicted, tmp_path / "again.png")
    assert len(shown) == MAX_MATRIX_LABELS + 1 and shown[-1] == OTHER  # truncated, the rest summed
    assert "out_of_scope" in shown  # the label in the most confusions
    assert "nlu_fallback" not in shown  # every refusal scored as the test data's out-of-scope label
