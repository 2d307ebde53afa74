"""Benchmark: the Rasa example projects run unchanged; response selection; intent calibration.

    .venv/bin/python bench/rasa_compat.py        # -> bench/results/rasa_compat.json (+ a table on stdout)

For every project in ../shared/data/rasa_projects (config, domain and data as written):
1. `parley data validate`, then the NLU (on the hash train split, 80 %) and the dialogue policies are
   trained with the project's own config.yml: trained unchanged yes/no, and the first reason if not.
2. On the hash dev split (20 %): the intent classifier's logits and the gold intents; for
   responseselectorbot the ResponseSelector's key against the gold `chitchat/<key>`.
3. Calibration, two ways, every dev example scored by a T fitted without it: (a) `after`: one T fitted
   on the dev examples of all the other projects (leave one project out); (b) `after_per_project`: T
   fitted on one hash half of the project's own dev split, applied to the other half (both ways).
   Expected calibration error (10 bins) and the share of correct predictions below 0.7, pooled over
   all projects, before and after.

The product fits T on the classifier's own held-out slice, which exists from 1,000 examples on (these
projects are smaller, so their models keep T = 1): the figures here measure the method on them.
Test stories with the NLU in the loop (`parley test core --with-nlu`) are not measured yet (null).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "rasa_projects"
OUT = REPO / "bench" / "results" / "rasa_compat.json"
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(REPO)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]


def run_project(root: Path) -> dict:
    from bot.config import load_project
    from bot.dialogue.domain import load_domain
    from bot.dialogue.model import train_dialogue
    from bot.training import retrieval_responses
    from bot.validate import validate_project
    from nlu import NLUModel
    from nlu.components.base import Message
    from nlu.components.classifier import IntentEntityClassifier
    from nlu.config import parse_pipeline
    from nlu.data.split import split_examples
    from nlu.data.yaml_reader import load_training_data
    from nlu.rasa_compat import translate_rasa_pipeline
    from nlu.train import train_on_data

    out: dict = {"trained_unchanged": False}
    report = validate_project(root)
    if report.errors:
        out["why"] = report.errors[0]
        return out
    started = time.perf_counter()
    try:
        project = load_project(root, env={})
        domain = load_domain(project.domain_path)
        data = load_training_data([project.data_path])
        data.responses = retrieval_responses(domain, [project.data_path])
        train, dev = split_examples(data.examples, 0.2)
        pipeline = translate_rasa_pipeline(project.pipeline, str(project.config_path))
        config = parse_pipeline(pipeline, project.language, str(project.config_path))
        nlu_dir = train_on_data(config, data.with_examples(train), root / "models" / "nlu", seed=1).model_dir
        train_dialogue(project.policies, domain, [project.data_path], root / "models" / "dialogue",
                       config_source=project.config_path)  # fmt: skip
    except Exception as exc:  # the reason is the finding
        out["why"] = f"{type(exc).__name__}: {exc}"
        return out
    out.update(trained_unchanged=True, train_seconds=round(time.perf_counter() - started, 1))
    model = NLUModel.load(nlu_dir)
    classifier = next(c for c in model.pipeline.components if isinstance(c, IntentEntityClassifier))
    intents = classifier.meta["intents"]
    dev = [ex for ex in dev if ex.intent in intents]
    messages = [Message(ex.text) for ex in dev]
    model.pipeline.process(messages)
    live = [i for i, m in enumerate(messages) if m.tokens]
    out["dev_logits"] = classifier.intent_logits([messages[i] for i in live]).tolist()
    out["dev_labels"] = [intents.index(dev[i].intent) for i in live]
    out["dev_texts"] = [dev[i].text for i in live]
    keyed = [(m, ex) for m, ex in zip(messages, dev, strict=True) if ex.response_key and m.response_selector]
    if keyed:
        hits = [
            next(v for k, v in m.response_selector.items() if k != "all_retrieval_intents")["response"][
                "intent_response_key"
            ] == ex.response_key
            for m, ex in keyed
        ]  # fmt: skip
        out["response_selector"] = {"correct": int(sum(hits)), "total": len(hits)}
    return out


def cross_fitted(logits: np.ndarray, labels: np.ndarray, texts: list[str]) -> np.ndarray:
    """Probabilities of each dev example at a T fitted on the other hash half of the dev split."""
    from nlu.components.calibration import fit_temperature, scaled
    from nlu.data.split import example_hash

    half = np.array([example_hash(t, "calibration") < 0.5 for t in texts])
    probs = np.zeros_like(logits)
    for side in (True, False):
        fit, apply = half == side, half != side
        t = fit_temperature(logits[fit], labels[fit]) if fit.any() else 1.0
        if apply.any():
            probs[apply] = scaled(logits[apply], t)
    return probs


def _pooled_temperature(results: list[dict]) -> float:
    """One T for several projects (each its own intents): NLL summed over all their examples."""
    from scipy.optimize import minimize_scalar

    from nlu.components.calibration import T_MAX, T_MIN, scaled

    data = [(np.array(r["dev_logits"]), np.array(r["dev_labels"])) for r in results]
    if not data:
        return 1.0

    def nll(log_t: float) -> float:
        t = float(np.exp(log_t))
        return -sum(float(np.log(scaled(x, t)[np.arange(len(y)), y] + 1e-12).sum()) for x, y in data)

    best = minimize_scalar(nll, bounds=(np.log(T_MIN), np.log(T_MAX)), method="bounded")
    return float(np.exp(best.x))


def pooled_ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE over examples of several projects (each its own intents): only confidence and correctness."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def main() -> int:
    from nlu.components.calibration import scaled

    if not SHARED.is_dir():
        print(f"{SHARED} is absent: nothing to benchmark")
        return 1
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="parley-bench-rasa-compat-"))
    projects: dict[str, dict] = {}
    try:
        for source in sorted(p for p in SHARED.iterdir() if (p / "config.yml").is_file()):
            root = work / source.name
            shutil.copytree(source, root)
            projects[source.name] = run_project(root)
            print(f"{source.name}: trained unchanged {projects[source.name]['trained_unchanged']}",
                  file=sys.stderr, flush=True)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    scored = [r for r in projects.values() if r.get("dev_labels")]
    before, after, per_project, labels, temperatures = [], [], [], [], []
    for i, result in enumerate(scored):
        logits, y = np.array(result["dev_logits"]), np.array(result["dev_labels"])
        others = [r for j, r in enumerate(scored) if j != i]
        t = _pooled_temperature(others)
        temperatures.append(round(t, 3))
        before.append(scaled(logits, 1.0))
        after.append(scaled(logits, t))
        per_project.append(cross_fitted(logits, y, result["dev_texts"]))
        labels.append(y)
    pooled: dict = {"leave_one_project_out_temperatures": temperatures}
    for name, parts in (("before", before), ("after", after), ("after_per_project", per_project)):
        conf = np.concatenate([p.max(1) for p in parts])
        right = np.concatenate([p.argmax(1) == y for p, y in zip(parts, labels, strict=True)])
        pooled[f"intent_ece_{name}"] = round(pooled_ece(conf, right), 4)
        pooled[f"correct_below_0_7_{name}"] = round(float((conf[right] < 0.7).mean()), 4)
    selector = projects.get("responseselectorbot", {}).get("response_selector")
    result = {
        "projects": {
            name: {k: v for k, v in r.items() if not k.startswith("dev_")}
            | {"dev_examples": len(r.get("dev_labels", []))}
            for name, r in projects.items()
        },
        "projects_trained_unchanged": sum(r["trained_unchanged"] for r in projects.values()),
        "projects_total": len(projects),
        "stories_with_nlu_passed": None,
        "stories_with_nlu_total": None,
        "response_selector_accuracy": round(selector["correct"] / selector["total"], 4) if selector else None,
        "dev_intent_examples": sum(len(y) for y in labels),
        "dev_intent_accuracy": round(
            sum(int((p.argmax(1) == y).sum()) for p, y in zip(before, labels, strict=True))
            / max(1, sum(len(y) for y in labels)), 4
        ),
        **pooled,
        "targets": {"projects_trained_unchanged": len(projects), "intent_ece_after": 0.05},
        "command": "python bench/rasa_compat.py",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{'figure':36s} {'value':>10s}")
    print(f"{'projects trained unchanged':36s} {result['projects_trained_unchanged']:>7d}/{len(projects)}")
    for key in ("response_selector_accuracy", "dev_intent_accuracy", *list(pooled)[1:]):
        print(f"{key:36s} {result[key]!s:>10s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
