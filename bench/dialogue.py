"""Benchmark: dialogue management on held-out test stories, and the REST round trip of one process.

    .venv/bin/python bench/dialogue.py            # -> bench/results/dialogue.json (+ a table on stdout)

1. Held-out test stories. Each project is trained with its own `config.yml` policies (unchanged:
   formbot's TED has 1 epoch, e2ebot's 200) on its own rules and stories, then replayed (`parley test
   core` logic, intent labels from the stories) on test stories written apart from the training data:
   bench/dialogue_stories/<project>.yml for the Rasa example projects in ../shared/data/rasa_projects,
   demo/tests/ for the demo. None of them is a training story (checked here: a copy fails the bench);
   they need the policies to generalise (new slot values, turns in another order, rules joined in
   orders no training file shows). Figures: share of stories fully passed, per-action accuracy, the
   failed stories by name. The test stories the example projects ship (tests/) are replayed too and
   reported apart, with how many of them repeat a training story step for step.
2. formbot's policy training time (all its policies, in-process, TensorFlow already imported).
3. REST round trip: formbot (NLU + policies) served by `parley run` (one process, gthread) on a real
   redis-server; sequential requests replay a full form conversation, a new sender each time. Two text
   sets, measured apart and alternating, `--runs` times: `unique` (every text differs from every other
   text the server ever saw, so the embedding cache never hits) and `repeated` (one fixed conversation,
   so every text after the warm-up is a cache hit). p50/p99 per run, min/median/max across runs; the
   headline `rest_p50_ms`/`rest_p99_ms` are the unique-text medians.

Rasa is not run here: bench/rasa_reference.py measures both servers side by side. When its result
(bench/results/rasa_side_by_side.json) exists, its measured figures are quoted with its date;
otherwise the JSON says that no Rasa figure was measured. The machine's load average is recorded at
start and end: other engineers share the 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "rasa_projects"
HELD_OUT = REPO / "bench" / "dialogue_stories"
OUT = REPO / "bench" / "results" / "dialogue.json"
RASA_SIDE_BY_SIDE = REPO / "bench" / "results" / "rasa_side_by_side.json"
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

WARMUP_CONVERSATIONS = 5  # the first requests build TF functions; not timed
REPEATED = [  # the `repeated` set: the same eight texts every conversation (cache hits after the first)
    "hi",
    "im looking for a restaurant",
    "greek food",
    '/inform{"number": "4"}',
    "yes",
    "a quiet table",
    "it was great",
    "thanks",
]
_NAMES = (
    "anna ben carla dev emma farid gita hugo ines jonas kemal lena milo nora omar paula quinn rosa sami "
    "tara umar vera wim xenia yusuf zoe aiko bruno chen dara elif femi goran hana ivo jade kofi luca "
    "maya nils olga pavel rania sven tomas ulla viktor wanda yara zeno"
).split()
_CITIES = (
    "berlin paris lyon porto lisbon madrid rome milan vienna prague krakow oslo bergen dublin cork leeds "
    "york bath ghent bruges delft utrecht basel bern graz linz riga tallinn vilnius sofia athens split"
).split()
_CUISINES = (
    "greek italian mexican thai indian chinese japanese korean vietnamese turkish lebanese ethiopian "
    "french spanish german polish persian moroccan peruvian brazilian georgian nepalese syrian cuban"
).split()
_ADJECTIVES = "quiet cosy bright large small round corner window sunny shaded calm private".split()
_PLACES = [
    "near the window", "by the door", "at the back", "in the garden", "on the terrace", "upstairs",
]  # fmt: skip


def unique_conversations(n: int, seed: int = 19) -> list[list[str]]:
    """`n` form conversations (the shape of REPEATED) in which no text occurs twice."""
    rng = random.Random(seed)

    def pool(*parts: list[str], fmt: str) -> list[str]:
        texts = [fmt.format(*combo) for combo in itertools.product(*parts)]
        rng.shuffle(texts)
        return texts

    greet = pool(["hi", "hello", "hey", "hi there", "hello again", "good morning"], _NAMES, fmt="{} i am {}")
    request = pool(  # fmt: skip
        ["im looking for a restaurant", "i want to book a table", "find me a restaurant",
         "i need a place to eat"],
        ["in", "near", "around"],
        _CITIES,
        fmt="{} {} {}",
    )
    cuisine = pool(_CUISINES, ["food", "food please", "cuisine", "food would be nice", "dishes"], _NAMES[:4],
                   fmt="{} {} for {}")  # fmt: skip
    affirm = pool(["yes", "yes please", "sure", "yeah", "ok", "yep"], _NAMES, fmt="{} {}")
    preference = pool(_ADJECTIVES, _PLACES, _NAMES[:6], fmt="a {} table {} for {}")
    feedback = pool(["it was great", "all good", "fine so far", "very helpful"], _CITIES, _NAMES[:3],
                    fmt="{} in {} said {}")  # fmt: skip
    thanks = pool(["thanks", "thank you", "many thanks", "thanks a lot", "cheers", "thx"], _NAMES,
                  fmt="{} from {}")  # fmt: skip
    most = min(len(p) for p in (greet, request, cuisine, affirm, preference, feedback, thanks))
    if n > most:
        raise ValueError(f"{n} unique conversations asked for; the text pools allow at most {most}")
    conversations = [
        [greet[i], request[i], cuisine[i], f'/inform{{"number": "{i + 1}"}}', affirm[i], preference[i],
         feedback[i], thanks[i]]  # fmt: skip
        for i in range(n)
    ]
    flat = [t for c in conversations for t in c]
    assert len(flat) == len(set(flat)), "unique texts are not unique"
    return conversations


# --------------------------------------------------------------------------- 1. test stories


def _same_step(a, b) -> bool:
    if (a.kind in ("intent", "user_text")) and (b.kind in ("intent", "user_text")):
        return bool((a.name and a.name == b.name) or (a.text and b.text and a.text.strip() == b.text.strip()))
    return a.kind == b.kind and a.name == b.name


def _copies_of_training(test_blocks, train_blocks) -> list[str]:
    """Names of test stories whose steps repeat one training story's steps one for one."""
    from bot.dialogue.stories import story_paths

    keep = ("intent", "user_text", "action", "active_loop")
    train = [[s for s in path if s.kind in keep] for _, path in story_paths(train_blocks)]
    copies = []
    for block, path in story_paths(test_blocks):
        steps = [s for s in path if s.kind in keep]
        if any(len(t) == len(steps) and all(map(_same_step, steps, t)) for t in train):
            copies.append(block.name)
    return copies


