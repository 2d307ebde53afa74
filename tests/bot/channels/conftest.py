"""Fixtures of the channel tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's chromium under Playwright, one per test module (tests/bot/channels/browser.py)."""
    from tests.bot.channels.browser import launch  # imported here: it skips modules without chromium

    yield from launch()
