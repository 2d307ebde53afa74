"""`GET /health`: is Redis reachable and is a model loaded? 200 when both, 503 with the reason otherwise."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from bot.errors import DependencyError

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    services = current_app.extensions["parley"]
    checks: dict[str, str] = {}
    ok = True
    try:
        services.tracker_store.ping()
        checks["redis"] = "ok"
    except DependencyError as exc:
        checks["redis"] = exc.message
        ok = False
    checks["nlu_model"] = "ok" if services.nlu is not None else "not loaded: run `parley train`"
    checks["dialogue_model"] = "ok" if services.agent is not None else "not loaded"
    ok = ok and services.nlu is not None
    if services.translation is not None:
        checks["translation"] = ", ".join(f"{s}-{t}" for s, t in services.translation.pairs())
    return jsonify({"status": "ok" if ok else "unavailable", "checks": checks}), (200 if ok else 503)
