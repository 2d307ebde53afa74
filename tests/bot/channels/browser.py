"""What the widget's browser tests share: Debian's chromium driven by Playwright (importing this skips the
test module when either is absent), a quiet static-page server, and the widget's input and bot bubbles."""

from __future__ import annotations

import http.server
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is absent: `apt-get install chromium` (make test does)", allow_module_level=True)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def launch() -> Iterator:
    """Chromium for the `browser` fixture (tests/bot/channels/conftest.py), closed after its module."""
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def bot_texts(page) -> list[str]:
    return page.locator(".msg.bot").all_inner_texts()


def say(page, text: str) -> None:
    page.locator("#pw-input").fill(text)
    page.locator("#pw-input").press("Enter")
