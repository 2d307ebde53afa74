"""`parley test languages`: per user language, the test stories' messages through detection + translation
+ NLU, with language identification and intent accuracy."""

from __future__ import annotations

import json
import shutil

from bot.cli import main
from bot.multilingual.evaluate import file_language
from tests.bot.multilingual.tiny_models import GERMAN_TURNS

GERMAN_STORIES = """version: "3.1"
stories:
  - story: ein deutsches Gespräch
    steps:
      - user: "{0}"
        intent: greet
      - action: utter_greet
      - user: "{1}"
        intent: help
      - action: utter_help
      - user: "{2}"
        intent: thank
      - action: utter_thank
      - user: "{3}"
        intent: goodbye
      - action: utter_goodbye
"""


def test_a_files_language_is_in_its_name():
    assert file_language("tests/test_stories.de.yml", "en") == "de"
    assert file_language("tests/test_stories.de.yml:12", "en") == "de"
    assert file_language("tests/test_stories.yml", "en") == "en"


def test_parley_test_languages_reports_each_language(multilingual_demo, tmp_path, capsys):
    project = tmp_path / "project"
    shutil.copytree(multilingual_demo, project)
    (project / "tests" / "test_stories.de.yml").write_text(GERMAN_STORIES.format(*GERMAN_TURNS))
    code = main(["test", "languages", "--project", str(project), "--out", str(tmp_path / "out")])
    assert code == 0
    report = json.loads((tmp_path / "out" / "language_report.json").read_text())
    assert set(report) == {"en", "de"}
    german = report["de"]
    assert german["messages"] == 4 and german["translated"] == 4 and german["translation_failed"] == 0
    assert german["language_id_acc"] == 1.0 and german["intent_acc"] == 1.0  # the tiny models know them
    english = report["en"]
    assert english["messages"] >= 10 and english["translated"] == 0
    assert english["language_id_acc"] >= 0.9 and english["intent_acc"] >= 0.8
    table = capsys.readouterr().out
    assert "language  messages  language_id  intent_acc" in table
    assert table.count("\nde ") == 1 and table.count("\nen ") == 1
