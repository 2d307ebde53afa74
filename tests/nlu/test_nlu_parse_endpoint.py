"""`POST /model/parse` on a tiny Flask app holding the trained model."""

from __future__ import annotations

import types

import pytest
from flask import Flask

from bot.api.parse import bp


@pytest.fixture()
def client(sparse_model):
    app = Flask("test")
    app.extensions["parley"] = types.SimpleNamespace(nlu=sparse_model)
    app.register_blueprint(bp)
    from bot.app import register_error_handlers

    register_error_handlers(app)
    return app.test_client()


def test_parse_returns_rasa_json(client):
    response = client.post("/model/parse", json={"text": "fly from Berlin to Rome"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["text"] == "fly from Berlin to Rome"
    assert body["intent"]["name"] == "book_flight" and 0 < body["intent"]["confidence"] <= 1
    assert body["intent_ranking"][0]["name"] == "book_flight"
    assert {e["value"] for e in body["entities"]} == {"Berlin", "Rome"}


def test_the_intent_shortcut_is_parsed_as_rasa_does(client):
    body = client.post("/model/parse", json={"text": ' /inform{"city": "Berlin"} '}).get_json()
    assert body["intent"] == {"name": "inform", "confidence": 1.0}
    assert [(e["entity"], e["value"]) for e in body["entities"]] == [("city", "Berlin")]


def test_surrounding_whitespace_is_not_part_of_a_message():
    from bot.channels.base import UserMessage

    assert UserMessage(text=" fly to Rome \t\n", sender_id="u").text == "fly to Rome"


def test_empty_text_is_a_valid_parse(client):
    response = client.post("/model/parse", json={"text": ""})
    assert response.status_code == 200 and response.get_json()["intent"]["name"] is None


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "not json", "content_type": "application/json"}, 400, "invalid_json"),
        ({"json": {"txt": "hi"}}, 400, "validation_failed"),
        ({"json": {"text": 5}}, 400, "validation_failed"),
        ({"json": ["hi"]}, 400, "validation_failed"),
        ({"json": {"text": "a" * 5001}}, 400, "input_too_long"),
    ],
)
def test_bad_input(client, kwargs, status, code):
    response = client.post("/model/parse", **kwargs)
    assert response.status_code == status
    body = response.get_json()
    assert body["reason"] == code and body["message"]


def test_no_model_is_503():
    app = Flask("test")
    app.extensions["parley"] = types.SimpleNamespace(nlu=None)
    app.register_blueprint(bp)
    from bot.app import register_error_handlers

    register_error_handlers(app)
    response = app.test_client().post("/model/parse", json={"text": "hi"})
    assert response.status_code == 503 and response.get_json()["reason"] == "model_not_found"
