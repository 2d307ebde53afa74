"""docker-compose.yml is valid Compose (checked offline with the compose-spec validator) and wired right."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose

REPO = Path(__file__).resolve().parents[1]


def test_compose_file_validates_against_the_compose_spec():
    text = (REPO / "docker-compose.yml").read_text()
    spec = PyCompose.from_yaml(text).to_spec()
    assert set(spec.services) == {"bot", "redis"}


def test_bot_points_at_redis_which_persists_and_is_healthchecked():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    redis = compose["services"]["redis"]
    bot = compose["services"]["bot"]
    assert redis["image"].startswith("redis:7")
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert "healthcheck" in redis and "redis-cli" in redis["healthcheck"]["test"]
    assert bot["environment"]["REDIS_URL"].startswith("redis://redis:6379")
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert (REPO / bot["build"]["dockerfile"]).is_file()


def test_the_validator_rejects_a_broken_compose_file():
    broken = "services:\n  bot:\n    image: parley\n    ports: 5005\n    healthcheck: yes-please\n"
    with pytest.raises(Exception):  # noqa: B017 - the validator raises its own error types
        PyCompose.from_yaml(broken).to_spec()
