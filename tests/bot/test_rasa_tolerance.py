"""What Rasa 3 accepts is accepted (or named in a warning), and `parley data validate` reports every
problem of every file in one run, before any training."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

DOMAIN = """\
version: "3.1"
intents:
- greet
- bye: {triggers: utter_bye}
entities:
- city: {roles: [from, to], influence_conversaton: false}
slots:
  city:
    type: text
    mappings: [{type: from_entity, entity: city}]
    auto_fill: false
responses:
  utter_greet: [{text: Hi}]
  utter_bye: [{text: Bye}]
config:
  store_entities_as_slots: true
"""
NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello]
    - hi
- intent: bye
  examples: |
    - bye
    - see you in [Paris](city)
"""
RULES = """\
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: bye
  steps: [{intent: bye}, {action: utter_bye}]
"""
CONFIG = """\
recipe: default.v1
language: en
policies:
- name: RulePolicy
  use_nlu_confidence_as_score: true
- name: MemoizationPolicy
  use_nlu_confidence_as_score: false
- name: TEDPolicy
  epochs: 3
  batch_size: [2, 4]
"""


def _project(root: Path, config: str = CONFIG, nlu: str = NLU, rules: str = RULES) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "config.yml").write_text(config)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "data" / "nlu.yml").write_text(nlu)
    (root / "data" / "rules.yml").write_text(rules)
    return root


def test_a_stray_bracket_is_text_as_in_rasa_and_named_in_a_warning(tmp_path, caplog):
    from nlu.data.yaml_reader import load_training_data

    path = _project(tmp_path) / "data" / "nlu.yml"
    with caplog.at_level(logging.WARNING):
        data = load_training_data([path])
    assert "hello]" in [e.text for e in data.examples]
    assert f"{path}:5: intent 'greet', example 'hello]', column 6: stray ']' read as text" in caplog.text
    assert any("stray ']'" in w for w in data.warnings)


def test_a_linearly_growing_ted_batch_size_trains(tmp_path):
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import train_dialogue
    from bot.dialogue.policies.ted import batch_schedule

    assert batch_schedule((32, 64), 3) == [(0, 1, 32), (1, 2, 48), (2, 3, 64)]  # Rasa's formula
    root = _project(tmp_path)
    policies = [{"name": "TEDPolicy", "epochs": 3, "batch_size": [2, 4]}]
    outcome = train_dialogue(
        policies, load_domain(root / "domain.yml"), [root / "data"], root / "m", config_source="config.yml"
    )
    assert outcome.retrained


def test_deprecated_use_nlu_confidence_as_score_is_accepted_with_a_named_warning(caplog):
    from bot.dialogue.model import build_policies

    policies = [
        {"name": name, "use_nlu_confidence_as_score": True}
        for name in ("RulePolicy", "MemoizationPolicy", "AugmentedMemoizationPolicy")
    ]
    with caplog.at_level(logging.WARNING):
        assert len(build_policies(policies, "config.yml")) == 3
    deprecated = [r.getMessage() for r in caplog.records if "option_deprecated" in r.getMessage()]
    assert len(deprecated) == 3 and all("use_nlu_confidence_as_score" in m for m in deprecated)


def test_domain_properties_nobody_reads_are_named_in_a_warning(tmp_path, caplog):
    from bot.dialogue.domain import load_domain

    _project(tmp_path)
    with caplog.at_level(logging.WARNING, logger="bot.dialogue.domain_check"):
        load_domain(tmp_path / "domain.yml")
    keys = [r.getMessage().split("key=")[1].split()[0] for r in caplog.records]
    assert keys == [
        "intents.bye.triggers",
        "entities.city.influence_conversaton",
        "slots.city.auto_fill",
        "config.store_entities_as_slots",
    ]
    assert "mappings` (from_entity)" in caplog.text  # what Rasa 3 does instead


def test_data_validate_passes_a_clean_project_with_its_warnings(tmp_path, capsys):
    from bot.cli import main

    assert main(["data", "validate", "--project", str(_project(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "0 error(s)" in out and "stray ']'" in out and "option_deprecated" in out


def test_data_validate_reports_every_file_s_problems_in_one_run(tmp_path, capsys):
    from bot.cli import main

    root = _project(
        tmp_path,
        config=CONFIG.replace("name: TEDPolicy", "name: TEDPolcy"),
        nlu=NLU + "- intent: greet\n  examples: |\n    - fly to [Berlin](city\n",
        rules=RULES.replace("action: utter_bye", "action: utter_byee"),
    )
    assert main(["data", "validate", "--project", str(root)]) == 78
    out = capsys.readouterr().out
    assert "unknown policy 'TEDPolcy'" in out
    assert f"{root / 'data' / 'nlu.yml'}:13" in out and "not closed" in out
    assert "rules.yml" in out and "'utter_byee' is not in the domain" in out
    assert "3 error(s)" in out


def test_train_reports_a_policy_typo_before_any_nlu_training(tmp_path, monkeypatch):
    import nlu.train
    from bot.errors import ConfigError
    from bot.training import train_project

    def no_training(*args, **kwargs):
        raise AssertionError("NLU training started before the policies were checked")

    monkeypatch.setattr(nlu.train, "train_on_data", no_training)
    root = _project(tmp_path, config=CONFIG.replace("batch_size: [2, 4]", "batch_sise: [2, 4]"))
    with pytest.raises(ConfigError, match=r"policies\[2\]\.batch_sise.*unknown"):
        train_project(root)


def test_endpoints_version_key_is_accepted_and_a_recipe_other_than_default_is_an_error(tmp_path):
    from bot.config import load_project
    from bot.errors import ConfigError

    root = _project(tmp_path)
    (root / "endpoints.yml").write_text('version: "3.1"\naction_endpoint:\n  url: http://localhost:5055/webhook\n')
    assert load_project(root, env={}).action_endpoint.url == "http://localhost:5055/webhook"
    (root / "config.yml").write_text(CONFIG.replace("recipe: default.v1", "recipe: graph.v1"))
    with pytest.raises(ConfigError, match=r"config.yml: key 'recipe': got 'graph.v1'; Parley runs"):
        load_project(root, env={})


def test_validate_knows_retrieval_responses_written_in_data_files(tmp_path, capsys):
    from bot.cli import main

    chitchat = "- rule: chitchat\n  steps: [{intent: greet}, {action: utter_chitchat}]\n"
    root = _project(tmp_path, rules=RULES + chitchat)
    (root / "data" / "responses.yml").write_text(
        'version: "3.1"\nresponses:\n  utter_chitchat/ask_name:\n  - text: I am Parley.\n'
    )
    assert main(["data", "validate", "--project", str(root)]) == 0, capsys.readouterr().out


def test_validate_warns_about_retrieval_intents_without_a_response_selector(tmp_path, capsys):
    from bot.cli import main

    root = _project(tmp_path, nlu=NLU + "- intent: faq/ask_name\n  examples: |\n    - who are you\n")
    assert main(["data", "validate", "--project", str(root)]) == 0
    assert "retrieval intents (faq) but the pipeline no ResponseSelector" in capsys.readouterr().out
