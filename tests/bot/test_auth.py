"""Who may call the API (bot/api/auth.py): Rasa's token and JWT, closed by default, CORS and JSON only."""

from __future__ import annotations

import logging
import time

import jwt
import pytest

SECRET = "jwt-test-secret-" + "0123456789abcdef" * 4  # 64+ bytes: long enough for HS512
PROTECTED_CALLS = [
    ("get", "/conversations/ann/tracker", None),
    ("get", "/conversations/ann/story", None),
    ("post", "/conversations/ann/tracker/events", {"event": "slot", "name": "name", "value": "x"}),
    ("post", "/conversations/ann/trigger_intent", {"name": "greet"}),
    ("post", "/model/parse", {"text": "hello"}),
    ("post", "/translate", {"text": "hello", "source": "en", "target": "de"}),
    ("post", "/forecast", {"values": [1, 2, 3], "horizon": 1}),
    ("post", "/summarize", {"text": "One. Two. Three."}),
]


def _app(services, **settings):
    from bot.api.auth import AuthSettings
    from bot.app import create_app

    return create_app(services, AuthSettings(**settings)).test_client()


def _jwt(username: str | None, role: str, **claims) -> str:
    return jwt.encode({"user": {"username": username, "role": role}, **claims}, SECRET, algorithm="HS256")


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED_CALLS)
def test_every_protected_endpoint_refuses_a_caller_without_credentials(anonymous, method, path, body):
    reply = getattr(anonymous, method)(path, json=body) if body is not None else anonymous.get(path)
    assert reply.status_code == 401, reply.get_data(as_text=True)
    error = reply.get_json()
    assert error["status"] == "failure" and error["code"] == 401
    assert error["reason"] == "NotAuthenticated" and error["message"].startswith("User is not authenticated.")


def test_nothing_configured_means_closed_and_the_message_says_how_to_open(services):
    client = _app(services)
    reply = client.get("/conversations/ann/tracker")
    assert reply.status_code == 401
    assert "--auth-token" in reply.get_json()["message"] and "--open-api" in reply.get_json()["message"]


def test_the_token_works_as_query_parameter_or_bearer_and_a_wrong_one_is_401(services):
    client = _app(services, token="s3cret-token")
    assert client.get("/conversations/ann/tracker?token=s3cret-token").status_code == 200
    headers = {"Authorization": "Bearer s3cret-token"}
    assert client.get("/conversations/ann/tracker", headers=headers).status_code == 200
    wrong = client.get("/conversations/ann/tracker?token=guess")
    assert wrong.status_code == 401 and "guess" not in wrong.get_data(as_text=True)


def test_the_public_channels_and_health_stay_open(anonymous):
    assert anonymous.get("/health").status_code in (200, 503)
    reply = anonymous.post("/webhooks/rest/webhook", json={"sender": "open", "message": "hi"})
    assert reply.status_code == 200 and reply.get_json()[0]["recipient_id"] == "open"


