"""Multi30k test2016 in both directions (issue 16): score an English->German and a German->English model
trained by `parley translate prepare` + `parley translate train` on ../shared/data/multi30k_en_de,
each on the raw published test_2016_flickr files (never the cleaned copy `prepare` writes), beam 4,
sacrebleu BLEU and chrF. Writes bench/results/multi30k_<src>_<tgt>_test2016.json (+ .alignment.png)
per model and prints the figures; bench/multilingual.py calls `score_directions` for its JSON.

    python bench/multi30k_directions.py --en-de .parley/bench/nmt/en-de --de-en .parley/bench/nmt/de-en
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MULTI30K = REPO.parent / "shared" / "data" / "multi30k_en_de"
RESULTS = REPO / "bench" / "results"


def score_model(model_dir: Path, direction: str, out_dir: Path = RESULTS, data: Path = MULTI30K) -> dict:
    """Score one trained model (`direction` "en_de" or "de_en", checked against the model's own
    config) on test2016."""
    from translation.data import read_lines
    from translation.evaluation import evaluate
    from translation.translator import Translator

    translator = Translator.load(model_dir)
    src, tgt = translator.source, translator.target
    if f"{src}_{tgt}" != direction:
        raise SystemExit(f"{model_dir} translates {src}->{tgt}, not {direction.replace('_', '->')}")
    references_file = data / f"test_2016_flickr.{tgt}"
    report = evaluate(
        translator,
        read_lines(data / f"test_2016_flickr.{src}"),
        read_lines(references_file),
        out_dir / f"multi30k_{src}_{tgt}_test2016.json",
        beam=4,
        plot_sentence=0,
        references_from=references_file,
    )
    trained = json.loads((model_dir / "train_log.json").read_text(encoding="utf-8"))
    summary = trained.get("summary", {})
    return {
        "direction": f"{src}->{tgt}",
        "test2016_bleu": report["bleu"],
        "test2016_chrf": report["chrf"],
        "bleu_signature": report["bleu_signature"],
        "references": report["references"],
        "test2016_beam4_s": report["seconds"],
        "train_hours": round(summary["elapsed_s"] / 3600, 3) if summary else None,
        "train_steps": summary.get("steps"),
        "train_epochs_completed": summary.get("epochs"),
        "train_target_tokens_per_s": summary.get("target_tokens_per_s"),
        "best_dev_bleu": summary.get("best_dev_bleu"),
        "stopped_because": summary.get("stopped_because"),
        "dev_bleu_history": [(h["step"], h["elapsed_s"], h["dev_bleu"]) for h in trained["history"]],
        "model": str(model_dir),
    }


def score_directions(
    en_de: Path | None, de_en: Path | None, out_dir: Path = RESULTS, data: Path = MULTI30K
) -> dict:
    """The multilingual benchmark's Multi30k keys from the models given (a direction not given stays
    out, so the caller lists it as missing)."""
    given = (("en_de", en_de), ("de_en", de_en))
    runs = {name: score_model(path, name, out_dir, data) for name, path in given if path}
    result: dict = {"multi30k_runs": runs}
    for name, run in runs.items():
        result[f"multi30k_{name}_test2016_bleu"] = run["test2016_bleu"]
    hours = [run["train_hours"] for run in runs.values() if run["train_hours"] is not None]
    if hours:
        result["nmt_train_hours"] = max(hours)  # the longer of the runs; each run's own is in multi30k_runs
    result["multi30k_split"] = (
        "test2016 (raw test_2016_flickr), touched once per kept change; dev BLEU: val, greedy, 300 sentences"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--en-de", type=Path, help="English->German model directory")
    parser.add_argument("--de-en", type=Path, help="German->English model directory")
    args = parser.parse_args(argv)
    if not (args.en_de or args.de_en):
        parser.error("give --en-de and/or --de-en")
    if not MULTI30K.is_dir():
        print(f"benchmark data not found at {MULTI30K}", file=sys.stderr)
        return 1
    result = score_directions(args.en_de, args.de_en)
    for run in result["multi30k_runs"].values():
        print(f"{run['direction']}: BLEU {run['test2016_bleu']} chrF {run['test2016_chrf']} "
              f"after {run['train_hours']} h ({run['train_steps']} steps)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
