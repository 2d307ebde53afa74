"""A project's files (Rasa 3 layout) read once at start-up into one typed, validated `Project`.

    config.yml       language, languages (bot/languages.py), pipeline, policies, translation
    domain.yml       see bot/dialogue/domain.py
    data/            nlu, rules, stories
    endpoints.yml    tracker_store, lock_store (see bot/endpoints.py), action_endpoint, actions
    credentials.yml  channels, read as written; each channel validates its section (bot/channels/registry.py)

Unknown keys and wrong types raise `ConfigError` naming the file and the key. Addresses and secrets
from the environment are read here and nowhere else (`REDIS_URL`, `SLACK_SIGNING_SECRET`, `SLACK_TOKEN`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.endpoints import LockStoreConfig, RedisStoreConfig, TrackerStoreConfig, load_section
from bot.errors import ConfigError
from bot.languages import LanguageSettings, read_language_settings
from bot.yamlio import config_error, read_yaml
from nlu.yamlio import ConfigFileError, LineDict, validate

log = logging.getLogger(__name__)
_Section = TypeVar("_Section", bound=RedisStoreConfig)

_CONFIG_KEYS = {
    "recipe",
    "language",
    "languages",
    "language_detection",
    "assistant_id",
    "pipeline",
    "policies",
    "translation",
    "version",
}
_ENDPOINT_KEYS = {
    "version",  # Rasa's files carry `version: "3.1"`
    "tracker_store",
    "lock_store",
    "action_endpoint",
    "actions",
    "translation_server",
}
_RASA_ENDPOINTS_IGNORED = {
    "event_broker",
    "nlg",
    "models",
    "duckling",
    "rasa_pro",
    "contextual_response_rephraser",
}


@dataclass(frozen=True)
class ActionEndpoint:
    url: str
    timeout: float = 10.0
    token: str | None = None


@dataclass(frozen=True)
class TranslationPair:
    source: str
    target: str
    model: Path


@dataclass(frozen=True)
class Project:
    root: Path
    language: str = "en"
    assistant_id: str = "parley"
    pipeline: tuple[dict[str, Any], ...] = ()
    policies: tuple[dict[str, Any], ...] = ()
    translation_pairs: tuple[TranslationPair, ...] = ()
    # `languages:` (the users') and `language_detection:`; bot/languages.py
    languages: LanguageSettings = LanguageSettings()
    tracker_store: TrackerStoreConfig = TrackerStoreConfig()
    lock_store: LockStoreConfig = LockStoreConfig()
    action_endpoint: ActionEndpoint | None = None
    # endpoints.yml `actions:`: model-backed action name -> its settings (names checked by the registry)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # endpoints.yml `translation_server:` (TF Serving; translation/serving.py); None = in process
    translation_server: Any | None = None
    redis_url: str | None = None  # from REDIS_URL; None = the embedded Redis
    credentials: dict[str, Any] = field(default_factory=dict)  # credentials.yml as read, one key a channel

    @property
    def config_path(self) -> Path:
        return self.root / "config.yml"

    @property
    def endpoints_path(self) -> Path:
        return self.root / "endpoints.yml"

    @property
    def credentials_path(self) -> Path:
        return self.root / "credentials.yml"

    @property
    def domain_path(self) -> Path:
        folder = self.root / "domain"
        return folder if folder.is_dir() else self.root / "domain.yml"

    @property
    def data_path(self) -> Path:
        return self.root / "data"

    @property
    def tests_path(self) -> Path:
        return self.root / "tests"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def state_dir(self) -> Path:
        return self.root / ".parley"


def load_project(root: Path | str, env: Mapping[str, str] | None = None) -> Project:
    root = Path(root).resolve()
    env = os.environ if env is None else env
    if not root.is_dir():
        raise ConfigError(root, None, "project folder not found")
    config_path = root / "config.yml"
    config = _mapping(read_yaml(config_path), config_path)
    _reject_unknown(config, _CONFIG_KEYS, config_path)
    recipe = config.get("recipe", "default.v1")
    if recipe != "default.v1":
        raise ConfigError(
            config_path, "recipe", f"got {recipe!r}; Parley runs Rasa's default.v1 recipe only (a graph.v1 "
            "model graph cannot run here): write `recipe: default.v1` or remove the key",
        )  # fmt: skip
    language = config.get("language", "en")
    if not isinstance(language, str):
        raise ConfigError(config_path, "language", "must be a language code such as 'en'")
    pipeline = _list_of_named(config.get("pipeline"), config_path, "pipeline")
    policies = _list_of_named(config.get("policies"), config_path, "policies")
    pairs = _translation(config.get("translation"), config_path, root)
    languages = read_language_settings(config, config_path, [(p.source, p.target) for p in pairs])

    endpoints_path = root / "endpoints.yml"
    endpoints = _mapping(read_yaml(endpoints_path), endpoints_path) if endpoints_path.exists() else {}
    for key in set(endpoints) & _RASA_ENDPOINTS_IGNORED:
        log.warning("event=config.ignored file=%s key=%s (not used by Parley)", endpoints_path, key)
    _reject_unknown(endpoints, _ENDPOINT_KEYS | _RASA_ENDPOINTS_IGNORED, endpoints_path)
    tracker_store = _store(TrackerStoreConfig, endpoints, endpoints_path, "tracker_store")
    lock_store = _store(LockStoreConfig, endpoints, endpoints_path, "lock_store")
    action_endpoint = _action_endpoint(endpoints.get("action_endpoint"), endpoints_path)
    actions = _actions(endpoints.get("actions"), endpoints_path)
    translation_server = _translation_server(endpoints.get("translation_server"), endpoints_path)

    credentials_path = root / "credentials.yml"
    credentials = _mapping(read_yaml(credentials_path), credentials_path) if credentials_path.exists() else {}

    redis_url = env.get("REDIS_URL") or None
    if redis_url:
        _check_redis_url(redis_url)
        _warn_replaced_by_env(endpoints_path, tracker_store, lock_store)
    return Project(
        root=root,
        language=language,
        assistant_id=str(config.get("assistant_id", "parley")),
        pipeline=pipeline,
        policies=policies,
        translation_pairs=pairs,
        languages=languages,
        tracker_store=tracker_store,
        lock_store=lock_store,
        action_endpoint=action_endpoint,
        actions=actions,
        translation_server=translation_server,
        redis_url=redis_url,
        credentials=dict(credentials),
    )


def _mapping(raw: Any, path: Path) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(path, None, f"must be a mapping of keys, got {type(raw).__name__}")
    return raw


def _reject_unknown(raw: Mapping[str, Any], allowed: set[str], path: Path) -> None:
    for key in raw:
        if key not in allowed:
            raise ConfigError(path, str(key), f"unknown key; valid keys: {', '.join(sorted(allowed))}")


def _list_of_named(raw: Any, path: Path, key: str) -> tuple[dict[str, Any], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(path, key, "must be a list of components, each with a `name`")
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConfigError(path, f"{key}[{i}]", "each entry needs a `name:`")
    return tuple(dict(item) for item in raw)


def _translation(raw: Any, path: Path, root: Path) -> tuple[TranslationPair, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(path, "translation", "must be a mapping with `pairs:`")
    _reject_unknown(raw, {"pairs"}, path)
    pairs = []
    for i, item in enumerate(raw.get("pairs") or []):
        key = f"translation.pairs[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(path, key, "each pair is {source: en, target: de, model: path}")
        unknown = set(item) - {"source", "target", "model"}
        if unknown:
            raise ConfigError(
                path, f"{key}.{sorted(unknown)[0]}", "unknown key; valid: source, target, model"
            )
        for field_name in ("source", "target", "model"):
            if not isinstance(item.get(field_name), str):
                raise ConfigError(path, f"{key}.{field_name}", "required, a string")
        pairs.append(TranslationPair(item["source"], item["target"], (root / item["model"]).resolve()))
    return tuple(pairs)


def _store(model: type[_Section], endpoints: Mapping[str, Any], path: Path, key: str) -> _Section:
    try:
        return load_section(model, endpoints.get(key), path=path, key=key)
    except ConfigFileError as exc:
        raise config_error(exc) from None


def _actions(raw: Any, path: Path) -> dict[str, dict[str, Any]]:
    """`actions:` maps each model-backed action to its settings: `{action_translate: {}, ...}`; an action
    written with nothing after it (`action_translate:`) runs with its defaults."""
    if raw is None:
        return {}
    for name in raw if isinstance(raw, dict) else ():
        if not isinstance(name, str):
            line = raw.line_of(name) if isinstance(raw, LineDict) else None
            raise config_error(
                ConfigFileError(path, line, "an action name must be a string", key=f"actions.{name}")
            )
    try:
        actions = validate(dict[str, dict[str, Any] | None], raw, path=path, key_prefix="actions")
    except ConfigFileError as exc:
        raise config_error(exc) from None
    return {name: dict(settings or {}) for name, settings in actions.items()}


def _check_redis_url(url: str) -> None:
    """REDIS_URL must be a URL redis-py reads; errors never show the value (it may hold a password)."""
    from redis.connection import parse_url

    from bot.cluster_url import cluster_options, is_cluster_url

    try:
        cluster_options(url) if is_cluster_url(url) else parse_url(url)
    except ValueError:
        raise ConfigError(
            "REDIS_URL",
            None,
            "not a Redis URL; expected e.g. redis://host:6379/0, rediss://..., unix://... or"
            " redis-cluster://host:7000,host:7001 (quote special characters of a password as %XX)",
        ) from None


def _warn_replaced_by_env(path: Path, *sections: TrackerStoreConfig | LockStoreConfig) -> None:
    for name, section in zip(("tracker_store", "lock_store"), sections, strict=True):
        for key in section.connection_keys():
            log.warning("event=config.replaced_by_env file=%s key=%s.%s by=REDIS_URL", path, name, key)


def _translation_server(raw: Any, path: Path) -> Any | None:
    from translation.serving import load_server_config

    try:
        return load_server_config(raw, path)
    except ConfigFileError as exc:
        raise config_error(exc) from None


def _action_endpoint(raw: Any, path: Path) -> ActionEndpoint | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        raise ConfigError(path, "action_endpoint.url", "required: the action server's webhook URL")
    for k in raw:
        if k not in {"url", "timeout", "token"}:
            raise ConfigError(path, f"action_endpoint.{k}", "unknown key; valid: url, timeout, token")
    timeout = raw.get("timeout", 10.0)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(path, "action_endpoint.timeout", "must be a positive number of seconds")
    return ActionEndpoint(url=raw["url"], timeout=float(timeout), token=raw.get("token"))
