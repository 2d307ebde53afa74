"""A tiny project whose actions set and cancel reminders, trained once; `parley worker` processes on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import bot.jobs  # noqa: F401 (sets RQ_KEY_PREFIX before anything imports rq)

DOMAIN = """
version: "3.1"
intents: [greet, remind, forget, EXTERNAL_reminder]
responses:
  utter_greet: [{text: "Hi!"}]
  utter_will_remind: [{text: "I will remind you."}]
  utter_reminded: [{text: "Reminder!"}]
  utter_forgot: [{text: "Forgotten."}]
actions: [action_remind, action_forget]
"""

RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: remind
  steps: [{intent: remind}, {action: action_remind}]
- rule: forget
  steps: [{intent: forget}, {action: action_forget}]
- rule: reminded
  steps: [{intent: EXTERNAL_reminder}, {action: utter_reminded}]
"""

NLU = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
- intent: remind
  examples: |
    - remind me
    - set a reminder
- intent: forget
  examples: |
    - forget it
    - cancel the reminder
"""

# the reminder's delay (seconds) and kill_on_user_msg come from the message's entities-free metadata:
# `/remind{"delay": 2, "name": "r1", "kill": false}` (intent shortcut entities become slots-free data)
ACTIONS = '''
from datetime import datetime, timedelta

from rasa_sdk import Action


class Remind(Action):
    def name(self):
        return "action_remind"

    def run(self, dispatcher, tracker, domain):
        ents = {e["entity"]: e["value"] for e in tracker.latest_message.get("entities", [])}
        when = datetime.now() + timedelta(seconds=float(ents.get("delay", 2)))
        dispatcher.utter_message(response="utter_will_remind")
        return [{
            "event": "reminder",
            "intent": "EXTERNAL_reminder",
            "date_time": when.isoformat(),
            "name": str(ents.get("name", "r1")),
            "kill_on_user_msg": str(ents.get("kill", "false")) == "true",
        }]


class Forget(Action):
    def name(self):
        return "action_forget"

    def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_forgot")
        return [{"event": "cancel_reminder", "name": "r1"}]
'''

CONFIG = """
language: en
pipeline:
  - name: RegexTokenizer
  - name: CharNgramFeaturizer
  - name: IntentEntityClassifier
    epochs: 1
    min_steps: 1
policies:
  - name: RulePolicy
"""


@pytest.fixture(scope="session")
def reminder_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bot.training import train_project

    root = tmp_path_factory.mktemp("reminders") / "project"
    (root / "data").mkdir(parents=True)
    (root / "config.yml").write_text(CONFIG)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "data" / "rules.yml").write_text(RULES)
    (root / "data" / "nlu.yml").write_text(NLU)
    (root / "actions.py").write_text(ACTIONS)
    (root / "endpoints.yml").write_text("tracker_store:\n  type: redis\n  key_prefix: 'tracker:'\n")
    (root / "credentials.yml").write_text("rest:\n")
    train_project(root, seed=1)
    return root


class Workers:
    """`parley worker` processes on one Redis, each in its own process group (killed as a container is)."""

    def __init__(self, project: Path, redis_url: str, log_dir: Path) -> None:
        self.project = project
        self.redis_url = redis_url
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "REDIS_URL": self.redis_url}
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker", "--project", str(self.project), "--name", name],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def wait_ready(self, client, count: int, timeout: float = 120) -> None:
        """Until `count` RQ workers have registered (each has loaded the project)."""
        from rq import Worker

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(Worker.all(connection=client)) >= count:
                return
            dead = [p for p in self.procs if p.poll() is not None]
            assert not dead, f"a worker exited early; see {self.log_dir}"
            time.sleep(0.2)
        raise AssertionError(f"workers did not register; see {self.log_dir}")

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def workers(reminder_project: Path, redis_server, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(reminder_project, redis_server.url, tmp_path)
    yield running
    running.stop_all()


@pytest.fixture
def bot_services(reminder_project: Path, redis_server, redis_client, monkeypatch) -> Iterator:
    """The server's services (as `parley run` builds them) on the test Redis."""
    from bot.config import load_project
    from bot.services import build_services

    monkeypatch.setenv("REDIS_URL", redis_server.url)
    built = build_services(load_project(reminder_project))
    yield built
    built.close()


def wait_for(check: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()