def test_a_user_jwt_touches_only_its_own_conversation_and_admin_all(services):
    client = _app(services, jwt_secret=SECRET)
    ann = {"Authorization": f"Bearer {_jwt('ann', 'user')}"}
    assert client.get("/conversations/ann/tracker", headers=ann).status_code == 200
    other = client.get("/conversations/bob/tracker", headers=ann)
    assert other.status_code == 403 and other.get_json()["reason"] == "NotAuthorized"
    assert client.post("/model/parse", json={"text": "hi"}, headers=ann).status_code == 403
    admin = {"Authorization": f"Bearer {_jwt('root', 'admin')}"}
    assert client.get("/conversations/bob/tracker", headers=admin).status_code == 200
    assert client.post("/model/parse", json={"text": "hi"}, headers=admin).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode(
            {"user": {"username": "ann", "role": "admin"}}, "another-secret-" + "0123456789abcdef" * 4
        ),
        jwt.encode({"user": {"role": "admin"}, "exp": int(time.time()) - 10}, SECRET),
        jwt.encode({"user": {"role": "admin"}}, SECRET, algorithm="HS512"),  # not the configured method
        "not-a-jwt",
    ],
    ids=["wrong_secret", "expired", "wrong_method", "garbage"],
)
def test_a_bad_jwt_is_401(services, token):
    client = _app(services, jwt_secret=SECRET)
    reply = client.get("/conversations/ann/tracker", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401 and reply.get_json()["reason"] == "NotAuthenticated"


def test_open_api_needs_no_credentials_and_says_so_loudly(services, caplog):
    with caplog.at_level(logging.WARNING):
        client = _app(services, open_api=True)
    assert client.get("/conversations/ann/tracker").status_code == 200
    assert any("SECURITY WARNING" in r.getMessage() for r in caplog.records)


def test_settings_come_from_the_environment_and_secrets_never_show():
    from bot.api.auth import AuthSettings
    from bot.errors import ConfigError

    env = {
        "PARLEY_AUTH_TOKEN": "tok-abc",
        "PARLEY_JWT_SECRET": "sec-xyz",
        "PARLEY_CORS": "https://a.example, https://b.example",
    }
    settings = AuthSettings.from_env(env)
    assert settings.token == "tok-abc" and settings.jwt_secret == "sec-xyz"
    assert settings.cors == ("https://a.example", "https://b.example")
    assert "tok-abc" not in repr(settings) and "sec-xyz" not in repr(settings)
    assert "tok-abc" not in settings.describe() and "sec-xyz" not in settings.describe()
    assert AuthSettings.from_env({"PARLEY_OPEN_API": "1"}).open_api
    with pytest.raises(ConfigError, match="HS256"):
        AuthSettings.from_env({"PARLEY_JWT_METHOD": "none"})


def test_the_access_log_format_drops_the_query_string():
    from bot import server

    source = open(server.__file__).read()
    assert "%(U)s" in source and "%(r)s" not in source  # %(U)s is the path without ?token=


def test_json_endpoints_refuse_text_plain_with_415(client):
    body = '{"sender": "ann", "message": "hi"}'
    for path in ("/webhooks/rest/webhook", "/model/parse", "/conversations/ann/trigger_intent"):
        reply = client.post(path, data=body, content_type="text/plain")
        assert reply.status_code == 415, path
        assert "application/json" in reply.get_json()["message"]
    ok = client.post("/webhooks/rest/webhook", data=body, content_type="application/json; charset=utf-8")
    assert ok.status_code == 200


def test_cors_answers_only_the_allowed_origins(services, api_token):
    client = _app(services, token=api_token, cors=("https://app.example",))
    preflight = client.options(
        "/conversations/ann/tracker",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") == "https://app.example"
    evil = client.get(
        "/conversations/ann/tracker?token=" + api_token, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in evil.headers
    closed = _app(services, token=api_token)
    plain = closed.get(
        "/conversations/ann/tracker?token=" + api_token, headers={"Origin": "https://app.example"}
    )
    assert "Access-Control-Allow-Origin" not in plain.headers


def test_the_cli_hands_the_options_to_the_workers_through_the_environment(monkeypatch):
    from bot.cli import _auth_env, build_parser

    for name in (
        "PARLEY_AUTH_TOKEN",
        "PARLEY_JWT_SECRET",
        "PARLEY_OPEN_API",
        "PARLEY_CORS",
        "PARLEY_JWT_METHOD",
    ):
        monkeypatch.delenv(name, raising=False)
    args = build_parser().parse_args(
        [
            "run",
            "--auth-token",
            "t1",
            "--jwt-secret",
            "s1",
            "--jwt-method",
            "HS512",
            "--cors",
            "https://x.example",
        ]
    )
    _auth_env(args)
    import os

    assert os.environ["PARLEY_AUTH_TOKEN"] == "t1" and os.environ["PARLEY_JWT_SECRET"] == "s1"
    assert os.environ["PARLEY_JWT_METHOD"] == "HS512" and os.environ["PARLEY_CORS"] == "https://x.example"
    assert "PARLEY_OPEN_API" not in os.environ
