"""The bot reads YAML through the one loader and keeps raising its own ConfigError, with the line."""

from __future__ import annotations

import pytest

from bot.dialogue.stories import load_dialogue_data
from bot.errors import ConfigError
from bot.yamlio import read_yaml


def test_read_yaml_keeps_lines_and_raises_the_bots_config_error(tmp_path):
    path = tmp_path / "endpoints.yml"
    path.write_text("tracker_store:\n  type: redis\n", encoding="utf-8")
    assert read_yaml(path)["tracker_store"].line_of("type") == 2
    path.write_text("tracker_store:\n  type: redis\n  type: memory\n", encoding="utf-8")
    duplicate = r"endpoints\.yml: line 3, column 3: .*duplicate key 'type'"
    with pytest.raises(ConfigError, match=duplicate) as info:
        read_yaml(path)
    assert info.value.line == 3


def test_stories_with_bad_yaml_name_the_line(tmp_path):
    (tmp_path / "stories.yml").write_text("stories:\n- story: a\n  steps: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stories\.yml: line 4, column 1: malformed YAML"):
        load_dialogue_data([tmp_path])
    (tmp_path / "stories.yml").write_bytes(b"stories:\n- story: caf\xe9\n")
    with pytest.raises(ConfigError, match=r"stories\.yml: line 2, column 13: not valid UTF-8"):
        load_dialogue_data([tmp_path])
