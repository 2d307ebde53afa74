"""The Flask app factory: `create_app(services) -> Flask`. Routes are thin; the work is in `Agent`."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import ClientDisconnected, HTTPException

from bot.api import auth
from bot.api.body import require_json_type
from bot.errors import error_body, error_body_for, http_status
from bot.idempotency import Idempotent
from bot.services import Services

log = logging.getLogger(__name__)


# blueprints whose POSTs take JSON only (415 otherwise): the API and Rasa's JSON webhooks
JSON_ONLY = auth.PROTECTED | {"rest", "callback"}
RETRYING_CHANNELS = {"rest", "callback"}  # their clients retry: a message_id is processed once
CORS_PATHS = r"/(conversations|model|translate|forecast|summarize|webhooks/rest|webhooks/callback)(/.*)?"


def create_app(services: Services, auth_settings: auth.AuthSettings | None = None) -> Flask:
    """`auth_settings`: who may call the API (bot/api/auth.py); None reads PARLEY_* from the environment."""
    app = Flask("parley")
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    # Generous raw-body cap; the per-field limits (max_message_chars) give the precise 413.
    longest = max((c.limits().get("max_message_chars", 0) for c in services.channels), default=0)
    app.config["MAX_CONTENT_LENGTH"] = max(1_000_000, longest * 8)
    app.extensions["parley"] = services

    from bot.api.conversations import bp as conversations
    from bot.api.health import bp as health
    from bot.media import bp as media

    once = _idempotent(services)
    for channel in services.channels:
        on_message = once if channel.name in RETRYING_CHANNELS else services.agent.handle
        app.register_blueprint(channel.blueprint(on_message))
    for bp in (conversations, health, media):
        app.register_blueprint(bp)
    for module in ("bot.api.parse", "bot.api.translate", "bot.api.engines", "bot.api.openapi"):
        _register_optional(app, module)
    settings = auth_settings if auth_settings is not None else auth.AuthSettings.from_env()
    auth.install(app, settings)
    _install_json_only(app)
    if settings.cors:
        from flask_cors import CORS

        CORS(
            app,
            resources={CORS_PATHS: {"origins": list(settings.cors)}},
            allow_headers=["Authorization", "Content-Type"],
        )
    register_error_handlers(app)
    return app


def _install_json_only(app: Flask) -> None:
    @app.before_request
    def _json_only():
        if request.blueprint in JSON_ONLY and request.method in ("POST", "PUT", "PATCH"):
            require_json_type(request)


def _idempotent(services: Services) -> Idempotent:
    """Agent.handle, processing each message_id once and answering retries from the stored replies."""
    store = services.tracker_store
    prefix = f"{services.project.tracker_store.key_prefix}replies:"
    return Idempotent(services.agent.handle, store.client, store, key_prefix=prefix)


def _register_optional(app: Flask, module: str) -> None:
    import importlib

    try:
        bp = importlib.import_module(module).bp
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    app.register_blueprint(bp)


def register_error_handlers(app: Flask) -> None:
    """One handler: every error becomes Rasa's error body with the status its `kind` maps to."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if isinstance(exc, ClientDisconnected):  # the body stopped short: slower than the read timeout
            message = "the request body did not arrive in time (read timeout) or the client went away"
            return jsonify(error_body(408, "request_timeout", message)), 408
        reason = (exc.name or "error").lower().replace(" ", "_")
        if exc.code == 413:
            reason = "payload_too_large"
        status = exc.code or 500
        return jsonify(error_body(status, reason, exc.description or reason)), status

    @app.errorhandler(Exception)
    def _any(exc: Exception):
        if isinstance(exc, TimeoutError):  # a request body slower than the read timeout (server_worker.py)
            message = "the request arrived too slowly (read timeout); send it again"
            return jsonify(error_body(408, "request_timeout", message)), 408
        status = http_status(exc)
        if status is None:
            log.exception("event=request.crashed")
            message = f"{exc.__class__.__name__}: the server failed; see its log"
            return jsonify(error_body(500, "internal_error", message)), 500
        if status >= 500:
            log.error("event=request.failed code=%s message=%s", getattr(exc, "code", "?"), exc)
        return jsonify(error_body_for(exc, status)), status
