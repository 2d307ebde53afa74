"""A tiny bot (rules only, no NLU: "/intent" shortcuts) served with the widget and socket.io channels,
for the widget tests. Run as a process, so a test can kill and restart the server:

    python tests/bot/channels/widget_server.py <project dir> <redis url> <port> [allowed origin ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

DOMAIN = """
version: "3.1"
intents: [greet, show, xss, inform, affirm, deny, later, rich]
entities: [city]
slots:
  city: {type: text, influence_conversation: false, mappings: [{type: from_entity, entity: city}]}
responses:
  utter_greet: [{text: "Hello! I am the test bot."}]
  utter_show:
  - text: "Pick a city"
    buttons:
    - {title: "Berlin", payload: '/inform{"city": "Berlin"}'}
    - {title: "Paris", payload: '/inform{"city": "Paris"}'}
  utter_city: [{text: "You picked {city}."}]
  utter_xss:
  - text: "<script>window.__xss = 1</script><img src=x onerror=\\"window.__xss = 2\\">
      see https://example.org/a?b=1 and javascript:alert(1)"
  utter_later: [{text: "A later reply."}]
  utter_rich:
  - text: "Here is the plot."
    image: "/media/0123456789abcdef0123456789abcdef.png"
  utter_custom: [{custom: {"kind": "handover", "agent": "ann"}}]
  utter_bad_image:
  - image: "javascript:alert(1)"
  utter_affirm: [{text: "Great."}]
"""
RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: show
  steps: [{intent: show}, {action: utter_show}]
- rule: inform
  steps: [{intent: inform}, {action: utter_city}]
- rule: xss
  steps: [{intent: xss}, {action: utter_xss}]
- rule: later
  steps: [{intent: later}, {action: utter_later}]
- rule: affirm
  steps: [{intent: affirm}, {action: utter_affirm}]
- rule: rich
  steps: [{intent: rich}, {action: utter_rich}, {action: utter_custom}, {action: utter_bad_image}]
"""


def write_project(root: Path, origins: list[str], token_lifetime_s: int = 3600) -> Path:
    """The project files and its trained dialogue model (RulePolicy: a second or so)."""
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import train_dialogue

    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "domain.yml").write_text(DOMAIN)
    (root / "data" / "rules.yml").write_text(RULES)
    (root / "config.yml").write_text("language: en\n")
    credentials = {
        "rest": None,
        "widget": {
            "allowed_origins": origins,
            "token_lifetime_s": token_lifetime_s,
            "title": "Test bot",
            "initial_payload": "/greet",
            "poll_s": 0.2,
        },
        "socketio": {"session_persistence": True},
    }
    (root / "credentials.yml").write_text(yaml.safe_dump(credentials))
    train_dialogue(
        [{"name": "RulePolicy"}],
        load_domain(root / "domain.yml"),
        [root / "data"],
        root / "models" / "dialogue",
        config_source=root / "config.yml",
    )
    return root


def build_app(root: Path, redis_url: str):
    """The Flask app as `parley run` builds it, minus NLU: real Agent, real Redis, real channels."""
    from bot.agent import Agent
    from bot.app import create_app
    from bot.channels.registry import load_channels
    from bot.config import Project
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import DialogueModel
    from bot.media import RedisMediaStore
    from bot.services import Services
    from bot.stores.redis import RedisLockStore, RedisTrackerStore, connect

    client = connect(redis_url)
    tracker_store = RedisTrackerStore(client, key_prefix="tracker:")
    lock_store = RedisLockStore(client, key_prefix="lock:")
    domain = load_domain(root / "domain.yml")
    agent = Agent(domain, None, DialogueModel.load(root / "models" / "dialogue"), tracker_store, lock_store)
    channels = load_channels(yaml.safe_load((root / "credentials.yml").read_text()), root / "credentials.yml")
    services = Services(
        project=Project(root=root),
        domain=domain,
        agent=agent,
        nlu=None,
        translation=None,
        tracker_store=tracker_store,
        lock_store=lock_store,
        redis_url=redis_url,
        channels=channels,
        media=RedisMediaStore(client, key_prefix="media:"),
    )
    return create_app(services)


def main(argv: list[str]) -> None:
    from werkzeug.serving import make_server

    root, redis_url, port = Path(argv[0]), argv[1], int(argv[2])
    app = build_app(root, redis_url)
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"serving on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    main(sys.argv[1:])
