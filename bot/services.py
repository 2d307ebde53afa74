"""Build everything the server needs from a `Project`, once, at start-up."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.agent import Agent
from bot.config import Project
from bot.dialogue.domain import Domain, load_domain
from bot.dialogue.model import DialogueModel
from bot.stores.base import LockStore, TrackerStore
from bot.stores.embedded import EmbeddedRedis
from bot.stores.redis import RedisLockStore, RedisTrackerStore, connect

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
    redis_url: str
    embedded_redis: EmbeddedRedis | None = None

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
    """REDIS_URL, else endpoints.yml's tracker_store.url, else the embedded Redis under `.parley/redis`."""
    url = project.redis_url or project.tracker_store.url
    if url:
        return url, None
    embedded = EmbeddedRedis(project.state_dir / "redis").start()
    return embedded.url, embedded


def model_backed_actions(project: Project, translation: Any | None) -> dict[str, Any]:
    from actions.translate import TranslateAction

    return {"action_translate": lambda: TranslateAction(translation, source_language=project.language)}


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

    return TranslationService.load(available)


def build_services(project: Project) -> Services:
    from nlu import NLUModel  # engines are imported lazily: `parley --help` stays fast

    domain = load_domain(project.domain_path)
    paths = model_paths(project)
    nlu_model = NLUModel.load(paths["nlu"])
    dialogue = DialogueModel.load(paths["dialogue"])
    translation = load_translation(project)

    url, embedded = redis_for(project)
    tracker_client = connect(url, project.tracker_store.db)
    lock_client = connect(project.lock_store.url or url, project.lock_store.db)
    tracker_store = RedisTrackerStore(
        tracker_client,
        key_prefix=project.tracker_store.key_prefix,
        record_exp=project.tracker_store.record_exp,
        url=url,
    )
    lock_store = RedisLockStore(
        lock_client, key_prefix=project.lock_store.key_prefix, lifetime_s=project.lock_store.lifetime, url=url
    )
    tracker_store.ping()  # a missing Redis is an error at start-up, never a silent in-memory fallback
    from actions.custom import load_custom_actions

    actions = {**load_custom_actions(project.root), **model_backed_actions(project, translation)}
    agent = Agent(
        domain,
        nlu_model,
        dialogue,
        tracker_store,
        lock_store,
        actions,
        action_endpoint=project.action_endpoint,
    )
    log.info("event=services.ready redis=%s embedded=%s", url.split("@")[-1], embedded is not None)
    return Services(project, domain, agent, nlu_model, translation, tracker_store, lock_store, url, embedded)
