"""Benchmark: the Slack channel's promises under load, against a fake Slack Web API on loopback.

    .venv/bin/python bench/slack.py            # -> bench/results/slack.json (+ a table on stdout)

Real server processes (gunicorn gthread with 8 request threads, as `parley run` serves; the channel
with its default settings: 16 turn workers per process) share one real redis-server; every request
is signed exactly as Slack signs.
1. ack: a burst of 200 events (200 users, 50 connections at once, from a sender process of its own
   as Slack is) to one server process while each turn takes 1-5 s (a custom action sleeps); p50/p99/max
   of the time to Slack's 200 as the sender measures it, the server's own share (request in to ack
   out), and the time until all 200 replies were posted. Before it, 32 quick events warm both
   processes up (request threads, Redis connections, turn workers), as a server that has served.
2. retry storm: 100 events, each delivered 3 times (first, X-Slack-Retry-Num 1, 2) to each of 2
   processes, 600 requests in random order; `duplicate_replies` = replies beyond one per event.
3. forgery: 1,000 requests with bad signatures or timestamps (wrong secret, stale, future, unsigned,
   tampered body, v1 scheme, non-numeric timestamp); `forged_accepted` = answered other than 401.
4. failing API: the fake Web API fails 20% of calls (500/503); 200 events over 2 processes;
   `lost_replies` = events whose reply never reached Slack.
The machine's load average is recorded at start and end: other engineers share the 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "results" / "slack.json"
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

SECRET = "bench-signing-secret-0123456789abcdef"
DOMAIN = """
version: "3.1"
intents: [greet, work]
responses:
  utter_greet: [{text: "Hello!"}]
