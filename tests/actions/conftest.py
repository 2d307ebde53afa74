"""A real rasa_sdk action server (`python -m rasa_sdk`) on a free loopback port, and a small form project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.stores.embedded import free_port

HERE = Path(__file__).resolve().parent

RESTAURANT_DOMAIN = """
version: "3.1"
intents: [greet, request_restaurant, inform, affirm, deny, chitchat, stop, hello, slow, missing, thankyou]
entities: [cuisine, number, seating]
slots:
  cuisine:
    type: text
    influence_conversation: false
    mappings: [{type: from_entity, entity: cuisine}]
  num_people:
    type: float
    influence_conversation: false
    mappings: [{type: from_entity, entity: number}]
  outdoor_seating:
    type: bool
    influence_conversation: false
    mappings:
    - type: from_entity
      entity: seating
    - type: from_intent
      intent: affirm
      value: true
      conditions: [{active_loop: restaurant_form, requested_slot: outdoor_seating}]
    - type: from_intent
      intent: deny
      value: false
      conditions: [{active_loop: restaurant_form, requested_slot: outdoor_seating}]
  greeted:
    type: bool
    influence_conversation: false
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Hi! Want a table?"}]
  utter_ask_cuisine: [{text: "What cuisine?"}]
  utter_ask_num_people: [{text: "How many people?"}]
  utter_ask_outdoor_seating: [{text: "Outside?"}]
  utter_wrong_cuisine: [{text: "I don't know that cuisine."}]
  utter_wrong_num_people: [{text: "That is not a number of people."}]
  utter_wrong_outdoor_seating: [{text: "Inside or outside?"}]
  utter_chitchat: [{text: "Nice chat."}]
  utter_submit: [{text: "Booked {cuisine} for {num_people}."}]
  utter_noworries: [{text: "You're welcome."}]
  utter_action_failed: [{text: "Sorry, that did not work. Please try again."}]
actions: [validate_restaurant_form, action_hello, action_slow, action_missing]
forms:
  restaurant_form:
    ignored_intents: [chitchat]
    required_slots: [cuisine, num_people, outdoor_seating]
"""

RESTAURANT_RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: thanks
  steps: [{intent: thankyou}, {action: utter_noworries}]
- rule: chitchat
  steps: [{intent: chitchat}, {action: utter_chitchat}]
- rule: hello from the action server
  steps: [{intent: hello}, {action: action_hello}]
- rule: a slow action
  steps: [{intent: slow}, {action: action_slow}]
- rule: an action the server lacks
  steps: [{intent: missing}, {action: action_missing}]
- rule: activate the form
  steps: [{intent: request_restaurant}, {action: restaurant_form}, {active_loop: restaurant_form}]
- rule: submit the form
  condition: [{active_loop: restaurant_form}]
  steps: [{action: restaurant_form}, {active_loop: null}, {action: utter_submit}]
"""


def write_restaurant_project(root: Path) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "domain.yml").write_text(RESTAURANT_DOMAIN)
    (root / "data" / "rules.yml").write_text(RESTAURANT_RULES)
    (root / "config.yml").write_text("language: en\npolicies:\n  - name: RulePolicy\n")
    return root


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m rasa_sdk --actions test_actions` serving sdk_actions_source.py; yields the webhook URL."""
    folder = tmp_path_factory.mktemp("action_server")
    shutil.copy(HERE / "sdk_actions_source.py", folder / "test_actions.py")
    port = free_port()
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "PYTHONPATH": str(folder)}
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "test_actions", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rasa_sdk exited: {(folder / 'server.log').read_text()[-2000:]}")
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("rasa_sdk did not start within 60 s")
    yield f"{url}/webhook"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
