"""Every Rasa example project in ../shared/data/rasa_projects trains; its test stories pass."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import load_project
from bot.dialogue.domain import load_domain
from bot.dialogue.model import DialogueModel, train_dialogue
from tests.conftest import SHARED_DATA

PROJECTS = [
    "concertbot",
    "e2ebot",
    "formbot",
    "knowledgebasebot",
    "moodbot",
    "reminderbot",
    "responseselectorbot",
    "rules",
]


def _project(name: str) -> Path:
    path = SHARED_DATA / "rasa_projects" / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the Rasa example projects live beside the clone in ../shared)")
    return path


def _fast(policies: tuple[dict, ...], cap: int = 5) -> list[dict]:
    """The project's own policies, with TED's epochs capped so the suite stays quick."""
    return [
        {**p, "epochs": min(int(p.get("epochs", cap)), cap)} if p["name"] == "TEDPolicy" else dict(p)
        for p in policies
    ]


@pytest.mark.parametrize("name", PROJECTS)
def test_shared_project_trains_and_follows_its_rules(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    from bot.cli import main
    from bot.dialogue.stories import load_dialogue_data, steps_to_events
    from bot.dialogue.tracker import Tracker

    root = tmp_path / name
    shutil.copytree(_project(name), root)
    config = yaml.safe_load((root / "config.yml").read_text())
    config["policies"] = _fast(tuple(config["policies"]), cap=40 if name == "e2ebot" else 5)
    (root / "config.yml").write_text(yaml.safe_dump(config))
    project = load_project(root, env={})
    domain = load_domain(project.domain_path)
    outcome = train_dialogue(
        project.policies,
        domain,
        [project.data_path],
        root / "models" / "dialogue",
        config_source=project.config_path,
    )
    assert outcome.retrained and outcome.summary["rules"] + outcome.summary["stories"] > 0
    model = DialogueModel.load(root / "models" / "dialogue")
    # Every simple rule (intent -> action) is followed when its intent opens a conversation.
    for rule in load_dialogue_data([project.data_path]).rules:
        steps = list(rule.steps)
        if rule.condition or len(steps) < 2 or steps[0].kind != "intent" or steps[1].kind != "action":
            continue
        tracker = Tracker("t", steps_to_events(steps[:1], end_with_listen=False), domain.initial_slots())
        assert model.predict(tracker, domain).action == steps[1].name, f"{name}: rule {rule.name!r}"
    if not (root / "tests").is_dir():
        return
    # Projects with test stories: `parley test core` passes them all and writes its reports.
    assert main(["test", "core", "--project", str(root), "--out", str(tmp_path / "results")]) == 0
    report = json.loads((tmp_path / "results" / "story_report.json").read_text())
    assert report["stories"] >= 3 and report["share_passed"] == 1.0
    assert (tmp_path / "results" / "story_confusion_matrix.png").stat().st_size > 1000
    assert not yaml.safe_load((tmp_path / "results" / "failed_test_stories.yml").read_text())["stories"]
    assert "stories passed" in capsys.readouterr().out


def test_training_is_skipped_when_nothing_changed(tmp_path: Path):
    root = _project("moodbot")
    project = load_project(root, env={})
    domain = load_domain(project.domain_path)
    args = (
        [{"name": "RulePolicy"}, {"name": "MemoizationPolicy"}],
        domain,
        [project.data_path],
        tmp_path / "d",
    )
    assert train_dialogue(*args, config_source=project.config_path).retrained
    assert not train_dialogue(*args, config_source=project.config_path).retrained


def test_a_failing_test_story_is_written_with_the_prediction(tmp_path: Path):
    from bot.cli import main

    root = tmp_path / "moodbot"
    shutil.copytree(_project("moodbot"), root)
    (root / "tests").mkdir()
    (root / "tests" / "test_stories.yml").write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "stories": [
                    {
                        "story": "wrong on purpose",
                        "steps": [{"intent": "greet"}, {"action": "utter_goodbye"}],
                    },
                    {"story": "right", "steps": [{"intent": "goodbye"}, {"action": "utter_goodbye"}]},
                ],
            }
        )
    )
    project = load_project(root, env={})
    train_dialogue(
        [{"name": "MemoizationPolicy"}, {"name": "RulePolicy"}],
        load_domain(project.domain_path),
        [project.data_path],
        root / "models" / "dialogue",
        config_source=project.config_path,
    )
    assert main(["test", "core", "--project", str(root), "--fail-under", "0.9"]) == 1
    failed = (root / "results" / "failed_test_stories.yml").read_text()
    assert "wrong on purpose" in failed and "# predicted: utter_greet" in failed
    assert json.loads((root / "results" / "story_report.json").read_text())["share_passed"] == 0.5
