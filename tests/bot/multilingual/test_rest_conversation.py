"""The demo bot, written once in English, holds a conversation in German and in English through REST.

The tiny de->en and en->de models (conftest.py) stand in for the demo's; the NLU sees English, the
replies come back in German (the domain's `language: de` variations, else machine translation), and
the tracker keeps each message's original, its translation, the language and the detector's confidence.
"""

from __future__ import annotations

import json
import logging

from tests.bot.multilingual.tiny_models import GERMAN_TURNS

WEBHOOK = "/webhooks/rest/webhook"


def say(client, sender: str, text: str, **extra):
    response = client.post(
        WEBHOOK,
        data=json.dumps({"sender": sender, "message": text, **extra}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def user_events(client, sender: str) -> list[dict]:
    tracker = client.get(f"/conversations/{sender}/tracker").get_json()
    return [e for e in tracker["events"] if e["event"] == "user"]


def test_a_german_conversation(multilingual_client):
    greeting = say(multilingual_client, "de1", "Hallo, guten Morgen zusammen")
    assert greeting[0]["text"].startswith("Hallo! Ich bin Parley")  # the domain's German variation
    help_reply = say(multilingual_client, "de1", "Was kannst du alles für mich tun?")
    assert help_reply[0]["text"].startswith("Zum Beispiel")
    assert [b["payload"] for b in help_reply[0]["buttons"]] == ["/translate", "/forecast", "/goodbye"]
    thanks = say(multilingual_client, "de1", "Vielen Dank für die Hilfe")
    assert thanks[0]["text"] == "Gern geschehen!"  # utter_thank has no German variation: the model's
    assert thanks[0]["metadata"] == {"machine_translated": True, "language": "de"}
    bye = say(multilingual_client, "de1", "Tschüss, ich muss jetzt gehen")
    assert bye[0]["text"] == "Tschüss! Bis bald."

    events = user_events(multilingual_client, "de1")
    assert [e["text"] for e in events] == list(GERMAN_TURNS)  # the originals
    assert [e["parse_data"]["text"] for e in events] == list(GERMAN_TURNS.values())  # what the NLU saw
    assert [e["parse_data"]["intent"]["name"] for e in events] == ["greet", "help", "thank", "goodbye"]
    for event in events:
        record = event["parse_data"]["language"]
        assert record["conversation"] == "de" and record["machine_translated"] is True
        assert record["original"] == event["text"] and record["translation"] == event["parse_data"]["text"]
        assert record["detected"] == "de" and 0.8 <= record["confidence"] <= 1.0
    bots = [
        e
        for e in multilingual_client.get("/conversations/de1/tracker").get_json()["events"]
        if e["event"] == "bot"
    ]
    assert bots[2]["data"]["metadata"]["machine_translated"] is True


def test_an_english_conversation_is_untouched(multilingual_client):
    greeting = say(multilingual_client, "en1", "hello there")
    assert "Parley" in greeting[0]["text"] and not greeting[0]["text"].startswith("Hallo!")
    assert "metadata" not in greeting[0]
    bye = say(multilingual_client, "en1", "goodbye")
    assert bye[0]["text"] in ("Goodbye! Come back any time.", "Bye, talk to you soon.")
    events = user_events(multilingual_client, "en1")
    assert [e["parse_data"]["language"]["conversation"] for e in events] == ["en", "en"]
    assert all("translation" not in e["parse_data"]["language"] for e in events)


def test_switching_language_mid_conversation(multilingual_client):
    say(multilingual_client, "sw1", "hello there")
    switched = say(multilingual_client, "sw1", "can we speak German?")
    assert switched[0]["text"] == "Gerne, sprechen wir Deutsch."
    assert say(multilingual_client, "sw1", "ok")  # short: stays German
    events = user_events(multilingual_client, "sw1")
    assert [e["parse_data"]["language"]["conversation"] for e in events] == ["en", "de", "de"]
    assert events[1]["parse_data"]["language"]["source"] == "switch"
    assert events[2]["parse_data"]["language"]["source"] == "kept"


def test_an_unconfigured_language_gets_a_polite_reply_in_the_bots_language(multilingual_client):
    reply = say(multilingual_client, "fr1", "Bonjour, quel temps fera-t-il demain à Paris ?")
    assert reply[0]["text"] == "Sorry, I can only talk with you in English and German."
    record = user_events(multilingual_client, "fr1")[0]["parse_data"]["language"]
    assert record["unsupported"] == "fr"


def test_a_translation_failing_at_run_time_falls_back_to_the_original_with_a_warning(
    multilingual_client, multilingual_services, caplog, monkeypatch
):
    engine = multilingual_services.translation

    def broken(*args, **kwargs):
        raise RuntimeError("the model is gone")

    monkeypatch.setattr(engine, "translate", broken)
    with caplog.at_level(logging.WARNING, logger="bot.multilingual.translate"):
        reply = say(multilingual_client, "broken1", "Vielen Dank für die Hilfe")
    assert reply  # answered (200), not a 500
    record = user_events(multilingual_client, "broken1")[0]["parse_data"]["language"]
    assert record["translation_failed"] is True and record["translation"] is None
    assert "event=multilingual.translation_failed pair=de-en" in caplog.text
