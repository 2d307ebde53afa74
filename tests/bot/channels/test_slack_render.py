"""The Slack channel's parts on their own: credentials.yml settings (Rasa's keys, `${VAR}` secrets that
never leak), what an event means (granularity, threads, restriction, what is ignored), and rendering
(mrkdwn escaping, splitting at Slack's limits, Block Kit buttons, errors that are not retried)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from flask import Flask

from bot.channels import registry
from bot.channels.slack import SlackInput
from bot.channels.slack_events import event_turn, interaction_turn, strip_mentions
from bot.channels.slack_fake import BOT_USER_ID, FakeSlackAPI
from bot.channels.slack_render import SlackOutput, button_blocks, escape_mrkdwn, split_text, web_client
from bot.channels.slack_settings import SlackSettings
from bot.errors import ConfigError
from nlu.yamlio import ConfigFileError

RASA_SECTION = {
    "slack_token": "${SLACK_TOKEN}",
    "slack_signing_secret": "${SLACK_SIGNING_SECRET}",
    "slack_channel": "C0123ABCD",
    "use_threads": True,
    "conversation_granularity": "thread",
    "proxy": None,
    "slack_retry_reason_header": "x-slack-retry-reason",
    "slack_retry_number_header": "x-slack-retry-num",
    "errors_ignore_retry": ["http_timeout"],
}


def test_rasas_slack_section_loads_with_environment_secrets(monkeypatch):
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cr3t-from-env")
    assert "slack" not in registry.RASA_CHANNELS_NOT_SERVED
    channels = registry.load_channels({"slack": RASA_SECTION}, "proj/credentials.yml")
    slack = next(c for c in channels if c.name == "slack")
    assert isinstance(slack, SlackInput)
    assert slack.settings.slack_token.get_secret_value() == "xoxb-from-env"
    assert slack.settings.conversation_granularity == "thread" and slack.settings.use_threads
    assert "xoxb-from-env" not in repr(slack.settings) and "s3cr3t" not in str(slack.settings)
    slack.close()


def test_an_unset_variable_is_named_and_no_secret_is_echoed(monkeypatch):
    monkeypatch.delenv("SLACK_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cr3t-from-env")
    with pytest.raises((ConfigError, ConfigFileError)) as err:
        registry.load_channels({"slack": RASA_SECTION}, "proj/credentials.yml")
    message = str(err.value)
    assert "proj/credentials.yml" in message and "slack.slack_token" in message and "SLACK_TOKEN" in message
    assert "s3cr3t" not in message


def test_wrong_slack_settings_name_the_key_and_the_choices(monkeypatch):
    monkeypatch.delenv("SLACK_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    base = {"slack_token": "xoxb-1", "slack_signing_secret": "very-secret"}
    cases = [
        ({**base, "conversation_granularity": "team"}, "slack.conversation_granularity", "'thread'"),
        ({**base, "slack_chanel": "C1"}, "slack.slack_chanel", "slack_channel"),
        ({**base, "slack_channel": "#general"}, "slack.slack_channel", "channel ID"),
        ({"slack_token": "xoxb-1"}, "slack.slack_signing_secret", "required"),
        ({**base, "socket_mode": True}, "slack", "socket_mode needs slack_app_token"),
    ]
    for section, key, hint in cases:
        with pytest.raises((ConfigError, ConfigFileError)) as err:
            registry.load_channels({"slack": section})
        assert f"{key}" in str(err.value) and hint in str(err.value), str(err.value)
        assert err.value.kind == "config"
        assert "very-secret" not in str(err.value)


def settings(**options) -> SlackSettings:
    return SlackSettings.model_validate({"slack_token": "x", "slack_signing_secret": "y", **options})


def payload(text="/greet", channel="C1", kind="app_mention", **extra) -> dict:
    event = {"type": kind, "user": "U1", "text": text, "ts": "9.1", "channel": channel, **extra}
    if channel.startswith("D"):
        event["channel_type"] = "im"
    return {
        "type": "event_callback",
        "event_id": "Ev1",
        "authorizations": [{"user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }


def test_conversation_granularity_and_reply_threads_follow_rasa():
    for granularity, sender in [("sender", "U1"), ("channel", "U1_C1"), ("thread", "U1_C1_8.0")]:
        turn, _ = event_turn(payload(thread_ts="8.0"), settings(conversation_granularity=granularity))
        assert turn.message.sender_id == sender
    in_thread, _ = event_turn(payload(thread_ts="8.0"), settings())
    top_level, _ = event_turn(payload(), settings())
    threaded, _ = event_turn(payload(), settings(use_threads=True))
    assert (in_thread.thread_ts, top_level.thread_ts, threaded.thread_ts) == ("8.0", None, "9.1")


def test_slack_channel_restricts_channels_but_not_direct_messages():
    only_c1 = settings(slack_channel="C1")
    assert event_turn(payload(channel="C2"), only_c1) == (None, "not_slack_channel")
    assert event_turn(payload(channel="C1"), only_c1)[0] is not None
    assert event_turn(payload(channel="D5", kind="message"), only_c1)[0] is not None


def test_what_is_ignored_says_why():
    s = settings()
    assert event_turn(payload(bot_id="B1"), s)[1] == "from_a_bot"
    assert event_turn(payload(user=BOT_USER_ID), s)[1] == "own_message"
    assert event_turn(payload(subtype="message_changed"), s)[1] == "subtype_message_changed"
    assert event_turn(payload(subtype="message_deleted"), s)[1] == "subtype_message_deleted"
    assert event_turn(payload(kind="reaction_added"), s)[1] == "type_reaction_added"
    assert event_turn(payload(text=f"<@{BOT_USER_ID}>"), s)[1] == "empty_text"
    assert event_turn(payload(kind="message", text=f"<@{BOT_USER_ID}> hi"), s)[1] == "answered_as_app_mention"
    assert interaction_turn({"type": "view_submission"}, s)[1] == "type_view_submission"
    link = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"}, "actions": [{"url": "x"}]}
    assert interaction_turn(link, s)[1] == "no_button_value"


def test_only_the_bots_own_mention_is_stripped():
    assert strip_mentions(f"<@{BOT_USER_ID}> ask <@U2|ann> please", {BOT_USER_ID}) == "ask <@U2|ann> please"
    assert strip_mentions("<@UXYZ> hello", set()) == "hello"
    assert strip_mentions(f"<@{BOT_USER_ID}>  two\nlines", {BOT_USER_ID}) == "two\nlines"


def test_text_is_mrkdwn_safe_and_split_at_line_or_word_ends():
    assert escape_mrkdwn("a < b & c > d *bold*") == "a &lt; b &amp; c &gt; d *bold*"
    text = escape_mrkdwn(("word " * 30 + "& more\n") * 80)
    pieces = split_text(text, 500)
    assert all(0 < len(p) <= 500 for p in pieces) and len(pieces) > 10
    assert all(not p.endswith(("&", "&am", "&amp")) for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert split_text("x" * 1200, 500) == ["x" * 500, "x" * 500, "x" * 200]


def test_buttons_become_actions_blocks_of_at_most_25():
    buttons = [{"title": f"Option {i}", "payload": f'/pick{{"n": {i}}}'} for i in range(30)]
    buttons += [{"title": "Docs", "url": "https://example.org"}, {"title": "Huge", "payload": "x" * 2001}]
    blocks = button_blocks("Choose", buttons)
    assert [b["type"] for b in blocks] == ["section", "actions", "actions"]
    elements = blocks[1]["elements"] + blocks[2]["elements"]
    assert len(blocks[1]["elements"]) == 25 and len(elements) == 31  # the over-long payload is dropped
    assert json.loads(elements[3]["value"][5:]) == {"n": 3} and elements[-1]["url"] == "https://example.org"
    assert len({e["action_id"] for e in elements}) == 31


def test_long_replies_are_posted_in_pieces_and_permanent_errors_are_not_retried(caplog):
    with FakeSlackAPI() as api:
        output = SlackOutput(web_client("xoxb", api.url), "C1", None, "U1_C1", attempts=3, backoff_s=0.01)
        output.send_text("U1", "line of text\n" * 700)
        assert [len(p["text"]) <= 3000 for p in api.posts()] == [True, True, True, True]
        output.send_text("U1", "  ")  # nothing to say: nothing posted
        assert len(api.posts()) == 4
        api.reset()
        api.fail_next(1, status=200, error="channel_not_found")
        with caplog.at_level(logging.ERROR, logger="bot.channels.slack_render"):
            output.send_text("U1", "hello")
        assert len(api.attempts("chat.postMessage")) == 1 and output.failed == 1
        assert (
            "event=slack.send.failed conversation=U1_C1" in caplog.text and "channel_not_found" in caplog.text
        )


def test_the_committed_manifest_matches_the_routes_events_and_scopes():
    manifest = yaml.safe_load((Path(__file__).parents[3] / "bot/channels/slack_manifest.yml").read_text())
    channel = SlackInput(settings(), redis=object())
    app = Flask("manifest")
    app.register_blueprint(channel.blueprint(lambda message, output: []))
    routes = {rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    events = manifest["settings"]["event_subscriptions"]
    assert urlparse(events["request_url"]).path in routes
    assert urlparse(manifest["settings"]["interactivity"]["request_url"]).path in routes
    assert set(events["bot_events"]) == {"app_mention", "message.im"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "im:history", "chat:write", "files:write"} <= scopes
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    channel.close()


def test_a_reply_slack_would_not_take_is_kept_in_redis_and_sent_later(redis_client, caplog):
    with FakeSlackAPI() as api:
        options = {
            "api_url": api.url,
            "send_attempts": 2,
            "send_backoff_s": 0.01,
            "redeliver_interval_s": 3600,
        }
        channel = SlackInput(settings(**options), redis=redis_client)
        turn, _ = event_turn(payload(channel="D1", kind="message"), channel.settings)
        api.fail_next(2, status=200, error="fatal_error")  # a Slack outage longer than the retries
        with caplog.at_level(logging.WARNING, logger="bot.channels"):
            channel._run_turn(turn, lambda message, output: output.send_text(message.sender_id, "kept"))
        assert api.posts() == [] and channel.redelivery.pending() == 1
        assert "event=slack.send.kept conversation=U1" in caplog.text
        api.fail_next(1, status=200, error="fatal_error")  # still down at the next round: put back
        assert channel.redelivery.run_once(channel.redeliver) == 0 and channel.redelivery.pending() == 1
        assert channel.redelivery.run_once(channel.redeliver) == 1  # Slack is back: the reply goes out
        assert [p["text"] for p in api.posts()] == ["kept"] and channel.redelivery.pending() == 0
        channel.close()
