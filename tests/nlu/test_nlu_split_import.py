"""Hash split, importers (CSV, SNIPS JSON) and the YAML writer."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from nlu.data.importers import read_csv, read_snips
from nlu.data.split import folds, split_examples
from nlu.data.training_data import EntityAnnotation, Example, TrainingData
from nlu.data.writer import to_yaml
from nlu.data.yaml_reader import read_yaml
from nlu.errors import TrainingDataError


def _examples(n_intents=5, per_intent=40):
    return [
        Example(f"{intent} request number {i}", intent)
        for intent in [f"i{k}" for k in range(n_intents)]
        for i in range(per_intent)
    ]


def test_split_is_repeatable_and_order_independent():
    examples = _examples()
    train, test = split_examples(examples, 0.25)
    shuffled = examples[:]
    random.Random(3).shuffle(shuffled)
    train2, test2 = split_examples(shuffled, 0.25)
    assert {e.text for e in test} == {e.text for e in test2}
    assert {e.text for e in train} == {e.text for e in train2}


def test_split_does_not_depend_on_the_size_of_the_file():
    examples = _examples()
    _, test_full = split_examples(examples, 0.25)
    _, test_half = split_examples(examples[::2], 0.25)
    assert {e.text for e in test_half} == {e.text for e in test_full} & {e.text for e in examples[::2]}


def test_split_is_stratified():
    train, test = split_examples(_examples(per_intent=200), 0.2)
    counts = Counter(e.intent for e in test)
    assert set(counts) == {f"i{k}" for k in range(5)}
    assert all(25 <= c <= 55 for c in counts.values()), counts
    # Tiny intents still appear on both sides.
    train, test = split_examples([Example("a", "x"), Example("b", "x")], 0.2)
    assert len(train) == 1 and len(test) == 1


def test_folds_partition_the_data():
    examples = _examples()
    parts = folds(examples, 4)
    assert sum(len(test) for _, test in parts) == len(examples)
    assert all(len(train) + len(test) == len(examples) for train, test in parts)


def test_csv_import(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text('text,category\nhello,greet\n"where is my card, please?",card_arrival\n')
    data = read_csv(path)
    assert [(e.text, e.intent) for e in data.examples] == [
        ("hello", "greet"),
        ("where is my card, please?", "card_arrival"),
    ]
    (tmp_path / "bad.csv").write_text("foo,bar\n1,2\n")
    with pytest.raises(TrainingDataError, match="bad.csv:1"):
        read_csv(tmp_path / "bad.csv")


def test_snips_import_keeps_exact_spans(tmp_path):
    obj = {
        "PlayMusic": [
            {
                "data": [
                    {"text": "play "},
                    {"text": "Bohemian Rhapsody ", "entity": "track"},
                    {"text": "by "},
                    {"text": "Queen", "entity": "artist"},
                ]
            }
        ]
    }
    path = tmp_path / "train_PlayMusic_full.json"
    path.write_text(json.dumps(obj))
    ex = read_snips([path]).examples[0]
    assert ex.text == "play Bohemian Rhapsody by Queen"
    assert [ex.text[a.start : a.end] for a in ex.entities] == ["Bohemian Rhapsody", "Queen"]


def test_yaml_writer_round_trips():
    data = TrainingData(
        examples=[
            Example(
                "fly from Berlin to Rome",
                "fly",
                (
                    EntityAnnotation(9, 15, "city", "Berlin", role="from"),
                    EntityAnnotation(19, 23, "city", "Roma", role="to"),
                ),
            ),
            Example("hi [there]", "greet"),
            Example("book NYC", "book", (EntityAnnotation(5, 8, "city", "New York"),)),
        ],
        synonyms={"nyc": "New York"},
    )
    again = read_yaml(to_yaml(data))
    assert [(e.text, e.intent, e.entities) for e in again.examples] == [
        (e.text, e.intent, e.entities) for e in data.examples
    ]
    assert again.synonyms == {"nyc": "New York", "rome": "Roma"}


SNIPS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "snips_nlu_benchmark_2017"


@pytest.mark.skipif(not SNIPS.is_dir(), reason="../shared/data/snips_nlu_benchmark_2017 absent")
def test_real_snips_validation_files_import():
    data = read_snips(sorted(SNIPS.glob("*/validate_*.json")))
    assert len(data.examples) == 700 and len(data.intents) == 7
    for ex in data.examples:
        for a in ex.entities:
            assert ex.text[a.start : a.end] == a.value


def test_validation_slice_is_stable_and_only_taken_from_enough_data():
    from nlu.data.split import validation_slice

    few = [f"example number {i}" for i in range(500)]
    assert not any(validation_slice(few, 0.1))  # 50 < 100 examples: nothing held out
    many = [f"example number {i}" for i in range(5000)]
    cut = validation_slice(many, 0.1)
    assert 400 < sum(cut) < 600
    assert validation_slice(many[::-1], 0.1) == cut[::-1]  # by text, not by position
