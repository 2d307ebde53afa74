"""The dialogue model is retrained exactly when its inputs change, whatever the YAML files are called."""

from __future__ import annotations

from pathlib import Path

from bot.dialogue.domain import load_domain
from bot.dialogue.model import train_dialogue

DOMAIN = """
intents: [greet, goodbye]
responses:
  utter_greet: [{text: hi}]
  utter_goodbye: [{text: bye}]
"""
STORIES = """
stories:
- story: greet
  steps:
  - intent: greet
  - action: utter_greet
"""
MORE = """
- story: goodbye
  steps:
  - intent: goodbye
  - action: utter_goodbye
"""


def _train(root: Path, domain_path: Path) -> bool:
    return train_dialogue(
        [{"name": "MemoizationPolicy"}],
        load_domain(domain_path),
        [root / "data"],
        root / "models",
        config_source=root / "config.yml",
    ).retrained


def _project(root: Path, stories_name: str) -> Path:
    (root / "data").mkdir(parents=True)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "data" / stories_name).write_text(STORIES)
    return root


def test_editing_data_stories_yaml_retrains(tmp_path: Path):
    root = _project(tmp_path / "p", "stories.yaml")
    assert _train(root, root / "domain.yml")
    assert not _train(root, root / "domain.yml")
    (root / "data" / "stories.yaml").write_text(STORIES + MORE)
    assert _train(root, root / "domain.yml")
    assert not _train(root, root / "domain.yml")


def test_editing_a_yaml_file_in_a_domain_folder_retrains(tmp_path: Path):
    root = _project(tmp_path / "p", "stories.yml")
    (root / "domain.yml").unlink()
    (root / "domain").mkdir()
    (root / "domain" / "intents.yaml").write_text("intents: [greet, goodbye]\n")
    (root / "domain" / "responses.yaml").write_text(
        "responses:\n  utter_greet: [{text: hi}]\n  utter_goodbye: [{text: bye}]\n"
    )
    assert _train(root, root / "domain")
    assert not _train(root, root / "domain")
    (root / "domain" / "responses.yaml").write_text(
        "responses:\n  utter_greet: [{text: hello}]\n  utter_goodbye: [{text: bye}]\n"
    )
    assert _train(root, root / "domain")
