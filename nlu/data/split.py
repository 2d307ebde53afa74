"""Repeatable train/test split by hashing each example's text.

An example goes to the test side when the hash of its normalised text falls below `test_fraction`,
so the same example always lands on the same side whatever the order or size of the file, and every
intent is cut at the same point (stratified in expectation). Only for an intent whose examples would
all land on one side is one example moved (the one nearest the cut), so each intent with two or more
examples appears on both sides."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from nlu.data.training_data import Example, TrainingData


def example_hash(text: str, salt: str = "") -> float:
    """Uniform in [0, 1), stable across runs, machines and Python versions."""
    digest = hashlib.sha256((salt + " ".join(text.lower().split())).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def validation_slice(texts: list[str], fraction: float, minimum: int = 100) -> list[bool]:
    """Which texts are held out for early stopping: a stable hashed `fraction` of them, and none when
    that would be fewer than `minimum` examples. Every trained component holds out the same slice."""
    if fraction <= 0 or len(texts) * fraction < minimum:
        return [False] * len(texts)
    return [example_hash(t, "validation") < fraction for t in texts]


def hashed_subset(names: list[str], share: float, salt: str) -> list[str]:
    """The `int(len(names) * share)` names with the lowest `example_hash(name, salt)` (ties by name),
    sorted: a choice of intents that no one picked by hand, the same on every machine. BANKING77-OOS
    holds out `hashed_subset(intents, 0.25, "oos")`, 19 of its 77 intents, as out of scope."""
    ranked = sorted(set(names), key=lambda name: (example_hash(name, salt), name))
    return sorted(ranked[: int(len(ranked) * share)])


def split_examples(
    examples: list[Example], test_fraction: float, salt: str = ""
) -> tuple[list[Example], list[Example]]:
    """(kept, cut): `cut` holds about `test_fraction` of every intent. The benchmarks' development
    split is `split_examples(train, 0.1, salt="dev")[1]`."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be within (0, 1), got {test_fraction}")
    by_intent: dict[str, list[tuple[float, Example]]] = defaultdict(list)
    for ex in examples:
        by_intent[ex.full_intent].append((example_hash(ex.text, salt), ex))
    test_ids: set[int] = set()
    for items in by_intent.values():
        side = [h < test_fraction for h, _ in items]
        if len(items) >= 2 and all(side):
            side[max(range(len(items)), key=lambda i: items[i][0])] = False
        elif len(items) >= 2 and not any(side):
            side[min(range(len(items)), key=lambda i: items[i][0])] = True
        test_ids.update(id(ex) for (h, ex), s in zip(items, side, strict=True) if s)
    train = [ex for ex in examples if id(ex) not in test_ids]
    test = [ex for ex in examples if id(ex) in test_ids]
    return train, test


def split_data(data: TrainingData, test_fraction: float, salt: str = "") -> tuple[TrainingData, TrainingData]:
    train, test = split_examples(data.examples, test_fraction, salt)
    return data.with_examples(train), data.with_examples(test)


def folds(examples: list[Example], n_folds: int, salt: str = "") -> list[tuple[list[Example], list[Example]]]:
    """Cross-validation folds: fold k holds the examples whose hash falls in [k/n, (k+1)/n)."""
    if n_folds < 2:
        raise ValueError(f"need at least 2 folds, got {n_folds}")
    assign = [min(int(example_hash(ex.text, salt) * n_folds), n_folds - 1) for ex in examples]
    out = []
    for k in range(n_folds):
        test = [ex for ex, a in zip(examples, assign, strict=True) if a == k]
        train = [ex for ex, a in zip(examples, assign, strict=True) if a != k]
        out.append((train, test))
    return out
