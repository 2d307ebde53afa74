"""`POST /forecast` and `POST /summarize`: the model-backed engines of actions/ without a conversation.

The engines parse and check the body themselves (their errors carry `kind = "bad_input"`, rendered as
a 400 by the app's one handler); the summarizer is the engine's process-wide `default_summarizer()`,
on the same pretrained encoder the NLU uses.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from bot.api.body import json_object

bp = Blueprint("engines", __name__)


@bp.post("/forecast")
def forecast():
    from actions.forecasting.http import forecast_request

    return jsonify(forecast_request(json_object(request)))


@bp.post("/summarize")
def summarize():
    from actions.summarization.engine import default_summarizer
    from actions.summarization.http import summarize_request

    return jsonify(summarize_request(json_object(request), default_summarizer()))

