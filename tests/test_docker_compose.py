"""docker-compose.yml is valid Compose (checked offline with the compose-spec validator) and wired right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose

REPO = Path(__file__).resolve().parents[1]


def _interpolated(text: str) -> str:
    """`${VAR:-default}` as docker compose reads it with VAR unset (the validator does not interpolate)."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: m.group(2), text)


def test_compose_file_validates_against_the_compose_spec():
    text = _interpolated((REPO / "docker-compose.yml").read_text())
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


def test_the_bot_is_published_on_loopback_unless_told_otherwise_and_the_api_is_closed():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    bot = compose["services"]["bot"]
    assert bot["ports"] == ["${PARLEY_BIND:-127.0.0.1}:5005:5005"]
    assert _interpolated(yaml.safe_dump(bot["ports"])).strip() == "- 127.0.0.1:5005:5005"
    assert "redis" not in compose["services"] or "ports" not in compose["services"]["redis"]
    assert bot["environment"]["PARLEY_AUTH_TOKEN"] == "${PARLEY_AUTH_TOKEN:-}"  # empty: every API call is 401
    assert "--open-api" not in bot["command"]
