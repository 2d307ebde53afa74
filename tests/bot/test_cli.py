"""The `parley` command line: every command explains itself; `init` starts a project that loads."""

from __future__ import annotations

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
