"""The Flask app factory: `create_app(services) -> Flask`. Routes are thin; the work is in `Agent`."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from bot.services import Services

log = logging.getLogger(__name__)


def create_app(services: Services) -> Flask:
    app = Flask("parley")
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    # Generous raw-body cap; the per-field limits (max_message_chars) give the precise 413.
    app.config["MAX_CONTENT_LENGTH"] = max(1_000_000, services.project.rest.max_message_chars * 8)
    app.extensions["parley"] = services

    from bot.api.conversations import bp as conversations
    from bot.api.health import bp as health
    from bot.channels.rest import bp as rest

    for bp in (rest, conversations, health):
        app.register_blueprint(bp)
    for module in ("bot.api.parse", "bot.api.translate"):
        _register_optional(app, module)
    register_error_handlers(app)
    return app


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
    """One handler: any error with `code` and `http_status` (Parley's and the engines') -> JSON body."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        if exc.code == 413:
            code = "payload_too_large"
        return jsonify({"error": code, "message": exc.description}), exc.code

    @app.errorhandler(Exception)
    def _any(exc: Exception):
        status = getattr(exc, "http_status", None)
        code = getattr(exc, "code", None)
        if isinstance(status, int) and isinstance(code, str):
            if status >= 500:
                log.error("event=request.failed code=%s message=%s", code, exc)
            return jsonify({"error": code, "message": getattr(exc, "message", None) or str(exc)}), status
        log.exception("event=request.crashed")
        return jsonify(
            {
                "error": "internal_error",
                "message": f"{exc.__class__.__name__}: the server failed; see its log",
            }
        ), 500