def _summary(evaluation, copies: list[str], where: str) -> dict:
    return {
        "stories_from": where,
        "stories": len(evaluation.stories),
        "stories_passed": sum(s.passed for s in evaluation.stories),
        "share_passed": round(evaluation.share_passed, 4),
        "action_accuracy": round(evaluation.action_accuracy, 4),
        "actions_predicted": len(evaluation.pairs),
        "failed": [s.name for s in evaluation.stories if not s.passed],
        "copies_of_training_stories": copies,
    }


def story_projects() -> list[tuple[str, Path, Path | None, Path | None]]:
    """(name, project root, held-out story file or folder, shipped tests folder) for each project."""
    out = []
    for root in sorted(p for p in SHARED.iterdir() if p.is_dir()):
        held_out = HELD_OUT / f"{root.name}.yml"
        shipped = root / "tests"
        if held_out.is_file() or shipped.is_dir():
            out.append((root.name, root, held_out if held_out.is_file() else None,
                        shipped if shipped.is_dir() else None))  # fmt: skip
    out.append(("demo", REPO / "demo", REPO / "demo" / "tests", None))
    return out


def test_stories(work: Path) -> tuple[dict[str, dict], dict[str, dict], dict[str, dict], float | None]:
    from bot.config import load_project
    from bot.dialogue.domain import load_domain
    from bot.dialogue.evaluate import evaluate_stories
    from bot.dialogue.model import DialogueModel, train_dialogue
    from bot.dialogue.stories import load_dialogue_data

    held, shipped, per_action = {}, {}, {}
    formbot_train_s = None
    for name, root, held_out, shipped_tests in story_projects():
        project = load_project(root, env={})
        domain = load_domain(project.domain_path)
        out = work / name
        started = time.perf_counter()
        outcome = train_dialogue(
            project.policies, domain, [project.data_path], out, config_source=project.config_path, force=True
        )
        seconds = time.perf_counter() - started
        print(f"trained {name:20s} {seconds:6.1f} s  {outcome.summary}", flush=True)
        if name == "formbot":
            formbot_train_s = round(seconds, 2)
        model = DialogueModel.load(out)
        training = load_dialogue_data([project.data_path]).stories
        if held_out is not None:
            blocks = load_dialogue_data([held_out]).stories
            copies = _copies_of_training(blocks, training)
            if copies:
                raise SystemExit(f"{held_out}: {copies} repeat training stories; held-out stories must not")
            evaluation = evaluate_stories(model, domain, blocks)
            held[name] = _summary(evaluation, copies, str(held_out.relative_to(REPO)))
            per_action[name] = evaluation.per_action()
        if shipped_tests is not None:
            blocks = load_dialogue_data([shipped_tests]).stories
            evaluation = evaluate_stories(model, domain, blocks)
            shipped[name] = _summary(
                evaluation, _copies_of_training(blocks, training), f"{root.name}/tests (shipped with it)"
            )
    return held, shipped, per_action, formbot_train_s


