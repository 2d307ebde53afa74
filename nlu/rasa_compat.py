"""Running a Rasa 3 `config.yml` pipeline on Parley's components.

Rasa's components (spaCy, DIET, Duckling, ...) do not exist here. Each Rasa name Parley knows is one of:

    served       a Parley component does its job (DIETClassifier -> IntentEntityClassifier); logged
    ignored      deliberately not needed here (SpacyNLP only loads a model for other spaCy components);
                 a WARNING names it
    unsupported  Parley has nothing with the same meaning (SpacyEntityExtractor);
                 an error naming the component, its position and what to use instead

A Rasa pipeline runs as Parley's default pipeline (the one the benchmarks measure), except that
FallbackClassifier and EntitySynonymMapper run only when config.yml names them, as in Rasa (without
them Rasa predicts no `nlu_fallback` and maps no synonyms). Options with the same meaning carry over
(FallbackClassifier's thresholds); every other option a Rasa component was given is named in a
WARNING, never dropped silently. A name that is neither Parley's nor a Rasa 3 component is an error,
and so is a pipeline that mixes Parley's own names with Rasa's. A pipeline written with Parley's names
only is returned unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlu.components.defaults import DEFAULT_PIPELINE
from nlu.errors import PipelineConfigError

log = logging.getLogger(__name__)

SERVED, IGNORED, UNSUPPORTED = "served", "ignored", "unsupported"


@dataclass(frozen=True)
class RasaComponent:
    status: str  # served | ignored | unsupported
    parley: str | None = None  # the Parley component that does the job (served)
    note: str = ""  # why it is ignored, or what to use instead


def _served(parley: str) -> RasaComponent:
    return RasaComponent(SERVED, parley)


RASA_COMPONENTS: dict[str, RasaComponent] = {
    # tokenizers
    "WhitespaceTokenizer": _served("RegexTokenizer"),
    "SpacyTokenizer": _served("RegexTokenizer"),
    "MitieTokenizer": _served("RegexTokenizer"),
    "JiebaTokenizer": _served("RegexTokenizer"),
    # language models and featurizers
    "SpacyNLP": RasaComponent(IGNORED, note="it loads a spaCy model; HubFeaturizer loads Parley's encoder"),
    "MitieNLP": RasaComponent(IGNORED, note="it loads a MITIE model; HubFeaturizer loads Parley's encoder"),
    "LanguageModelFeaturizer": _served("HubFeaturizer"),
    "SpacyFeaturizer": _served("HubFeaturizer"),
    "MitieFeaturizer": _served("HubFeaturizer"),
    "ConveRTFeaturizer": _served("HubFeaturizer"),
    "LexicalSyntacticFeaturizer": _served("CharNgramFeaturizer"),
    "CountVectorsFeaturizer": _served("CharNgramFeaturizer"),
    "RegexFeaturizer": _served("RegexEntityExtractor"),
    # classifiers and extractors
    "DIETClassifier": _served("IntentEntityClassifier"),
    "SklearnIntentClassifier": _served("IntentEntityClassifier"),
    "LogisticRegressionClassifier": _served("IntentEntityClassifier"),
    "MitieIntentClassifier": _served("IntentEntityClassifier"),
    "KeywordIntentClassifier": _served("IntentEntityClassifier"),
    "CRFEntityExtractor": _served("IntentEntityClassifier"),
    "MitieEntityExtractor": _served("IntentEntityClassifier"),
    "RegexEntityExtractor": _served("RegexEntityExtractor"),
    "EntitySynonymMapper": _served("EntitySynonymMapper"),
    "FallbackClassifier": _served("FallbackClassifier"),
    "SpacyEntityExtractor": RasaComponent(
        UNSUPPORTED,
        note="Parley has no pretrained named-entity recogniser (PERSON, GPE, ...); annotate the entities in "
        "data/nlu.yml, [Berlin](city), and IntentEntityClassifier learns them, or add a lookup table",
    ),
    "DucklingEntityExtractor": _served("DucklingEntityExtractor"),
    "ResponseSelector": _served("ResponseSelector"),
}
# Rasa option -> Parley option of the same component, where the meaning is the same.
CARRIED_OPTIONS: dict[str, dict[str, str]] = {
    "FallbackClassifier": {"threshold": "threshold", "ambiguity_threshold": "ambiguity_threshold"},
}
# Parley components a translated pipeline runs only when the Rasa pipeline names them.
ONLY_WHEN_NAMED = {"FallbackClassifier", "EntitySynonymMapper"}
# Components Parley has under Rasa's name but not in its default pipeline: run only when named, placed
# after this default component; the options their config has carry over (so a wrong one is an error).
SAME_NAME_AFTER = {
    "DucklingEntityExtractor": "RegexEntityExtractor",
    "ResponseSelector": "IntentEntityClassifier",
}
PARLEY_ONLY = {c["name"] for c in DEFAULT_PIPELINE} - set(RASA_COMPONENTS)
RASA_ONLY = set(RASA_COMPONENTS) - {c["name"] for c in DEFAULT_PIPELINE} - set(SAME_NAME_AFTER)


def is_rasa_pipeline(pipeline: Sequence[dict[str, Any]]) -> bool:
    """True when some item names a Rasa component Parley does not have under that name."""
    return any(_name(item) in RASA_ONLY for item in pipeline)


def translate_rasa_pipeline(
    pipeline: Sequence[dict[str, Any]], source: str = "config.yml"
) -> list[dict[str, Any]]:
    """Parley's default pipeline for a Rasa pipeline, or the pipeline itself when it is Parley's.

    Raises `PipelineConfigError` naming the item (number and line) for an unsupported Rasa component, a
    name neither Parley nor Rasa 3 has, and a pipeline mixing Parley's and Rasa's names.
    """
    if not is_rasa_pipeline(pipeline):
        return [dict(item) for item in pipeline]
    _check_names(pipeline, source)
    named = {_name(item) for item in pipeline}
    out = [dict(c) for c in DEFAULT_PIPELINE if c["name"] not in ONLY_WHEN_NAMED or c["name"] in named]
    for i, item in enumerate(pipeline):
        name = _name(item)
        rasa = RASA_COMPONENTS[name]
        where = _where(pipeline, i, source)
        if rasa.status == IGNORED:
            log.warning(
                "event=nlu.rasa_compat.component_ignored file=%s item=%d component=%s reason='%s'",
                where, i + 1, name, rasa.note,
            )  # fmt: skip
        else:
            log.info(
                "event=nlu.rasa_compat file=%s item=%d component=%s served_by=%s",
                where, i + 1, name, rasa.parley,
            )  # fmt: skip
        options = {k: v for k, v in item.items() if k != "name"} if isinstance(item, dict) else {}
        carried = CARRIED_OPTIONS.get(name, {})
        if name in SAME_NAME_AFTER:
            carried = {k: k for k in _config_fields(name)}
            kept = {k: v for k, v in options.items() if k in carried}
            _insert_after(out, SAME_NAME_AFTER[name], {"name": name, **kept})
        elif carried:
            target = next(c for c in out if c["name"] == rasa.parley)
            target.update({carried[k]: v for k, v in options.items() if k in carried})
        dropped = sorted(k for k in options if k not in carried)
        if dropped:
            log.warning(
                "event=nlu.rasa_compat.options_ignored file=%s item=%d component=%s options=%s "
                "note='Parley runs %s with its own settings; these options have no effect'",
                where, i + 1, name, ",".join(dropped), rasa.parley or "nothing in its place",
            )  # fmt: skip
    log.info("event=nlu.rasa_compat.pipeline file=%s runs=%s", source, ",".join(c["name"] for c in out))
    return out


def _config_fields(name: str) -> set[str]:
    from nlu.components import component_class

    return set(getattr(component_class(name).Config, "__dataclass_fields__", {})) - {"language"}


def _insert_after(out: list[dict[str, Any]], anchor: str, item: dict[str, Any]) -> None:
    """Insert `item` after `anchor` and after any same-named items already placed there (Rasa's order)."""
    at = next(i for i, c in enumerate(out) if c["name"] == anchor) + 1
    while at < len(out) and out[at]["name"] == item["name"]:
        at += 1
    out.insert(at, item)


def _check_names(pipeline: Sequence[Any], source: str) -> None:
    first_rasa = next(i for i, item in enumerate(pipeline) if _name(item) in RASA_ONLY)
    for i, item in enumerate(pipeline):
        name = _name(item)
        key = f"pipeline[{i}]"
        where = _where(pipeline, i, source)
        if name in PARLEY_ONLY:
            raise PipelineConfigError(
                where,
                key,
                f"'{name}' is Parley's component, but item {first_rasa + 1} "
                f"('{_name(pipeline[first_rasa])}') is Rasa's; write the pipeline with one set of names "
                f"(Parley's: {', '.join(c['name'] for c in DEFAULT_PIPELINE)})",
            )
        rasa = RASA_COMPONENTS.get(name)
        if rasa is None:
            custom = "." in name
            raise PipelineConfigError(
                where,
                key,
                f"item {i + 1}, '{name}', is "
                + (
                    "a custom Rasa component, which cannot run in Parley; write it as a Parley component "
                    "(nlu/components) and add it to the registry"
                    if custom
                    else "not a Rasa 3 component Parley knows; the Rasa components Parley runs are "
                    + ", ".join(sorted(k for k, v in RASA_COMPONENTS.items() if v.status != UNSUPPORTED))
                ),
            )
        if rasa.status == UNSUPPORTED:
            raise PipelineConfigError(
                where, key, f"item {i + 1}, Rasa's '{name}', is not supported: {rasa.note}"
            )


def _name(item: Any) -> str:
    if isinstance(item, str):
        return item
    return str(item.get("name")) if isinstance(item, dict) else repr(item)


def _where(pipeline: Sequence[Any], index: int, source: str) -> str:
    """`source:line` when the pipeline came from `nlu.yamlio.load_yaml` with line numbers, else `source`."""
    line = getattr(pipeline, "line_of", None)
    found = line(index) if line is not None else getattr(pipeline[index], "line", None)
    return f"{source}:{found}" if found else source
