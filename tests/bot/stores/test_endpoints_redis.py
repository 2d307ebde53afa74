"""endpoints.yml's Redis settings (Rasa 3 keys) are honoured or refused, never dropped; a password never
shows in a log line or an error."""

from __future__ import annotations

import logging
import subprocess
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis

from bot.config import load_project
from bot.dialogue.events import BotUttered
from bot.errors import ConfigError, StoreUnavailable
from bot.stores.base import TrackerFull
from bot.stores.embedded import free_port, redis_server_binary
from bot.stores.factory import open_stores

PASSWORD = "s3cret-Pa55:word/@"


@pytest.fixture(scope="module")
def locked_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real redis-server on a free loopback port that wants a password; yields its port."""
    port = free_port()
    process = subprocess.Popen(
        [
            redis_server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--requirepass",
            PASSWORD,
            "--dir",
            str(tmp_path_factory.mktemp("locked-redis")),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, password=PASSWORD)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=10)


def _project(tmp_path: Path, endpoints: str) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / "config.yml").write_text("language: en\n")
    (root / "endpoints.yml").write_text(endpoints)
    return root


def test_host_port_password_and_db_from_endpoints_are_used(tmp_path, locked_redis, caplog):
    root = _project(
        tmp_path,
        f"""
tracker_store:
  type: redis
  url: 127.0.0.1          # Rasa's meaning of url for Redis: the host
  port: {locked_redis}
  db: 3
  password: "{PASSWORD}"
  key_prefix: "t:"
lock_store:
  type: redis
  host: 127.0.0.1
  port: {locked_redis}
  db: 4
  password: "{PASSWORD}"
  key_prefix: "l:"
