"""`parley run`: gunicorn (threaded workers) serving `create_app`, with the embedded Redis when no URL is set.

The embedded Redis is started here, in the parent, before any worker, so every worker shares it; it is
stopped (and flushed to its AOF) when the server stops.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.api.auth import AuthSettings
from bot.channels.registry import load_channels
from bot.config import load_project
from bot.services import redis_for

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, project_root: Path, options: dict[str, Any]) -> None:
        self.project_root = project_root
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from bot.app import create_app
        from bot.services import build_services

        return create_app(build_services(load_project(self.project_root)))


def serve(
    root: Path,
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    graceful_timeout: int = 30,
    read_timeout: float | None = None,
) -> None:
    """A request reaches a thread only once it has arrived whole (bot/server_worker.py), so slow
    clients hold no thread; one slower than `read_timeout` s (default 10) is answered 408.

    SIGTERM: the listener closes at once (the connections already waiting on it are still taken), the
    requests in flight finish (up to `graceful_timeout` s), then the workers exit; only a turn still
    running after that is cut."""
    project = load_project(root)
    url, embedded = redis_for(project)
    os.environ["REDIS_URL"] = url  # workers build their stores from it
    if read_timeout is not None:
        os.environ["PARLEY_READ_TIMEOUT"] = str(read_timeout)  # read by bot/server_worker.py
    channels = load_channels(project.credentials, project.credentials_path)
    # widget streams park a gthread thread each only with widget.hand_off: false: then size the pool
    held = sum(c.limits().get("held_streams", 0) for c in channels)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads + held,
        "worker_connections": max(1000, threads + held + 100),
        # gthread whose event loop buffers each request whole before a thread sees it (slow clients)
        "worker_class": "bot.server_worker.BufferingThreadWorker",
        "timeout": 120,
        "graceful_timeout": int(graceful_timeout),  # gunicorn takes whole seconds
        "accesslog": "-",
        # the path without its query string: a `?token=` never reaches the log
        "access_log_format": '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss',
        "loglevel": "info",
    }
    auth = AuthSettings.from_env()  # set by `parley run` options; checked here so a typo fails at start-up
    if auth.open_api:
        print("WARNING: --open-api: the conversation and model API needs NO credentials", file=sys.stderr)
    print(f"API protection: {auth.describe()}")
    print(
        f"Parley serving {project.root} on http://{host}:{port}  "
        f"(Redis: {'embedded ' if embedded else ''}{url.split('@')[-1]})"
    )
    if any(c.name == "widget" for c in channels):
        print(f"Chat in your browser: http://{host}:{port}/chat  (embed: http://{host}:{port}/widget.js)")
    try:
        _Gunicorn(project.root, options).run()
    finally:
        if embedded is not None:
            embedded.stop()
