"""config.yml `languages:`: user languages, their translation pairs, and the start-up check of the models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import load_project
from bot.errors import ConfigError
from bot.multilingual.setup import build_multilingual, check_models
from bot.multilingual.translate import DictTranslation

REPO = Path(__file__).resolve().parents[1].parent


def project_with(tmp_path: Path, **changes) -> Path:
    root = tmp_path / "p"
    shutil.copytree(REPO / "demo", root, ignore=shutil.ignore_patterns("models", ".parley"))
    config = yaml.safe_load((root / "config.yml").read_text())
    for key, value in changes.items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    (root / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root


BOTH = {
    "pairs": [
        {"source": "en", "target": "de", "model": "models/translation/en-de"},
        {"source": "de", "target": "en", "model": "models/translation/de-en"},
    ]
}


def test_languages_list_the_users_languages_with_the_bots_first(tmp_path):
    project = load_project(project_with(tmp_path, languages=["de"], translation=BOTH), env={})
    assert project.languages.bot == "en" and project.languages.users == ("en", "de")
    assert project.languages.foreign == ("de",) and project.languages.multilingual


def test_without_languages_the_bot_is_monolingual(tmp_path):
    project = load_project(project_with(tmp_path, languages=None), env={})
    assert not project.languages.multilingual


def test_a_language_without_both_translation_directions_names_the_key_and_the_pair(tmp_path):
    one_way = {"pairs": BOTH["pairs"][:1]}
    with pytest.raises(ConfigError) as err:
        load_project(project_with(tmp_path, languages=["en", "de"], translation=one_way), env={})
    message = str(err.value)
    assert "config.yml" in message and "languages[1]" in message and "de-en" in message


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"languages": "de"}, "languages"),
        ({"languages": ["German"]}, "languages[0]"),
        ({"languages": ["de"], "language_detection": {"floor": 1}}, "language_detection.floor"),
        (
            {"languages": ["de"], "language_detection": {"min_confidence": 2}},
            "language_detection.min_confidence",
        ),
    ],
)
def test_bad_language_settings_name_the_key(tmp_path, changes, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_project(project_with(tmp_path, translation=BOTH, **changes), env={})


def test_a_missing_model_for_a_user_language_is_a_start_up_error_naming_file_key_and_folder(tmp_path):
    root = project_with(tmp_path, languages=["en", "de"], translation=BOTH)
    en_de = root / "models/translation/en-de"
    en_de.mkdir(parents=True)
    (en_de / "config.json").write_text("{}")
    project = load_project(root, env={})
    with pytest.raises(ConfigError) as err:
        check_models(project.languages, project.translation_pairs, project.config_path)
    message = str(err.value)
    assert "config.yml" in message and "translation.pairs[1].model" in message
    assert "de-en" in message and "models/translation/de-en" in message


def test_a_model_that_did_not_load_is_a_start_up_error(tmp_path):
    root = project_with(tmp_path, languages=["en", "de"], translation=BOTH)
    for name in ("en-de", "de-en"):
        (root / "models/translation" / name).mkdir(parents=True)
        (root / "models/translation" / name / "config.json").write_text("{}")
    project = load_project(root, env={})

    class OnlyEnDe(DictTranslation):
        def pairs(self):
            return [("en", "de")]

    with pytest.raises(ConfigError, match="de-en model did not load"):
        build_multilingual(project.languages, project.translation_pairs, OnlyEnDe({}), project.config_path)
