"""Rasa's socket.io channel, so an existing rasa-webchat front-end talks to Parley unchanged.

credentials.yml (Rasa's keys and defaults):
    socketio:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: false
      socketio_path: /socket.io
      namespace: null
      metadata_key: metadata
      jwt_key: null            # when set, a client must connect with auth {"token": <JWT>}
      jwt_method: HS256
      cors_allowed_origins: [] # Parley's addition: origins besides the server's own

The protocol, as Rasa 3 speaks it: the client emits `session_request {"session_id"?}`, the server
answers `session_confirm <session_id>` (and, with session_persistence, puts the socket in that
session's room); the client emits `<user_message_evt> {"message", "session_id", "<metadata_key>"?}`;
each reply comes back as `<bot_message_evt>` in Rasa's shapes ({"text"}, {"text", "quick_replies"},
{"attachment": {"type": "image", "payload": {"src"}}}, ...). The conversation is `session_id` with
session_persistence, else the socket's id.

Served by python-socketio in threading mode, wrapped around the Flask app (long-polling everywhere,
WebSocket through simple-websocket). Replies stored later by another process (reminders) do not reach
a socket.io client: that would need python-socketio's Redis manager (not wired yet).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import jwt
import socketio
from flask import Blueprint
from pydantic import field_validator

from bot.channels.base import ChannelSettings, InputChannel, OnMessage, OutputChannel, UserMessage

log = logging.getLogger(__name__)


class SocketIOSettings(ChannelSettings):
    user_message_evt: str = "user_uttered"
    bot_message_evt: str = "bot_uttered"
    session_persistence: bool = False
    socketio_path: str = "/socket.io"
    namespace: str | None = None
    metadata_key: str = "metadata"
    jwt_key: str | None = None
    jwt_method: str = "HS256"
    cors_allowed_origins: list[str] = []

    @field_validator("jwt_method")
    @classmethod
    def _algorithm(cls, method: str) -> str:
        known = sorted(jwt.algorithms.get_default_algorithms())
        if method not in known:
            raise ValueError(f"unknown JWT algorithm {method!r}; use one of {', '.join(known)}")
        return method


class SocketIOOutput(OutputChannel):
    """Replies as Rasa's SocketIOOutput emits them, to the conversation's room."""

    name = "socketio"

    def __init__(self, sio: socketio.Server, bot_message_evt: str, namespace: str | None) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt
        self.namespace = namespace

    def _emit(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sio.emit(self.bot_message_evt, message, room=recipient_id, namespace=self.namespace)

    def send_text(self, recipient_id: str, text: str) -> None:
        for part in text.strip().split("\n\n"):
            self._emit(recipient_id, {"text": part})

    def send_image(self, recipient_id: str, image: str) -> None:
        self._emit(recipient_id, {"attachment": {"type": "image", "payload": {"src": image}}})

    def send_buttons(self, recipient_id: str, text: str, buttons: list[dict[str, Any]]) -> None:
        parts = text.strip().split("\n\n") if text.strip() else [text]
        messages: list[dict[str, Any]] = [{"text": part, "quick_replies": []} for part in parts]
        for button in buttons:
            messages[-1]["quick_replies"].append(
                {"content_type": "text", "title": button.get("title"), "payload": button.get("payload")}
            )
        for message in messages:
            self._emit(recipient_id, message)

    def send_custom_json(self, recipient_id: str, json_message: dict[str, Any]) -> None:
        self._emit(recipient_id, json_message)

    def send_attachment(self, recipient_id: str, attachment: Any) -> None:
        self._emit(recipient_id, {"attachment": attachment})

    def send_elements(self, recipient_id: str, elements: list[dict[str, Any]]) -> None:
        payload = {"template_type": "generic", "elements": elements}
        self._emit(recipient_id, {"attachment": {"type": "template", "payload": payload}})


class SocketIOInput(InputChannel):
    name = "socketio"
    Settings = SocketIOSettings
    settings: SocketIOSettings

    def blueprint(self, on_message: OnMessage) -> Blueprint:
        s = self.settings
        sio = socketio.Server(
            async_mode="threading",
            cors_allowed_origins=list(s.cors_allowed_origins) or None,  # None: the server's own origin
            logger=False,
            engineio_logger=False,
        )
        self.sio = sio
        namespace = s.namespace or "/"

        @sio.on("connect", namespace=namespace)
        def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            if not s.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            try:
                jwt.decode(str(token or ""), s.jwt_key, algorithms=[s.jwt_method])
            except jwt.PyJWTError as exc:
                log.info("event=socketio.connect.refused sid=%s reason=%s", sid, exc.__class__.__name__)
                return False
            return True

        @sio.on("session_request", namespace=namespace)
        def session_request(sid: str, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id") or uuid.uuid4().hex
            if s.session_persistence:
                sio.enter_room(sid, str(session_id), namespace=namespace)
            sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(s.user_message_evt, namespace=namespace)
        def handle_message(sid: str, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            if s.session_persistence:
                if not data.get("session_id"):
                    log.warning(
                        "event=socketio.message.no_session sid=%s: with session_persistence a message "
                        "needs the session_id from session_confirm; dropped",
                        sid,
                    )
                    return
                sender = str(data["session_id"])
            else:
                sender = sid
            metadata = data.get(s.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            text = data.get("message")
            message = UserMessage(
                text=text if isinstance(text, str) else "",
                sender_id=sender,
                input_channel=self.name,
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            try:
                on_message(message, SocketIOOutput(sio, s.bot_message_evt, namespace))
            except Exception as exc:  # noqa: BLE001 (no HTTP answer to carry it: log it, keep the socket)
                log.error(
                    "event=socketio.message.failed sender=%s error=%s: %s",
                    sender,
                    exc.__class__.__name__,
                    exc,
                )

        def mount(state) -> None:
            path = s.socketio_path.strip("/") or "socket.io"
            state.app.wsgi_app = socketio.WSGIApp(sio, state.app.wsgi_app, socketio_path=path)

        bp = Blueprint("socketio", __name__)
        bp.record_once(mount)
        return bp
