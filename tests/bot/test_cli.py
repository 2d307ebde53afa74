"""The `parley` command line: every command explains itself; `init` starts a project that loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_project
from nlu.config import DEFAULT_PIPELINE, load_pipeline_config

COMMANDS = ["init", "train", "run", "shell", "test", "data", "embeddings", "translate", "export"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: parley") and "-h, --help" in out


def test_init_writes_a_project_with_the_default_pipeline(tmp_path, capsys):
    folder = tmp_path / "new-bot"
    assert main(["init", str(folder)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {folder / 'domain.yml'}" in printed and "parley train --project" in printed
    for name in ("config.yml", "domain.yml", "endpoints.yml", "credentials.yml", "data/nlu.yml"):
        assert (folder / name).is_file(), name
    assert not (folder / "models").exists() and not (folder / ".parley").exists()
    project = load_project(folder, env={})
    pipeline = load_pipeline_config(project.config_path)
    assert [c.name for c in pipeline.components] == [c["name"] for c in DEFAULT_PIPELINE]


def test_init_refuses_to_overwrite_a_project(tmp_path, capsys):
    folder = tmp_path / "bot"
    assert main(["init", str(folder)]) == 0
    (folder / "domain.yml").write_text("version: '3.1'\nintents: [mine]\n")
    capsys.readouterr()
    assert main(["init", str(folder)]) == 4  # kind "conflict"
    err = capsys.readouterr().err
    assert "already holds config.yml" in err and "empty folder" in err
    assert "mine" in (folder / "domain.yml").read_text()


def test_train_nlu_is_a_train_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "nlu", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: parley train nlu") and "--data" in out and "no domain.yml" in out


def test_quiet_start_up_without_tensorflow_noise(tmp_path):
    """`parley train nlu` in a fresh process: TensorFlow loads and trains, and none of its C++
    start-up lines (absl's pre-init banner, INFO lines, `failed call to cuInit`) reach the terminal."""
    import os
    import subprocess
    import sys

    from tests.nlu.conftest import SPARSE_CONFIG, TINY_NLU

    (tmp_path / "nlu.yml").write_text(TINY_NLU)
    (tmp_path / "config.yml").write_text(SPARSE_CONFIG.replace("epochs: 40", "epochs: 3"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP_")}
    repo = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "bot.cli", "train", "nlu", "--data", "nlu.yml", "--out", "model"]
    run = subprocess.run(
        command,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "NLU model trained" in run.stdout and (tmp_path / "model" / "metadata.json").is_file()
    assert "cuInit" not in run.stderr and "absl::InitializeLog" not in run.stderr
    assert not [line for line in run.stderr.splitlines() if re.match(r"I\d{4} ", line)], run.stderr

    helped = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--help"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert helped.returncode == 0 and "cuInit" not in helped.stderr and helped.stderr == ""
