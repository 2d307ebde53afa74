"""The benchmarks' own honesty checks: held-out stories are not training stories, latency texts are
unique, a speed verdict needs ranges that do not overlap, the machine is read, not assumed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "rasa_projects"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dialogue = _load("dialogue")
embeddings = _load("embeddings")
machine = _load("machine")


def test_rest_texts_never_repeat_so_no_parse_is_a_cache_hit():
    conversations = dialogue.unique_conversations(200)
    texts = [t for c in conversations for t in c]
    assert all(len(c) == len(dialogue.REPEATED) for c in conversations)
    assert len(texts) == len(set(texts)) == 1600
    with pytest.raises(ValueError, match="at most"):
        dialogue.unique_conversations(10_000)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/rasa_projects is absent")
def test_held_out_stories_are_no_training_stories_and_shipped_copies_are_found():
    from bot.dialogue.stories import load_dialogue_data

    for name, root, held_out, shipped in dialogue.story_projects():
        training = load_dialogue_data([root / "data"]).stories
        if held_out is not None:
            blocks = load_dialogue_data([held_out]).stories
            assert blocks, held_out
            assert dialogue._copies_of_training(blocks, training) == [], name
        if name == "e2ebot":  # the review's finding: its shipped test stories are its training stories
            shipped_blocks = load_dialogue_data([shipped]).stories
            assert len(dialogue._copies_of_training(shipped_blocks, training)) == len(shipped_blocks) == 4


def test_speed_verdict_only_when_the_ranges_do_not_overlap():
    ours, ref = embeddings.spread([350.0, 361.0, 355.0]), embeddings.spread([346.0, 362.0, 355.0])
    assert embeddings.verdict(ours, ref, "higher") == "within noise"
    fast, slow = embeddings.spread([5.5, 5.8, 6.0]), embeddings.spread([6.5, 7.1, 7.3])
    assert embeddings.verdict(fast, slow, "lower") == "ahead"
    assert embeddings.verdict(slow, fast, "lower") == "behind"
    assert embeddings.verdict(slow, fast, "higher") == "ahead"


def test_machine_is_read_and_its_peak_measured():
    assert machine.cpu_model() and machine.cpu_model() != "unknown"
    flops = machine.peak_flops(n=256, repeats=2, tensorflow=False)
    assert flops["peak_from"] == "numpy" and flops["peak_fp32_flop_per_s"] > 1e8
