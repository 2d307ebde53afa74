"""The demo's model-backed actions in a conversation over REST: a forecast with its plot, summaries."""

from __future__ import annotations

ARTICLE = (
    "The city council approved a new budget on Monday after a long debate. "
    "Schools will receive twelve million euros more than last year. "
    "The mayor said the money would pay for two hundred new teachers. "
    "Opposition members argued that roads and bridges were being neglected. "
    "A vote on the transport plan is expected next month. "
    "Local businesses welcomed the decision to keep taxes unchanged."
)


def say(client, sender: str, text: str) -> list[dict]:
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_forecast_in_a_conversation_replies_with_a_summary_and_its_plot(client):
    replies = say(client, "fc-user", "forecast visits for the next 2 days")
    texts = " ".join(r.get("text") or "" for r in replies)
    assert "48" in texts and "visits" in texts, replies
    images = [r["image"] for r in replies if r.get("image")]
    assert len(images) == 1 and images[0].startswith("/media/")
    plot = client.get(images[0])
    assert plot.status_code == 200 and plot.mimetype == "image/png"
    assert plot.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_horizon_beyond_the_maximum_gets_a_plain_answer(client):
    replies = say(client, "fc-far", "forecast visits for the next 30 days")
    assert replies and all(not r.get("image") for r in replies)
    assert "336" in " ".join(r.get("text") or "" for r in replies)


def test_pasted_text_is_summarized(client):
    replies = say(client, "sum-user", f"summarize this in 2 sentences: {ARTICLE}")
    summary = replies[0]["text"]
    assert summary != ARTICLE and len(summary) < len(ARTICLE)
    sentences = [s for s in ARTICLE.split(". ") if s and s.rstrip(".") in summary]
    assert len(sentences) == 2


def test_the_conversation_so_far_is_summarized_for_a_hand_off(client):
    say(client, "sum-chat", "hello")
    say(client, "sum-chat", "forecast visits for the next 2 days")
    replies = say(client, "sum-chat", "summarize our conversation")
    text = " ".join(r.get("text") or "" for r in replies)
    assert "forecast visits for the next 2 days" in text


def test_the_engines_answer_without_a_conversation(client):
    summary = client.post("/summarize", json={"text": ARTICLE, "sentences": 2})
    assert summary.status_code == 200 and len(summary.get_json()["sentences"]) == 2
    hours = [10 + (i % 24) for i in range(24 * 14)]
    forecast = client.post(
        "/forecast", json={"series": [{"id": "s", "values": hours, "freq": "H"}], "horizon": 6}
    )
    assert forecast.status_code == 200
    assert len(forecast.get_json()["forecasts"][0]["mean"]) == 6
    bad = client.post("/forecast", json={"series": [], "horizon": 6})
    assert bad.status_code == 400 and "'series'" in bad.get_json()["message"]
