"""The web chat widget: one `<script>` line on any page, or the full-page chat at `GET /chat`.

    <script src="https://bot.example/widget.js" data-server="https://bot.example"
            data-title="Parley" data-initial-payload="/greet"></script>

Routes (JSON in, Rasa's error body out; `Authorization: Bearer <token>` where marked *):

    GET  /widget.js                       the widget (plain JavaScript, no build step, no CDN)
    GET  /chat                            a full page with the widget open
    POST /webhooks/widget/session         {"token"?} -> {"token", "session_id", "expires_in", "new"}
    POST /webhooks/widget/webhook    *    {"message", "message_id", "title"?, "hidden"?, "metadata"?,
                                           "language"?} -> {"status": "accepted" | "duplicate"}
    GET  /webhooks/widget/stream     *    Server-Sent Events (bot/channels/widget_stream.py),
                                          resumed from `Last-Event-ID`

A resend of a `message_id` the conversation already holds is answered `duplicate` and not handled
again; one still being handled by another request is a 409 `in_progress` (the page retries).
Cross-origin requests are served only for `allowed_origins` (and the server's own origin); any other
`Origin` gets a 403 `origin_not_allowed` and no CORS headers, so the browser refuses it too.

credentials.yml:
    widget:
      allowed_origins: ["https://shop.example"]   # exact scheme://host[:port]
      token_lifetime_s: 86400                      # a session token is refused after this
      token_rotate_after_s: 3600                   # the page gets a fresh token after this
      title: "Parley"                              # GET /chat's title
      initial_payload: "/greet"                    # GET /chat sends it when a conversation is new

The signing key: PARLEY_WIDGET_SECRET (bot/channels/session_token.py).
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from pydantic import PositiveFloat, PositiveInt, field_validator

from bot.api.body import json_object, optional_dict, required_str
from bot.channels.base import ChannelSettings, CollectingOutputChannel, InputChannel, OnMessage, UserMessage
from bot.channels.session_token import SECRET_ENV, SessionTokens, signing_keys
from bot.channels.widget_handoff import HandedOffStreams
from bot.channels.widget_stream import StreamHub
from bot.errors import BadRequest, Conflict, DependencyError, ParleyError, PayloadTooLarge, Unauthorized

STATIC = Path(__file__).parent / "static"
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_MAX_TITLE_CHARS = 500
_IN_FLIGHT_S = 30


class OriginRefused(ParleyError):
    kind = "forbidden"
    code = "origin_not_allowed"


class WidgetSettings(ChannelSettings):
    allowed_origins: list[str] = []
    token_lifetime_s: PositiveInt = 86_400
    token_rotate_after_s: PositiveInt = 3_600
    max_message_chars: PositiveInt = 5000
    history_events: PositiveInt = 1000  # events replayed to a page that has none (a reload)
    poll_s: PositiveFloat = 0.5  # how soon replies stored by others (reminders) reach the page
    keepalive_s: PositiveFloat = 15.0
    max_streams: PositiveInt = 1000  # streams one process holds (503 beyond)
    hand_off: bool = True  # held streams leave the server's threads (bot/channels/widget_handoff.py)
    title: str = "Parley"
    initial_payload: str | None = None

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        out = []
        for origin in origins:
            clean = origin.strip().rstrip("/").lower()
            if not _ORIGIN.match(clean):
                raise ValueError(
                    f"{origin!r} is not an origin; write scheme://host[:port], e.g. https://shop.example "
                    "(no path, no wildcard)"
                )
            out.append(clean)
        return out


class _Runtime:
    """What the routes share once the app is built: tokens, the stream hub, and the tracker's Redis."""

    def __init__(self, settings: WidgetSettings, tracker_store: Any) -> None:
        client = getattr(tracker_store, "client", None)
        if client is None:
            raise RuntimeError("the widget channel needs the Redis tracker store (bot/stores/redis.py)")
        self.client = client
        self.key_prefix: str = tracker_store.key_prefix
        self.tokens = SessionTokens(
            signing_keys(client, self.key_prefix),
            lifetime_s=settings.token_lifetime_s,
            rotate_after_s=settings.token_rotate_after_s,
        )
        self.hub = StreamHub(client, self.key_prefix, self.key_prefix, poll_s=settings.poll_s)
        self.handoff = HandedOffStreams(
            self.hub, keepalive_s=settings.keepalive_s, history_events=settings.history_events
        )

    def close(self) -> None:
        """End every stream this process holds (their pages reconnect and resume)."""
        self.handoff.close()
        self.hub.close()

    def handled(self, sender_id: str, message_id: str) -> bool:
        """Does the conversation already hold a user message with this id? (the tracker is the truth)"""
        needle = message_id.encode()
        for raw in self.client.lrange(self.hub.key(sender_id), 0, -1):
            if (needle if isinstance(raw, bytes) else message_id) in raw:  # only candidates are parsed
                event = json.loads(raw)
                if event.get("event") == "user" and event.get("message_id") == message_id:
                    return True
        return False