""",
    )
    with caplog.at_level(logging.DEBUG):
        stores = open_stores(load_project(root, env={}))
    assert stores.embedded is None
    stores.tracker.append("alice", [BotUttered(text="hi")])
    with stores.lock.lock("alice"):
        pass
    db3 = redis.Redis(host="127.0.0.1", port=locked_redis, password=PASSWORD, db=3)
    db4 = redis.Redis(host="127.0.0.1", port=locked_redis, password=PASSWORD, db=4)
    assert db3.exists("t:{alice}") and not db4.exists("t:{alice}")
    assert db4.keys("l:{alice}:*") and not db3.keys("l:*")
    assert f"127.0.0.1:{locked_redis}" in caplog.text
    assert PASSWORD not in caplog.text and PASSWORD not in repr(stores)
    db3.flushdb()
    db4.flushdb()


def test_a_full_url_with_the_password_given_apart_is_used(tmp_path, locked_redis):
    root = _project(
        tmp_path,
        f'tracker_store:\n  url: "redis://127.0.0.1:{locked_redis}"\n  db: 5\n  password: "{PASSWORD}"\n',
    )
    stores = open_stores(load_project(root, env={}))
    stores.tracker.append("bob", [BotUttered(text="hi")])
    assert redis.Redis(host="127.0.0.1", port=locked_redis, password=PASSWORD, db=5).exists("tracker:{bob}")
    # the lock store, naming no server, shares the tracker store's Redis and db
    with stores.lock.lock("bob"):
        assert redis.Redis(host="127.0.0.1", port=locked_redis, password=PASSWORD, db=5).keys("lock:{bob}:*")


@pytest.mark.parametrize("password_line", ['  password: "not-the-password"\n', ""])
def test_a_wrong_or_missing_password_is_a_clear_start_up_error(tmp_path, locked_redis, caplog, password_line):
    root = _project(tmp_path, f"tracker_store:\n  host: 127.0.0.1\n  port: {locked_redis}\n{password_line}")
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreUnavailable) as info:
        open_stores(load_project(root, env={}))
    message = str(info.value)
    assert f"Redis at redis://127.0.0.1:{locked_redis}/0 refused the login" in message
    assert "endpoints.yml tracker_store" in message
    assert "not-the-password" not in message and "not-the-password" not in caplog.text


def test_redis_url_replaces_the_connection_keys_with_a_warning_naming_them(tmp_path, locked_redis, caplog):
    root = _project(tmp_path, f'tracker_store:\n  host: nowhere.invalid\n  password: "{PASSWORD}"\n')
    env = {"REDIS_URL": f"redis://:{quote(PASSWORD, safe='')}@127.0.0.1:{locked_redis}/6"}
    with caplog.at_level(logging.WARNING):
        project = load_project(root, env=env)
    assert "key=tracker_store.host by=REDIS_URL" in caplog.text
    assert "key=tracker_store.password by=REDIS_URL" in caplog.text
    stores = open_stores(project)
    stores.tracker.append("carol", [BotUttered(text="hi")])
    assert redis.Redis(host="127.0.0.1", port=locked_redis, password=PASSWORD, db=6).exists("tracker:{carol}")
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize("url", ["localhost:6379", f"redis://:{PASSWORD}@host:port/0"])
def test_a_malformed_redis_url_is_refused_without_echoing_it(tmp_path, url):
    with pytest.raises(ConfigError) as info:
        load_project(_project(tmp_path, ""), env={"REDIS_URL": url})
    assert "REDIS_URL" in str(info.value) and "redis://host:6379/0" in str(info.value)
    assert PASSWORD not in "".join(traceback.format_exception(info.value))


@pytest.mark.parametrize(
    ("endpoints", "key", "says"),
    [
        ("tracker_store:\n  type: SQL\n", "tracker_store.type", "supported types: redis"),
        ("lock_store:\n  type: in_memory\n", "lock_store.type", "supported types: redis"),
        ("tracker_store:\n  colour: red\n", "tracker_store.colour", "unknown key; valid keys: db, host"),
        ("tracker_store:\n  password: hunter2\n", "tracker_store.password", "needs `host` or `url`"),
        ("lock_store:\n  port: 6380\n", "lock_store.port", "shares the tracker store's Redis"),
        ("tracker_store:\n  host: h\n  password: 12345\n", "tracker_store.password", "got int ***"),
        ("tracker_store:\n  url: redis://h:1/0\n  port: 2\n", "tracker_store.port", "also set by `url`"),
        ("tracker_store:\n  url: redis://:hunter2@h/0\n  password: x\n", "tracker_store.password", "also"),
        ("tracker_store:\n  host: h\n  use_ssl: yes please\n", "tracker_store.use_ssl", "expected bool"),
        ("tracker_store:\n  host: h\n  ssl_keyfile: k.pem\n", "tracker_store.ssl_keyfile", "use_ssl: true"),
        ("tracker_store:\n  host: h\n  port: 70000\n", "tracker_store.port", "less than or equal to 65535"),
        ("lock_store:\n  lifetime: 5\n  lock_lifetime: 6\n", "lock_store.lock_lifetime", "give one"),
        ("tracker_store: redis\n", "tracker_store", "expected a mapping"),
    ],
)
def test_unsupported_redis_settings_are_refused_naming_file_and_key(tmp_path, endpoints, key, says):
    root = _project(tmp_path, endpoints)
    with pytest.raises(ConfigError) as info:
        load_project(root, env={})
    message = str(info.value)
    assert f"endpoints.yml: key '{key}'" in message and says in message
    shown = "".join(traceback.format_exception(info.value))  # what a crash would print, chained errors too
    assert "hunter2" not in shown and "12345" not in shown


def test_rasa_keys_are_read_with_their_rasa_meaning(tmp_path):
    root = _project(
        tmp_path,
        "tracker_store:\n  type: Redis\n  record_exp: null\n  key_prefix: 'a:'\n"
        "lock_store:\n  lock_lifetime: 12\n  socket_timeout: 2\n",
    )
    project = load_project(root, env={})
    assert project.tracker_store.type == "redis" and project.tracker_store.record_exp == 0
    assert project.lock_store.lifetime == 12 and project.lock_store.socket_timeout == 2


def test_max_events_from_endpoints_caps_a_conversation(tmp_path, locked_redis):
    root = _project(
        tmp_path,
        f"""
tracker_store:
  type: redis
  url: redis://:{quote(PASSWORD, safe="")}@127.0.0.1:{locked_redis}/9
  max_events: 4
""",
    )
    stores = open_stores(load_project(root, env={}))
    stores.tracker.append("capped-user", [BotUttered(text=f"reply {i}") for i in range(4)])
    with pytest.raises(TrackerFull) as info:  # one session, no older one to archive: refused whole
        stores.tracker.append("capped-user", [BotUttered(text="one too many")])
    assert info.value.details == {"held": 4, "adding": 1, "limit": 4}
    assert len(stores.tracker.events("capped-user")) == 4
    redis.Redis(host="127.0.0.1", port=locked_redis, password=PASSWORD, db=9).flushdb()


def test_a_negative_max_events_is_refused_naming_the_key(tmp_path):
    root = _project(tmp_path, "tracker_store:\n  max_events: -1\n")
    with pytest.raises(ConfigError) as info:
        load_project(root, env={})
    assert "endpoints.yml: key 'tracker_store.max_events'" in str(info.value)
