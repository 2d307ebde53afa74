"""The NLU part of `config.yml`: `language` and `pipeline` (other top-level keys belong to the bot)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu.components.defaults import DEFAULT_PIPELINE
from nlu.errors import PipelineConfigError
from nlu.yamlio import ConfigFileError, LineDict, LineList, load_yaml


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    config: Any  # the component's frozen Config dataclass
    raw: dict[str, Any] = field(default_factory=dict)  # as written, for the fingerprint and metadata


@dataclass(frozen=True)
class PipelineConfig:
    language: str
    components: tuple[ComponentSpec, ...]
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "pipeline": [{"name": c.name, **c.raw} for c in self.components]}


def parse_pipeline(raw: Any, language: str = "en", source: str | None = None) -> PipelineConfig:
    from nlu.components import component_class
    from nlu.components.base import build_config

    if raw is None or raw == []:
        raw = [dict(c) for c in DEFAULT_PIPELINE]
    if not isinstance(raw, list):
        raise PipelineConfigError(source, "pipeline", "must be a list of '- name: <Component>' items")
    specs = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item:
            raise PipelineConfigError(
                _where(raw, i, source), f"pipeline[{i}]", "each item needs 'name: <Component>'"
            )
        options = _options(item)
        cls = component_class(str(item["name"]), _where(raw, i, source))
        config = build_config(cls.Config, options, source=source, component=cls.name, key=f"pipeline[{i}]")
        if "language" in getattr(cls.Config, "__dataclass_fields__", {}) and "language" not in options:
            config = dataclasses.replace(config, language=language)  # e.g. Duckling's default locale
        specs.append(ComponentSpec(cls.name, config, dict(options)))
    names = [s.name for s in specs]
    if "RegexTokenizer" not in names or names.index("RegexTokenizer") != 0:
        raise PipelineConfigError(source, "pipeline", "the first component must be RegexTokenizer")
    if not isinstance(language, str) or not language:
        raise PipelineConfigError(
            source, "language", f"must be a language code such as 'en', got {language!r}"
        )
    return PipelineConfig(language, tuple(specs), source)


def _options(item: dict[str, Any]) -> LineDict:
    """An item's options (all keys but `name`), keeping the line of each when it has them."""
    options = LineDict((k, v) for k, v in item.items() if k != "name")
    options.line = getattr(item, "line", None)
    options.lines = {k: line for k, line in getattr(item, "lines", {}).items() if k != "name"}
    return options


def _where(raw: Any, index: int, source: str | None) -> str | None:
    line = raw.line_of(index) if isinstance(raw, LineList) else None
    return f"{source}:{line}" if source and line else source


def load_pipeline_config(path: Path) -> PipelineConfig:
    """The pipeline of a `config.yml`; a Rasa pipeline is translated (see `nlu/rasa_compat.py`)."""
    from nlu.rasa_compat import translate_rasa_pipeline

    try:
        raw = load_yaml(path) or {}
    except ConfigFileError as exc:
        raise pipeline_error(exc) from None
    if not isinstance(raw, dict):
        raise PipelineConfigError(path, None, "expected a mapping with 'language' and 'pipeline'")
    pipeline = raw.get("pipeline")
    if isinstance(pipeline, list):
        pipeline = translate_rasa_pipeline(pipeline, str(path)) if _is_rasa(pipeline) else pipeline
    return parse_pipeline(pipeline, raw.get("language", "en"), str(path))


def _is_rasa(pipeline: list[Any]) -> bool:
    from nlu.rasa_compat import is_rasa_pipeline

    return is_rasa_pipeline([item for item in pipeline if isinstance(item, dict | str)])


def pipeline_error(exc: ConfigFileError) -> PipelineConfigError:
    """The loader's error as the engine's own, keeping file, line and key."""
    err = PipelineConfigError(exc.location, exc.key, exc.problem)
    err.path, err.line = exc.path, exc.line  # type: ignore[attr-defined]
    return err