# --------------------------------------------------------------------------- 3. REST round trip


def _percentile(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(q / 100 * (len(sorted_ms) - 1) + 0.5))]


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 2), "median": round(statistics.median(values), 2),
            "max": round(max(values), 2)}  # fmt: skip


def _replay(session, url: str, conversations: list[list[str]], tag: str) -> list[float]:
    timings = []
    for i, conversation in enumerate(conversations):
        sender = f"bench-{tag}-{i}"
        for text in conversation:
            started = time.perf_counter()
            reply = session.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert reply.status_code == 200, reply.text
    return timings


def rest_latency(work: Path, requests_n: int, runs: int) -> dict:
    import requests

    from bot.stores.embedded import free_port, redis_server_binary
    from bot.training import train_project

    per_run = max(1, requests_n // len(REPEATED))  # conversations per run and text set
    unique = unique_conversations(WARMUP_CONVERSATIONS + runs * per_run)
    root = work / "formbot_rest"
    shutil.copytree(SHARED / "formbot", root)
    (root / "endpoints.yml").unlink(missing_ok=True)  # no action server: validation is not part of this
    print("training formbot (NLU + dialogue) for the REST benchmark ...", flush=True)
    train_project(root, seed=1)
    redis_port, port = free_port(), free_port()
    redis = subprocess.Popen(
        [redis_server_binary(), "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "run", "--project", str(root),
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        session = requests.Session()
        _replay(session, url, unique[:WARMUP_CONVERSATIONS], "warmup")  # not timed, never reused
        _replay(session, url, [REPEATED], "warmup-repeated")  # fills the cache for the repeated set
        measured: dict[str, list[dict]] = {"unique": [], "repeated": []}
        for r in range(runs):
            base = WARMUP_CONVERSATIONS + r * per_run
            sets = {"unique": unique[base : base + per_run], "repeated": [REPEATED] * per_run}
            order = ("unique", "repeated") if r % 2 == 0 else ("repeated", "unique")
            for kind in order:
                timings = sorted(_replay(session, url, sets[kind], f"{kind}-{r}"))
                measured[kind].append({
                    "p50_ms": round(statistics.median(timings), 2),
                    "p99_ms": round(_percentile(timings, 99), 2),
                    "mean_ms": round(statistics.fmean(timings), 2),
                    "requests": len(timings),
                })  # fmt: skip
                print(f"run {r + 1}/{runs} {kind:8s} {measured[kind][-1]}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=10)
    spread = {
        kind: {k: _spread([run[k] for run in measured[kind]]) for k in ("p50_ms", "p99_ms", "mean_ms")}
        for kind in measured
    }
    return {
        "rest_p50_ms": spread["unique"]["p50_ms"]["median"],
        "rest_p99_ms": spread["unique"]["p99_ms"]["median"],
        "rest_repeated_p50_ms": spread["repeated"]["p50_ms"]["median"],
        "rest_repeated_p99_ms": spread["repeated"]["p99_ms"]["median"],
        "rest_spread": spread,
        "rest_runs": measured,
        "rest_setup": {
            "runs": runs,
            "requests_per_run_and_set": per_run * len(REPEATED),
            "unique": "form conversations built from phrase pools; no text repeats anywhere in the bench "
            "(warm-up included), so no parse is an embedding-cache hit",
            "repeated": f"the same {len(REPEATED)}-turn conversation over and over (cache hits)",
            "order": "alternating: odd runs unique first, even runs repeated first",
            "headline": "rest_p50_ms / rest_p99_ms = median over runs of the unique-text figures",
            "duckling": "formbot's config names Duckling at localhost:8000; none runs (one refused "
            "connection per message, as in bench/rasa_reference.py)",
        },
    }


def rasa_figures() -> dict:
    """What bench/rasa_reference.py measured, quoted with its date; never a typed-in number."""
    if not RASA_SIDE_BY_SIDE.is_file():
        return {"measured": False, "note": f"no Rasa figure was measured: {RASA_SIDE_BY_SIDE.name} is "
                "absent (bench/rasa_reference.py writes it)"}  # fmt: skip
    side = json.loads(RASA_SIDE_BY_SIDE.read_text(encoding="utf-8"))
    if not side.get("rasa_available") or "rasa_rest_p50_ms" not in side:
        return {"measured": False, "note": f"no Rasa figure was measured: {side.get('why', 'no figures')}",
                "date": side.get("date")}  # fmt: skip
    keys = [k for k in side if k.startswith(("rasa_", "parley_")) and k.endswith(("_ms", "_threads"))]
    return {
        "measured": True,
        "source": f"bench/results/{RASA_SIDE_BY_SIDE.name}",
        "date": side.get("date"),
        "command": side.get("command"),
        **{k: side[k] for k in keys},
        "note": "measured by bench/rasa_reference.py (same client against both servers, alternating, "
        "unique texts); its Parley figures come from that run, not from this one",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="timed REST requests per run and set")
    parser.add_argument("--runs", type=int, default=3, help="REST runs per text set (default 3)")
    parser.add_argument("--skip-rest", action="store_true", help="only the test-story and training figures")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: nothing to benchmark")
        return 1
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="parley-bench-dialogue-"))
    try:
        held, shipped, per_action, formbot_train_s = test_stories(work)
        rest = {} if args.skip_rest else rest_latency(work, args.requests, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rasa = rasa_figures()
    command = "python bench/dialogue.py" + "".join(
        f" --{k.replace('_', '-')} {v}" if not isinstance(v, bool) else f" --{k.replace('_', '-')}"
        for k, v in vars(args).items()
        if v != parser.get_default(k)
    )
    result = {
        "test_stories_passed": {name: h["share_passed"] for name, h in held.items()},
        "action_accuracy": {name: h["action_accuracy"] for name, h in held.items()},
        "test_stories": "held out: written apart from the training data (bench/dialogue_stories, "
        "demo/tests); intent labels from the stories; none is a training story",
        "held_out": held,
        "shipped_test_stories": shipped,
        "formbot_policy_train_s": formbot_train_s,
        **rest,
        "per_action": per_action,
        "rasa": rasa,
        "targets": {"formbot_policy_train_s": 60, "rest_p50_ms": 25, "rest_p99_ms": 60},
        "splits": {
            "test_stories_passed": "held-out test stories (test split only; nothing tuned on them)",
            "rest": "unique texts: generated form conversations; repeated: one fixed conversation",
        },
        "command": command,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{'held-out test stories':28s} {'passed':>10s} {'actions':>8s}  failed")
    for name, h in held.items():
        print(f"{name:28s} {h['stories_passed']:>4d} / {h['stories']:<3d} {h['action_accuracy']:8.1%}  "
              f"{', '.join(h['failed']) or '-'}")  # fmt: skip
    for name, s in shipped.items():
        copies = len(s["copies_of_training_stories"])
        print(f"{name + ' (shipped tests)':28s} {s['stories_passed']:>4d} / {s['stories']:<3d} "
              f"{s['action_accuracy']:8.1%}  copies of training stories: {copies}")  # fmt: skip
    print(f"{'formbot policy training (s)':28s} {formbot_train_s:10.1f}")
    if rest:
        for kind in ("unique", "repeated"):
            p50, p99 = (rest["rest_spread"][kind][k] for k in ("p50_ms", "p99_ms"))
            print(f"REST {kind:8s} min/median/max p50 {p50['min']}/{p50['median']}/{p50['max']} ms, "
                  f"p99 {p99['min']}/{p99['median']}/{p99['max']} ms")  # fmt: skip
    if rasa["measured"]:
        print(f"Rasa (bench/rasa_reference.py, {rasa['date']}): REST p50 {rasa.get('rasa_rest_p50_ms')} ms")
    else:
        print(rasa["note"])
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
