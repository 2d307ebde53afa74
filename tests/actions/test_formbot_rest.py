"""formbot end to end: REST channel -> real NLU -> policies -> real Redis -> real rasa_sdk validation action.

Skips without ../shared (the Rasa example projects). formbot's config.yml names a Duckling server
(`url: http://localhost:8000`); the test points Rasa's `RASA_DUCKLING_HTTP_URL` at a stand-in server
answered by the in-process Duckling, so "for 4 people" fills `num_people` as in Rasa. Every turn is
plain text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def formbot_root(tmp_path_factory: pytest.TempPathFactory, action_server: str) -> Path:
    from bot.training import train_project
    from tests.conftest import shared_data

    source = shared_data("rasa_projects", "formbot")
    root = tmp_path_factory.mktemp("formbot") / "formbot"
    shutil.copytree(source, root)
    (root / "endpoints.yml").write_text(f"action_endpoint:\n  url: {action_server}\n  timeout: 10\n")
    train_project(root, seed=1)
    return root


@pytest.fixture(scope="module")
def duckling_url() -> Iterator[str]:
    pytest.importorskip("duckling")
    from tests.nlu.duckling_standin import duckling_standin

    with duckling_standin() as (url, _):
        yield url


@pytest.fixture
def client(
    formbot_root: Path, duckling_url: str, redis_server, redis_client, monkeypatch: pytest.MonkeyPatch
) -> Iterator:
    from bot.app import create_app
    from bot.config import load_project
    from bot.services import build_services

    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("RASA_DUCKLING_HTTP_URL", duckling_url)
    monkeypatch.setenv("PARLEY_AUTH_TOKEN", "formbot-test-token")  # the conversation API needs it
    services = build_services(load_project(formbot_root))
    client = create_app(services).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer formbot-test-token"
    yield client
    services.close()


def _say(client, text: str, sender: str = "diner") -> list[str]:
    reply = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert reply.status_code == 200, reply.get_json()
    return [m.get("text") for m in reply.get_json()]


def test_a_full_form_conversation_over_rest(client, redis_client):
    assert _say(client, "hi") == ["Hello! I am restaurant search assistant! How can I help?"]
    assert _say(client, "im looking for a restaurant") == ["What cuisine?"]
    assert _say(client, "greek food") == ["How many people?"]
    assert _say(client, "for 4 people") == ["Do you want to sit outside?"]
    assert _say(client, "yes") == ["Please provide additional preferences"]
    assert _say(client, "a quiet table") == ["Please give your feedback on your experience so far"]
    done = _say(client, "it was great")
    assert done[0] == "All done!"
    assert "cuisine: greek" in done[1] and "num_people: 4" in done[1] and "outdoor_seating: True" in done[1]
    assert _say(client, "thanks") == ["You are welcome :)"]

    tracker = client.get("/conversations/diner/tracker").get_json()
    assert tracker["slots"]["num_people"] == 4  # the action server's validation turned "4" into 4
    assert tracker["active_loop"] == {}
    assert redis_client.llen("tracker:{diner}") == len(tracker["events"])  # it all lives in Redis
    story = client.get("/conversations/diner/story").get_data(as_text=True)
    assert "action: restaurant_form" in story and "active_loop: null" in story


def test_the_action_server_rejects_a_value(client):
    assert _say(client, "im looking for a restaurant", "picky") == ["What cuisine?"]
    assert _say(client, '/inform{"cuisine": "martian"}', "picky") == [
        "Cuisine type is not in the database, please try again",
        "What cuisine?",
    ]
