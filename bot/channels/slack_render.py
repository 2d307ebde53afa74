"""Replies to Slack: `SlackOutput` turns the agent's replies into Web API calls.

    text     -> chat.postMessage, mrkdwn-escaped (& < >), split under Slack's limits at line/word ends
    buttons  -> a section + Block Kit `actions` (25 a block); a click posts the button's payload back
    image    -> files_upload_v2 for a file the bot published at /media/<id>, else an image block
    custom   -> chat.postMessage with the JSON as its arguments (blocks, attachments, ...), as Rasa

HTTP 429 (with Retry-After), 5xx and connection errors are retried by slack_sdk's retry handlers; a
call that still fails is retried `attempts` times with a backoff, every failure logged with the
conversation id (`event=slack.send.retry` / `event=slack.send.failed`), then handed to `keep` (Redis,
sent again later: slack_redelivery.py). Errors that no retry can fix (channel_not_found, invalid_auth,
...) are logged once and not retried.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.channels.base import OutputChannel

log = logging.getLogger(__name__)

MAX_TEXT = 3000  # a section block's text; chat.postMessage's `text` is kept to the same
MAX_BUTTONS = 25  # elements in one actions block
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
_TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
_MEDIA_PATH = re.compile(r"/media/([0-9a-f]{32}\.(?:png|jpg|svg|txt))$")


def web_client(token: str, base_url: str, proxy: str | None = None, timeout: int = 30) -> WebClient:
    """slack_sdk's client with its retry handlers: 429 honours Retry-After, 5xx and resets back off."""
    return WebClient(
        token=token,
        base_url=base_url,
        proxy=proxy,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; *bold*, _italic_ and `code` stay as the response wrote them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line end, else a space, never inside `&amp;`."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        amp = text.rfind("&", max(0, cut - 5), cut)
        if amp != -1 and ";" not in text[amp:cut]:
            cut = amp
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n ") if text[cut : cut + 1] in ("\n", " ") else text[cut:]
    if text or not pieces:
        pieces.append(text)
    return [p for p in pieces if p] or [""]


def button_blocks(text: str, buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    elements = []
    for i, button in enumerate(buttons):
        title = str(button.get("title") or button.get("payload") or "?")[:MAX_BUTTON_TEXT]
        element: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": title, "emoji": True},
            "action_id": f"parley_button_{i}",
        }
        payload = button.get("payload")
        if button.get("url"):
            element["url"] = str(button["url"])
        if payload is not None:
            if len(str(payload)) > MAX_BUTTON_VALUE:
                log.warning("event=slack.button.dropped title=%r reason=payload_over_2000_chars", title)
                continue
            element["value"] = str(payload)
        elements.append(element)
    for start in range(0, len(elements), MAX_BUTTONS):
        blocks.append(
            {
                "type": "actions",
                "block_id": f"parley_buttons_{start}",
                "elements": elements[start : start + 25],
            }
        )
    return blocks


class SlackOutput(OutputChannel):
    name = "slack"

    def __init__(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str | None,
        conversation_id: str,
        media: Any | None = None,
        attempts: int = 4,
        backoff_s: float = 0.5,
        keep: Callable[[str, dict[str, Any], str], Any] | None = None,
    ) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.conversation_id = conversation_id
        self.media = media
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.keep = keep  # where a call that still fails goes (slack_redelivery.Redelivery.keep)
        self.failed = 0  # calls that were finally given up (logged)

    # ------------------------------------------------------------------ OutputChannel
    def send_text(self, recipient_id: str, text: str) -> None:
        if not text.strip():
            return  # Slack refuses an empty message (no_text)
        for piece in split_text(escape_mrkdwn(text)):
            self._post(text=piece)

    def send_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        pieces = split_text(escape_mrkdwn(text or ""))
        for piece in pieces[:-1]:
            self._post(text=piece)
        last = pieces[-1]
        fallback = last or " / ".join(str(b.get("title", "")) for b in buttons)
        self._post(text=fallback, blocks=button_blocks(last, buttons))

    def send_image(self, recipient_id: str, image: str) -> None:
        media_id = self._own_media(image)
        if media_id is not None:
            upload = {"channel": self.channel, "thread_ts": self.thread_ts, "media_id": media_id}
            self.deliver("files_upload_v2", upload)
        elif urlparse(image).scheme in ("http", "https"):
            self._post(text=image, blocks=[{"type": "image", "image_url": image, "alt_text": "image"}])
        else:
            self.send_text(recipient_id, f"Image: {image} (no longer available)")

    def send_custom_json(self, recipient_id: str, json_message: dict[str, Any]) -> None:
        arguments = dict(json_message)
        arguments.setdefault("channel", self.channel)
        if self.thread_ts:
            arguments.setdefault("thread_ts", self.thread_ts)
        self.deliver("chat_postMessage", arguments)

    def send_attachment(self, recipient_id: str, attachment: Any) -> None:
        if isinstance(attachment, dict):
            self.send_custom_json(recipient_id, {"attachments": [attachment], "text": " "})
        else:
            self.send_text(recipient_id, str(attachment))

    def update_message(self, arguments: dict[str, Any]) -> None:
        """chat.update (e.g. a clicked message whose buttons become the choice)."""
        self.deliver("chat_update", arguments)

    # ------------------------------------------------------------------ Web API calls
    def _post(self, **arguments: Any) -> None:
        if self.thread_ts:
            arguments["thread_ts"] = self.thread_ts
        self.deliver("chat_postMessage", {"channel": self.channel, **arguments})

    def deliver(self, method: str, arguments: dict[str, Any]) -> str:
        """One Web API call, retried: "sent", "refused" (an error no retry fixes) or "failed" (kept for
        later by `keep`, when the channel gave one)."""
        outcome = self._call(method, arguments)
        if outcome == "failed" and self.keep is not None:
            self.keep(method, arguments, self.conversation_id)
        return outcome

    def _invoke(self, method: str, arguments: dict[str, Any]) -> Any:
        if method == "files_upload_v2":
            found = self.media.get(arguments["media_id"]) if self.media is not None else None
            if found is None:
                raise LookupError(f"media {arguments['media_id']} expired")
            return self.client.files_upload_v2(
                channel=arguments["channel"],
                thread_ts=arguments.get("thread_ts"),
                file=found[0],
                filename=arguments["media_id"],
                title=arguments["media_id"],
                request_file_info=False,
            )
        if method not in ("chat_postMessage", "chat_update"):
            raise LookupError(f"{method} is not a reply method")
        return getattr(self.client, method)(**arguments)

    def _call(self, method: str, arguments: dict[str, Any]) -> str:
        error = ""
        for attempt in range(1, self.attempts + 1):
            try:
                self._invoke(method, arguments)
                return "sent"
            except LookupError as exc:
                self.failed += 1
                log.error(
                    "event=slack.send.failed conversation=%s error=%s retry=no", self.conversation_id, exc
                )
                return "refused"
            except SlackApiError as exc:
                status = exc.response.status_code
                error = str(exc.response.get("error") or f"http_{status}")
                if status < 500 and status != 429 and error not in _TRANSIENT:
                    self.failed += 1
                    log.error(
                        "event=slack.send.failed conversation=%s channel=%s method=%s error=%s retry=no",
                        self.conversation_id,
                        self.channel,
                        method,
                        error,
                    )
                    return "refused"
            except (SlackClientError, OSError) as exc:
                error = type(exc).__name__
            if attempt < self.attempts:
                log.warning(
                    "event=slack.send.retry conversation=%s channel=%s method=%s attempt=%d error=%s",
                    self.conversation_id,
                    self.channel,
                    method,
                    attempt,
                    error,
                )
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
        self.failed += 1
        log.error(
            "event=slack.send.failed conversation=%s channel=%s method=%s attempts=%d error=%s",
            self.conversation_id,
            self.channel,
            method,
            self.attempts,
            error,
        )
        return "failed"

    def _own_media(self, image: str) -> str | None:
        """The media id of a file the bot published (and still has), else None."""
        match = _MEDIA_PATH.search(urlparse(image).path or "")
        if match is None or self.media is None or self.media.get(match.group(1)) is None:
            return None
        return match.group(1)
