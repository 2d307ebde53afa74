"""Two real server processes sharing one real Redis get the same Slack event, with retries, at the same
moment: exactly one reply reaches Slack (the event_id claim in Redis, not process memory, decides)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bot.channels.slack_fake import BOT_USER_ID, FakeSlackAPI, slack_signature
from bot.dialogue.domain import load_domain
from bot.dialogue.model import train_dialogue
from bot.stores.embedded import free_port

REPO = Path(__file__).resolve().parents[3]
SECRET = "two-processes-secret"
SERVER = """
import sys
import redis
from flask import Flask
from werkzeug.serving import make_server
from bot.agent import Agent
from bot.app import register_error_handlers
from bot.channels.slack import SlackInput
from bot.channels.slack_settings import SlackSettings
from bot.dialogue.domain import load_domain
from bot.dialogue.model import DialogueModel
from bot.stores.redis import RedisLockStore, RedisTrackerStore

project, redis_url, api_url, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = redis.Redis.from_url(redis_url)
agent = Agent(load_domain(project + "/domain.yml"), None, DialogueModel.load(project + "/models"),
              RedisTrackerStore(client, key_prefix="t:"), RedisLockStore(client, key_prefix="l:"))
settings = {"slack_token": "xoxb-p", "slack_signing_secret": sys.argv[5], "api_url": api_url}
channel = SlackInput(SlackSettings.model_validate(settings), redis=client)
app = Flask("slack-process")
app.register_blueprint(channel.blueprint(agent.handle))
register_error_handlers(app)
make_server("127.0.0.1", port, app, threaded=True).serve_forever()
"""


@pytest.fixture
def servers(tmp_path: Path, redis_server, redis_client):
    (tmp_path / "data").mkdir()
    (tmp_path / "domain.yml").write_text(
        'version: "3.1"\nintents: [greet]\nresponses:\n  utter_greet: [{text: Hi}]\n'
    )
    rules = 'version: "3.1"\nrules:\n- {rule: g, steps: [{intent: greet}, {action: utter_greet}]}\n'
    (tmp_path / "data" / "rules.yml").write_text(rules)
    (tmp_path / "config.yml").write_text("language: en\n")
    domain = load_domain(tmp_path / "domain.yml")
    config = tmp_path / "config.yml"
    train_dialogue(
        [{"name": "RulePolicy"}], domain, [tmp_path / "data"], tmp_path / "models", config_source=config
    )
    (tmp_path / "server.py").write_text(SERVER)
    api = FakeSlackAPI()
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(tmp_path / "server.py"),
                str(tmp_path),
                redis_server.url,
                api.url,
                str(p),
                SECRET,
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for p in ports
    ]
    urls = [f"http://127.0.0.1:{p}/webhooks/slack/events" for p in ports]
    try:
        challenge = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
        for url in urls:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if post(url, challenge).status_code == 200:
                        break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        yield urls, api
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        api.close()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    signed = {**slack_signature(body, SECRET), "Content-Type": "application/json", **(headers or {})}
    return requests.post(url, data=body, headers=signed, timeout=10)


def test_two_processes_receiving_the_same_event_and_its_retries_reply_once(servers):
    urls, api = servers
    body = json.dumps(
        {
            "type": "event_callback",
            "event_id": "EvTwoProcs",
            "authorizations": [{"user_id": BOT_USER_ID, "is_bot": True}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D1",
                "user": "U1",
                "text": "/greet",
            },
        }
    ).encode()
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def deliver(url: str, retry: str | None) -> None:
        barrier.wait()
        statuses.append(post(url, body, {"X-Slack-Retry-Num": retry} if retry else None).status_code)

    threads = [threading.Thread(target=deliver, args=(u, r)) for u in urls for r in (None, "1", "2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 6
    assert api.wait_for(lambda: len(api.posts()) == 1, timeout=10)
    time.sleep(0.5)
    assert [p["text"] for p in api.posts()] == ["Hi"]
