"""Importers for common benchmark formats: CSV (`text,intent`) and the SNIPS 2017 JSON files."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

from nlu.data.training_data import EntityAnnotation, Example, TrainingData
from nlu.errors import TrainingDataError

TEXT_COLUMNS = ("text", "utterance", "sentence", "query")
INTENT_COLUMNS = ("intent", "category", "label")


def read_csv(path: Path) -> TrainingData:
    """A CSV with a header naming a text column and an intent column (`text,intent` or `text,category`)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise TrainingDataError(path, 1, "empty CSV file")
    header = [h.strip().lower() for h in rows[0]]
    text_col = next((header.index(c) for c in TEXT_COLUMNS if c in header), None)
    intent_col = next((header.index(c) for c in INTENT_COLUMNS if c in header), None)
    if text_col is None or intent_col is None:
        raise TrainingDataError(
            path,
            1,
            f"header must name a text column ({'/'.join(TEXT_COLUMNS)}) and an intent column "
            f"({'/'.join(INTENT_COLUMNS)}), got {rows[0]}",
        )
    examples = []
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) <= max(text_col, intent_col):
            raise TrainingDataError(
                path, line, f"expected at least {max(text_col, intent_col) + 1} columns, got {len(row)}"
            )
        text, intent = " ".join(row[text_col].split()), row[intent_col].strip()
        if not text or not intent:
            raise TrainingDataError(path, line, "empty text or intent")
        examples.append(Example(text, intent, (), f"{path}:{line}"))
    return TrainingData(examples=examples)


def _read_snips_text(path: Path) -> str:
    # One SNIPS file holds an emoji as an encoded UTF-16 surrogate pair; join such pairs back.
    raw = path.read_bytes().decode("utf-8", "surrogatepass")
    return raw.encode("utf-16", "surrogatepass").decode("utf-16")


def read_snips(paths: Sequence[Path]) -> TrainingData:
    """SNIPS 2017 files: `{"<Intent>": [{"data": [{"text": ...}, {"text": ..., "entity": slot}]}]}`."""
    examples = []
    for path in paths:
        try:
            obj = json.loads(_read_snips_text(path))
        except json.JSONDecodeError as exc:
            raise TrainingDataError(path, exc.lineno, f"not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise TrainingDataError(path, 1, "expected a JSON object keyed by intent")
        for intent, items in obj.items():
            for n, item in enumerate(items):
                text, entities = "", []
                for piece in item.get("data", []):
                    chunk = piece.get("text", "").replace("\n", " ").replace("\r", " ")
                    if "entity" in piece:
                        lead = len(chunk) - len(chunk.lstrip())
                        core = chunk.strip()
                        start = len(text) + lead
                        if core:
                            entities.append(EntityAnnotation(start, start + len(core), piece["entity"], core))
                    text += chunk
                stripped = text.strip()
                if not stripped:
                    continue
                shift = len(text) - len(text.lstrip())
                entities = [
                    EntityAnnotation(e.start - shift, e.end - shift, e.entity, e.value) for e in entities
                ]
                examples.append(Example(stripped, intent, tuple(entities), f"{path}:item {n}"))
    return TrainingData(examples=examples)


def read_any(path: Path) -> TrainingData:
    """By file type: .csv, .json (SNIPS), a folder of SNIPS JSON, or Rasa YAML."""
    from nlu.data.yaml_reader import load_training_data

    path = Path(path)
    if path.is_dir() and not list(path.rglob("*.yml")) and list(path.rglob("*.json")):
        return read_snips(sorted(path.rglob("*.json")))
    if path.suffix == ".csv":
        return read_csv(path)
    if path.suffix == ".json":
        return read_snips([path])
    return load_training_data([path])
