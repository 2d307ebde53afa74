"""The multilingual demo bot through the widget in a real browser (Debian's chromium driven by
Playwright): a German page (`data-language="de"`, the widget's `lang` hint) and an English one embed the
widget with its one line; the bot, written once in English, greets and answers the German user in German
and the English user in English, and the tracker keeps each German message's original, its translation,
the language and the detector's confidence.

The bot is the demo (NLU and dialogue trained in English) with the tiny de->en / en->de models of
tests/bot/multilingual, served in this process by werkzeug on a real Redis.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from bot.stores.embedded import free_port
from tests.bot.channels.browser import QuietHandler, bot_texts, say
from tests.bot.multilingual.conftest import multilingual_demo, tiny_translation  # noqa: F401 - fixtures
from tests.bot.multilingual.tiny_models import GERMAN_TURNS

API_TOKEN = "widget-multilingual-api-token-0123"
PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<script src="{bot}/widget.js" data-server="{bot}" data-title="Parley" data-initial-payload="/greet"
        data-open="true" {language}></script></body></html>"""


@pytest.fixture(scope="module")
def sites(multilingual_demo: Path, redis_server, tmp_path_factory) -> Iterator[dict]:  # noqa: F811
    from werkzeug.serving import make_server

    from bot.app import create_app
    from bot.config import load_project
    from bot.services import build_services

    host_port = free_port()
    origin = f"http://127.0.0.1:{host_port}"
    project = tmp_path_factory.mktemp("widget-multilingual") / "project"
    shutil.copytree(multilingual_demo, project)
    credentials = yaml.safe_load((project / "credentials.yml").read_text())
    credentials["widget"].update(allowed_origins=[origin], poll_s=0.2)
    (project / "credentials.yml").write_text(yaml.safe_dump(credentials))

    with pytest.MonkeyPatch.context() as env:
        env.setenv("REDIS_URL", redis_server.url)
        env.setenv("PARLEY_AUTH_TOKEN", API_TOKEN)
        env.setenv("PARLEY_WIDGET_SECRET", "widget-multilingual-secret-0123456789")
        services = build_services(load_project(project))
        bot_port = free_port()
        app = create_app(services)
        server = make_server("127.0.0.1", bot_port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bot = f"http://127.0.0.1:{bot_port}"

    pages = tmp_path_factory.mktemp("host")
    (pages / "de.html").write_text(
        PAGE.format(lang="de", title="Ein Laden", bot=bot, language='data-language="de"')
    )
    (pages / "en.html").write_text(PAGE.format(lang="en", title="A shop", bot=bot, language=""))
    host = http.server.ThreadingHTTPServer(
        ("127.0.0.1", host_port), functools.partial(QuietHandler, directory=str(pages))
    )
    threading.Thread(target=host.serve_forever, daemon=True).start()
    yield {"bot": bot, "de": f"{origin}/de.html", "en": f"{origin}/en.html"}
    host.shutdown()
    server.shutdown()
    widget = app.extensions.get("parley.widget")
    if widget is not None and widget.runtime is not None:
        widget.runtime.close()  # its stream hub polls Redis, which the session ends later
    services.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    context.set_default_timeout(30_000)  # a turn through two tiny NMT models on a busy 2-core machine
    yield context.new_page()
    context.close()


def wait_for_bot_count(page, count: int) -> None:
    page.wait_for_function(
        """(count) => document.querySelector('#parley-widget').shadowRoot
                              .querySelectorAll('.msg.bot').length >= count""",
        arg=count,
    )


def user_events(sites: dict, session_id: str) -> list[dict]:
    tracker = requests.get(
        f"{sites['bot']}/conversations/{session_id}/tracker",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=10,
    ).json()
    return [e for e in tracker["events"] if e["event"] == "user"]


def test_a_german_page_gets_german_replies_and_the_tracker_keeps_original_and_translation(page, sites):
    page.goto(sites["de"])
    wait_for_bot_count(page, 1)  # the initial `/greet`, sent with the page's language
    assert bot_texts(page)[0].startswith("Hallo! Ich bin Parley")  # the domain's German variation
    assert page.locator("[role=log]").get_attribute("lang") == "de"
    turns = list(GERMAN_TURNS)
    say(page, turns[1])  # "Was kannst du alles für mich tun?"
    wait_for_bot_count(page, 2)
    assert bot_texts(page)[1].startswith("Zum Beispiel")
    say(page, turns[2])  # "Vielen Dank für die Hilfe"
    wait_for_bot_count(page, 3)
    assert bot_texts(page)[2] == "Gern geschehen!"  # utter_thank has no German variation: the model's
    assert page.locator(".msg.user").all_inner_texts() == turns[1:3]  # the user sees what they wrote

    session_id = page.evaluate("window.ParleyWidget.sessionId")
    events = user_events(sites, session_id)
    assert [e["text"] for e in events] == ["/greet", *turns[1:3]]
    assert events[0]["parse_data"]["language"] == {"conversation": "de", "source": "channel"}
    for event, said in zip(events[1:], turns[1:3], strict=True):
        record = event["parse_data"]["language"]
        assert record["original"] == said == event["text"]
        assert record["translation"] == GERMAN_TURNS[said] == event["parse_data"]["text"]
        assert record["conversation"] == "de" and record["machine_translated"] is True
        assert record["detected"] == "de" and 0.8 <= record["confidence"] <= 1.0
        assert record["source"] == "channel"
    assert [e["parse_data"]["intent"]["name"] for e in events] == ["greet", "help", "thank"]


def test_an_english_page_gets_english_replies_and_nothing_is_translated(page, sites):
    page.goto(sites["en"])
    wait_for_bot_count(page, 1)
    greeting = bot_texts(page)[0]
    assert "Parley" in greeting and not greeting.startswith("Hallo")
    say(page, "thank you very much")
    wait_for_bot_count(page, 2)
    assert bot_texts(page)[1] == "You're welcome!"
    events = user_events(sites, page.evaluate("window.ParleyWidget.sessionId"))
    assert [e["text"] for e in events] == ["/greet", "thank you very much"]
    record = events[1]["parse_data"]["language"]
    assert record["conversation"] == "en" and record["detected"] == "en" and record["source"] == "detected"
    assert "translation" not in record and "original" not in record
    assert events[1]["parse_data"]["intent"]["name"] == "thank"
