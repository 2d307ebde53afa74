"""`POST /forecast` and `POST /summarize`: the model-backed engines of actions/ without a conversation.

The engines parse and check the body themselves (their errors carry `kind = "bad_input"`, rendered as
a 400 by the app's one handler); the summarizer is loaded once, on first use, on the same pretrained
encoder the NLU uses.
"""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, jsonify, request

from bot.api.body import json_object

bp = Blueprint("engines", __name__)
_lock = threading.Lock()


@bp.post("/forecast")
def forecast():
    from actions.forecasting.http import forecast_request

    return jsonify(forecast_request(json_object(request)))


@bp.post("/summarize")
def summarize():
    from actions.summarization.http import summarize_request

    return jsonify(summarize_request(json_object(request), _summarizer()))


def _summarizer():
    with _lock:
        engine = current_app.extensions.get("parley.summarizer")
        if engine is None:
            from actions.summarization.engine import Summarizer

            engine = current_app.extensions["parley.summarizer"] = Summarizer.load()
        return engine
