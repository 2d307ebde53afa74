"""Checkpoints and resume: an interrupted run continues from its last checkpoint."""

from __future__ import annotations

import json

import pytest

from tests.translation.conftest import tiny_config
from translation.training import train
from translation.translator import Translator


def test_training_resumes_from_the_last_checkpoint(transformer_run):
    out, first, second = transformer_run
    assert first.steps == 100
    assert second.steps == 200  # continued from step 100, not restarted
    assert second.target_tokens > first.target_tokens
    assert second.elapsed_s > first.elapsed_s
    log = json.loads((out / "train_log.json").read_text())
    assert [h["step"] for h in log["history"]] == [100, 150, 200]
    assert log["history"][-1]["dev_bleu"] >= 90
    assert (out / "checkpoints" / "checkpoint").is_file()
    assert any((out / "tensorboard").iterdir())


@pytest.mark.slow
def test_time_budget_stops_training_and_a_rerun_only_finalises(prepared, tmp_path):
    out = tmp_path / "model"
    cfg = tiny_config("rnn", max_steps=10_000, checkpoint_every=2)
    summary = train(prepared, out, cfg, max_minutes=0.05, progress=False)
    assert summary.stopped_because.startswith("time budget")
    assert summary.steps < 10_000
    assert Translator.load(out).translate(["Hello!"], beam=2)[0].text is not None
    again = train(prepared, out, cfg, max_minutes=0.05, progress=False)
    assert again.steps == summary.steps  # budget already spent: only finalises, trains no further step


@pytest.mark.slow
def test_last_checkpoints_are_averaged_and_restart_starts_over(prepared, tmp_path):
    out = tmp_path / "model"
    summary = train(
        prepared, out, tiny_config("rnn", max_steps=6, average_last=2, checkpoint_every=2), progress=False
    )
    assert summary.steps == 6
    last = json.loads((out / "train_log.json").read_text())["history"][-1]
    assert last["averaged"] == 2 and isinstance(last["kept"], bool)
    restarted = train(prepared, out, tiny_config("rnn", max_steps=3), restart=True, progress=False)
    assert restarted.steps == 3
