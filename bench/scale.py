"""Benchmark: how cost grows with work when Parley scales out (issue 18), on this machine.

    .venv/bin/python bench/scale.py            # -> bench/results/scale.json (+ a table on stdout)

A small real project (regex tokens, char n-grams, the joint intent classifier, rules; trained here) is
served by real `parley run` processes (gunicorn gthread, 8 threads) on one real redis-server (AOF).
1. REST throughput and p50, 1 and 2 server processes behind one port (`--workers 1|2`, both started,
   loaded in turn twice each so drifting background load hits both alike), 8 client threads, each
   message a new text to one of 64 conversations; worker RSS after it.
2. p50 with 1,000 and then 100,000 stored conversations (20-turn copies RESTOREd from a real one; the
   AOF rewritten and settled before each measurement) and Redis bytes per 20-turn conversation
   (used_memory growth / conversations added).
3. p50 on a conversation of 10 events and on one of 1,000 events.
4. reminders across a worker kill: 2 `parley worker` processes, 24 reminders, SIGKILL to the process
   group of the one holding RQ's scheduler lock; each reminder fired once / twice+ / never.
5. the same conversations on a real 3-master Redis Cluster (loopback) with a master restart in the
   middle: messages acknowledged vs found in the trackers afterwards.
Other engineers share the 2 cores: the load average is recorded at start and end. Nothing is estimated:
a figure that was not measured is absent and named under `missing`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "results" / "scale.json"
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import bot.jobs  # noqa: E402,F401 (RQ_KEY_PREFIX before rq is imported)
from bot.stores.embedded import free_port  # noqa: E402
from tests.bot.jobs.conftest import ACTIONS, CONFIG, DOMAIN, NLU, RULES, Workers  # noqa: E402
from tests.conftest import RedisServer  # noqa: E402
from tests.redis_cluster import RedisClusterNodes  # noqa: E402

TEXTS = ["hello", "hi there", "hello again", "hi"]
TOKEN = "scale-bench-token"


def make_project(root: Path) -> Path:
    from bot.training import train_project

    (root / "data").mkdir(parents=True)
    for name, text in {"config.yml": CONFIG, "domain.yml": DOMAIN, "actions.py": ACTIONS}.items():
        (root / name).write_text(text)
    (root / "data" / "rules.yml").write_text(RULES)
    (root / "data" / "nlu.yml").write_text(NLU)
    (root / "endpoints.yml").write_text("tracker_store:\n  type: redis\n  key_prefix: 'tracker:'\n")
    (root / "credentials.yml").write_text("rest:\n")
    train_project(root, seed=1)
    return root


class Server:
    def __init__(self, project: Path, redis_url: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "REDIS_URL": redis_url, "PARLEY_AUTH_TOKEN": TOKEN}
        cmd = [sys.executable, "-m", "bot.cli", "run", "--project", str(project), "--port", str(self.port)]
        cmd += ["--workers", str(workers), "--threads", "8"]
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"parley run exited; see {log}")
            try:
                if requests.get(f"{self.url}/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise RuntimeError("parley run did not become healthy")
        for i in range(4 * workers):  # warm every process (first requests load lazily)
            self.send(f"warm{i}", "hello")

    def send(self, sender: str, text: str) -> float:
        started = time.perf_counter()
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        reply.raise_for_status()
        return time.perf_counter() - started

    def worker_rss_mb(self) -> float:
        """The largest RSS among the gunicorn workers (the children of `parley run`)."""
        children = psutil.Process(self.proc.pid).children(recursive=True)
        return max(c.memory_info().rss for c in children) / 2**20

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=60)


def load(server: Server, seconds: float, threads: int = 8, senders: list[str] | None = None) -> dict:
    """Closed loop: `threads` clients send for `seconds`; throughput and latency percentiles."""
    senders = senders or [f"load{i}" for i in range(64)]
    stop_at = time.monotonic() + seconds

    def client(n: int) -> list[float]:
        times, i = [], 0
        while time.monotonic() < stop_at:
            times.append(server.send(senders[(n * 7919 + i) % len(senders)], TEXTS[i % len(TEXTS)]))
            i += 1
        return times

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        times = [t for part in pool.map(client, range(threads)) for t in part]
    elapsed = time.monotonic() - started
    return {"rps": len(times) / elapsed, "p50_ms": 1000 * statistics.median(times), "n": len(times)}


def p50_sequential(server: Server, senders: list[str], n: int) -> float:
    return 1000 * statistics.median(server.send(senders[i % len(senders)], TEXTS[i % 4]) for i in range(n))


def settled(client) -> None:
    """Rewrite the AOF now and wait until Redis is done, so no background rewrite (a fork and a disk
    write of the whole dataset) falls into a measurement."""
    if not client.info("persistence").get("aof_rewrite_in_progress"):
        client.bgrewriteaof()
    time.sleep(0.5)
    while client.info("persistence").get("aof_rewrite_in_progress") or client.info("persistence").get(
        "aof_rewrite_scheduled"
    ):
        time.sleep(0.5)


def alternate(servers: dict[str, Server], seconds: float, rounds: int = 2) -> dict[str, dict]:
    """Load each server in turn, `rounds` times, so that drifting background load hits both alike."""
    totals = {name: {"n": 0, "s": 0.0, "p50": []} for name in servers}
    for _ in range(rounds):
        for name, server in servers.items():
            started = time.monotonic()
            run = load(server, seconds / rounds)
            totals[name]["s"] += time.monotonic() - started
            totals[name]["n"] += run["n"]
            totals[name]["p50"].append(run["p50_ms"])
    return {k: {"rps": v["n"] / v["s"], "p50_ms": statistics.median(v["p50"])} for k, v in totals.items()}


def stored_conversations(client, total: int, template: bytes, already: int) -> None:
    """Copies of one real 20-turn conversation under new senders, up to `total` stored."""
    pipe = client.pipeline(transaction=False)
    for i in range(already, total):
        pipe.restore(f"tracker:{{stored{i}}}", 0, template, replace=True)
        if i % 2000 == 0:
            pipe.execute()
    pipe.execute()


def bench_reminders(project: Path, redis: RedisServer, server: Server, work: Path, n: int) -> dict:
    client = redis.client()
    workers = Workers(project, redis.url, work)
    first = workers.start("w1")
    workers.wait_ready(client, 1, timeout=300)
    workers.start("w2")
    workers.wait_ready(client, 2, timeout=300)
    senders = [f"rem{i}" for i in range(n)]
    for s in senders:
        server.send(s, '/remind{"delay": 6, "name": "r1", "kill": "false"}')
    workers.kill(first)  # it holds RQ's scheduler lock (started first)

    def fired(s: str) -> int:
        return sum(b'"Reminder!"' in e for e in client.lrange(f"tracker:{{{s}}}", 0, -1))

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not all(fired(s) for s in senders):
        time.sleep(1)
    time.sleep(5)  # a late duplicate would show by now
    counts = [fired(s) for s in senders]
    workers.stop_all()
    return {
        "reminders_set": n,
        "reminders_fired_once": counts.count(1),
        "reminders_duplicated": sum(1 for c in counts if c > 1),
        "reminders_lost": counts.count(0),
    }


def bench_cluster(project: Path, work: Path, messages: int) -> dict:
    from bot.agent import UserMessage
    from bot.config import load_project
    from bot.errors import StoreUnavailable
    from bot.services import build_services

    cluster = RedisClusterNodes(work / "cluster").start()
    os.environ["REDIS_URL"] = cluster.url
    services = build_services(load_project(project))
    senders = [f"cl{i}" for i in range(24)]
    acked, refused = {}, 0
    victim = services.tracker_store.client.get_node_from_key(services.tracker_store.key(senders[0])).port
    try:
        for i in range(messages):
            if i == messages // 2:
                cluster.stop_node(victim)
            if i == messages // 2 + 3:
                cluster.start_node(victim)
                cluster.wait_ok()
            message = UserMessage(text=TEXTS[i % 4], sender_id=senders[i % 24], message_id=uuid.uuid4().hex)
            for _ in range(40):
                try:
                    services.agent.handle(message)
                    acked[message.message_id] = message.sender_id
                    break
                except StoreUnavailable:
                    refused += 1
                    if i >= messages // 2 + 3:
                        time.sleep(0.5)
                    else:
                        break  # while the master is down: counted as refused, not retried
        stored = {getattr(e, "message_id", None) for s in senders for e in services.agent.tracker(s).events}
        lost = [m for m in acked if m not in stored]
    finally:
        services.close()
        cluster.stop()
        os.environ.pop("REDIS_URL", None)
    return {
        "cluster_messages": len(acked),
        "cluster_lost": len(lost),
        "cluster_refused_during_restart": refused,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="each throughput run (default 20)")
    parser.add_argument("--stored", type=int, default=100_000, help="conversations for the large-store p50")
    args = parser.parse_args()
    results: dict = {
        "command": " ".join(["python", "bench/scale.py", *sys.argv[1:]]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg(),
    }
    work = Path(tempfile.mkdtemp(prefix="parley-scale-"))
    project = make_project(work / "project")
    redis = RedisServer(work / "redis", free_port())
    (work / "redis").mkdir()
    redis.start()
    client = redis.client()
    log = work / "server.log"
    try:
        one = Server(project, redis.url, 1, log)
        two = Server(project, redis.url, 2, log)
        runs = alternate({"one": one, "two": two}, 2 * args.seconds)
        r1, r2 = runs["one"], runs["two"]
        results.update(rps_1proc=round(r1["rps"], 1), p50_ms_1proc=round(r1["p50_ms"], 1))
        results.update(rps_2proc=round(r2["rps"], 1), p50_ms_2proc=round(r2["p50_ms"], 1))
        results["rps_ratio_2_to_1"] = round(r2["rps"] / r1["rps"], 2)
        results["worker_rss_mb"] = round(one.worker_rss_mb(), 1)

        # 20 turns of one conversation -> the template every stored conversation copies
        for i in range(20):
            one.send("template", TEXTS[i % 4])
        template = client.dump("tracker:{template}")
        results["events_per_20_turn_conversation"] = client.llen("tracker:{template}")
        client.delete(*[f"tracker:{{load{i}}}" for i in range(64)])
        before = client.info("memory")["used_memory"]
        stored_conversations(client, 1_000, template, 0)
        mid = client.info("memory")["used_memory"]
        results["redis_bytes_per_conversation"] = round((mid - before) / 1_000)
        results["memory_usage_of_one_conversation_key"] = client.memory_usage("tracker:{stored0}")
        settled(client)
        results["p50_ms_1k_conversations"] = round(
            p50_sequential(one, [f"stored{i}" for i in range(0, 1000, 7)], 120), 1
        )
        stored_conversations(client, args.stored, template, 1_000)
        results["stored_conversations"] = args.stored
        settled(client)
        picks = [f"stored{i}" for i in range(1_000, args.stored, max(args.stored // 140, 1))]
        results["p50_ms_100k_conversations"] = round(p50_sequential(one, picks, 120), 1)

        for i in range(2):  # 10 events: a greeting (session start + user + bot + listens)
            one.send("short", TEXTS[i])
        long_events = [
            json.dumps({"event": "bot", "timestamp": time.time(), "text": f"old {i}", "data": {}})
            for i in range(1_000 - client.llen("tracker:{short}"))
        ]
        client.rpush("tracker:{long}", *client.lrange("tracker:{short}", 0, -1), *long_events)
        results["events_short"], results["events_long"] = (
            client.llen("tracker:{short}"),
            client.llen("tracker:{long}"),
        )
        results["p50_ms_10_events"] = round(p50_sequential(one, ["short"], 30), 1)
        results["p50_ms_1000_events"] = round(p50_sequential(one, ["long"], 30), 1)
        one.stop()
        results.update(bench_reminders(project, redis, two, work, 24))
        two.stop()
        results.update(bench_cluster(project, work, 120))
    finally:
        redis.stop()
    results["loadavg_end"] = os.getloadavg()
    results["missing"] = {
        "worker_rss_mb_with_translation": "the project has no translation model; the per-model RSS of the "
        "demo (hub NLU, translation, forecasting, summarization) was not measured in this run",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    for key, value in results.items():
        if not isinstance(value, dict):
            print(f"{key:40} {value}")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
