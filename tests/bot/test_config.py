"""Project files load into typed config; every mistake names the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import load_project
from bot.dialogue.domain import load_domain
from bot.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(REPO / "demo", root, ignore=shutil.ignore_patterns("models", ".parley"))
    return root


def test_the_demo_project_loads_into_typed_objects(project):
    loaded = load_project(project, env={})
    assert loaded.language == "en"
    assert loaded.tracker_store.key_prefix == "parley:tracker:"
    assert loaded.lock_store.lifetime == 5  # a crashed worker holds a conversation 5 s at most
    assert loaded.redis_url is None
    assert loaded.translation_pairs[0].source == "en" and loaded.translation_pairs[0].target == "de"
    domain = load_domain(loaded.domain_path)
    assert {"greet", "goodbye", "help", "translate", "forecast", "summarize", "out_of_scope"} <= set(
        domain.intent_names
    )
    assert {"text", "language"} <= set(domain.entity_names)


def test_redis_url_comes_from_the_environment(project):
    assert (
        load_project(project, env={"REDIS_URL": "redis://example:6379/0"}).redis_url
        == "redis://example:6379/0"
    )


@pytest.mark.parametrize(
    ("file", "content", "where"),
    [
        ("config.yml", "language: en\npipelines: []\n", "config.yml: key 'pipelines'"),
        ("config.yml", "language: [en]\n", "config.yml: key 'language'"),
        ("endpoints.yml", "tracker_store:\n  type: mongod\n", "endpoints.yml: key 'tracker_store.type'"),
        (
            "endpoints.yml",
            "tracker_store:\n  record_exp: soon\n",
            "endpoints.yml: key 'tracker_store.record_exp'",
        ),
        ("endpoints.yml", "lock_store:\n  colour: red\n", "endpoints.yml: key 'lock_store.colour'"),
        ("config.yml", "language: en\npipeline: [\n", "config.yml: line"),
    ],
)
def test_mistakes_name_the_file_and_key(project, file, content, where):
    (project / file).write_text(content)
    with pytest.raises(ConfigError) as info:
        load_project(project, env={})
    assert where in str(info.value)


def test_a_missing_config_file_is_named(project):
    (project / "config.yml").unlink()
    with pytest.raises(ConfigError, match=r"config.yml: file not found"):
        load_project(project, env={})


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("intents: [greet]\nslotz: {}\n", "key 'slotz'"),
        ("slots:\n  city:\n    type: txt\n", "key 'slots.city.type'"),
        (
            "slots:\n  city:\n    type: text\n    mappings:\n      - type: from_somewhere\n",
            "slots.city.mappings[0].type",
        ),
        ("responses:\n  utter_x: []\n", "key 'responses.utter_x'"),
    ],
)
def test_domain_mistakes_name_the_file_and_key(project, content, where):
    (project / "domain.yml").write_text(content)
    with pytest.raises(ConfigError) as info:
        load_domain(project / "domain.yml")
    assert "domain.yml" in str(info.value) and where in str(info.value)


def test_endpoints_actions_map_each_model_backed_action_to_its_settings(project):
    (project / "endpoints.yml").write_text(
        "actions:\n"
        "  action_translate: {}\n"
        "  action_forecast:\n    series: data/sales.csv\n"
        "  action_summarize:\n"
    )
    loaded = load_project(project, env={})
    assert loaded.actions == {
        "action_translate": {},
        "action_forecast": {"series": "data/sales.csv"},
        "action_summarize": {},
    }


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("actions: [action_translate]\n", "endpoints.yml: key 'actions'"),
        ("actions:\n  action_forecast: weekly\n", "endpoints.yml: key 'actions.action_forecast'"),
        ("actions:\n  1: {}\n", "endpoints.yml: key 'actions.1'"),
    ],
)
def test_endpoints_actions_mistakes_name_the_file_and_key(project, content, where):
    (project / "endpoints.yml").write_text(content)
    with pytest.raises(ConfigError) as info:
        load_project(project, env={})
    assert where in str(info.value)


def test_the_raw_credentials_stay_available_with_their_file(project):
    (project / "credentials.yml").write_text("rest:\nslack:\n  slack_channel: C1\n")
    loaded = load_project(project, env={})
    assert loaded.credentials == {"rest": None, "slack": {"slack_channel": "C1"}}
    assert loaded.credentials_path == project.resolve() / "credentials.yml"
    assert loaded.endpoints_path == project.resolve() / "endpoints.yml"


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("rest:\n  max_message_chars: -1\n", "credentials.yml:2: rest.max_message_chars"),
        ("telegraph: {}\n", "credentials.yml: key 'telegraph'"),
    ],
)
def test_credentials_mistakes_name_the_file_and_key_at_start_up(project, content, where):
    from bot.channels.registry import load_channels
    from nlu.yamlio import ConfigFileError

    (project / "credentials.yml").write_text(content)
    loaded = load_project(project, env={})
    with pytest.raises((ConfigError, ConfigFileError)) as info:
        load_channels(loaded.credentials, loaded.credentials_path)
    assert where in str(info.value)
