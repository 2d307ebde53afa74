"""The widget in a real browser: Debian's chromium driven by Playwright, the widget embedded with its one
line on a host page served from another origin, the bot in its own process (so it can be killed and
restarted) on a real Redis."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.stores.embedded import free_port
from bot.stores.redis import RedisTrackerStore
from tests.bot.channels.browser import QuietHandler, bot_texts, say
from tests.bot.channels.widget_server import write_project

HERE = Path(__file__).resolve()
API_TOKEN = "browser-test-api-token-0123456789"
REPO = HERE.parents[3]
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>A shop that embeds the bot</h1>
<script src="{bot}/widget.js" data-server="{bot}" data-title="Test bot" data-initial-payload="/greet"
        data-open="true" data-color="#0b7a53"></script></body></html>"""


class BotProcess:
    def __init__(self, project: Path, redis_url: str) -> None:
        self.project, self.redis_url, self.port = project, redis_url, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "PARLEY_WIDGET_SECRET": "browser-test-secret-0123456789",
            "PARLEY_AUTH_TOKEN": API_TOKEN,  # the conversation API (trigger_intent) needs it
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE.parent / "widget_server.py"),
                str(self.project),
                self.redis_url,
                str(self.port),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout.readline().startswith("serving"), "the bot process did not start"

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, redis_server) -> Iterator[dict]:
    host_port = free_port()
    allowed = f"http://127.0.0.1:{host_port}"
    project = write_project(tmp_path_factory.mktemp("widget-browser"), [allowed])
    bot = BotProcess(project, redis_server.url)
    bot.start()
    pages = tmp_path_factory.mktemp("host")
    (pages / "index.html").write_text(HOST_PAGE.format(bot=bot.url))
    handler = functools.partial(QuietHandler, directory=str(pages))
    host = http.server.ThreadingHTTPServer(("127.0.0.1", host_port), handler)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    yield {
        "bot": bot,
        "page": f"{allowed}/index.html",
        # the same page from an origin that is not on the list (localhost is not 127.0.0.1)
        "foreign_page": f"http://localhost:{host_port}/index.html",
    }
    host.shutdown()
    bot.kill()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def user_texts(page) -> list[str]:
    return page.locator(".msg.user").all_inner_texts()


def wait_for_bot(page, text: str, count: int = 1) -> None:
    page.wait_for_function(
        """([text, count]) => {
             const root = document.querySelector('#parley-widget').shadowRoot;
             return [...root.querySelectorAll('.msg.bot')].filter(n => n.innerText === text).length >= count;
           }""",
        arg=[text, count],
    )


def test_greet_reply_button_and_reload_keep_the_conversation(page, sites):
    page.goto(sites["page"])
    wait_for_bot(page, "Hello! I am the test bot.")  # the initial payload, sent once, not shown
    assert user_texts(page) == []
    say(page, "/show")
    wait_for_bot(page, "Pick a city")
    page.get_by_role("button", name="Berlin").click()
    wait_for_bot(page, "You picked Berlin.")
    assert user_texts(page) == ["/show", "Berlin"]  # the button's title, not its payload
    before = (bot_texts(page), user_texts(page))
    page.reload()
    wait_for_bot(page, "You picked Berlin.")
    page.wait_for_timeout(300)  # nothing more arrives: no second greeting, no duplicate
    assert (bot_texts(page), user_texts(page)) == before
    assert page.locator("[role=log]").count() == 1 and page.locator("[role=dialog]").count() == 1


def test_a_restarted_server_loses_nothing_and_repeats_nothing(page, sites, redis_server):
    bot = sites["bot"]
    page.goto(sites["page"])
    wait_for_bot(page, "Hello! I am the test bot.")
    session_id = page.evaluate("window.ParleyWidget.sessionId")
    bot.kill()
    say(page, "/affirm")  # sent during the outage
    page.locator(".error").wait_for(state="visible")
    assert "server" in page.locator(".error").inner_text()
    bot.start()
    wait_for_bot(page, "Great.")
    # a reply that another process stores later (a reminder) reaches the page too
    reply = requests.post(
        f"{bot.url}/conversations/{session_id}/trigger_intent",
        json={"name": "later"},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=10,
    )
    assert reply.status_code == 200
    wait_for_bot(page, "A later reply.")
    page.wait_for_timeout(500)
    assert bot_texts(page).count("Great.") == 1 and user_texts(page).count("/affirm") == 1
    assert bot_texts(page).count("Hello! I am the test bot.") == 1
    assert page.locator(".error").is_hidden()
    stored = RedisTrackerStore(redis_server.client(), key_prefix="tracker:").events(session_id)
    assert [getattr(e, "text", None) for e in stored].count("/affirm") == 1


