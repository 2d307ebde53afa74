"""endpoints.yml `translation_server:` reaches the project config; a wrong key fails at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_project


def _project(tmp_path: Path, endpoints: str) -> Path:
    (tmp_path / "config.yml").write_text("language: en\n")
    (tmp_path / "domain.yml").write_text('version: "3.1"\nintents: [greet]\n')
    (tmp_path / "endpoints.yml").write_text(endpoints)
    return tmp_path


def test_the_model_server_is_read_from_endpoints(tmp_path: Path):
    root = _project(tmp_path, "translation_server:\n  url: http://tfserving:8501\n  model: en-de\n")
    server = load_project(root, env={}).translation_server
    assert (server.url, server.model_for("en", "de"), server.timeout) == (
        "http://tfserving:8501",
        "en-de",
        10.0,
    )
    assert (
        load_project(_project(tmp_path, "tracker_store: {type: redis}\n"), env={}).translation_server is None
    )


def test_an_unknown_key_names_file_line_and_key(tmp_path: Path):
    root = _project(tmp_path, "translation_server:\n  url: http://tfserving:8501\n  modle: en-de\n")
    with pytest.raises(Exception, match=r"translation_server\.modle") as err:
        load_project(root, env={})
    assert "endpoints.yml" in str(err.value)
