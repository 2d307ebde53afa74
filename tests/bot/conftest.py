"""Fixtures for the server: a copy of the demo project, trained once per session, served on a real Redis."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEST_TOKEN = "parley-test-token-17"  # the API's auth token in these tests (bot/api/auth.py)


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, copied without models, state, or translation (tested in tests/translation)."""
    root = tmp_path_factory.mktemp("demo") / "project"
    shutil.copytree(REPO / "demo", root, ignore=shutil.ignore_patterns("models", ".parley"))
    config = yaml.safe_load((root / "config.yml").read_text())
    config.pop("translation", None)
    config.pop("languages", None)  # the user languages need the translation pairs just dropped
    (root / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root


@pytest.fixture(scope="session")
def trained_demo(demo_project: Path) -> Path:
    from bot.training import train_project

    train_project(demo_project, seed=1)
    return demo_project


@pytest.fixture
def services(trained_demo: Path, redis_server, redis_client, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    from bot.config import load_project
    from bot.services import build_services

    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("PARLEY_AUTH_TOKEN", TEST_TOKEN)  # create_app reads it: the API needs credentials
    built = build_services(load_project(trained_demo))
    yield built
    built.close()


@pytest.fixture
def api_token() -> str:
    return TEST_TOKEN


@pytest.fixture
def client(services):
    """A test client that sends the API's token on every request (`anonymous` sends none)."""
    from bot.app import create_app

    client = create_app(services).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TEST_TOKEN}"
    return client


@pytest.fixture
def anonymous(services):
    """A test client of the same app that sends no credentials."""
    from bot.app import create_app

    return create_app(services).test_client()
