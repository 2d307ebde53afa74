"""The development split the benchmarks tune on: cut from train by a hash of each example's text,
disjoint from what is trained on, the same on every run and in any order, and stratified by intent."""

from __future__ import annotations

from collections import Counter

from nlu.data.split import hashed_subset, split_examples
from nlu.data.training_data import Example


def _examples(per_intent: dict[str, int]) -> list[Example]:
    return [
        Example(f"{intent} request number {i} please", intent)
        for intent, n in per_intent.items()
        for i in range(n)
    ]


def _dev(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    return split_examples(examples, 0.1, salt="dev")


def test_dev_is_disjoint_from_train_and_nothing_is_lost():
    examples = _examples({"a": 60, "b": 40, "c": 25})
    train, dev = _dev(examples)
    assert dev and train
    assert not {ex.text for ex in train} & {ex.text for ex in dev}
    assert sorted(ex.text for ex in train + dev) == sorted(ex.text for ex in examples)


def test_dev_is_stable_across_runs_order_and_growth():
    examples = _examples({"a": 60, "b": 40, "c": 25})
    _, dev = _dev(examples)
    _, again = _dev(list(reversed(examples)))
    assert {ex.text for ex in dev} == {ex.text for ex in again}
    # More data later: every example keeps its side (the hash looks at the text only).
    _, grown = _dev(examples + _examples({"a": 90})[60:] + _examples({"d": 30}))
    assert {ex.text for ex in dev} <= {ex.text for ex in grown}
    assert not {ex.text for ex in grown} - {ex.text for ex in dev} & {ex.text for ex in examples}


def test_dev_is_stratified_by_intent():
    examples = _examples({"big": 400, "mid": 120, "small": 30, "pair": 2})
    _, dev = _dev(examples)
    counts = Counter(ex.intent for ex in dev)
    assert 0.06 * 400 <= counts["big"] <= 0.14 * 400
    assert 0.04 * 120 <= counts["mid"] <= 0.17 * 120
    assert 1 <= counts["small"] <= 7
    assert counts["pair"] == 1  # an intent with two examples is on both sides


def test_another_salt_gives_another_split():
    examples = _examples({"a": 200})
    _, dev = _dev(examples)
    _, other = split_examples(examples, 0.1, salt="validation")
    assert {ex.text for ex in dev} != {ex.text for ex in other}


def test_out_of_scope_intents_are_a_stable_hashed_quarter():
    names = [f"intent_{i}" for i in range(77)]
    chosen = hashed_subset(names, 0.25, "oos")
    assert len(chosen) == 19 and set(chosen) <= set(names)
    assert hashed_subset(list(reversed(names)), 0.25, "oos") == chosen
    assert hashed_subset(names, 0.25, "other salt") != chosen
