"""`POST /translate {"text" | "texts", "source", "target", "beam", "alignments"}` -> translations.

The work is done by `translation.service.TranslationService` (hung on the app as
`extensions["parley"].translation`); its errors (unknown pair 404) carry `code` and `kind` and are
rendered by the app's one error handler. Bounds (bot/api/limits.py): all texts together at most
`PARLEY_TRANSLATE_MAX_CHARS` characters (5,000), the engine's own caps (64 texts, subword tokens per
sentence), each a 400 `input_too_long` naming the length and the limit; a translation that takes longer
than `PARLEY_MODEL_DEADLINE_S` (10 s) is a 503 `deadline_exceeded`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from bot.api import limits
from bot.api.body import json_object, required_str
from bot.errors import ModelNotFound, ValidationFailed
from translation.errors import InputTooLong as EngineInputTooLong

bp = Blueprint("translate", __name__)
limits.install(bp)
MAX_BEAM = 16
HOW_TO_TRAIN = (
    "no translation model is loaded; train one with `parley translate demo-data --out data/translation`, "
    "`parley translate prepare --data data/translation --out .parley/translation/prepared` and "
    "`parley translate train --data .parley/translation/prepared --out models/translation/en-de`, "
    "list it under `translation: pairs:` in config.yml and restart the server"
)


def _texts(body: dict[str, Any]) -> tuple[list[str], bool]:
    """The texts to translate and whether the request used the list form."""
    if ("text" in body) == ("texts" in body):
        raise ValidationFailed("give exactly one of 'text' (a string) or 'texts' (a list of strings)")
    if "text" in body:
        return [required_str(body, "text", allow_empty=False)], False
    texts = body["texts"]
    if not isinstance(texts, list) or not texts:
        raise ValidationFailed("field 'texts' must be a non-empty list of strings")
    for i, t in enumerate(texts):
        if not isinstance(t, str) or not t.strip():
            raise ValidationFailed(f"texts[{i}] must be a non-empty string, got {t!r}")
    return texts, True


@bp.post("/translate")
def translate():
    body = json_object(request)
    texts, _ = _texts(body)
    source = required_str(body, "source", allow_empty=False)
    target = required_str(body, "target", allow_empty=False)
    beam = body.get("beam", 4)
    if isinstance(beam, bool) or not isinstance(beam, int) or not 1 <= beam <= MAX_BEAM:
        raise ValidationFailed(f"field 'beam' must be an integer from 1 to {MAX_BEAM}, got {beam!r}")
    alignments = body.get("alignments", False)
    if not isinstance(alignments, bool):
        raise ValidationFailed(f"field 'alignments' must be true or false, got {alignments!r}")
    what = "the text" if len(texts) == 1 else f"the {len(texts)} texts together"
    limits.check_length(what, sum(len(t) for t in texts), limits.limits().translate_max_chars)
    service = getattr(current_app.extensions["parley"], "translation", None)
    if service is None:
        raise ModelNotFound(HOW_TO_TRAIN)
    try:
        results = limits.with_deadline(
            f"translating {source}-{target}",
            service.translate,
            texts,
            source,
            target,
            beam=beam,
            alignments=alignments,
        )
    except EngineInputTooLong as exc:  # the engine's caps (texts per request, tokens per sentence): a 400
        raise limits.InputTooLong(exc.message) from exc
    return jsonify({"translations": [r.to_dict() for r in results], "source": source, "target": target})
