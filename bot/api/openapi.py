"""`GET /openapi.json`: the OpenAPI 3.1 document of every HTTP endpoint (bot/api/openapi.json, committed).

tests/bot/test_openapi.py checks it against the app's routes, so a new endpoint without its entry (or
an entry without its endpoint) fails the tests. Open, like /health: it holds no data.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)
DOCUMENT = Path(__file__).with_name("openapi.json")


@cache
def document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
