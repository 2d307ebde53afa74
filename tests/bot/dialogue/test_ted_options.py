"""Rasa's TEDPolicy options: honoured, named in a start-up warning, or refused naming the option."""

from __future__ import annotations

import logging

import pytest

from bot.dialogue.domain import load_domain
from bot.dialogue.model import DialogueModel, build_policies, train_dialogue
from bot.dialogue.policies.ted import TEDPolicyConfig, _ranked
from bot.dialogue.policies.ted_options import IGNORED_OPTIONS
from bot.errors import ConfigError

DOMAIN = """
version: "3.1"
intents: [greet, mood_great, mood_unhappy]
responses:
  utter_greet: [{text: "How are you?"}]
  utter_happy: [{text: "Great!"}]
  utter_cheer_up: [{text: "Here is a kitten."}]
"""
STORIES = """
version: "3.1"
stories:
- story: happy
  steps: [{intent: greet}, {action: utter_greet}, {intent: mood_great}, {action: utter_happy}]
- story: sad
  steps: [{intent: greet}, {action: utter_greet}, {intent: mood_unhappy}, {action: utter_cheer_up}]
"""

RASA_TED = {
    "name": "TEDPolicy",
    "max_history": 3,
    "epochs": 5,
    "number_of_transformer_layers": 4,
    "transformer_size": 256,
    "constrain_similarities": True,
    "drop_rate_dialogue": 0.1,
    "model_confidence": "softmax",
}
IGNORED = ("constrain_similarities", "number_of_transformer_layers", "transformer_size")


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_ignored_options_are_named_in_a_start_up_warning(caplog):
    with caplog.at_level(logging.WARNING):
        [(name, _, config)] = build_policies([RASA_TED], "config.yml")
    [warning] = [w for w in _warnings(caplog) if w.startswith("event=dialogue.policy.options_ignored")]
    assert "file=config.yml key=policies[0] policy=TEDPolicy" in warning
    assert f"options={','.join(IGNORED)}" in warning and "number_of_transformer_layers" in warning
    assert name == "TEDPolicy" and config.ignored_options == IGNORED
    assert (config.epochs, config.max_history, config.drop_rate_dialogue) == (5, 3, 0.1)  # honoured


def test_training_summary_lists_the_ignored_options_and_the_model_round_trips(tmp_path, caplog):
    root = tmp_path / "p"
    (root / "data").mkdir(parents=True)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "data" / "stories.yml").write_text(STORIES)
    (root / "config.yml").write_text("language: en\n")
    with caplog.at_level(logging.WARNING):
        outcome = train_dialogue(
            [{"name": "MemoizationPolicy"}, RASA_TED],
            load_domain(root / "domain.yml"),
            [root / "data"],
            root / "models",
            config_source=root / "config.yml",
            force=True,
        )
    assert outcome.summary["ted_ignored_options"] == ",".join(IGNORED)
    assert any("number_of_transformer_layers" in w for w in _warnings(caplog))
    ted = DialogueModel.load(root / "models").policies[-1]
    assert tuple(ted.config.ignored_options) == IGNORED


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("model_confidence", "linear_norm", "softmax only"),
        ("loss_type", "margin", "cross_entropy only"),
        ("ranking_length", -1, ">= 0"),
        ("drop_rate_dialogue", 1.5, r"\[0, 1\)"),
    ],
)
def test_values_that_change_the_meaning_are_errors_naming_the_option(option, value, says):
    with pytest.raises(ConfigError, match=rf"policies\[0\]'?: {option}: .*{says}"):
        build_policies([{"name": "TEDPolicy", option: value}], "config.yml")


def test_ignored_options_field_cannot_be_set_from_config_yml():
    with pytest.raises(ConfigError, match=r"policies\[0\]\.ignored_options'?: unknown option"):
        build_policies([{"name": "TEDPolicy", "ignored_options": ["x"]}], "config.yml")


def test_rule_policy_ignored_options_are_warned_too(caplog):
    with caplog.at_level(logging.WARNING):
        build_policies([{"name": "RulePolicy", "restrict_rules": False}], "config.yml")
    assert any("policy=RulePolicy options=restrict_rules" in w for w in _warnings(caplog))


def test_ranking_length_keeps_the_top_actions_and_can_renormalise():
    probs = {"a": 0.5, "b": 0.3, "c": 0.2}
    assert _ranked(probs, TEDPolicyConfig()) == probs
    assert _ranked(probs, TEDPolicyConfig(ranking_length=2)) == {"a": 0.5, "b": 0.3}
    renormalised = _ranked(probs, TEDPolicyConfig(ranking_length=2, renormalize_confidences=True))
    assert renormalised == pytest.approx({"a": 0.625, "b": 0.375})


def test_every_rasa_option_is_honoured_or_listed():
    rasa_ted_options = {
        "max_history", "epochs", "batch_size", "learning_rate", "random_seed", "priority",
        "drop_rate_dialogue", "ranking_length", "renormalize_confidences", "model_confidence",
        "loss_type", *IGNORED_OPTIONS,
    }  # fmt: skip
    fields = set(TEDPolicyConfig.__dataclass_fields__)
    assert rasa_ted_options - fields <= set(IGNORED_OPTIONS)
    assert len(IGNORED_OPTIONS) + 5 == 26  # the 26 accepted before: 21 ignored by name, 5 honoured now
