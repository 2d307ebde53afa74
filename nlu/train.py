"""`train_nlu`: train a pipeline on training data into a model folder, unless nothing changed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlu.config import load_pipeline_config
from nlu.data.training_data import TrainingData
from nlu.data.yaml_reader import load_training_data
from nlu.errors import TrainingDataError
from nlu.pipeline import FORMAT_VERSION, Pipeline, spec_dicts, write_metadata
from nlu.results import TrainOutcome

log = logging.getLogger(__name__)
DEFAULT_SEED = 0


def fingerprint(pipeline: dict[str, Any], data: TrainingData, seed: int) -> str:
    payload = {
        "format": FORMAT_VERSION,
        "pipeline": pipeline,
        "data": data.fingerprint_payload(),
        "seed": seed,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _stored_fingerprint(model_dir: Path) -> str | None:
    try:
        return json.loads((model_dir / "metadata.json").read_text()).get("fingerprint")
    except (OSError, ValueError):
        return None


def train_nlu(
    config_path: Path,
    data_paths: Sequence[Path],
    out_dir: Path,
    *,
    force: bool = False,
    seed: int | None = None,
) -> TrainOutcome:
    """Train the pipeline of `config_path` on the NLU data under `data_paths` into `out_dir`.

    Skips the work (retrained=False) when `out_dir` holds a model of the same pipeline, data and seed."""
    out_dir = Path(out_dir)
    config = load_pipeline_config(Path(config_path))
    data = load_training_data([Path(p) for p in data_paths])
    return train_on_data(config, data, out_dir, force=force, seed=seed)


def train_on_data(
    config, data: TrainingData, out_dir: Path, *, force: bool = False, seed: int | None = None
) -> TrainOutcome:
    seed = DEFAULT_SEED if seed is None else seed
    pipeline_dict = {"language": config.language, "pipeline": spec_dicts(config.components)}
    # The resolved options (defaults included): a Parley upgrade that changes a default retrains.
    resolved = [{"name": c.name, **dataclasses.asdict(c.config)} for c in config.components]
    fp = fingerprint({"language": config.language, "pipeline": resolved}, data, seed)
    if not force and _stored_fingerprint(out_dir) == fp:
        summary = json.loads((out_dir / "metadata.json").read_text()).get("summary", {})
        log.info("event=nlu.train.skipped reason=unchanged model_dir=%s", out_dir)
        return TrainOutcome(out_dir, False, summary)
    if not data.examples:
        raise TrainingDataError(
            "training data", None, "no NLU examples found (need '- intent:' items under 'nlu:')"
        )
    counts = data.intent_counts()
    log.info(
        "event=nlu.train.start examples=%d intents=%d entities=%d",
        len(data.examples),
        len(counts),
        len(data.entities),
    )
    started = time.perf_counter()
    pipeline = Pipeline.create(config)
    component_summary = pipeline.train(data, seed=seed)
    summary = {
        "examples": len(data.examples),
        "intents": len(counts),
        "entities": len(data.entities),
        "train_seconds": round(time.perf_counter() - started, 2),
        "components": component_summary,
        "warnings": data.warnings[:50],
    }
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        pipeline.save(tmp)
        write_metadata(
            tmp,
            {
                "format": FORMAT_VERSION,
                "fingerprint": fp,
                "seed": seed,
                **pipeline_dict,
                "intents": data.intents,
                "entities": sorted(
                    set(data.entities) | {r.name for r in data.regexes} | {t.name for t in data.lookups}
                ),
                "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "summary": summary,
            },
        )
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("event=nlu.train.done seconds=%s model_dir=%s", summary["train_seconds"], out_dir)
    return TrainOutcome(out_dir, True, summary)
