"""What a Slack payload means for the bot: a `SlackTurn` (who said what, where to answer, which
conversation) or None with the reason it is ignored. Pure functions of the payload and the settings.

Answered: direct messages (`message` in an `im`), `app_mention` (the mention stripped), and `message`
events in channels the app subscribed to (unless they mention the bot: the `app_mention` event for the
same message answers it). Ignored: bots (the app itself included), edits, deletions and other subtypes,
hidden messages, channels other than `slack_channel` when it is set.

Conversation identity is Rasa's (`conversation_granularity`):
    sender -> "U123"        channel -> "U123_C456"        thread -> "U123_C456_<thread ts>"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.channels.base import UserMessage
from bot.channels.slack_settings import SlackSettings

CHANNEL = "slack"
_ANSWERED_SUBTYPES = {None, "file_share", "thread_broadcast"}
_ANY_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class SlackTurn:
    """One user message to answer: the message for the agent, and where its replies go."""

    message: UserMessage
    channel: str  # where replies are posted
    thread_ts: str | None  # None: reply in the channel itself
    dedup_id: str  # event_id, or the interaction's id
    dedup_kind: str = "event"
    retry: dict[str, str] = field(default_factory=dict)
    clicked: dict[str, Any] | None = None  # chat.update arguments: the clicked message, buttons replaced


def bot_user_ids(payload: dict[str, Any]) -> set[str]:
    """The app's own user ids, as the Events API names them in every callback."""
    ids = {a.get("user_id") for a in payload.get("authorizations") or [] if a.get("is_bot", True)}
    ids.update(payload.get("authed_users") or [])
    return {i for i in ids if isinstance(i, str) and i}


def strip_mentions(text: str, bot_ids: set[str]) -> str:
    """Remove the bot's own `<@U...>` mentions (any leading mention when the bot's id is unknown)."""
    if bot_ids:
        text = _ANY_MENTION.sub(lambda m: "" if m.group(1) in bot_ids else m.group(0), text)
    else:
        text = _ANY_MENTION.sub("", text, count=1) if _ANY_MENTION.match(text.lstrip()) else text
    return re.sub(r"[ \t]{2,}", " ", text).strip()  # line breaks are the user's: kept


def conversation_id(settings: SlackSettings, user: str, channel: str, thread_ts: str | None) -> str:
    granularity = settings.conversation_granularity
    if granularity == "channel" and channel:
        return f"{user}_{channel}"
    if granularity == "thread" and channel and thread_ts:
        return f"{user}_{channel}_{thread_ts}"
    return user


def event_turn(payload: dict[str, Any], settings: SlackSettings) -> tuple[SlackTurn | None, str]:
    """(turn, "") for an event to answer, else (None, why it is ignored)."""
    event = payload.get("event")
    if not isinstance(event, dict):
        return None, "no_event"
    kind, subtype = event.get("type"), event.get("subtype")
    if kind not in ("message", "app_mention"):
        return None, f"type_{kind}"
    bots = bot_user_ids(payload)
    if event.get("bot_id") or event.get("bot_profile") or subtype == "bot_message":
        return None, "from_a_bot"
    user = event.get("user")
    if not isinstance(user, str) or not user:
        return None, "no_user"
    if user in bots:
        return None, "own_message"
    if subtype not in _ANSWERED_SUBTYPES or event.get("hidden"):
        return None, f"subtype_{subtype}"
    channel = event.get("channel")
    if not isinstance(channel, str) or not channel:
        return None, "no_channel"
    direct = event.get("channel_type") == "im" or channel.startswith("D")
    raw_text = event.get("text") or ""
    if kind == "message" and not direct and _mentions(raw_text, bots):
        return None, "answered_as_app_mention"
    if settings.slack_channel and not direct and channel != settings.slack_channel:
        return None, "not_slack_channel"
    text = strip_mentions(raw_text, bots)
    if not text:
        return None, "empty_text"
    ts = event.get("ts") or event.get("event_ts")
    thread = event.get("thread_ts") or ts
    reply_thread = thread if settings.use_threads else event.get("thread_ts")
    metadata = {
        "out_channel": channel,
        "thread_id": thread,
        "ts": ts,
        "users": [user],
        "team": payload.get("team_id") or event.get("team"),
        "is_mention": kind == "app_mention",
        "is_direct_message": direct,
    }
    message = UserMessage(
        text=text,
        sender_id=conversation_id(settings, user, channel, thread),
        input_channel=CHANNEL,
        message_id=str(event.get("client_msg_id") or payload.get("event_id") or ts),
        metadata=metadata,
    )
    return SlackTurn(message, channel, reply_thread, str(payload.get("event_id") or "")), ""


def interaction_turn(payload: dict[str, Any], settings: SlackSettings) -> tuple[SlackTurn | None, str]:
    """A Block Kit button click: its `value` (the button's payload) is what the user said."""
    if payload.get("type") != "block_actions":
        return None, f"type_{payload.get('type')}"
    actions = [a for a in payload.get("actions") or [] if isinstance(a, dict) and a.get("value")]
    user = (payload.get("user") or {}).get("id")
    container = payload.get("container") or {}
    channel = (payload.get("channel") or {}).get("id") or container.get("channel_id")
    if not actions:
        return None, "no_button_value"  # e.g. a link button: Slack opens the URL, nothing to say
    if not user or not channel:
        return None, "no_user_or_channel"
    if settings.slack_channel and not channel.startswith("D") and channel != settings.slack_channel:
        return None, "not_slack_channel"
    original = payload.get("message") or {}
    ts = original.get("ts") or container.get("message_ts")
    thread = original.get("thread_ts") or container.get("thread_ts")
    action = actions[0]
    text = str(action["value"])
    metadata = {
        "out_channel": channel,
        "thread_id": thread or ts,
        "users": [user],
        "team": (payload.get("team") or {}).get("id"),
        "button": {"action_id": action.get("action_id"), "message_ts": ts},
    }
    locale = (payload.get("user") or {}).get("locale")
    if isinstance(locale, str) and locale:  # where Slack sends it along, no users.info call is needed
        metadata["locale"] = locale
    click_id = str(payload.get("trigger_id") or action.get("action_ts") or f"{channel}:{ts}:{user}")
    message = UserMessage(
        text=text,
        sender_id=conversation_id(settings, user, channel, thread or ts),
        input_channel=CHANNEL,
        metadata=metadata,
    )
    reply_thread = (thread or ts) if settings.use_threads else thread
    clicked = _answered(original, channel, ts, action)
    return SlackTurn(message, channel, reply_thread, click_id, dedup_kind="click", clicked=clicked), ""


def _answered(original: dict[str, Any], channel: str, ts: str | None, action: dict[str, Any]) -> dict | None:
    """The clicked message with its buttons replaced by the choice, so it reads as answered."""
    blocks = original.get("blocks")
    if not ts or not isinstance(blocks, list):
        return None
    title = ((action.get("text") or {}).get("text") or action.get("value") or "").replace("*", "")
    kept = [b for b in blocks if isinstance(b, dict) and b.get("type") != "actions"]
    chosen = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*{title}* :white_check_mark:"}]}
    return {"channel": channel, "ts": ts, "blocks": [*kept, chosen], "text": original.get("text") or title}


def _mentions(text: str, bots: set[str]) -> bool:
    return any(m.group(1) in bots for m in _ANY_MENTION.finditer(text))
