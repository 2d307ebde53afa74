"""schemathesis against a live `parley run`, from the committed bot/api/openapi.json: no 5xx.

A short budget (60 s, at most 10 examples per operation and phase, seed fixed) so it fits the default
run. Left out: the widget's stream (a Server-Sent Events response that never ends) and `/translate`
(this test project has no translation model, so its 503 "no translation model is loaded" is the
documented answer, not a fault).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.stores.embedded import free_port
from tests.bot.server_process import start_server, wait_healthy

REPO = Path(__file__).resolve().parents[2]
TOKEN = "schemathesis-token"
EXCLUDED = ["/webhooks/widget/stream", "/translate"]


def schemathesis_command(url: str, token: str, report: Path, *, seconds: int = 60) -> list[str]:
    command = [sys.executable, "-m", "schemathesis.cli", "run", str(REPO / "bot" / "api" / "openapi.json")]
    command += ["--url", url, "--checks", "not_a_server_error", "--max-examples", "10"]
    command += ["--max-time", str(seconds), "--seed", "17", "--workers", "1", "--request-timeout", "30"]
    command += ["--header", f"Authorization: Bearer {token}"]
    for path in EXCLUDED:
        command += ["--exclude-path", path]
    return command + ["--report", "json", "--report-json-path", str(report)]


def test_schemathesis_finds_no_server_error(trained_demo, redis_server, redis_client, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(trained_demo, port, token=TOKEN, redis_url=redis_server.url)
    report = tmp_path / "schemathesis.json"
    try:
        wait_healthy(proc, url)
        run = subprocess.run(
            schemathesis_command(url, TOKEN, report),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "NO_COLOR": "1"},
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    result = json.loads(report.read_text())
    assert result["operations"]["tested"] >= 15, run.stdout[-3000:]
    assert result["test_cases"]["generated"] >= 100, run.stdout[-3000:]
    assert result["errors"] == [], run.stdout[-3000:]
    assert result["failures"] == [], run.stdout[-3000:]  # not_a_server_error is the only check run
