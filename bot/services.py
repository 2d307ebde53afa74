"""Build everything the server needs from a `Project`, once, at start-up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions.registry import build_model_backed
from actions.sdk import Action, ActionSettings
from bot.agent import Agent
from bot.channels.base import InputChannel
from bot.channels.registry import load_channels
from bot.config import Project
from bot.dialogue.domain import Domain, load_domain
from bot.dialogue.model import DialogueModel
from bot.errors import ConfigError
from bot.jobs.queue import open_queue
from bot.jobs.reminders import QueueReminders
from bot.media import RedisMediaStore
from bot.multilingual.setup import build_multilingual
from bot.stores.base import LockStore, TrackerStore
from bot.stores.embedded import EmbeddedRedis
from bot.stores.factory import open_stores
from bot.stores.factory import redis_for as _redis_for

log = logging.getLogger(__name__)


@dataclass
class Services:
    project: Project
    domain: Domain
    agent: Agent
    nlu: Any | None
    translation: Any | None
    tracker_store: TrackerStore
    lock_store: LockStore
    redis_url: str = field(repr=False)  # may hold a password
    channels: list[InputChannel]
    media: RedisMediaStore
    embedded_redis: EmbeddedRedis | None = None
    queue: Any | None = None  # the RQ job queue (bot/jobs/queue.py): reminders, run by `parley worker`

    def close(self) -> None:
        if self.translation is not None:
            self.translation.close()
        if self.embedded_redis is not None:
            self.embedded_redis.stop()


def model_paths(project: Project) -> dict[str, Path]:
    return {
        "nlu": project.models_dir / "nlu",
        "dialogue": project.models_dir / "dialogue",
    }


def redis_for(project: Project) -> tuple[str, EmbeddedRedis | None]:
    """REDIS_URL, else endpoints.yml's tracker_store, else the embedded Redis (bot/stores/factory.py)."""
    return _redis_for(project)


def project_actions(
    project: Project, engines: dict[str, Any], media: RedisMediaStore
) -> dict[str, Callable[[], Action]]:
    """The project's custom actions plus the model-backed ones endpoints.yml `actions:` switches on."""
    from actions.custom import load_custom_actions

    def settings_for(name: str, options: dict[str, Any]) -> ActionSettings:
        return ActionSettings(
            name=name,
            options=options,
            project_root=project.root,
            language=project.language,
            engines=engines,
            media=media,
        )

    custom = load_custom_actions(project.root)
    model_backed = build_model_backed(project.actions, settings_for)
    clash = sorted(set(custom) & set(model_backed))
    if clash:
        raise ConfigError(
            project.root / "endpoints.yml",
            f"actions.{clash[0]}",
            "the project's actions module also defines this action; rename one of them",
        )
    return {**custom, **model_backed}


def load_translation(project: Project) -> Any | None:
    """The configured language pairs whose model folder exists; a missing one is logged, and /translate
    answers 503 `model_not_found` for it, so a bot without a translation model still serves."""
    available = {}
    for pair in project.translation_pairs:
        if (pair.model / "config.json").is_file():
            available[(pair.source, pair.target)] = pair.model
        else:
            log.warning(
                "event=translation.model_missing pair=%s-%s dir=%s hint='parley translate train'",
                pair.source,
                pair.target,
                pair.model,
            )
    if not available:
        return None
    from translation.service import TranslationService

    if project.translation_server is not None:  # endpoints.yml translation_server: TF Serving
        return TranslationService.load_served(available, project.translation_server)
    return TranslationService.load(available)


def build_services(project: Project) -> Services:
    from nlu import NLUModel  # engines are imported lazily: `parley --help` stays fast

    channels = load_channels(project.credentials, project.credentials_path)
    domain = load_domain(project.domain_path)
    paths = model_paths(project)
    nlu_model = NLUModel.load(paths["nlu"])
    dialogue = DialogueModel.load(paths["dialogue"])
    translation = load_translation(project)
    # user languages (config.yml `languages:`): their models must be there, else a ConfigError here
    languages = project.languages
    multilingual = build_multilingual(languages, project.translation_pairs, translation, project.config_path)

    stores = open_stores(project)  # a missing Redis is an error at start-up, never an in-memory fallback
    url, embedded, tracker_store, lock_store = stores.url, stores.embedded, stores.tracker, stores.lock
    tracker_client = tracker_store.client
    media = RedisMediaStore(tracker_client, key_prefix=f"{project.tracker_store.key_prefix}media:")
    queue = open_queue(tracker_client)  # on the tracker store's Redis
    actions = project_actions(project, {"translation": translation}, media)
    agent = Agent(
        domain,
        nlu_model,
        dialogue,
        tracker_store,
        lock_store,
        actions,
        action_endpoint=project.action_endpoint,
        reminders=QueueReminders(queue),
        multilingual=multilingual,
    )
    log.info("event=services.ready redis=%s embedded=%s", url.split("@")[-1], embedded is not None)
    return Services(
        project,
        domain,
        agent,
        nlu_model,
        translation,
        tracker_store,
        lock_store,
        url,
        channels,
        media,
        embedded,
        queue,
    )
