"""The Slack channel: a Slack app's Events API and interactivity, acknowledged at once, answered once.

    POST /webhooks/slack/events       Events API (url_verification, message.im, app_mention, ...)
    POST /webhooks/slack/interactive  Block Kit button clicks (form field `payload`)
    POST /webhooks/slack/webhook      Rasa's single path for both (a Rasa app's URLs keep working)

Every request is checked first (slack_sdk's SignatureVerifier: `v0` HMAC of the body with the signing
secret, timestamp within 5 minutes): unsigned, stale or forged requests get 401 and touch nothing.
Then, for an event to answer:

    claim event_id in Redis (SET NX EX)  -- a retry, or the same event at another process: ack only
    queue the turn (bounded thread pool) -- full: the claim is given back and Slack gets 503 (it retries)
    answer 200                           -- well inside Slack's 3 s, however long the turn takes
    worker: Agent.handle(message, SlackOutput) -> chat.postMessage / files_upload_v2

With `socket_mode: true` the same payloads arrive over slack_sdk's Socket Mode client (an app-level
token, no public URL); each envelope is acked the same way before its turn runs.
What the payloads mean (who, where, which conversation) is in slack_events.py; rendering and sending
in slack_render.py; credentials in slack_settings.py.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

from flask import Blueprint, Flask, jsonify, request
from slack_sdk.signature import SignatureVerifier

from bot.channels.base import InputChannel, OnMessage, UserMessage
from bot.channels.slack_dedup import EventClaims
from bot.channels.slack_events import SlackTurn, event_turn, interaction_turn
from bot.channels.slack_locale import UserLocales
from bot.channels.slack_redelivery import Redelivery
from bot.channels.slack_render import SlackOutput, web_client
from bot.channels.slack_settings import SlackSettings
from bot.errors import BadRequest, ConfigError, ParleyError, Unauthorized

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


class SlackBusy(ParleyError):
    kind = "unavailable"
    code = "slack_busy"


class TurnPool:
    """At most `workers` turns at once and `max_pending` waiting; `submit` never blocks the ack."""

    def __init__(self, workers: int, max_pending: int) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-turn")
        self.slots = threading.BoundedSemaphore(max_pending)
        self.idle = threading.Condition()
        self.running = 0

    def submit(self, fn: Any, *args: Any) -> bool:
        if not self.slots.acquire(blocking=False):
            return False
        with self.idle:
            self.running += 1
        self.executor.submit(self._run, fn, *args)
        return True

    def _run(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        finally:
            self.slots.release()
            with self.idle:
                self.running -= 1
                self.idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.running == 0, timeout)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


class SlackInput(InputChannel):
    name = "slack"
    Settings = SlackSettings
    settings: SlackSettings

    def __init__(
        self, settings: SlackSettings, *, redis: Any | None = None, media: Any | None = None
    ) -> None:
        super().__init__(settings)
        self.verifier = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
        self.client = web_client(
            settings.slack_token.get_secret_value(), settings.api_url, settings.proxy, settings.api_timeout_s
        )
        self.pool = TurnPool(settings.workers, settings.max_pending)
        self.claims: EventClaims | None = None
        self.redelivery: Redelivery | None = None
        self.socket_client: Any | None = None
        self.media = media
        self.locales: UserLocales | None = None  # a multilingual bot's (slack_locale.py)
        if redis is not None:
            self.attach(redis, media)

    # ------------------------------------------------------------------ wiring
    def attach(self, redis: Any, media: Any | None = None) -> None:
        """Give the channel its Redis (de-dup, replies to send again) and media store; the app does this
        from its Services when the blueprint is registered."""
        settings = self.settings
        self.claims = EventClaims(redis, settings.key_prefix, settings.dedup_ttl_s)
        self.media = media if media is not None else self.media
        if self.redelivery is not None:
            self.redelivery.stop()
        self.redelivery = Redelivery(
            redis, settings.key_prefix, settings.redeliver_interval_s, settings.redeliver_max_age_s
        )
        self.redelivery.start(self.redeliver)

    def _attach_from_app(self, app: Flask) -> None:
        services = app.extensions.get("parley")
        if self.claims is None and services is not None:
            self.attach(services.tracker_store.client, getattr(services, "media", None))
        agent = getattr(services, "agent", None)
        if self.settings.user_locale and getattr(agent, "multilingual", None) is not None:
            self.locales = UserLocales(self.client)
        if self.claims is None:
            raise ConfigError(
                "credentials.yml", "slack", "the Slack channel needs Redis to de-duplicate Slack's retries"
            )

    def blueprint(self, on_message: OnMessage) -> Blueprint:
        bp = Blueprint("slack", __name__)
        bp.record_once(lambda state: self._attach_from_app(state.app))
        if self.settings.socket_mode:
            bp.record_once(lambda state: self.start_socket_mode(on_message))

        @bp.post("/webhooks/slack/events")
        def events():
            return self._ack(self.handle_event(self._verified_body(), on_message, self._retry_headers()))

        @bp.post("/webhooks/slack/interactive")
        def interactive():
            return self._ack(self.handle_interaction(self._verified_body(), on_message))

        @bp.post("/webhooks/slack/webhook")
        def rasa_webhook():
            body = self._verified_body()
            if body.startswith(b"payload="):
                return self._ack(self.handle_interaction(body, on_message))
            return self._ack(self.handle_event(body, on_message, self._retry_headers()))

        return bp

    def close(self) -> None:
        if self.socket_client is not None:
            self.socket_client.close()
        if self.redelivery is not None:
            self.redelivery.stop()
        self.pool.close()

    # ------------------------------------------------------------------ HTTP
    def _verified_body(self) -> bytes:
        body = request.get_data(cache=True)
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        try:
            valid = bool(timestamp and timestamp.isdigit() and signature)
            valid = valid and self.verifier.is_valid(body, timestamp, signature)
        except (UnicodeDecodeError, ValueError):
            valid = False
        if not valid:
            reason = "unsigned" if not (timestamp and signature) else "bad_or_stale_signature"
            log.warning("event=slack.request.refused reason=%s remote=%s", reason, request.remote_addr)
            raise Unauthorized(
                "the request is not signed by Slack with this app's signing secret, or its timestamp is "
                "more than 5 minutes off (check slack_signing_secret and the server's clock)",
                code="slack_signature_invalid",
            )
        return body

    @staticmethod
    def _retry_headers() -> dict[str, str]:
        retry = {
            "num": request.headers.get("X-Slack-Retry-Num"),
            "reason": request.headers.get("X-Slack-Retry-Reason"),
        }
        return {k: v for k, v in retry.items() if v}

    @staticmethod
    def _ack(result: dict[str, Any] | None):
        if result is not None:
            return jsonify(result)
        return "", 200

    # ------------------------------------------------------------------ payloads (HTTP and Socket Mode)
    def handle_event(
        self, body: bytes | dict[str, Any], on_message: OnMessage, retry: dict[str, str] | None = None
    ) -> dict[str, Any] | None:
        """An Events API payload (already verified) -> the ack's JSON (or None: an empty 200)."""
        payload = _json_object(body) if isinstance(body, bytes) else body
        kind = payload.get("type")
        if kind == "url_verification":
            challenge = payload.get("challenge")
            if not isinstance(challenge, str):
                raise BadRequest("url_verification without a 'challenge' string")
            return {"challenge": challenge}
        if kind != "event_callback":
            log.info("event=slack.callback.ignored type=%s", kind)
            return None
        turn, why = event_turn(payload, self.settings)
        if turn is None:
            log.debug("event=slack.event.ignored event_id=%s reason=%s", payload.get("event_id"), why)
            return None
        if not turn.dedup_id:
            raise BadRequest("event_callback without an 'event_id'")
        self._enqueue(turn, on_message, retry or {})
        return None

    def handle_interaction(
        self, body: bytes | dict[str, Any], on_message: OnMessage
    ) -> dict[str, Any] | None:
        if isinstance(body, bytes):
            fields = parse_qs(body.decode("utf-8"))
            if "payload" not in fields:
                raise BadRequest("an interactivity request carries its JSON in the form field 'payload'")
            payload = _json_object(fields["payload"][0].encode("utf-8"))
        else:
            payload = body
        turn, why = interaction_turn(payload, self.settings)
        if turn is None:
            log.debug("event=slack.interaction.ignored reason=%s", why)
            return None
        self._enqueue(turn, on_message, {})
        return None

    def _enqueue(self, turn: SlackTurn, on_message: OnMessage, retry: dict[str, str]) -> None:
        if self.claims is None:
            raise ConfigError("credentials.yml", "slack", "the Slack channel was not given its Redis")
        conversation = turn.message.sender_id
        if not self.claims.claim(turn.dedup_id, turn.dedup_kind):
            log.info(
                "event=slack.event.duplicate event_id=%s conversation=%s retry_num=%s retry_reason=%s",
                turn.dedup_id,
                conversation,
                retry.get("num", "-"),
                retry.get("reason", "-"),
            )
            return
        if not self.pool.submit(self._run_turn, turn, on_message):
            self.claims.release(turn.dedup_id, turn.dedup_kind)
            log.error("event=slack.event.busy event_id=%s conversation=%s", turn.dedup_id, conversation)
            raise SlackBusy(
                f"{self.settings.max_pending} Slack turns are already waiting; Slack retries this event"
            )
        log.info("event=slack.event.accepted event_id=%s conversation=%s", turn.dedup_id, conversation)

    def output_for(self, turn: SlackTurn) -> SlackOutput:
        return SlackOutput(
            self.client,
            turn.channel,
            turn.thread_ts,
            turn.message.sender_id,
            media=self.media,
            attempts=self.settings.send_attempts,
            backoff_s=self.settings.send_backoff_s,
            keep=self.redelivery.keep if self.redelivery is not None else None,
        )

    def redeliver(self, method: str, arguments: dict[str, Any], conversation: str) -> bool:
        """One more try of a kept reply (no further keeping: Redelivery puts it back). True: done."""
        output = SlackOutput(
            self.client, str(arguments.get("channel", "")), None, conversation, self.media, 1
        )
        return output.deliver(method, arguments) != "failed"

    def _run_turn(self, turn: SlackTurn, on_message: OnMessage) -> None:
        output = self.output_for(turn)
        if turn.clicked is not None:
            output.update_message(turn.clicked)
        try:
            on_message(self._with_locale(turn.message), output)
        except Exception as exc:
            log.exception(
                "event=slack.turn.failed event_id=%s conversation=%s error=%s",
                turn.dedup_id,
                turn.message.sender_id,
                type(exc).__name__,
            )
            output.send_text(turn.message.sender_id, SORRY)

    def _with_locale(self, message: UserMessage) -> UserMessage:
        """The user's Slack locale in the metadata (`locale`), for a multilingual bot's first language."""
        users = message.metadata.get("users") or []
        if self.locales is None or not users or "locale" in message.metadata:
            return message
        locale = self.locales.locale(str(users[0]))
        if locale is None:
            return message
        return dataclasses.replace(message, metadata={**message.metadata, "locale": locale})

    # ------------------------------------------------------------------ Socket Mode
    def start_socket_mode(self, on_message: OnMessage) -> None:
        """Connect slack_sdk's Socket Mode client; its envelopes go through the same handlers."""
        from slack_sdk.socket_mode import SocketModeClient

        token = self.settings.slack_app_token
        assert token is not None  # SlackSettings refuses socket_mode without it
        self.socket_client = SocketModeClient(app_token=token.get_secret_value(), web_client=self.client)
        self.socket_client.socket_mode_request_listeners.append(self.socket_listener(on_message))
        self.socket_client.connect()
        log.info("event=slack.socket_mode.connected")

    def socket_listener(self, on_message: OnMessage):
        from slack_sdk.socket_mode.response import SocketModeResponse

        def listener(client: Any, req: Any) -> None:
            try:
                if req.type == "events_api":
                    retry = {"num": str(req.retry_attempt)} if req.retry_attempt else {}
                    self.handle_event(req.payload, on_message, retry)
                elif req.type == "interactive":
                    self.handle_interaction(req.payload, on_message)
            except SlackBusy:
                return  # not acked: Slack redelivers the envelope
            except Exception as exc:  # acked regardless: Slack must not redeliver what cannot be handled
                log.error("event=slack.socket_mode.failed type=%s error=%s", req.type, type(exc).__name__)
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

        return listener


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not JSON; Slack sends events as application/json") from None
    if not isinstance(payload, dict):
        raise BadRequest(f"the body is a JSON {type(payload).__name__}, expected an object")
    return payload
