"""Parley's default NLU pipeline: what `config.yml` gets without a `pipeline:`, and what a Rasa pipeline
runs as (see `nlu/rasa_compat.py`). It is the pipeline the benchmarks measure."""

from __future__ import annotations

from typing import Any

DEFAULT_PIPELINE: tuple[dict[str, Any], ...] = (
    {"name": "RegexTokenizer"},
    {"name": "HubFeaturizer"},
    {"name": "CharNgramFeaturizer"},
    {"name": "RegexEntityExtractor"},
    {"name": "IntentEntityClassifier"},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
)
