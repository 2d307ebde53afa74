"""Print the README's results table from bench/results/*.json (what was measured, never typed in).

python bench/results_table.py                 # print the markdown tables
python bench/results_table.py --write-readme  # replace them in README.md (between the markers)
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _verdict(result: dict, key: str) -> str | None:
    """bench/embeddings.py's own verdict against the reference ("ahead" only when the ranges over its
    alternating rounds do not overlap; "within noise" otherwise), not a comparison of two medians."""
    return result.get("verdicts", {}).get(key)


# (file, key, label, unit, target text, test: measured value -> target met?)
ROWS = [
    (
        "embeddings",
        "min_cosine",
        "embeddings: min cosine vs sentence-transformers",
        "",
        ">= 0.9999",
        lambda v, r: v >= 0.9999,
    ),
    (
        "embeddings",
        "single_p50_ms",
        "embeddings: one utterance p50",
        "ms",
        "<= 10 and below the reference",
        lambda v, r: v <= 10 and _verdict(r, "single_p50_ms") == "ahead",
    ),
    (
        "embeddings",
        "reference_single_p50_ms",
        "  reference (sentence-transformers, torch CPU)",
        "ms",
        "",
        None,
    ),
    (
        "embeddings",
        "batch64_per_s",
        "embeddings: batch of 64",
        "utt/s",
        ">= 200 and above the reference",
        lambda v, r: v >= 200 and _verdict(r, "batch64_per_s") == "ahead",
    ),
    ("embeddings", "reference_batch64_per_s", "  reference", "utt/s", "", None),
    ("embeddings", "load_s", "embeddings: hub module load", "s", "<= 5", lambda v, r: v <= 5),
    (
        "embeddings",
        "rss_mb",
        "embeddings: process RSS with the module",
        "MB",
        "<= 400",
        lambda v, r: v <= 400,
    ),
    (
        "nlu",
        "banking77_accuracy",
        "NLU: BANKING77 intent accuracy (test, dev-tuned)",
        "%",
        ">= 93.5",
        lambda v, r: v >= 93.5,
    ),
    (
        "nlu",
        "snips_intent_accuracy",
        "NLU: SNIPS intent accuracy (test, dev-tuned)",
        "%",
        ">= 99.0",
        lambda v, r: v >= 99.0,
    ),
    (
        "nlu",
        "snips_entity_f1",
        "NLU: SNIPS entity micro-F1 (test, exact spans)",
        "%",
        ">= 95.0",
        lambda v, r: v >= 95.0,
    ),
    ("nlu", "banking77_dev_accuracy", "  BANKING77 on its dev split (cut from train)", "%", "report", None),
    ("nlu", "snips_dev_intent_accuracy", "  SNIPS on its dev split (cut from train)", "%", "report", None),
    (
        "nlu",
        "banking77_oos_recall",
        "NLU: BANKING77-OOS out-of-scope recall (test)",
        "%",
        ">= 70",
        lambda v, r: v >= 70,
    ),
    ("nlu", "banking77_oos_precision", "  out-of-scope precision (test)", "%", "report", None),
    (
        "nlu",
        "banking77_oos_inscope_drop",
        "  in-scope accuracy drop from the closed-set model (test)",
        "points",
        "<= 1.5",
        lambda v, r: v <= 1.5,
    ),
    (
        "nlu",
        "seed_repeat_identical",
        "NLU: one seed, identical test predictions",
        "",
        "true",
        lambda v, r: v is True,
    ),
    ("nlu", "banking77_train_s", "NLU: BANKING77 training", "s", "<= 300", lambda v, r: v <= 300),
    ("nlu", "snips_train_s", "NLU: SNIPS training", "s", "<= 300", lambda v, r: v <= 300),
    ("nlu", "parse_p50_ms", "NLU: parse p50, in-process", "ms", "<= 15", lambda v, r: v <= 15),
    ("nlu", "parse_p99_ms", "NLU: parse p99, in-process", "ms", "<= 40", lambda v, r: v <= 40),
    (
        "rasa_side_by_side",
        "parley_rest_p50_ms",
        "vs Rasa 3.6.21 (formbot, unique texts): Parley REST p50",
        "ms",
        "<= Rasa / 3",
        lambda v, r: v * 3 <= r["rasa_rest_p50_ms"],
    ),
    ("rasa_side_by_side", "rasa_rest_p50_ms", "  Rasa REST p50, same run", "ms", "", None),
    (
        "rasa_side_by_side",
        "parley_parse_p99_ms",
        "vs Rasa: Parley /model/parse p99",
        "ms",
        "<= Rasa",
        lambda v, r: v <= r["rasa_parse_p99_ms"],
    ),
    ("rasa_side_by_side", "rasa_parse_p99_ms", "  Rasa /model/parse p99, same run", "ms", "", None),
    (
        "rasa_side_by_side",
        "parley_rps_8_threads",
        "vs Rasa: Parley requests/s, 8 client threads",
        "req/s",
        ">= 3x Rasa",
        lambda v, r: v >= 3 * r["rasa_rps_8_threads"],
    ),
    ("rasa_side_by_side", "rasa_rps_8_threads", "  Rasa requests/s, same run", "req/s", "", None),
    (
        "dialogue",
        "formbot_policy_train_s",
        "dialogue: formbot policy training",
        "s",
        "< 60",
        lambda v, r: v < 60,
    ),
    ("dialogue", "rest_p50_ms", "dialogue: REST round trip p50", "ms", "<= 25", lambda v, r: v <= 25),
    ("dialogue", "rest_p99_ms", "dialogue: REST round trip p99", "ms", "<= 60", lambda v, r: v <= 60),
    (
        "translation",
        "transformer_test2016_bleu",
        "translation: Transformer test2016 BLEU",
        "",
        ">= 36 within 2 h",
        lambda v, r: v >= 36 and r["transformer_train_hours"] <= 2,
    ),
    ("translation", "transformer_train_hours", "  its training time", "h", "<= 2", lambda v, r: v <= 2),
    (
        "translation",
        "rnn_test2016_bleu",
        "translation: RNN (GRU + Bahdanau) test2016 BLEU",
        "",
        "report",
        None,
    ),
    (
        "translation",
        "train_target_tokens_per_s",
        "translation: training throughput",
        "tgt tok/s",
        "report",
        None,
    ),
    ("translation", "train_flop_share", "  share of the 2 cores' fp32 FLOP limit", "", "report", None),
    (
        "translation",
        "test2016_beam4_s",
        "translation: whole test2016, beam 4",
        "s",
        "<= 20",
        lambda v, r: v <= 20,
    ),
    ("translation", "model_mb", "translation: model on disk", "MB", "<= 100", lambda v, r: v <= 100),
    (
        "translation",
        "serve_rss_mb",
        "translation: server RSS with the model",
        "MB",
        "<= 1024",
        lambda v, r: v <= 1024,
    ),
    # forecasting (issue 14): M4 test files, every series of the set
    (
        "forecasting",
        "hourly_owa",
        "forecasting: M4 hourly OWA (default model)",
        "",
        "<= 0.45",
        lambda v, r: v <= 0.45,
    ),
    (
        "forecasting",
        "weekly_owa",
        "forecasting: M4 weekly OWA (default model)",
        "",
        "<= 0.85",
        lambda v, r: v <= 0.85,
    ),
    ("forecasting", "hourly_msis", "forecasting: M4 hourly MSIS (95 %)", "", "<= 8.0", lambda v, r: v <= 8.0),
    (
        "forecasting",
        "weekly_msis",
        "forecasting: M4 weekly MSIS (95 %)",
        "",
        "<= 22.0",
        lambda v, r: v <= 22.0,
    ),
    ("forecasting", "hourly_coverage95", "  hourly 95 % interval coverage", "", "report", None),
    ("forecasting", "weekly_coverage95", "  weekly 95 % interval coverage", "", "report", None),
    (
        "forecasting",
        "naive2_hourly_smape",
        "  Naive2 hourly sMAPE (published 18.383)",
        "",
        "within 1 %",
        lambda v, r: abs(v - 18.383) <= 0.01 * 18.383,
    ),
    (
        "forecasting",
        "naive2_weekly_smape",
        "  Naive2 weekly sMAPE (published 9.161)",
        "",
        "within 1 %",
        lambda v, r: abs(v - 9.161) <= 0.01 * 9.161,
    ),
    (
        "forecasting",
        "theta_hourly_smape",
        "  Theta hourly sMAPE (published 18.138)",
        "",
        "within 1 %",
        lambda v, r: abs(v - 18.138) <= 0.01 * 18.138,
    ),
    (
        "forecasting",
        "train_s",
        "forecasting: train + forecast both sets",
        "s",
        "<= 1800",
        lambda v, r: v <= 1800,
    ),
    # summarization (issue 15): 1,500 CNN/DM test documents of the hash split
    (
        "summarization",
        "rouge1",
        "summarization: ROUGE-1 (test split)",
        "",
        "> LEAD-3",
        lambda v, r: v > r["lead3_rouge1"],
    ),
    (
        "summarization",
        "rouge2",
        "summarization: ROUGE-2 (test split)",
        "",
        "> LEAD-3",
        lambda v, r: v > r["lead3_rouge2"],
    ),
    (
        "summarization",
        "rougeLsum",
        "summarization: ROUGE-Lsum (test split)",
        "",
        "> LEAD-3",
        lambda v, r: v > r["lead3_rougeLsum"],
    ),
    ("summarization", "lead3_rouge1", "  LEAD-3 ROUGE-1, same run", "", "", None),
    ("summarization", "pgcov_rouge1", "  pointer-gen + coverage ROUGE-1, same run", "", "", None),
    ("summarization", "docs_per_s", "summarization: throughput", "docs/s", "report", None),
    # widget (issue 12), Chromium against the demo bot
    (
        "widget",
        "browser_roundtrip_p50_ms",
        "widget: browser round trip p50",
        "ms",
        "<= 150",
        lambda v, r: v <= 150,
    ),
    ("widget", "browser_roundtrip_p95_ms", "widget: browser round trip p95", "ms", "report", None),
    (
        "widget",
        "reconnect_lost",
        "widget: messages lost over reconnects + restart",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    ("widget", "reconnect_duplicated", "widget: messages duplicated", "", "0", lambda v, r: v == 0),
    ("widget", "widget_js_gzip_kb", "widget: widget.js gzipped", "KB", "<= 25", lambda v, r: v <= 25),
    (
        "widget",
        "sse_streams_held",
        "widget: SSE streams one process holds",
        "",
        ">= 500",
        lambda v, r: v >= 500,
    ),
    # slack (issue 13), fake Web API, two server processes
    ("slack", "ack_p99_ms", "slack: ack p99, burst of 200 events", "ms", "<= 300", lambda v, r: v <= 300),
    ("slack", "duplicate_replies", "slack: duplicate replies in a retry storm", "", "0", lambda v, r: v == 0),
    ("slack", "forged_accepted", "slack: forged requests accepted of 1,000", "", "0", lambda v, r: v == 0),
    ("slack", "lost_replies", "slack: replies lost with 20 % API failures", "", "0", lambda v, r: v == 0),
    # multilingual (issue 16)
    (
        "multilingual",
        "langid_acc",
        "multilingual: language identification, 600 xSID sentences",
        "%",
        ">= 99",
        lambda v, r: v >= 99,
    ),
    (
        "multilingual",
        "translate_in_p50_ms",
        "multilingual: translate-in p50",
        "ms",
        "<= 60",
        lambda v, r: v <= 60,
    ),
    (
        "multilingual",
        "xsid_en_intent_acc",
        "multilingual: xSID intent accuracy, English",
        "%",
        "report",
        None,
    ),
    (
        "multilingual",
        "xsid_de_intent_acc",
        "multilingual: xSID intent accuracy, German via NMT",
        "%",
        "report",
        None,
    ),
    ("multilingual", "xsid_de_over_en", "  German / English", "", ">= 0.90", lambda v, r: v >= 0.90),
    ("multilingual", "xsid_en_slot_f1", "multilingual: xSID slot F1 (values), English", "", "report", None),
    ("multilingual", "xsid_de_slot_f1", "  German via NMT, against the English slots", "", "report", None),
    (
        "multilingual",
        "multi30k_en_de_test2016_bleu",
        "multilingual: Multi30k test2016 BLEU, English->German",
        "",
        ">= 41.02 within 2 h",
        lambda v, r: v >= 41.02 and r["nmt_train_hours"] <= 2,
    ),
    (
        "multilingual",
        "multi30k_de_en_test2016_bleu",
        "  German->English, same recipe",
        "",
        "report",
        None,
    ),
    ("multilingual", "nmt_train_hours", "  training time (the longer run)", "h", "<= 2", lambda v, r: v <= 2),
    # Rasa compatibility (issue 20), every project in ../shared/data/rasa_projects
    (
        "rasa_compat",
        "projects_trained_unchanged",
        "Rasa projects trained unchanged",
        "",
        "all",
        lambda v, r: v == r["projects_total"],
    ),
    ("rasa_compat", "projects_total", "  projects tried", "", "", None),
    (
        "rasa_compat",
        "stories_with_nlu_passed",
        "Rasa projects: test stories passed with the NLU",
        "",
        "all",
        None,
    ),
    (
        "rasa_compat",
        "response_selector_accuracy",
        "Rasa projects: response selection (responseselectorbot dev)",
        "",
        "report",
        None,
    ),
    (
        "rasa_compat",
        "intent_ece_before",
        "Rasa projects: intent ECE before calibration (dev)",
        "",
        "report",
        None,
    ),
    (
        "rasa_compat",
        "intent_ece_after",
        "Rasa projects: intent ECE after calibration (dev)",
        "",
        "<= 0.05",
        lambda v, r: v <= 0.05,
    ),
    (
        "rasa_compat",
        "correct_below_0_7_after",
        "  share of correct predictions below 0.7, after",
        "",
        "report",
        None,
    ),
    # security and reliability (issue 17)
    (
        "reliability",
        "accepted_lost",
        "reliability: accepted messages lost (Redis + worker killed)",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    ("reliability", "duplicated", "reliability: messages duplicated", "", "0", lambda v, r: v == 0),
    ("reliability", "lock_violations", "reliability: lock violations", "", "0", lambda v, r: v == 0),
    (
        "reliability",
        "stale_lock_recovery_s",
        "reliability: stale lock recovery",
        "s",
        "<= 5",
        lambda v, r: v <= 5,
    ),
    (
        "reliability",
        "bad_inputs_5xx",
        "reliability: server errors on bad inputs",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    ("reliability", "bad_inputs_tried", "  bad inputs tried", "", ">= 500", lambda v, r: v >= 500),
    (
        "reliability",
        "unauthenticated_reads_accepted",
        "reliability: unauthenticated reads accepted",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    (
        "reliability",
        "sigterm_inflight_reset",
        "reliability: in-flight requests reset by SIGTERM",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    (
        "reliability",
        "normal_p99_ms_during_slow_clients",
        "reliability: normal p99 with 64 slow clients",
        "ms",
        "<= 2x idle p99",
        lambda v, r: v <= 2 * r.get("idle_p99_ms", float("inf")),
    ),
    (
        "reliability",
        "schemathesis_5xx",
        "reliability: schemathesis server errors",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    # scale-out (issue 18)
    ("scale", "rps_1proc", "scale: REST throughput, 1 process", "req/s", "report", None),
    (
        "scale",
        "rps_2proc",
        "scale: REST throughput, 2 processes on one Redis",
        "req/s",
        ">= 1.2x one",
        lambda v, r: v >= 1.2 * r["rps_1proc"],
    ),
    (
        "scale",
        "p50_ms_100k_conversations",
        "scale: p50 with 100k stored conversations",
        "ms",
        "<= 1.2x the 1k p50",
        lambda v, r: v <= 1.2 * r["p50_ms_1k_conversations"],
    ),
    (
        "scale",
        "redis_bytes_per_conversation",
        "scale: Redis bytes per 20-turn conversation",
        "B",
        "report",
        None,
    ),
    (
        "scale",
        "reminders_duplicated",
        "scale: reminders duplicated across a worker kill",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    ("scale", "reminders_lost", "scale: reminders lost across a worker kill", "", "0", lambda v, r: v == 0),
    (
        "scale",
        "cluster_lost",
        "scale: messages lost on the cluster with a master restart",
        "",
        "0",
        lambda v, r: v == 0,
    ),
    ("scale", "worker_rss_mb", "scale: bot worker RSS", "MB", "<= 800", lambda v, r: v <= 800),
]


def _shown(key: str, value) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return str(value).lower()
    if key == "min_cosine":
        return f"{value:.6f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{round(value, 2):g}"


BENCHMARKS = (
    "embeddings",
    "nlu",
    "rasa_side_by_side",
    "dialogue",
    "translation",
    "forecasting",
    "summarization",
    "widget",
    "slack",
    "reliability",
    "scale",
    "multilingual",
    "rasa_compat",
)


def _load_at_start(result: dict):
    """The 1-minute load average when the benchmark started, under the names the scripts use."""
    machine = result.get("machine") if isinstance(result.get("machine"), dict) else {}
    for value in (
        machine.get("loadavg_start"),
        machine.get("loadavg_before"),
        machine.get("load_avg_start"),
        result.get("loadavg_start"),
        result.get("load_avg_start"),
        result.get("load_avg_1min_at_start"),
        result.get("machine_load"),
    ):
        if isinstance(value, list | tuple) and value:
            return value[0]
        if isinstance(value, int | float):
            return value
        if isinstance(value, dict):
            for key in ("start", "loadavg_start", "1min"):
                if isinstance(value.get(key), list | tuple):
                    return value[key][0]
                if isinstance(value.get(key), int | float):
                    return value[key]
    return None


def print_tables() -> None:
    loaded = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}
    print("| what | measured | target | met |")
    print("| --- | --- | --- | --- |")
    for file, key, label, unit, target, test in ROWS:
        result = loaded.get(file, {})
        value = result.get(key)
        met = "" if test is None or value is None else ("yes" if test(value, result) else "**no**")
        if key == "rnn_test2016_bleu" and result.get("runs", {}).get("rnn", {}).get("carried_over_from"):
            met = f"measured {result['runs']['rnn']['carried_over_from'][:10]}, not re-run"
        name = label.strip() if label[0] != " " else "&nbsp;&nbsp;" + label.strip()
        shown = _shown(key, value) + (f" {unit}" if value is not None and unit else "")
        print(f"| {name} | {shown} | {target} | {met} |")
    stories = loaded.get("dialogue", {}).get("test_stories_passed", {})
    for project, share in sorted(stories.items()):
        print(f"| dialogue: {project} test stories fully passed | {100 * share:g} % | report | |")
    print()
    print("| benchmark | command | measured on | load (1-min avg at start) |")
    print("| --- | --- | --- | --- |")
    for file in BENCHMARKS:
        result = loaded.get(file)
        if not result:
            continue
        load = _load_at_start(result)
        shown_load = f"{load:.1f}" if load is not None else "?"
        print(f"| {file} | `{result.get('command')}` | {str(result.get('date', ''))[:16]} | {shown_load} |")


def main(argv: list[str]) -> int:
    if "--write-readme" not in argv:
        print_tables()
        return 0
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{README}: markers {START} and {END} not found", file=sys.stderr)
        return 1
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        print_tables()
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{START}\n{buffer.getvalue()}{END}{tail}", encoding="utf-8")
    print(f"wrote the results tables into {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
