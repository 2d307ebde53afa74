"""Pipeline components and their registry (a plain dict; an unknown name lists the valid ones)."""

from __future__ import annotations

from nlu.components.base import Component, Message, Token
from nlu.components.char_ngrams import CharNgramFeaturizer
from nlu.components.classifier import IntentEntityClassifier
from nlu.components.duckling import DucklingEntityExtractor
from nlu.components.fallback import FallbackClassifier
from nlu.components.hub_featurizer import HubFeaturizer
from nlu.components.oos_detector import OutOfScopeDetector
from nlu.components.regex_extractor import RegexEntityExtractor
from nlu.components.response_selector import ResponseSelector
from nlu.components.synonyms import EntitySynonymMapper
from nlu.components.tokenizer import RegexTokenizer
from nlu.errors import PipelineConfigError

REGISTRY: dict[str, type[Component]] = {
    "RegexTokenizer": RegexTokenizer,
    "HubFeaturizer": HubFeaturizer,
    "CharNgramFeaturizer": CharNgramFeaturizer,
    "RegexEntityExtractor": RegexEntityExtractor,
    "DucklingEntityExtractor": DucklingEntityExtractor,
    "IntentEntityClassifier": IntentEntityClassifier,
    "ResponseSelector": ResponseSelector,
    "EntitySynonymMapper": EntitySynonymMapper,
    "FallbackClassifier": FallbackClassifier,
    "OutOfScopeDetector": OutOfScopeDetector,
}


def component_class(name: str, source: str | None = None) -> type[Component]:
    try:
        return REGISTRY[name]
    except KeyError:
        raise PipelineConfigError(
            source, "pipeline", f"unknown component '{name}'; valid components: {', '.join(REGISTRY)}"
        ) from None


__all__ = ["REGISTRY", "Component", "Message", "Token", "component_class"]
