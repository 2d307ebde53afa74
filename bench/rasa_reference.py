"""Benchmark: Parley and Rasa 3.6.21 side by side on formbot, the same client against both, alternating.

    bench/make_rasa_env.sh                       # once: Rasa 3.6.21 in .venv-rasa (Python 3.10)
    .venv/bin/python bench/rasa_reference.py     # -> bench/results/rasa_side_by_side.json (+ a table)

1. formbot (../shared/data/rasa_projects/formbot) is copied twice to a temp dir (never into the repo);
   in both copies endpoints.yml is removed and `validate_restaurant_form` is dropped from the domain's
   actions (its Python code was not copied, and no action server runs: the form validates slots by
   their mappings alone). config.yml is unchanged, Duckling included: both servers are pointed
   (RASA_DUCKLING_HTTP_URL) at the same closed loopback port, so both pay one refused connection.
2. One copy is trained with `.venv-rasa/bin/rasa train`, the other with `.venv/bin/parley train`.
3. Both are served at once on loopback ports: `rasa run --enable-api` (in-memory tracker store, no
   auth) and `parley run --open-api` (embedded Redis, one process, 8 threads). After health and a
   warm-up, the same client (this process, requests) runs, per run and per server, alternating which
   server goes first:
   - REST round trip: sequential POST /webhooks/rest/webhook, a new sender and a unique text each;
   - POST /model/parse, sequential, unique texts: p50/p95/p99;
   - throughput: 8 client threads share a fixed list of unique texts on /webhooks/rest/webhook;
     requests/s = requests / wall time.
   Texts are BANKING77 train+test sentences, deduplicated and shuffled once (seed 19): no server sees
   a text twice, and both servers get the same texts in the same phase, so no figure is a cache hit.
4. Each headline figure is the median of the runs; min/median/max per run are kept beside it.
If .venv-rasa is absent or Rasa does not start, the JSON says why and quotes no Rasa figure.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
FORMBOT = SHARED / "rasa_projects" / "formbot"
TEXTS = [SHARED / "banking77" / "train.csv", SHARED / "banking77" / "test.csv"]
OUT = REPO / "bench" / "results" / "rasa_side_by_side.json"
RASA_BIN = REPO / ".venv-rasa" / "bin" / "rasa"
PARLEY_BIN = REPO / ".venv" / "bin" / "parley"
WARMUP = 30
QUIET_TF = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore"}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unique_texts() -> list[str]:
    seen: dict[str, None] = {}
    for path in TEXTS:
        with path.open(newline="") as f:
            for row in csv.DictReader(f):
                text = " ".join(row["text"].split())
                seen.setdefault(text, None)
    texts = list(dict.fromkeys(t for t in seen if t))
    random.Random(19).shuffle(texts)
    return texts


def prepare(dst: Path) -> Path:
    shutil.copytree(FORMBOT, dst)
    (dst / "endpoints.yml").unlink(missing_ok=True)
    domain = (dst / "domain.yml").read_text()
    stripped = domain.replace("actions:\n- validate_restaurant_form\n", "")
    if stripped == domain:
        raise SystemExit("formbot's domain.yml no longer lists validate_restaurant_form as expected")
    (dst / "domain.yml").write_text(stripped)
    return dst


def run_logged(cmd: list[str], cwd: Path, env: dict, log: Path) -> float:
    started = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if code != 0:
        tail = log.read_text()[-3000:]
        raise RuntimeError(f"{' '.join(cmd)} exited {code}:\n{tail}")
    return round(time.perf_counter() - started, 1)


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round(q / 100 * len(sorted_ms) + 0.5) - 1))]


class Target:
    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def rest(self, session, sender: str, text: str) -> None:
        reply = session.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        if reply.status_code != 200:
            raise RuntimeError(f"{self.name} REST {reply.status_code}: {reply.text[:300]}")

    def parse(self, session, text: str) -> None:
        reply = session.post(f"{self.url}/model/parse", json={"text": text}, timeout=60)
        if reply.status_code != 200 or "intent" not in reply.json():
            raise RuntimeError(f"{self.name} parse {reply.status_code}: {reply.text[:300]}")


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def measure(target: Target, texts: dict[str, list[str]], tag: str, threads: int) -> dict:
    import requests

    session = requests.Session()
    rest = sorted(timed(target.rest, session, f"{tag}-rest-{i}", t) for i, t in enumerate(texts["rest"]))
    parse = sorted(timed(target.parse, session, t) for t in texts["parse"])
    todo = list(enumerate(texts["rps"]))
    lock, errors = threading.Lock(), []
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        own = requests.Session()
        barrier.wait()
        while True:
            with lock:
                if not todo:
                    return
                i, text = todo.pop()
            try:
                target.rest(own, f"{tag}-rps-{i}", text)
            except Exception as exc:  # counted, and the run is reported as failed below
                errors.append(repr(exc))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{target.name}: {len(errors)} throughput requests failed, first {errors[0]}")
    return {
        "rest_p50_ms": round(statistics.median(rest), 2),
        "rest_p99_ms": round(percentile(rest, 99), 2),
        "parse_p50_ms": round(statistics.median(parse), 2),
        "parse_p95_ms": round(percentile(parse, 95), 2),
        "parse_p99_ms": round(percentile(parse, 99), 2),
        "rps_8_threads": round(len(texts["rps"]) / wall, 1),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def spread(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "runs": values}


def versions() -> dict:
    from importlib.metadata import version

    rasa = subprocess.run(
        [str(REPO / ".venv-rasa" / "bin" / "python"), "-c",
         "import rasa, tensorflow, sanic, platform; "
         "print(rasa.__version__, tensorflow.__version__, sanic.__version__, platform.python_version())"],
        capture_output=True, text=True, env={**os.environ, **QUIET_TF},
    ).stdout.split()  # fmt: skip
    return {
        "rasa": rasa[0] if rasa else None,
        "rasa_tensorflow": rasa[1] if len(rasa) > 1 else None,
        "rasa_sanic": rasa[2] if len(rasa) > 2 else None,
        "rasa_python": rasa[3] if len(rasa) > 3 else None,
        "parley": version("parley"),
        "parley_tensorflow": version("tensorflow"),
        "parley_python": platform.python_version(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per server (default 3)")
    parser.add_argument("--rest", type=int, default=300, help="sequential REST requests per run")
    parser.add_argument("--parse", type=int, default=500, help="sequential /model/parse requests per run")
    parser.add_argument("--rps", type=int, default=480, help="REST requests per throughput run")
    parser.add_argument("--threads", type=int, default=8, help="client threads for throughput")
    args = parser.parse_args()
    command = "python bench/rasa_reference.py" + "".join(
        f" --{k} {v}" for k, v in vars(args).items() if v != parser.get_default(k)
    )
    load_start = os.getloadavg()
    result: dict = {"command": command, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}

    def write(extra: dict) -> None:
        result.update(extra)
        result["machine"] = {
            "cpu_count": os.cpu_count(),
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        }
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {OUT}")

    if not RASA_BIN.exists():
        write({"rasa_available": False, "why": f"{RASA_BIN} is absent: run bench/make_rasa_env.sh "
               "(needs Python 3.10 at /root/.pyenv/versions/3.10.13); no Rasa figure is quoted"})  # fmt: skip
        return 1
    texts = unique_texts()
    per_run = args.rest + args.parse + args.rps
    needed = 2 * WARMUP + args.runs * per_run
    if needed > len(texts):
        raise SystemExit(f"{needed} unique texts needed, BANKING77 has {len(texts)}")
    work = Path(tempfile.mkdtemp(prefix="parley-bench-rasa-ref-"))
    duckling = f"http://127.0.0.1:{free_port()}"  # closed: both servers get the same refused connection
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | QUIET_TF
    env["RASA_DUCKLING_HTTP_URL"] = duckling
    procs: list[subprocess.Popen] = []
    try:
        rasa_dir, parley_dir = prepare(work / "rasa"), prepare(work / "parley")
        print("training formbot with Rasa ...", flush=True)
        rasa_train_s = run_logged(
            [str(RASA_BIN), "train", "--fixed-model-name", "formbot", "--out", "models"],
            rasa_dir, env, work / "rasa_train.log",
        )  # fmt: skip
        print(f"  {rasa_train_s} s; training formbot with Parley ...", flush=True)
        parley_train_s = run_logged(
            [str(PARLEY_BIN), "train", "--project", str(parley_dir), "--seed", "1"],
            parley_dir, env, work / "parley_train.log",
        )  # fmt: skip
        print(f"  {parley_train_s} s; serving both ...", flush=True)
        rasa_port, parley_port = free_port(), free_port()
        rasa_log, parley_log = work / "rasa_run.log", work / "parley_run.log"
        rasa_cmd = [str(RASA_BIN), "run", "--enable-api", "-m", "models/formbot.tar.gz",
                    "-i", "127.0.0.1", "-p", str(rasa_port)]  # fmt: skip
        parley_cmd = [str(PARLEY_BIN), "--log-level", "WARNING", "run", "--project", str(parley_dir),
                      "--port", str(parley_port), "--open-api"]  # fmt: skip
        for cmd, cwd, log in ((rasa_cmd, rasa_dir, rasa_log), (parley_cmd, parley_dir, parley_log)):
            procs.append(subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("w"),
                                          stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
        rasa = Target("rasa", f"http://127.0.0.1:{rasa_port}")
        parley = Target("parley", f"http://127.0.0.1:{parley_port}")
        wait_healthy(f"{rasa.url}/status", procs[0], rasa_log)
        wait_healthy(f"{parley.url}/health", procs[1], parley_log)
        import requests

        session = requests.Session()
        for target in (rasa, parley):  # the same warm-up texts for both, not reused after
            for i, text in enumerate(texts[:WARMUP]):
                target.parse(session, text)
                target.rest(session, f"warmup-{i}", texts[WARMUP + i])
        runs: dict[str, list[dict]] = {"rasa": [], "parley": []}
        for r in range(args.runs):
            base = 2 * WARMUP + r * per_run
            chunk = {
                "rest": texts[base : base + args.rest],
                "parse": texts[base + args.rest : base + args.rest + args.parse],
                "rps": texts[base + args.rest + args.parse : base + per_run],
            }
            order = (rasa, parley) if r % 2 == 0 else (parley, rasa)
            for target in order:
                print(f"run {r + 1}/{args.runs} {target.name} ...", flush=True)
                runs[target.name].append(measure(target, chunk, f"r{r}", args.threads))
                print(f"  {runs[target.name][-1]}", flush=True)
    except Exception as exc:  # the reason is the finding; no figure is quoted
        write({"rasa_available": RASA_BIN.exists(), "why": f"{type(exc).__name__}: {exc}"[:4000]})
        return 1
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)

    keys = ["rest_p50_ms", "rest_p99_ms", "parse_p50_ms", "parse_p95_ms", "parse_p99_ms", "rps_8_threads"]
    detail = {f"{name}_{k}": spread([run[k] for run in runs[name]]) for name in runs for k in keys}
    head = {k: v["median"] for k, v in detail.items()}
    ratios = {
        "rest_p50_rasa_over_parley": round(head["rasa_rest_p50_ms"] / head["parley_rest_p50_ms"], 2),
        "parse_p50_rasa_over_parley": round(head["rasa_parse_p50_ms"] / head["parley_parse_p50_ms"], 2),
        "parse_p99_rasa_over_parley": round(head["rasa_parse_p99_ms"] / head["parley_parse_p99_ms"], 2),
        "rps_parley_over_rasa": round(head["parley_rps_8_threads"] / head["rasa_rps_8_threads"], 2),
    }
    targets = {
        "rest_p50_at_least_3x_faster": ratios["rest_p50_rasa_over_parley"] >= 3.0,
        "parse_p99_no_slower": head["parley_parse_p99_ms"] <= head["rasa_parse_p99_ms"],
        "rps_at_least_3x": ratios["rps_parley_over_rasa"] >= 3.0,
    }
    write({
        "rasa_available": True,
        **head,
        "ratios": ratios,
        "targets_met": targets,
        "per_run": detail,
        "runs_raw": runs,
        "train_seconds": {"rasa": rasa_train_s, "parley": parley_train_s},
        "setup": {
            "project": "formbot, config.yml unchanged; endpoints.yml removed, validate_restaurant_form "
            "dropped from the domain (no action server)",
            "texts": "BANKING77 train+test, deduplicated, shuffled (seed 19); unique per server",
            "requests_per_run": {"rest": args.rest, "parse": args.parse, "rps": args.rps},
            "threads": args.threads,
            "rasa_server": "rasa run --enable-api (sanic, in-memory tracker store)",
            "parley_server": "parley run --open-api (gthread, 8 threads, embedded Redis)",
            "duckling": "both pointed at one closed loopback port (refused connection per message)",
            "order": "alternating: odd runs Rasa first, even runs Parley first",
        },
        "versions": versions(),
    })  # fmt: skip
    print(f"\n{'figure (median of runs)':28s} {'Parley':>10s} {'Rasa 3.6':>10s}")
    for k in keys:
        print(f"{k:28s} {head['parley_' + k]:10.1f} {head['rasa_' + k]:10.1f}")
    print("targets met:", targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