def test_two_browsers_with_different_sessions_cannot_see_each_other(browser, sites):
    first, second = browser.new_context(), browser.new_context()
    try:
        a, b = first.new_page(), second.new_page()
        a.goto(sites["page"])
        b.goto(sites["page"])
        wait_for_bot(a, "Hello! I am the test bot.")
        wait_for_bot(b, "Hello! I am the test bot.")
        say(a, "/show")
        wait_for_bot(a, "Pick a city")
        say(b, "/affirm")
        wait_for_bot(b, "Great.")
        b.wait_for_timeout(300)
        assert "Pick a city" not in bot_texts(b) and "Great." not in bot_texts(a)
        assert a.evaluate("window.ParleyWidget.sessionId") != b.evaluate("window.ParleyWidget.sessionId")
    finally:
        first.close()
        second.close()


def test_an_xss_response_is_shown_as_text(page, sites):
    page.goto(sites["page"])
    wait_for_bot(page, "Hello! I am the test bot.")
    say(page, "/xss")
    page.locator(".msg.bot", has_text="<script>").wait_for()
    bubble = page.locator(".msg.bot", has_text="<script>")
    assert "<img src=x onerror=" in bubble.inner_text()
    assert page.evaluate("window.__xss === undefined")
    assert bubble.locator("script, img").count() == 0
    links = bubble.locator("a")
    assert links.count() == 1 and links.get_attribute("href") == "https://example.org/a?b=1"
    assert links.get_attribute("rel") == "noopener noreferrer nofollow"


def test_images_show_custom_json_is_ignored_and_unsafe_urls_are_dropped(page, sites):
    page.goto(sites["page"])
    wait_for_bot(page, "Hello! I am the test bot.")
    page.evaluate(
        "window.__custom = []; document.querySelector('#parley-widget')"
        ".addEventListener('parley:custom', e => window.__custom.push(e.detail))"
    )
    say(page, "/rich")
    wait_for_bot(page, "Here is the plot.")
    page.wait_for_function("window.__custom.length === 1")
    images = page.locator(".msg.bot img")
    assert images.count() == 1  # the javascript: image is not shown
    assert images.get_attribute("src") == f"{sites['bot'].url}/media/0123456789abcdef0123456789abcdef.png"
    assert page.evaluate("window.__custom") == [{"kind": "handover", "agent": "ann"}]
    assert page.locator(".msg.bot").count() == 3  # greeting, text, image: the custom JSON adds none
    assert page.locator(".error").is_hidden()


def test_an_origin_not_on_the_list_is_refused(page, sites):
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url) if "/webhooks/widget/" in r.url else None)
    page.goto(sites["foreign_page"])
    page.wait_for_timeout(1500)
    assert bot_texts(page) == [] and failed  # the widget's own requests were refused
    assert page.locator(".error").is_visible()
    origin = sites["foreign_page"].rsplit("/", 1)[0]
    preflight = requests.options(
        f"{sites['bot'].url}/webhooks/widget/session",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert preflight.status_code == 403 and "Access-Control-Allow-Origin" not in preflight.headers
    status = page.evaluate(
        """async (bot) => {
             try { await fetch(bot + '/webhooks/widget/session', {method: 'POST', body: '{}'}); }
             catch (e) { return 'blocked'; }
             return 'read';
           }""",
        sites["bot"].url,
    )
    assert status == "blocked"


def test_phone_width_keyboard_and_screen_reader_roles(browser, sites):
    context = browser.new_context(viewport={"width": 375, "height": 700}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(sites["page"])
        wait_for_bot(page, "Hello! I am the test bot.")
        box = page.locator("[role=dialog]").bounding_box()
        assert box["width"] == pytest.approx(page.evaluate("window.innerWidth"), abs=1)
        assert box["height"] == pytest.approx(page.evaluate("window.innerHeight"), abs=1)
        assert page.locator("[role=log]").get_attribute("aria-live") == "polite"
        page.locator("#pw-input").press("Escape")
        launcher = page.get_by_role("button", name="Open chat: Test bot")
        assert launcher.get_attribute("aria-expanded") == "false"
        launcher.press("Enter")
        assert (
            page.evaluate("document.querySelector('#parley-widget').shadowRoot.activeElement.id")
            == "pw-input"
        )
        start = time.monotonic()
        say(page, "/greet")
        page.wait_for_function(
            "document.querySelector('#parley-widget').shadowRoot.querySelectorAll('.msg.bot').length >= 2"
        )
        assert time.monotonic() - start < 5
    finally:
        context.close()
