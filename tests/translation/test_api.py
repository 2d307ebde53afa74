"""POST /translate through a tiny Flask app with the service hung on app.extensions["parley"]."""

from __future__ import annotations

import types

import pytest
from flask import Flask

from bot.api.translate import bp
from bot.app import register_error_handlers
from translation.service import TranslationService


def make_client(translation):
    app = Flask("test")
    app.extensions["parley"] = types.SimpleNamespace(translation=translation)
    app.register_blueprint(bp)
    register_error_handlers(app)
    return app.test_client()


@pytest.fixture(scope="module")
def client(transformer_dir):
    svc = TranslationService.load({("en", "de"): transformer_dir})
    yield make_client(svc)
    svc.close()


def test_translate_one_text(client, tiny_pairs):
    r = client.post("/translate", json={"text": tiny_pairs[0][0], "source": "en", "target": "de"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["source"] == "en" and body["target"] == "de"
    assert body["translations"][0]["text"] == tiny_pairs[0][1]
    assert "alignment" not in body["translations"][0]


def test_translate_many_with_alignments(client, tiny_pairs):
    r = client.post(
        "/translate",
        json={
            "texts": [p[0] for p in tiny_pairs[:3]],
            "source": "en",
            "target": "de",
            "beam": 1,
            "alignments": True,
        },
    )
    assert r.status_code == 200
    out = r.get_json()["translations"]
    assert [t["text"] for t in out] == [p[1] for p in tiny_pairs[:3]]
    a = out[0]["alignment"]
    assert len(a["weights"]) == len(a["target_tokens"]) and len(a["weights"][0]) == len(a["source_tokens"])


def test_unknown_pair_is_404_listing_pairs(client):
    r = client.post("/translate", json={"text": "hi", "source": "en", "target": "fr"})
    assert r.status_code == 404
    body = r.get_json()
    assert {k: body[k] for k in ("status", "reason", "message", "code")} == {
        "status": "failure",
        "reason": "unknown_language_pair",
        "message": "no model for en-fr; available pairs: en-de",
        "code": 404,
    }
    assert set(body) == {"version", "status", "message", "reason", "details", "help", "code"}


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"source": "en", "target": "de"}, "exactly one of 'text'"),
        ({"text": "a", "texts": ["b"], "source": "en", "target": "de"}, "exactly one of 'text'"),
        ({"texts": [], "source": "en", "target": "de"}, "non-empty list"),
        ({"texts": ["ok", 3], "source": "en", "target": "de"}, "texts[1]"),
        ({"text": "a", "target": "de"}, "missing field 'source'"),
        ({"text": "a", "source": "en", "target": "de", "beam": 0}, "'beam' must be an integer from 1 to 16"),
        (
            {"text": "a", "source": "en", "target": "de", "alignments": "yes"},
            "'alignments' must be true or false",
        ),
    ],
)
def test_bad_requests_are_400_saying_what_to_fix(client, body, fragment):
    r = client.post("/translate", json=body)
    assert r.status_code == 400
    assert r.get_json()["reason"] == "validation_failed"
    assert fragment in r.get_json()["message"]


def test_too_many_texts_is_a_400_naming_the_limit(client):
    r = client.post("/translate", json={"texts": ["hi"] * 100, "source": "en", "target": "de"})
    assert r.status_code == 400 and r.get_json()["reason"] == "input_too_long"
    assert "100 texts in one request, the limit is 64" in r.get_json()["message"]


def test_no_model_is_503_saying_how_to_train_one():
    r = make_client(None).post("/translate", json={"text": "hi", "source": "en", "target": "de"})
    assert r.status_code == 503
    assert r.get_json()["reason"] == "model_not_found"
    assert "parley translate train" in r.get_json()["message"]
