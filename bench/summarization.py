"""Benchmark: extractive summarization on 2,000 CNN/Daily Mail test documents, beside LEAD-3 and the
three published system outputs of See et al. (2017), scored with `rouge-score` in the same run.

    python bench/summarization.py --tune round2  # dev only: a grid over budget, lead bias, redundancy
    python bench/summarization.py               # default config on dev and test -> results JSON

The 2,000 documents are split by a hash of their id: the 500 with the smallest sha256(id) are the
development split (tuning happens there only), the other 1,500 the test split (reported). ROUGE-1, ROUGE-2
and rougeLsum F1 (x100), stemming on, sentences one per line. LEAD-3 takes the first three sentences of the
engine's own splitter. For --tune, dev embeddings are cached under .parley/bench/ (numpy .npz, no pickle);
the reporting run takes both splits end to end through `Summarizer.summarize`, timed.
Data: ../shared/data/cnn_dailymail_test_subset2000 beside the clone (never copied into the repo).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import logging
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only fight the encoder's

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data" / "cnn_dailymail_test_subset2000" / "test2000.jsonl"
RESULTS = REPO / "bench" / "results"
CACHE = REPO / ".parley" / "bench"
DEV_DOCS = 500
METRICS = ("rouge1", "rouge2", "rougeLsum")
PUBLISHED = {"pgcov": "pointer_gen_cov", "pg": "pointer_gen", "baseline": "baseline"}

log = logging.getLogger("bench.summarization")

# the tuning grids on dev, in the order they were run (round2 refines round1 around its best)
GRIDS = {
    "round1": {
        "budget": [{"sentences": 3}, {"sentences": 4}, {"words": 60}, {"words": 75}, {"words": 90}],
        "lead_weight": [0.5, 1.0, 2.0, 4.0],
        "lead_decay": [2.0, 4.0],
        "lambda_backward": [-0.5, 0.0],
        "beta": [0.0, 0.3],
        "redundancy": [0.0, 0.15, 0.3, 0.5],
        "min_words": [5],
    },
    "round2": {
        "budget": [{"sentences": 3}],
        "lead_weight": [0.5, 1.0, 2.0],
        "lead_decay": [4.0, 8.0],
        "lambda_backward": [-0.5, 0.0, 0.5],
        "beta": [0.3, 0.5, 0.7],
        "redundancy": [0.15, 0.3, 0.5],
        "min_words": [3, 5, 8],
    },
    "round3": {
        "budget": [{"sentences": 3}],
        "lead_weight": [0.75, 1.0, 1.5],
        "lead_decay": [8.0, 16.0, 32.0],
        "lambda_backward": [-1.0, -0.5, -0.25],
        "beta": [0.4, 0.5, 0.6],
        "redundancy": [0.2, 0.3],
        "min_words": [5, 8, 12],
    },
}


@dataclass(frozen=True)
class Doc:
    id: str
    article: str
    reference: str  # one highlight per line
    published: dict[str, str]  # short name -> system output, one sentence per line


def load_split() -> tuple[list[Doc], list[Doc]]:
    docs = []
    with DATA.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            published = {short: row[key] for short, key in PUBLISHED.items()}
            docs.append(Doc(row["id"], row["article"], row["reference"], published))
    docs.sort(key=lambda d: hashlib.sha256(d.id.encode()).hexdigest())
    dev, test = docs[:DEV_DOCS], docs[DEV_DOCS:]
    return sorted(dev, key=lambda d: d.id), sorted(test, key=lambda d: d.id)


class Rouge:
    """`rouge_score.RougeScorer` with the published convention; mean F1 x 100 over documents."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self.scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)

    def mean(self, references: list[str], predictions: list[str]) -> dict[str, float]:
        totals = dict.fromkeys(METRICS, 0.0)
        for ref, pred in zip(references, predictions, strict=True):
            scores = self.scorer.score(ref, pred)
            for m in METRICS:
                totals[m] += scores[m].fmeasure
        return {m: round(100 * totals[m] / len(references), 2) for m in METRICS}


def lead3(article: str) -> str:
    from actions.summarization.splitting import split_sentences

    return "\n".join(split_sentences(article)[:3])


