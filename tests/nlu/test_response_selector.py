"""ResponseSelector and retrieval intents as in Rasa 3: `faq/ask_channels` examples, the intent
classifier learns `faq`, the selector says which `faq/<key>`, in Rasa's `response_selector` JSON."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from nlu.errors import TrainingDataError
from nlu.rasa_compat import translate_rasa_pipeline

RETRIEVAL_NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
    - good morning
    - hey
- intent: faq/ask_channels
  examples: |
    - which channels do you support
    - what messaging platforms can I use you on
    - can I talk to you on slack
    - are you on telegram or facebook
- intent: faq/ask_payment
  examples: |
    - what payment methods do you accept
    - can I pay by credit card
    - do you take paypal
    - how can I pay
- intent: chitchat/ask_name
  examples: |
    - what is your name
    - who are you
    - what should I call you
    - do you have a name
responses:
  utter_faq/ask_channels:
  - text: Slack, Telegram and the web.
  utter_faq/ask_payment:
  - text: Cards and PayPal.
  utter_chitchat/ask_name:
  - text: I am Parley.
"""

PIPELINE = """\
language: en
pipeline:
  - name: RegexTokenizer
  - name: HubFeaturizer
  - name: IntentEntityClassifier
    epochs: 40
    min_steps: 60
    hidden: 64
    dropout: 0.0
    learning_rate: 0.005
    progress: false
"""
SELECTORS = """\
  - name: ResponseSelector
    retrieval_intent: faq
  - name: ResponseSelector
"""


def _train(root: Path, config: str) -> Path:
    from nlu.config import load_pipeline_config
    from nlu.data.yaml_reader import load_training_data
    from nlu.train import train_on_data

    (root / "config.yml").write_text(config)
    data = load_training_data([root / "nlu.yml"])
    data.responses = {"utter_faq/ask_channels": [{"text": "Slack, Telegram and the web."}]}
    return train_on_data(load_pipeline_config(root / "config.yml"), data, root / "model", seed=1).model_dir


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("retrieval")
    (root / "nlu.yml").write_text(RETRIEVAL_NLU)
    return root


@pytest.fixture(scope="module")
def selector_model(project: Path):
    from nlu import NLUModel

    _mk(project / "with")
    return NLUModel.load(_train(project / "with", PIPELINE + SELECTORS))


def _mk(path: Path) -> bool:
    path.mkdir(exist_ok=True)
    (path / "nlu.yml").write_text(RETRIEVAL_NLU)
    return True


def test_reader_splits_a_retrieval_intent_into_intent_and_response_key():
    from nlu.data.yaml_reader import read_yaml

    data = read_yaml(RETRIEVAL_NLU)
    faq = [e for e in data.examples if e.intent == "faq"]
    assert len(faq) == 8 and {e.response_key for e in faq} == {"faq/ask_channels", "faq/ask_payment"}
    assert data.intents == ["chitchat", "faq", "greet"] and data.retrieval_intents == ["chitchat", "faq"]
    assert faq[0].to_dict()["intent"] == "faq/ask_channels"  # written back as it was read


def test_parse_gives_the_retrieval_intent_and_rasas_response_selector_json(selector_model):
    out = selector_model.parse("which channels are you on").to_dict()
    assert out["intent"]["name"] == "faq"
    assert out["intent"]["full_retrieval_intent_name"] == "faq/ask_channels"
    selector = out["response_selector"]
    assert selector["all_retrieval_intents"] == ["chitchat", "faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/ask_channels"
    assert response["utter_action"] == "utter_faq/ask_channels"
    assert response["responses"] == [{"text": "Slack, Telegram and the web."}]
    assert 0.5 < response["confidence"] <= 1.0 and isinstance(response["id"], int)
    ranking = selector["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking][0] == "faq/ask_channels" and len(ranking) == 2
    assert set(ranking[0]) == {"id", "confidence", "intent_response_key"}
    # the selector without retrieval_intent covers every retrieval intent, under "default" (Rasa's)
    assert len(selector["default"]["ranking"]) == 3


@pytest.mark.parametrize(
    ("text", "key"),
    [("can I pay with a credit card", "faq/ask_payment"), ("what do people call you", "chitchat/ask_name")],
)
def test_each_key_is_selected(selector_model, text, key):
    selector = selector_model.parse(text).to_dict()["response_selector"]
    assert selector["default"]["response"]["intent_response_key"] == key


def test_without_a_response_selector_the_intent_is_still_the_retrieval_intent(project: Path):
    from nlu import NLUModel

    _mk(project / "without")
    out = NLUModel.load(_train(project / "without", PIPELINE)).parse("do you take paypal").to_dict()
    assert out["intent"]["name"] == "faq" and "response_selector" not in out


def test_an_unknown_retrieval_intent_is_an_error_naming_it():
    from nlu.components.base import Message
    from nlu.components.response_selector import ResponseSelector, ResponseSelectorConfig
    from nlu.data.yaml_reader import read_yaml

    data = read_yaml(RETRIEVAL_NLU)
    selector = ResponseSelector(ResponseSelectorConfig(retrieval_intent="fqa"))
    with pytest.raises(TrainingDataError, match=r"retrieval_intent 'fqa'.*chitchat, faq"):
        selector.train([Message(e.text, example=e) for e in data.examples], data)


def test_a_rasa_pipeline_runs_it_after_the_classifier_and_names_rasas_other_options(caplog):
    rasa = [
        {"name": "WhitespaceTokenizer"},
        {"name": "DIETClassifier"},
        {"name": "ResponseSelector", "epochs": 50, "retrieval_intent": "faq"},
    ]
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_compat"):
        out = translate_rasa_pipeline(rasa)
    names = [c["name"] for c in out]
    assert names.index("ResponseSelector") == names.index("IntentEntityClassifier") + 1
    assert out[names.index("ResponseSelector")] == {"name": "ResponseSelector", "retrieval_intent": "faq"}
    assert "component=ResponseSelector options=epochs" in caplog.text


def test_test_nlu_writes_a_response_selection_report(selector_model, tmp_path):
    import json

    from nlu.data.yaml_reader import read_yaml
    from nlu.evaluate import evaluate_model

    summary = evaluate_model(selector_model, read_yaml(RETRIEVAL_NLU), tmp_path)
    report = json.loads((tmp_path / "response_selection_report.json").read_text())
    assert set(report) >= {"faq/ask_channels", "faq/ask_payment", "chitchat/ask_name", "accuracy"}
    assert summary.response_selection_accuracy == report["accuracy"] >= 0.9  # its own training data