class WidgetInput(InputChannel):
    name = "widget"
    Settings = WidgetSettings
    settings: WidgetSettings

    def __init__(self, settings: WidgetSettings) -> None:
        super().__init__(settings)
        self.runtime: _Runtime | None = None
        self._runtime_lock = threading.Lock()

    def limits(self) -> dict[str, int]:
        return {
            "max_message_chars": self.settings.max_message_chars,
            # threads a server must keep for held streams: none once they are handed off
            "held_streams": 0 if self.settings.hand_off else self.settings.max_streams,
        }

    def blueprint(self, on_message: OnMessage) -> Blueprint:
        bp = Blueprint("widget", __name__)
        bp.record_once(lambda state: self._start(state.app))

        @bp.get("/widget.js")
        def script():
            body = (STATIC / "widget.js").read_bytes()
            return Response(
                body, mimetype="text/javascript", headers={"Cache-Control": "public, max-age=300"}
            )

        @bp.get("/chat")
        def chat():
            page = (STATIC / "chat.html").read_text(encoding="utf-8")
            page = page.replace("{{title}}", html.escape(self.settings.title))
            page = page.replace("{{initial_payload}}", html.escape(self.settings.initial_payload or ""))
            return Response(page, mimetype="text/html", headers={"Cache-Control": "no-cache"})

        @bp.before_request
        def _origin_check():
            if request.path.startswith("/webhooks/widget/"):
                self._check_origin()

        @bp.after_request
        def _cors(response: Response) -> Response:
            if request.path.startswith("/webhooks/widget/"):
                response.headers.update(self._cors_headers())
            return response

        @bp.post("/webhooks/widget/session")
        def session():
            tokens = self._rt().tokens
            body = json_object(request) if request.get_data() else {}
            old = body.get("token")
            if old is not None and not isinstance(old, str):
                raise BadRequest("'token' must be a string (the token this endpoint gave you) or absent")
            new, why = True, None
            if old:
                try:
                    token, found, _ = tokens.refresh(old)
                    new = False
                except Unauthorized as exc:
                    why = exc.code
            if new:
                token, found = tokens.new()
            remaining = int(found.issued_at + tokens.lifetime_s - time.time())
            return jsonify(
                {
                    "token": token,
                    "session_id": found.sender_id,
                    "expires_in": remaining,
                    "new": new,
                    "why": why,
                }
            )

        @bp.post("/webhooks/widget/webhook")
        def receive():
            rt = self._rt()
            sender = self._session().sender_id
            message = self._read_message(sender)
            claim = f"{rt.key_prefix}widget:inflight:{sender}:{message.message_id}"
            if not rt.client.set(claim, 1, nx=True, ex=_IN_FLIGHT_S):
                raise Conflict(
                    f"message {message.message_id!r} is being handled by another request; retry in a moment",
                    code="in_progress",
                )
            try:
                if rt.handled(sender, message.message_id):
                    return jsonify({"status": "duplicate", "message_id": message.message_id})
                on_message(message, CollectingOutputChannel())  # the page reads replies from the stream
            finally:
                rt.client.delete(claim)
                rt.hub.wake(sender)
            return jsonify({"status": "accepted", "message_id": message.message_id})

        @bp.get("/webhooks/widget/stream")
        def stream():
            rt = self._rt()
            sender = self._session().sender_id
            if rt.hub.streams >= self.settings.max_streams:  # keep threads for everything else
                raise DependencyError(
                    f"this server holds {self.settings.max_streams} streams (widget.max_streams); retry",
                    code="too_many_streams",
                )
            last = request.headers.get("Last-Event-ID", "").strip()
            if last and not last.lstrip("-").isdigit():
                raise BadRequest(f"Last-Event-ID must be a whole number (an event id), got {last[:20]!r}")
            last_id = int(last) if last else None
            headers = {"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}
            if self.settings.hand_off:  # the connection goes to the writer thread, this thread is free
                head = {"Content-Type": "text/event-stream; charset=utf-8", **headers, **self._cors_headers()}
                if rt.handoff.adopt(request.environ, sender, last_id, head):
                    return Response(status=200, headers={"Connection": "close"})  # to the decoy
            body = rt.hub.stream(
                sender,
                last_id,
                keepalive_s=self.settings.keepalive_s,
                history_events=self.settings.history_events,
            )
            return Response(stream_with_context(body), mimetype="text/event-stream", headers=headers)

        return bp

    # ------------------------------------------------------------------ helpers
    def _start(self, app) -> None:
        services = app.extensions.get("parley")
        if services is not None:
            with self._runtime_lock:
                self.runtime = _Runtime(self.settings, services.tracker_store)
            app.extensions["parley.widget"] = self

    def _rt(self) -> _Runtime:
        if self.runtime is None:
            self._start(current_app)
        if self.runtime is None:
            raise RuntimeError("the widget channel was registered on an app without Parley's services")
        return self.runtime

    def _origin_allowed(self, origin: str) -> bool:
        clean = origin.rstrip("/").lower()
        # the server's own pages (GET /chat): same host, whatever scheme a TLS proxy in front changed
        own = clean.split("://", 1)[-1] == request.host.lower()
        return own or clean in self.settings.allowed_origins

    def _cors_headers(self) -> dict[str, str]:
        origin = request.headers.get("Origin")
        if not origin or not self._origin_allowed(origin):
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Headers": "Authorization, Content-Type, Last-Event-ID",
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        }

    def _check_origin(self) -> None:
        origin = request.headers.get("Origin")
        if origin is not None and not self._origin_allowed(origin):
            raise OriginRefused(
                f"origin {origin[:100]!r} may not use this widget; add it to widget.allowed_origins "
                "in credentials.yml"
            )

    def _session(self):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(
                "send the session token as 'Authorization: Bearer <token>' "
                "(get one from POST /webhooks/widget/session)",
                code="token_missing",
            )
        return self._rt().tokens.verify(token.strip())

    def _read_message(self, sender: str) -> UserMessage:
        body = json_object(request)
        text = required_str(body, "message", allow_empty=False)
        message_id = required_str(body, "message_id", allow_empty=False)
        if not _MESSAGE_ID.match(message_id):
            raise BadRequest("'message_id' must be 1-64 letters, digits, '-' or '_' (the page makes one)")
        limit = self.settings.max_message_chars
        if len(text) > limit:
            raise PayloadTooLarge(f"message has {len(text)} characters, the limit is {limit}; shorten it")
        metadata = optional_dict(body, "metadata")
        shown: dict[str, Any] = {}
        title = body.get("title")
        if title is not None:
            if not isinstance(title, str) or len(title) > _MAX_TITLE_CHARS:
                raise BadRequest(f"'title' must be a string of at most {_MAX_TITLE_CHARS} characters")
            shown["title"] = title
        if body.get("hidden") is not None:
            if not isinstance(body["hidden"], bool):
                raise BadRequest("'hidden' must be true or false")
            shown["hidden"] = body["hidden"]
        if shown:
            metadata = {**metadata, "widget": shown}
        language = body.get("language")
        if language is not None and (not isinstance(language, str) or not _LANGUAGE.match(language)):
            raise BadRequest("'language' must be a language code such as 'de' or 'pt-BR'")
        return UserMessage(
            text=text,
            sender_id=sender,
            input_channel=self.name,
            message_id=message_id,
            metadata=metadata,
            language=language,
        )


__all__ = ["SECRET_ENV", "WidgetInput", "WidgetSettings"]
