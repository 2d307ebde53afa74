"""A real `parley run` in its own process group, for the tests that need a served assistant."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import requests


def start_server(
    project: Path,
    port: int,
    *,
    token: str,
    redis_url: str | None = None,
    args: Sequence[str] = (),
    capture: bool = False,
) -> subprocess.Popen[bytes]:
    """`parley run` on `port`; on `redis_url`, else its embedded Redis. `capture` keeps its output."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    env["PARLEY_AUTH_TOKEN"] = token
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--project", str(project), "--port", str(port), *args],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if capture else subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float = 180) -> None:
    """Until `/health` answers 200 (the worker may still be loading the models)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            said = proc.stdout.read().decode(errors="replace") if proc.stdout is not None else ""
            raise AssertionError(f"the server exited early:\n{said}")
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError("server did not become healthy")