actions: [action_work]
"""
RULES = """
version: "3.1"
rules:
- {rule: greet, steps: [{intent: greet}, {action: utter_greet}]}
- {rule: work, steps: [{intent: work}, {action: action_work}]}
"""


# ---------------------------------------------------------------------------------------------- server
def serve(args: argparse.Namespace) -> None:
    import logging

    import redis
    from flask import Flask, g

    from actions.sdk import Action
    from bot.agent import Agent
    from bot.app import register_error_handlers
    from bot.channels.slack import SlackInput
    from bot.channels.slack_settings import SlackSettings
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import DialogueModel
    from bot.stores.redis import RedisLockStore, RedisTrackerStore

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")

    class WorkAction(Action):
        def name(self):
            return "action_work"

        def run(self, dispatcher, tracker, domain):
            time.sleep(random.Random(tracker.sender_id).uniform(1.0, 5.0))
            dispatcher.utter_message(text="Worked.")
            return []

    project = Path(args.project)
    client = redis.Redis.from_url(args.redis)
    stores = RedisTrackerStore(client, key_prefix="t:"), RedisLockStore(client, key_prefix="l:")
    dialogue = DialogueModel.load(project / "models")
    agent = Agent(load_domain(project / "domain.yml"), None, dialogue, *stores, {"action_work": WorkAction})
    settings = {"slack_token": "xoxb-bench", "slack_signing_secret": SECRET, "api_url": args.api}
    channel = SlackInput(SlackSettings.model_validate(settings), redis=client)
    app = Flask("bench")
    app.register_blueprint(channel.blueprint(agent.handle))

    @app.before_request
    def _start():
        g.started = time.perf_counter()

    @app.after_request
    def _handled(response):  # the server's own time from request to ack (without network and client)
        response.headers["X-Bench-Handled-Ms"] = f"{(time.perf_counter() - g.started) * 1000:.2f}"
        return response

    register_error_handlers(app)
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):  # as `parley run` serves: gthread, 8 request threads
        def load_config(self):
            for key, value in (
                ("bind", f"127.0.0.1:{args.port}"),
                ("threads", 8),
                ("worker_class", "gthread"),
            ):
                self.cfg.set(key, value)
            self.cfg.set("loglevel", "warning")

        def load(self):
            return app

    Gunicorn().run()


# ---------------------------------------------------------------------------------------------- client
def event_body(n: int, text: str, tag: str) -> bytes:
    """A direct message from user U<tag><n> in channel D<tag><n>, as the Events API delivers it."""
    who = f"{tag}{n:05d}"
    event = {"type": "message", "channel_type": "im", "channel": f"D{who}", "user": f"U{who}", "text": text}
    body = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": f"Ev{who}",
        "event": {**event, "ts": f"1.{n}"},
    }
    return json.dumps({**body, "authorizations": [{"user_id": "UBOT", "is_bot": True}]}).encode()


def deliver(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, float]:
    from bot.channels.slack_fake import slack_signature

    signed = {**slack_signature(body, SECRET), "Content-Type": "application/json", **(headers or {})}
    started = time.perf_counter()
    reply = requests.post(url, data=body, headers=signed, timeout=30)
    return reply.status_code, (time.perf_counter() - started) * 1000


def forged(url: str, body: bytes, kind: int) -> int:
    """One of 7 kinds of bad request: wrong secret, stale, future, unsigned, tampered, v1, bad timestamp."""
    from bot.channels.slack_fake import slack_signature as sign

    now, skew = int(time.time()), 301 + random.randint(0, 10_000)
    headers, sent = [
        lambda: (sign(body, "not-the-secret"), body),
        lambda: (sign(body, SECRET, now - skew), body),
        lambda: (sign(body, SECRET, now + skew), body),
        lambda: ({}, body),
        lambda: (sign(body, SECRET), body.replace(b"/greet", b"/work")),
        lambda: ({k: v.replace("v0=", "v1=") for k, v in sign(body, SECRET).items()}, body),
        lambda: ({**sign(body, SECRET), "X-Slack-Request-Timestamp": "1e9"}, body),
    ][kind]()
    headers = {**headers, "Content-Type": "application/json"}
    return requests.post(url, data=sent, headers=headers, timeout=30).status_code


def burst(url: str, events: int, clients: int) -> None:
    """Slack's side of the burst: `events` signed events, `clients` connections at a time, sent from one
    asyncio loop (a light sender, so its own scheduling adds little to what it measures); prints
    [status, sender ms, server ms] per event as JSON."""
    import asyncio
    from urllib.parse import urlparse

    from bot.channels.slack_fake import slack_signature

    target = urlparse(url)
    requests_ = []
    for n in range(events):
        body = event_body(n, "/work", "A")
        head = "".join(f"{k}: {v}\r\n" for k, v in slack_signature(body, SECRET).items())
        requests_.append(
            f"POST {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{head}\r\n".encode()
            + body
        )

    async def one(raw: bytes, gate: asyncio.Semaphore) -> list:
        async with gate:
            started = time.perf_counter()
            reader, writer = await asyncio.open_connection(target.hostname, target.port)
            writer.write(raw)
            await writer.drain()
            status_line = await reader.readline()
            headers = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                key, _, value = line.decode().partition(":")
                headers[key.strip().lower()] = value.strip()
            took = (time.perf_counter() - started) * 1000
            writer.close()
            return [int(status_line.split()[1]), took, float(headers.get("x-bench-handled-ms", "nan"))]

    async def main() -> list:
        gate = asyncio.Semaphore(clients)
        return await asyncio.gather(*(one(raw, gate) for raw in requests_))

    print(json.dumps(asyncio.run(main())))


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))]


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def replies_by_channel(api) -> dict[str, int]:
    return dict(Counter(post["channel"] for post in api.posts()))


def run(work: Path) -> dict:
    import redis

    from bot.channels.slack_fake import FakeSlackAPI
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import train_dialogue
    from bot.stores.embedded import free_port, redis_server_binary

    (work / "data").mkdir()
    (work / "domain.yml").write_text(DOMAIN)
    (work / "data" / "rules.yml").write_text(RULES)
    (work / "config.yml").write_text("language: en\n")
    domain, config = load_domain(work / "domain.yml"), work / "config.yml"
    train_dialogue([{"name": "RulePolicy"}], domain, [work / "data"], work / "models", config_source=config)
    redis_port = free_port()
    redis_args = ["--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--dir", str(work)]
    redis_proc = subprocess.Popen([redis_server_binary(), *redis_args], stdout=subprocess.DEVNULL)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    api = FakeSlackAPI(seed=13)
    servers, urls = [], []
    try:
        for i in range(2):
            port = free_port()
            log = open(work / f"server{i}.log", "w")
            cmd = [sys.executable, __file__, "--serve", "--port", str(port), "--redis", redis_url]
            cmd += ["--api", api.url, "--project", str(work)]
            servers.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}/webhooks/slack/events")
        challenge = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
        for url in urls:
            assert wait_until(lambda u=url: _up(u, challenge), 60), f"server at {url} did not start"
        result: dict = {}

        # warm-up, as a server that has served before: 16 quick events at once to each process
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda n: deliver(urls[n % 2], event_body(n, "/greet", "W")), range(32)))
        wait_until(lambda: len(api.posts()) >= 32, 30)
        api.reset()

        # 1. ack under a burst while turns take 1-5 s; Slack's side (the sender) is its own process
        started = time.monotonic()
        sender = [sys.executable, __file__, "--burst", urls[0], "--events", "200", "--clients", "50"]
        acks = json.loads(subprocess.run(sender, capture_output=True, check=True, text=True).stdout)
        ok = sum(1 for status, _, _ in acks if status == 200)
        drained = wait_until(lambda: len(api.posts()) >= 200, 180)
        latencies = sorted(ms for _, ms, _ in acks)
        handled = sorted(ms for _, _, ms in acks)
        result.update(
            ack_p50_ms=round(statistics.median(latencies), 1),
            ack_p99_ms=round(percentile(latencies, 0.99), 1),
            ack_max_ms=round(latencies[-1], 1),
            server_ack_p50_ms=round(statistics.median(handled), 1),
            server_ack_p99_ms=round(percentile(handled, 0.99), 1),
            burst_events=len(acks),
            burst_acked_200=ok,
            burst_replies=len(api.posts()),
            burst_all_replied_s=round(time.monotonic() - started, 1) if drained else None,
        )

        # 2. retry storm: 3 deliveries x 2 processes per event
        api.reset()
        storm = [
            (event_body(n, "/work", "S"), retry, u) for n in range(100) for retry in (0, 1, 2) for u in urls
        ]
        random.Random(7).shuffle(storm)

        def redeliver(item: tuple[bytes, int, str]) -> int:
            body, retry, url = item
            return deliver(url, body, {"X-Slack-Retry-Num": str(retry)} if retry else None)[0]

        with ThreadPoolExecutor(24) as pool:
            statuses = list(pool.map(redeliver, storm))
        wait_until(lambda: len(replies_by_channel(api)) >= 100, 120)
        time.sleep(6)  # any duplicate turn would still be running: give it time to post
        counts = replies_by_channel(api)
        result.update(
            events=100,
            deliveries=len(storm),
            deliveries_acked_200=statuses.count(200),
            duplicate_replies=sum(max(0, c - 1) for c in counts.values()),
            storm_events_replied=len(counts),
        )

        # 3. forgery: nothing accepted, nothing touched
        api.reset()
        client = redis.Redis.from_url(redis_url)
        conversations_before = len(client.keys("t:*"))
        with ThreadPoolExecutor(16) as pool:
            refused = list(
                pool.map(lambda k: forged(urls[k % 2], event_body(k, "/greet", "F"), k % 7), range(1000))
            )
        time.sleep(1)
        result.update(
            forged_requests=len(refused),
            forged_accepted=sum(1 for s in refused if s != 401),
            forged_conversations_touched=len(client.keys("t:*")) - conversations_before,
            forged_api_calls=len(api.calls),
        )

        # 4. the Web API fails 20% of calls: every reply still arrives
        api.reset()
        api.failure_rate = 0.2
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda n: deliver(urls[n % 2], event_body(n, "/greet", "L")), range(200)))
        wait_until(lambda: len(replies_by_channel(api)) >= 200, 120)
        time.sleep(1)
        result.update(
            lost_events=200,
            lost_replies=200 - len(replies_by_channel(api)),
            failed_api_calls=sum(1 for c in api.calls if c.status >= 500),
            replies_waiting_for_redelivery=client.llen("parley:slack:{undelivered}"),
            api_calls=len(api.calls),
        )
        return result
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=10)
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
        api.close()


def _up(url: str, challenge: bytes) -> bool:
    try:
        return deliver(url, challenge)[0] == 200
    except requests.RequestException:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int)
    parser.add_argument("--redis")
    parser.add_argument("--api")
    parser.add_argument("--project")
    parser.add_argument("--burst", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    if args.burst:
        burst(args.burst, args.events, args.clients)
        return
    load_start = os.getloadavg()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-slack-") as tmp:
        result = run(Path(tmp))
    result.update(
        command=".venv/bin/python bench/slack.py",
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - started, 1),
        cpu_count=os.cpu_count(),
        load_avg_start=[round(x, 2) for x in load_start],
        load_avg_end=[round(x, 2) for x in os.getloadavg()],
        targets={"ack_p99_ms": "<= 300", "duplicate_replies": 0, "forged_accepted": 0, "lost_replies": 0},
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
