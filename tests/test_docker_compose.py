"""docker-compose.yml is valid Compose (checked offline with the compose-spec validator) and wired right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from compose_spec import PyCompose

REPO = Path(__file__).resolve().parents[1]


ENV = {"REDIS_PASSWORD": "test-only-password"}  # the required secrets, as an operator exports them


def _interpolated(text: str, env: dict[str, str] = ENV) -> str:
    """`${VAR:-default}` and `${VAR:?error}` as docker compose reads them with only `env` set (the
    validator does not interpolate). A required variable that is missing raises, as compose does."""

    def value(m: re.Match) -> str:
        name, op, rest = m.group(1), m.group(2), m.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise ValueError(f"required variable {name} is missing a value: {rest}")
        return rest

    return re.sub(r"\$\{(\w+)(:-|:\?)([^}]*)\}", value, text)


def test_compose_file_validates_against_the_compose_spec():
    text = _interpolated((REPO / "docker-compose.yml").read_text())
    spec = PyCompose.from_yaml(text).to_spec()
    assert set(spec.services) == {"redis", "bot", "worker", "actions", "export", "tfserving", "proxy"}


def test_bot_points_at_redis_which_persists_and_is_healthchecked():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    redis = compose["services"]["redis"]
    bot = compose["services"]["bot"]
    assert redis["image"].startswith("redis:7")
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert "healthcheck" in redis and "redis-cli" in redis["healthcheck"]["test"]
    assert bot["environment"]["REDIS_URL"] == "redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD}@redis:6379/0"
    assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
    assert (REPO / bot["build"]["dockerfile"]).is_file()


def test_the_validator_rejects_a_broken_compose_file():
    broken = "services:\n  bot:\n    image: parley\n    ports: 5005\n    healthcheck: yes-please\n"
    with pytest.raises(Exception):  # noqa: B017 - the validator raises its own error types
        PyCompose.from_yaml(broken).to_spec()


def test_the_bot_is_published_on_loopback_unless_told_otherwise_and_the_api_is_closed():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    bot = compose["services"]["bot"]
    proxy = compose["services"]["proxy"]  # the one public port, in front of the bot replicas
    assert proxy["ports"] == ["${PARLEY_BIND:-127.0.0.1}:5005:8080"]
    assert _interpolated(yaml.safe_dump(proxy["ports"])).strip() == "- 127.0.0.1:5005:8080"
    assert [name for name, s in compose["services"].items() if "ports" in s] == ["proxy"]
    assert bot["environment"]["PARLEY_AUTH_TOKEN"] == "${PARLEY_AUTH_TOKEN:-}"  # empty: every API call is 401
    assert "--open-api" not in bot["command"]


def _compose() -> dict:
    return yaml.safe_load(_interpolated((REPO / "docker-compose.yml").read_text()))


def test_the_scaled_deployment_is_wired_worker_queue_tfserving_action_server():
    services = _compose()["services"]
    bot, worker, proxy = services["bot"], services["worker"], services["proxy"]
    assert bot["deploy"]["replicas"] == 2 and "ports" not in bot  # N stateless bots behind one port
    assert "server bot:5005" in (REPO / "deploy" / "nginx.conf").read_text()
    assert proxy["depends_on"]["bot"]["condition"] == "service_healthy"
    assert worker["command"][:2] == ["parley", "worker"] and "--healthcheck" in worker["healthcheck"]["test"]
    assert worker["environment"]["REDIS_URL"] == bot["environment"]["REDIS_URL"]  # one queue, one Redis
    assert services["tfserving"]["depends_on"]["export"]["condition"] == "service_completed_successfully"
    assert "--model_config_file=/config/models.config" in services["tfserving"]["command"]
    assert services["export"]["command"][:3] == ["parley", "translate", "export"]
    assert services["actions"]["image"].startswith("rasa/rasa-sdk:3.21")
    for name in ("redis", "bot", "worker", "actions", "tfserving", "proxy"):  # restarted when unhealthy
        assert "healthcheck" in services[name], name
        assert services[name]["deploy"]["resources"]["limits"]["memory"], name


def test_secrets_come_from_the_environment_and_a_missing_redis_password_stops_compose():
    text = (REPO / "docker-compose.yml").read_text()
    assert "test-only-password" not in text and "requirepass" in text
    with pytest.raises(ValueError, match="REDIS_PASSWORD"):
        _interpolated(text, env={})
    redis = _compose()["services"]["redis"]
    assert redis["environment"]["REDISCLI_AUTH"] == ENV["REDIS_PASSWORD"]  # the healthcheck logs in


def test_the_compose_endpoints_name_the_action_server_and_tf_serving_and_load(tmp_path):
    import shutil

    from bot.config import load_project

    project = tmp_path / "demo"
    shutil.copytree(REPO / "demo", project, ignore=shutil.ignore_patterns("models", ".parley"))
    shutil.copy(REPO / "deploy" / "endpoints.yml", project / "endpoints.yml")
    loaded = load_project(project, env={"REDIS_URL": "redis://:pw@redis:6379/0"})
    assert loaded.translation_server.url == "http://tfserving:8501"
    assert loaded.translation_server.model_for("en", "de") == "en-de"
    assert "en-de" in (REPO / "deploy" / "tfserving" / "models.config").read_text()
    assert loaded.action_endpoint.url == "http://actions:5055/webhook"


def test_docker_compose_itself_accepts_the_file_where_it_is_installed(tmp_path):
    """A second validator: `docker-compose config` (Debian's v1.29 where present; it predates the
    top-level `name:`, which is dropped for it). Skipped where no docker-compose is installed."""
    import os
    import shutil
    import subprocess

    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    text = "\n".join(
        line
        for line in (REPO / "docker-compose.yml").read_text().splitlines()
        if not line.startswith("name:")
    )
    (tmp_path / "docker-compose.yml").write_text(text)
    env = {**os.environ, **ENV}
    done = subprocess.run(
        [
            binary,
            "-f",
            str(tmp_path / "docker-compose.yml"),
            "--project-directory",
            str(REPO),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
