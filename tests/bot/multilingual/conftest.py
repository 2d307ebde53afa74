"""The demo bot with `languages: [en, de]` and tiny de->en / en->de models, served on a real Redis."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.bot.multilingual.tiny_models import train_tiny

TOKEN = "parley-multilingual-test-token"


@pytest.fixture(scope="session")
def tiny_translation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny_translation")
    return {f"{s}-{t}": train_tiny(root / f"{s}-{t}", s, t) for s, t in (("de", "en"), ("en", "de"))}


@pytest.fixture(scope="session")
def multilingual_demo(trained_demo: Path, tiny_translation, tmp_path_factory) -> Path:
    """The trained demo (NLU and dialogue in English) with German as a user language."""
    root = tmp_path_factory.mktemp("multilingual") / "project"
    shutil.copytree(trained_demo, root, ignore=shutil.ignore_patterns(".parley"))
    config = yaml.safe_load((root / "config.yml").read_text())
    config["languages"] = ["en", "de"]
    config["translation"] = {
        "pairs": [
            {"source": s, "target": t, "model": str(tiny_translation[f"{s}-{t}"])}
            for s, t in (("en", "de"), ("de", "en"))
        ]
    }
    (root / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root


@pytest.fixture
def multilingual_services(multilingual_demo, redis_server, redis_client, monkeypatch) -> Iterator:
    from bot.config import load_project
    from bot.services import build_services

    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("PARLEY_AUTH_TOKEN", TOKEN)
    built = build_services(load_project(multilingual_demo))
    yield built
    built.close()


@pytest.fixture
def multilingual_client(multilingual_services):
    from bot.app import create_app

    client = create_app(multilingual_services).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return client
