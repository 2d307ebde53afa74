"""Open the project's tracker and lock stores on Redis, checked at start-up: a Redis that cannot be reached
or refuses the login is an error here, never a silent fallback to memory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.endpoints import LockStoreConfig, TrackerStoreConfig, describe_url, store_urls
from bot.stores.embedded import EmbeddedRedis
from bot.stores.redis import RedisTrackerStore, connect
from bot.stores.redis_lock import RedisLockStore

log = logging.getLogger(__name__)


class Project(Protocol):
    """What the stores read of a `bot.config.Project` (named here so the stores do not import the config)."""

    @property
    def redis_url(self) -> str | None: ...
    @property
    def tracker_store(self) -> TrackerStoreConfig: ...
    @property
    def lock_store(self) -> LockStoreConfig: ...
    @property
    def state_dir(self) -> Path: ...


@dataclass
class Stores:
    tracker: RedisTrackerStore
    lock: RedisLockStore
    url: str  # the tracker store's URL, credentials included: show it only through `describe_url`
    embedded: EmbeddedRedis | None = None

    def __repr__(self) -> str:
        return f"Stores(url={describe_url(self.url)!r}, embedded={self.embedded is not None})"


def redis_for(project: Project) -> tuple[str, EmbeddedRedis | None]:
    """The tracker store's Redis URL: REDIS_URL, else endpoints.yml `tracker_store`, else the embedded
    Redis under `.parley/redis` (started here; the caller stops it)."""
    if project.redis_url or project.tracker_store.redis_url():
        return store_urls(project.redis_url, project.tracker_store, project.lock_store, None)[0], None
    embedded = EmbeddedRedis(project.state_dir / "redis").start()
    return project.tracker_store.on(embedded.url), embedded


def open_stores(project: Project) -> Stores:
    url, embedded = redis_for(project)
    try:
        _, lock_url = store_urls(project.redis_url, project.tracker_store, project.lock_store, url)
        tracker = RedisTrackerStore(
            connect(url),
            key_prefix=project.tracker_store.key_prefix,
            record_exp=project.tracker_store.record_exp,
            url=url,
            max_events=project.tracker_store.max_events,
        )
        lock = RedisLockStore(
            connect(lock_url),
            key_prefix=project.lock_store.key_prefix,
            lifetime_s=project.lock_store.lifetime,
            url=lock_url,
        )
        tracker.ping()
        lock.ping()
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    log.info(
        "event=stores.ready tracker=%s lock=%s embedded=%s",
        describe_url(url),
        describe_url(lock_url),
        embedded is not None,
    )
    return Stores(tracker, lock, url, embedded)
