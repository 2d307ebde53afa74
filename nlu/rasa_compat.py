"""Running a Rasa 3 `config.yml` pipeline on Parley's components.

Rasa's components (spaCy, DIET, Duckling, ...) do not exist here; each maps to the Parley component
that does its job, and the mapping is logged so nobody is surprised. Options with the same meaning carry
over (FallbackClassifier's thresholds); the rest are dropped with a note. A pipeline already written with
Parley's names is returned unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from nlu.config import DEFAULT_PIPELINE

log = logging.getLogger(__name__)

# Rasa component -> the Parley component that covers it (None: covered by the default pipeline as a whole).
RASA_COMPONENTS: dict[str, str | None] = {
    "WhitespaceTokenizer": "RegexTokenizer",
    "SpacyTokenizer": "RegexTokenizer",
    "JiebaTokenizer": "RegexTokenizer",
    "MitieTokenizer": "RegexTokenizer",
    "SpacyNLP": "HubFeaturizer",
    "MitieNLP": "HubFeaturizer",
    "LanguageModelFeaturizer": "HubFeaturizer",
    "SpacyFeaturizer": "HubFeaturizer",
    "ConveRTFeaturizer": "HubFeaturizer",
    "LexicalSyntacticFeaturizer": "CharNgramFeaturizer",
    "CountVectorsFeaturizer": "CharNgramFeaturizer",
    "RegexFeaturizer": "RegexEntityExtractor",
    "RegexEntityExtractor": "RegexEntityExtractor",
    "DIETClassifier": "IntentEntityClassifier",
    "SklearnIntentClassifier": "IntentEntityClassifier",
    "LogisticRegressionClassifier": "IntentEntityClassifier",
    "KeywordIntentClassifier": "IntentEntityClassifier",
    "CRFEntityExtractor": "IntentEntityClassifier",
    "SpacyEntityExtractor": "IntentEntityClassifier",
    "MitieEntityExtractor": "IntentEntityClassifier",
    "DucklingEntityExtractor": None,
    "ResponseSelector": None,
    "EntitySynonymMapper": "EntitySynonymMapper",
    "FallbackClassifier": "FallbackClassifier",
}
_FALLBACK_OPTIONS = {"threshold", "ambiguity_threshold"}


def is_rasa_pipeline(pipeline: Sequence[dict[str, Any]]) -> bool:
    parley = {c["name"] for c in DEFAULT_PIPELINE}
    return any(item.get("name") in RASA_COMPONENTS and item.get("name") not in parley for item in pipeline)


def translate_rasa_pipeline(
    pipeline: Sequence[dict[str, Any]], source: str = "config.yml"
) -> list[dict[str, Any]]:
    """Parley's default pipeline, carrying over the options of Rasa's that mean the same here."""
    if not is_rasa_pipeline(pipeline):
        return [dict(item) for item in pipeline]
    out = [dict(item) for item in DEFAULT_PIPELINE]
    for item in pipeline:
        name = item.get("name")
        target = RASA_COMPONENTS.get(name, "unknown")
        if target == "unknown":
            log.warning(
                "event=nlu.rasa_compat file=%s component=%s note='no Parley equivalent; skipped'",
                source,
                name,
            )
        elif target is None:
            log.warning(
                "event=nlu.rasa_compat file=%s component=%s note='not available in Parley; skipped'",
                source,
                name,
            )
        else:
            log.info("event=nlu.rasa_compat file=%s component=%s served_by=%s", source, name, target)
        if name == "FallbackClassifier":
            fallback = next(c for c in out if c["name"] == "FallbackClassifier")
            fallback.update({k: v for k, v in item.items() if k in _FALLBACK_OPTIONS})
    return out