def prepare_dev(summarizer, docs: list[Doc]):
    """Prepared docs (sentences + vectors) for dev, from the .npz cache when the texts match."""
    from tqdm import tqdm

    from actions.summarization.engine import Prepared

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "summarization_dev.npz"
    key = hashlib.sha256("".join(d.id + d.article for d in docs).encode()).hexdigest()
    if path.is_file():
        data = np.load(path, allow_pickle=False)
        if str(data["key"]) == key:
            out, offsets = [], data["offsets"]
            sentences, words, vectors = data["sentences"].tolist(), data["words"], data["vectors"]
            for a, b in itertools.pairwise(offsets):
                out.append(Prepared(tuple(sentences[a:b]), vectors[a:b], tuple(int(w) for w in words[a:b])))
            log.info("event=bench.dev.cached docs=%d path=%s", len(out), path)
            return out, None
    started = time.perf_counter()
    out = [summarizer.prepare(d.article) for d in tqdm(docs, desc="dev: split + embed", unit="doc")]
    seconds = time.perf_counter() - started
    offsets = np.cumsum([0] + [len(p.sentences) for p in out])
    np.savez(
        path,
        key=np.array(key),
        offsets=offsets,
        sentences=np.array([s for p in out for s in p.sentences]),
        words=np.array([w for p in out for w in p.words]),
        vectors=np.concatenate([p.vectors for p in out]),
    )
    return out, seconds


def tune(summarizer, prepared, docs: list[Doc], rouge: Rouge, round_name: str) -> list[dict]:
    """A grid on dev: budget, lead bias, redundancy and the centrality weights. Sorted best first.

    Scores depend on the centrality and lead parameters only, so they are computed once per combination;
    many configurations pick the same sentences, so ROUGE is cached per (document, picked indices).
    """
    from tqdm import tqdm

    from actions.summarization.centrality import CentralityParams, sentence_scores
    from actions.summarization.selection import mmr_select
    from actions.summarization.summary import Budget

    grid = GRIDS[round_name]
    budgets = [Budget(**b) for b in grid["budget"]]
    scoring = list(
        itertools.product(grid["lead_weight"], grid["lead_decay"], grid["lambda_backward"], grid["beta"])
    )
    selecting = list(itertools.product(budgets, grid["redundancy"], grid["min_words"]))
    cfg = summarizer.config
    cache: dict[tuple[int, tuple[int, ...]], dict[str, float]] = {}
    rows = []
    for lw, ld, lb, beta in tqdm(scoring, desc="dev: grid", unit="scoring"):
        params = CentralityParams(lb, cfg.lambda_forward, beta, cfg.window)
        scores = [sentence_scores(p.vectors, params, lw, ld) for p in prepared]
        for budget, red, min_words in selecting:
            totals = dict.fromkeys(METRICS, 0.0)
            for k, (doc, prep, sc) in enumerate(zip(docs, prepared, scores, strict=True)):
                picked = tuple(
                    mmr_select(
                        sc, prep.vectors, list(prep.words), budget, redundancy=red, min_words=min_words
                    )
                )
                if (k, picked) not in cache:
                    text = "\n".join(prep.sentences[i] for i in picked)
                    cache[(k, picked)] = rouge.mean([doc.reference], [text])
                for m in METRICS:
                    totals[m] += cache[(k, picked)][m]
            means = {m: round(totals[m] / len(docs), 2) for m in METRICS}
            rows.append(
                {
                    "budget": budget.to_dict(),
                    "lead_weight": lw,
                    "lead_decay": ld,
                    "lambda_backward": lb,
                    "beta": beta,
                    "redundancy": red,
                    "min_words": min_words,
                    **means,
                    "mean": round(sum(means.values()) / 3, 3),
                }
            )
    rows.sort(key=lambda r: -r["mean"])
    return rows


def score_split(name: str, summarizer, docs: list[Doc], rouge: Rouge) -> dict:
    """Parley (default config, end to end and timed), LEAD-3 and the published outputs on one split."""
    from tqdm import tqdm

    references = [d.reference for d in docs]
    started = time.perf_counter()
    ours = [
        "\n".join(s.text for s in summarizer.summarize(d.article).sentences)
        for d in tqdm(docs, desc=f"{name}: summarize", unit="doc")
    ]
    seconds = time.perf_counter() - started
    out: dict = {"docs": len(docs)}
    out.update(rouge.mean(references, ours))
    for key, value in rouge.mean(references, [lead3(d.article) for d in docs]).items():
        out[f"lead3_{key}"] = value
    for short in PUBLISHED:
        for key, value in rouge.mean(references, [d.published[short] for d in docs]).items():
            out[f"{short}_{key}"] = value
    out["docs_per_s"] = round(len(docs) / seconds, 2)
    out["summary_words"] = round(float(np.mean([len(s.split()) for s in ours])), 1)
    return out


