"""Retrieval intents end to end over REST, as in Rasa 3: rules say `faq` -> `utter_faq`, the
ResponseSelector picks `utter_faq/<key>`; responses may live in domain.yml or in a data file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

DOMAIN = """\
version: "3.1"
intents: [greet, faq, chitchat]
responses:
  utter_greet:
  - text: Hello!
  utter_faq/ask_channels:
  - text: Slack, Telegram and the web.
  utter_faq/ask_payment:
  - text: Cards and PayPal.
"""
NLU = """\
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
- intent: chitchat/ask_weather
  examples: |
    - how is the weather
    - is it sunny outside
    - will it rain today
    - what's the weather like
responses:
  utter_chitchat/ask_name:
  - text: I am Parley.
  utter_chitchat/ask_weather:
  - text: Sunny, as always.
"""
RULES = """\
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: faq
  steps: [{intent: faq}, {action: utter_faq}]
- rule: chitchat
  steps: [{intent: chitchat}, {action: utter_chitchat}]
"""
CONFIG = """\
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
  - name: ResponseSelector
    retrieval_intent: faq
  - name: ResponseSelector
    retrieval_intent: chitchat
policies:
  - name: RulePolicy
"""


def _client(root: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch):
    from bot.app import create_app
    from bot.config import load_project
    from bot.services import build_services

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("PARLEY_OPEN_API", "1")  # /model/parse and the tracker without a token
    services = build_services(load_project(root))
    return services, create_app(services).test_client()


def _say(client, text: str, sender: str) -> list[str]:
    reply = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert reply.status_code == 200, reply.get_json()
    return [m.get("text") for m in reply.get_json()]


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bot.training import train_project

    root = tmp_path_factory.mktemp("retrieval") / "bot"
    (root / "data").mkdir(parents=True)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "config.yml").write_text(CONFIG)
    (root / "data" / "nlu.yml").write_text(NLU)
    (root / "data" / "rules.yml").write_text(RULES)
    train_project(root, seed=1)
    return root


@pytest.fixture
def tiny(tiny_root: Path, redis_server, redis_client, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    services, client = _client(tiny_root, redis_server.url, monkeypatch)
    yield client
    services.close()


def test_faq_and_chitchat_are_answered_with_the_selected_response(tiny):
    assert _say(tiny, "hello", "u1") == ["Hello!"]
    assert _say(tiny, "can I pay with my credit card", "u1") == ["Cards and PayPal."]  # domain.yml
    assert _say(tiny, "are you on slack", "u1") == ["Slack, Telegram and the web."]
    assert _say(tiny, "what is your name", "u1") == ["I am Parley."]  # data file's responses:
    assert _say(tiny, "will it be sunny", "u1") == ["Sunny, as always."]


def test_parse_and_tracker_carry_rasas_response_selector(tiny):
    parsed = tiny.post("/model/parse", json={"text": "do you take paypal"}).get_json()
    assert parsed["intent"]["name"] == "faq"
    assert parsed["intent"]["full_retrieval_intent_name"] == "faq/ask_payment"
    response = parsed["response_selector"]["faq"]["response"]
    assert response["utter_action"] == "utter_faq/ask_payment"
    assert response["responses"] == [{"text": "Cards and PayPal."}]
    assert set(parsed["response_selector"]) == {"all_retrieval_intents", "faq", "chitchat"}
    _say(tiny, "do you take paypal", "u2")
    events = tiny.get("/conversations/u2/tracker").get_json()["events"]
    user = [e for e in events if e["event"] == "user"][-1]
    selected = user["parse_data"]["response_selector"]["faq"]["response"]
    assert selected["intent_response_key"] == "faq/ask_payment"


def test_responseselectorbot_trains_unchanged_and_answers_its_chitchat(
    tmp_path: Path, redis_server, redis_client, monkeypatch: pytest.MonkeyPatch
):
    from bot.training import train_project
    from tests.conftest import shared_data

    root = tmp_path / "responseselectorbot"
    shutil.copytree(shared_data("rasa_projects", "responseselectorbot"), root)
    config = yaml.safe_load((root / "config.yml").read_text())
    for policy in config["policies"]:  # only TED's epochs are capped, for the suite's time; NLU as written
        if policy["name"] == "TEDPolicy":
            policy["epochs"] = 5
    (root / "config.yml").write_text(yaml.safe_dump(config))
    train_project(root, seed=1)
    services, client = _client(root, redis_server.url, monkeypatch)
    try:
        names = _say(client, "what is your name?", "rs")
        assert names and names[0] in {
            "hello, my name is retrieval bot.",
            "Oh yeah, I am called the retrieval bot.",
        }
        weather = _say(client, "what's the weather like today?", "rs")
        assert weather and "sun" in weather[0]
        parsed = client.post("/model/parse", json={"text": "May I know your name?"}).get_json()
        assert parsed["intent"]["name"] == "chitchat"
        selected = parsed["response_selector"]["default"]["response"]
        assert selected["intent_response_key"] == "chitchat/ask_name"
    finally:
        services.close()
