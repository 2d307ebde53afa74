"""The Slack channel end to end: requests signed as Slack signs them, a real agent on a real Redis, and
a fake Slack Web API on loopback that records what the bot posted."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from flask import Flask

from actions.sdk import Action
from bot.agent import Agent
from bot.app import register_error_handlers
from bot.channels.slack import SlackInput
from bot.channels.slack_fake import BOT_ID, BOT_USER_ID, FakeSlackAPI, slack_signature
from bot.channels.slack_settings import SlackSettings
from bot.dialogue.domain import load_domain
from bot.dialogue.model import DialogueModel, train_dialogue
from bot.media import RedisMediaStore
from bot.stores.redis import RedisLockStore, RedisTrackerStore

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOMAIN = """
version: "3.1"
intents: [greet, show, slow, plot]
responses:
  utter_greet: [{text: "Hello <friend> & welcome!"}]
  utter_show:
  - text: "Pick one"
    buttons: [{title: "Greet me", payload: "/greet"}, {title: "No", payload: "/deny"}]
actions: [action_slow, action_plot]
"""
RULES = """
version: "3.1"
rules:
- {rule: greet, steps: [{intent: greet}, {action: utter_greet}]}
- {rule: show, steps: [{intent: show}, {action: utter_show}]}
- {rule: slow, steps: [{intent: slow}, {action: action_slow}]}
- {rule: plot, steps: [{intent: plot}, {action: action_plot}]}
"""
PNG = b"\x89PNG\r\n\x1a\n" + b"plot" * 64


class SlowAction(Action):
    def name(self):
        return "action_slow"

    def run(self, dispatcher, tracker, domain):
        time.sleep(5)
        dispatcher.utter_message(text="Done, slowly.")
        return []


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("slack")
    (root / "data").mkdir()
    (root / "domain.yml").write_text(DOMAIN)
    (root / "data" / "rules.yml").write_text(RULES)
    (root / "config.yml").write_text("language: en\n")
    domain, config = load_domain(root / "domain.yml"), root / "config.yml"
    train_dialogue([{"name": "RulePolicy"}], domain, [root / "data"], root / "models", config_source=config)
    return root


RETRY_1 = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture
def api():
    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture
def media(redis_client) -> RedisMediaStore:
    return RedisMediaStore(redis_client, key_prefix="m:")


@pytest.fixture
def agent(project: Path, redis_client, media) -> Agent:  # the real agent, Redis stores, two custom actions
    class PlotAction(Action):
        def name(self):
            return "action_plot"

        def run(self, dispatcher, tracker, domain):
            dispatcher.utter_message(text="Here is the forecast", image=media.publish(PNG, "image/png"))
            return []

    return Agent(
        load_domain(project / "domain.yml"),
        None,
        DialogueModel.load(project / "models"),
        RedisTrackerStore(redis_client, key_prefix="t:"),
        RedisLockStore(redis_client, key_prefix="l:"),
        {"action_slow": SlowAction, "action_plot": PlotAction},
    )


@pytest.fixture
def make_app(agent, redis_client, media, api):
    """A Flask app serving one SlackInput (a separate channel instance per call, like a process)."""
    channels: list[SlackInput] = []

    def build(**options) -> tuple[Flask, SlackInput]:
        settings = SlackSettings.model_validate(
            {"slack_token": "xoxb-1", "slack_signing_secret": SECRET, "api_url": api.url, **options}
        )
        channel = SlackInput(settings)
        app = Flask(f"slack{len(channels)}")
        # the real wiring: the channel takes Redis and the media store from the app's services
        app.extensions["parley"] = SimpleNamespace(
            tracker_store=SimpleNamespace(client=redis_client), media=media
        )
        app.register_blueprint(channel.blueprint(agent.handle))
        register_error_handlers(app)
        channels.append(channel)
        return app, channel

    yield build
    for channel in channels:
        channel.pool.wait_idle(15)
        channel.close()


def event(
    text: str, *, user="U1", channel="D1", kind="message", event_id="Ev1", ts="1700000000.000100", **extra
):
    body = {
        **{"token": "legacy", "team_id": "T1", "api_app_id": "A1", "event_time": 1700000000},
        "type": "event_callback",
        "event_id": event_id,
        "authorizations": [{"team_id": "T1", "user_id": BOT_USER_ID, "is_bot": True}],
        "event": {
            "type": kind,
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            **({"channel_type": "im"} if channel.startswith("D") else {"channel_type": "channel"}),
            **extra,
        },
    }
    return json.dumps(body).encode()


def send(client, body: bytes, *, secret=SECRET, timestamp=None, headers=None, path="/webhooks/slack/events"):
    signed = slack_signature(body, secret, timestamp)
    content_type = "application/x-www-form-urlencoded" if body.startswith(b"payload=") else "application/json"
    return client.post(path, data=body, headers={**signed, **(headers or {})}, content_type=content_type)


def events_of(agent: Agent, sender: str) -> list[dict]:
    return [e.to_dict() for e in agent.tracker(sender).events]


def test_url_verification_answers_the_challenge(make_app):
    app, _ = make_app()
    body = json.dumps({"type": "url_verification", "token": "t", "challenge": "3eZbrw1aB"}).encode()
    reply = send(app.test_client(), body)
    assert reply.status_code == 200 and reply.get_json() == {"challenge": "3eZbrw1aB"}


def test_a_direct_message_round_trip(make_app, api, agent, caplog):
    app, _ = make_app()
    with caplog.at_level("DEBUG"):
        reply = send(app.test_client(), event("/greet"))
        assert reply.status_code == 200
        assert api.wait_for(lambda: len(api.posts()) == 1)
    assert "event=slack.event.accepted event_id=Ev1 conversation=U1" in caplog.text
    assert "xoxb-1" not in caplog.text and SECRET not in caplog.text  # secrets never logged
    post = api.posts()[0]
    assert post["channel"] == "D1" and "thread_ts" not in post
    assert post["text"] == "Hello &lt;friend&gt; &amp; welcome!"  # mrkdwn-safe
    assert api.attempts("chat.postMessage")[0].token == "xoxb-1"
    user = [e for e in events_of(agent, "U1") if e["event"] == "user"][0]
    assert user["input_channel"] == "slack" and user["metadata"]["out_channel"] == "D1"


def test_a_mention_round_trip_strips_the_mention(make_app, api, agent):
    app, _ = make_app()
    send(app.test_client(), event(f"<@{BOT_USER_ID}> /greet", channel="C1", kind="app_mention"))
    assert api.wait_for(lambda: len(api.posts()) == 1)
    assert api.posts()[0]["channel"] == "C1"
    user = [e for e in events_of(agent, "U1") if e["event"] == "user"][0]
    assert user["text"] == "/greet" and user["metadata"]["is_mention"] is True
    # the `message` event Slack also sends for that message is not answered a second time
    send(app.test_client(), event(f"<@{BOT_USER_ID}> /greet", channel="C1", event_id="Ev2"))
    time.sleep(0.3)
    assert len(api.posts()) == 1


def test_replies_go_in_the_thread_and_thread_granularity_keeps_threads_apart(make_app, api, agent):
    app, _ = make_app(use_threads=True, conversation_granularity="thread")
    client = app.test_client()
    send(client, event(f"<@{BOT_USER_ID}> /greet", channel="C1", kind="app_mention", ts="1.000001"))
    send(
        client,
        event(
            "/greet", channel="C1", kind="app_mention", event_id="Ev2", ts="2.000002", thread_ts="1.000001"
        ),
    )
    assert api.wait_for(lambda: len(api.posts()) == 2)
    assert sorted(p["thread_ts"] for p in api.posts()) == ["1.000001", "1.000001"]
    assert events_of(agent, "U1_C1_1.000001") and not events_of(agent, "U1")


def test_buttons_are_block_kit_actions_and_a_click_sends_the_payload(make_app, api, agent):
    app, _ = make_app()
    client = app.test_client()
    send(client, event("/show"))
    assert api.wait_for(lambda: len(api.posts()) == 1)
    blocks = api.posts()[0]["blocks"]
    assert blocks[0] == {"type": "section", "text": {"type": "mrkdwn", "text": "Pick one"}}
    buttons = blocks[1]["elements"]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Greet me", "/greet"), ("No", "/deny")]
    click = {
        "type": "block_actions",
        "trigger_id": "tr1",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "channel": {"id": "D1"},
        "container": {"type": "message", "message_ts": "5.5", "channel_id": "D1"},
        "message": {"ts": "5.5", "text": "Pick one", "blocks": blocks},
        "actions": [{**buttons[0], "action_ts": "6.6", "block_id": blocks[1]["block_id"]}],
    }
    body = urlencode({"payload": json.dumps(click)}).encode()
    reply = send(client, body, path="/webhooks/slack/interactive")
    assert reply.status_code == 200
    assert api.wait_for(lambda: len(api.posts()) == 2)
    assert api.posts()[1]["text"].startswith("Hello")
    update = api.attempts("chat.update")[0].args  # the clicked message now reads as answered
    assert update["ts"] == "5.5" and [b["type"] for b in update["blocks"]] == ["section", "context"]
    assert update["blocks"][1]["elements"][0]["text"] == "*Greet me* :white_check_mark:"
    assert [e["text"] for e in events_of(agent, "U1") if e["event"] == "user"] == ["/show", "/greet"]
    # Rasa's single path takes the same click (a new one) and events alike
    send(
        client,
        urlencode({"payload": json.dumps({**click, "trigger_id": "tr2"})}).encode(),
        path="/webhooks/slack/webhook",
    )
    send(client, event("/greet", event_id="Ev3"), path="/webhooks/slack/webhook")
    assert api.wait_for(lambda: len(api.posts()) == 4)


def test_retries_1_to_3_during_a_slow_turn_get_one_reply_and_every_ack_is_fast(make_app, api):
    app, _ = make_app()
    client = app.test_client()
    body = event("/slow")
    acks = []
    for retry in (None, "1", "2", "3"):
        headers = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        started = time.monotonic()
        assert send(client, body, headers=headers).status_code == 200
        acks.append(time.monotonic() - started)
    assert max(acks) < 1.0, acks  # Slack's limit is 3 s; the 5 s action runs after the ack
    assert api.wait_for(lambda: len(api.posts()) == 1, timeout=15)
    time.sleep(0.3)
    assert [p["text"] for p in api.posts()] == ["Done, slowly."]


def test_two_processes_sharing_redis_answer_the_same_event_once(make_app, api):
    apps = [make_app()[0], make_app()[0]]
    barrier = threading.Barrier(4)
    statuses = []

    def deliver(app, retry):
        barrier.wait()
        statuses.append(send(app.test_client(), event("/greet"), headers=retry).status_code)

    threads = [threading.Thread(target=deliver, args=(a, retry)) for a in apps for retry in ({}, RETRY_1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 4
    assert api.wait_for(lambda: len(api.posts()) == 1)
    time.sleep(0.3)
    assert len(api.posts()) == 1


def test_a_429_is_waited_out_then_the_reply_is_posted(make_app, api):
    app, _ = make_app()
    api.fail_next(1, status=429, retry_after=1)
    send(app.test_client(), event("/greet"))
    assert api.wait_for(lambda: len(api.posts()) == 1, timeout=10)
    first, second = api.attempts("chat.postMessage")
    assert first.status == 429 and second.status == 200 and second.at - first.at >= 0.95


def test_a_failing_send_is_logged_with_the_conversation_and_retried(make_app, api, caplog):
    app, _ = make_app(send_backoff_s=0.05)
    api.fail_next(4, status=500)  # slack_sdk's handler retries twice, then the channel's own retries
    with caplog.at_level("WARNING", logger="bot.channels.slack_render"):
        send(app.test_client(), event("/greet", user="U7"))
        assert api.wait_for(lambda: len(api.posts()) == 1, timeout=15)
    assert "event=slack.send.retry conversation=U7" in caplog.text


BODY = event("/greet")
BAD_REQUESTS = {  # headers, body
    "forged": lambda now: (slack_signature(BODY, "not-the-secret"), BODY),
    "stale": lambda now: (slack_signature(BODY, SECRET, now - 6 * 60), BODY),
    "future": lambda now: (slack_signature(BODY, SECRET, now + 6 * 60), BODY),
    "unsigned": lambda now: ({}, BODY),
    "tampered": lambda now: (slack_signature(BODY, SECRET), BODY.replace(b"/greet", b"/show")),
    "bad_timestamp": lambda now: ({**slack_signature(BODY, SECRET), "X-Slack-Request-Timestamp": "x"}, BODY),
    "v1_scheme": lambda now: (
        {k: v.replace("v0=", "v1=") for k, v in slack_signature(BODY, SECRET).items()},
        BODY,
    ),
}


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_forged_stale_and_unsigned_requests_are_refused_and_touch_nothing(make_app, api, redis_client, case):
    app, _ = make_app()
    headers, body = BAD_REQUESTS[case](int(time.time()))
    reply = app.test_client().post("/webhooks/slack/events", data=body, headers=headers)
    assert reply.status_code == 401
    error = reply.get_json()
    assert error["status"] == "failure" and error["reason"] == "slack_signature_invalid"
    assert SECRET not in reply.get_data(as_text=True)
    time.sleep(0.2)
    assert api.calls == [] and redis_client.keys("*") == []  # no conversation, no claim, no reply


def test_the_bots_own_messages_edits_and_deletions_are_ignored(make_app, api, redis_client):
    app, _ = make_app()
    client = app.test_client()
    ignored = [
        event("/greet", event_id="E1", bot_id=BOT_ID),  # its own reply, as Slack echoes it
        event("/greet", event_id="E2", user=BOT_USER_ID),
        event("/greet", event_id="E3", subtype="bot_message", bot_id="B2"),  # another bot
        event("/greet", event_id="E4", subtype="message_changed"),
        event("/greet", event_id="E5", subtype="message_deleted"),
    ]
    for body in ignored:
        assert send(client, body).status_code == 200
    time.sleep(0.3)
    assert api.calls == [] and redis_client.keys("t:*") == []


def test_a_published_image_is_uploaded_with_files_upload_v2(make_app, api):
    app, _ = make_app(use_threads=True)
    send(app.test_client(), event("/plot", channel="C1", kind="app_mention"))
    assert api.wait_for(lambda: len(api.attempts("files.completeUploadExternal")) == 1)
    assert [p["text"] for p in api.posts()] == ["Here is the forecast"]
    assert list(api.uploads.values()) == [PNG]
    complete = api.attempts("files.completeUploadExternal")[0].args
    assert complete["channel_id"] == "C1" and complete["thread_ts"] == "1700000000.000100"


def test_a_full_pool_answers_503_and_slacks_retry_is_then_served(make_app, api):
    app, channel = make_app(workers=1, max_pending=1)
    client = app.test_client()
    assert send(client, event("/slow", event_id="E1")).status_code == 200
    busy = send(client, event("/greet", user="U2", event_id="E2"))
    assert busy.status_code == 503 and busy.get_json()["reason"] == "slack_busy"
    channel.pool.wait_idle(15)
    assert (
        send(
            client, event("/greet", user="U2", event_id="E2"), headers={"X-Slack-Retry-Num": "1"}
        ).status_code
        == 200
    )
    assert api.wait_for(lambda: len(api.posts()) == 2, timeout=10)


def test_redis_down_is_a_503_so_slack_retries(make_app, api):
    import redis

    from bot.stores.embedded import free_port

    app, channel = make_app()
    channel.attach(redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    reply = send(app.test_client(), event("/greet"))
    assert reply.status_code == 503 and reply.get_json()["reason"] == "store_unavailable"
    time.sleep(0.2)
    assert api.calls == []


def test_socket_mode_envelopes_are_acked_and_answered(make_app, api, agent):
    _, channel = make_app()
    acks = []
    client = SimpleNamespace(send_socket_mode_response=lambda response: acks.append(response.envelope_id))
    listener = channel.socket_listener(agent.handle)
    payload = json.loads(event("/greet", event_id="S1"))
    listener(client, SimpleNamespace(type="events_api", envelope_id="env1", retry_attempt=0, payload=payload))
    listener(client, SimpleNamespace(type="events_api", envelope_id="env2", retry_attempt=1, payload=payload))
    assert acks == ["env1", "env2"]
    assert api.wait_for(lambda: len(api.posts()) == 1)
    time.sleep(0.2)
    assert len(api.posts()) == 1