def machine() -> dict:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tune", choices=sorted(GRIDS), help="grid on dev only; writes summarization_tuning_<round>.json"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "summarization.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from actions.summarization import Summarizer

    result: dict = {
        "command": " ".join(
            ["python", "bench/summarization.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {**machine(), "loadavg_start": [round(x, 2) for x in os.getloadavg()]},
    }
    dev, test = load_split()
    rouge = Rouge()
    summarizer = Summarizer.load()
    if args.tune:
        prepared, _ = prepare_dev(summarizer, dev)
        rows = tune(summarizer, prepared, dev, rouge, args.tune)
        lead = rouge.mean([d.reference for d in dev], [lead3(d.article) for d in dev])
        result.update({"split": "dev", "dev_docs": len(dev), "dev_lead3": lead, "grid_best_first": rows})
        result["command"] = f"python bench/summarization.py --tune {args.tune}"
        print("dev LEAD-3", json.dumps(lead))
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        result["grid"] = GRIDS[args.tune]
        path = args.out.with_name(f"summarization_tuning_{args.tune}.json")
        path.write_text(json.dumps(result, indent=1) + "\n")
        for row in rows[:10]:
            print(json.dumps(row))
        print(f"written to {path}")
        return 0

    dev_scores = score_split("dev", summarizer, dev, rouge)
    test_scores = score_split("test", summarizer, test, rouge)
    result["config"] = summarizer.config.to_dict()
    result["splits"] = {
        "test": "1,500 documents: all but the 500 with the smallest sha256(id); un-prefixed keys",
        "dev": "500 documents with the smallest sha256(id), used for tuning; dev_* keys",
    }
    result["test_docs"] = test_scores.pop("docs")
    result.update(test_scores)
    result["dev_docs"] = dev_scores.pop("docs")
    result.update({f"dev_{k}": v for k, v in dev_scores.items()})
    order = ("lead3", "pgcov", "pg", "baseline")  # See et al. 2017: LEAD-3 > pg+cov > pg > baseline
    for pre in ("", "dev_"):
        result[f"{pre}published_order_ok"] = {
            m: all(result[f"{pre}{a}_{m}"] > result[f"{pre}{b}_{m}"] for a, b in itertools.pairwise(order))
            for m in METRICS
        }
    result["beats_lead3_test"] = all(result[m] > result[f"lead3_{m}"] for m in METRICS)
    result["beats_lead3_dev"] = all(result[f"dev_{m}"] > result[f"dev_lead3_{m}"] for m in METRICS)
    result["notes"] = (
        "rouge-score 0.1.2, F1 x100, use_stemmer=True, newline-separated sentences (rougeLsum). LEAD-3 = "
        "first 3 sentences of Parley's splitter (pysbd + standalone-period rule). docs_per_s: test split "
        "end to end through Summarizer.summarize (split, embed, score, select) in one process on 2 shared "
        "cores, beside other work (see loadavg); dev_docs_per_s the same on the dev split. Both splits run "
        "end to end in this run; the dev embeddings cache (.parley/bench) serves --tune only."
    )
    result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{'system':14s} {'split':5s} {'R-1':>6s} {'R-2':>6s} {'R-Lsum':>7s}")
    for label, prefix in (
        ("parley", ""),
        ("lead-3", "lead3_"),
        ("pg+cov", "pgcov_"),
        ("pg", "pg_"),
        ("baseline", "baseline_"),
    ):
        for split, pre in (("test", ""), ("dev", "dev_")):
            r = [result[f"{pre}{prefix}{m}"] for m in METRICS]
            print(f"{label:14s} {split:5s} {r[0]:6.2f} {r[1]:6.2f} {r[2]:7.2f}")
    log.info(
        "event=bench.summarization.done test_docs=%d rouge1=%.2f rouge2=%.2f rougeLsum=%.2f "
        "lead3_rouge1=%.2f docs_per_s=%s order_ok=%s beats_lead3=%s",
        result["test_docs"],
        result["rouge1"],
        result["rouge2"],
        result["rougeLsum"],
        result["lead3_rouge1"],
        result.get("docs_per_s"),
        result["published_order_ok"],
        result["beats_lead3_test"],
    )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
