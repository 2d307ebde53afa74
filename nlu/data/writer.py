"""Writes training data as Rasa 3 NLU YAML (the inverse of the reader)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from nlu.data.markup import to_markup
from nlu.data.training_data import TrainingData


def _line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ").strip()


def to_yaml(data: TrainingData) -> str:
    out = ['version: "3.1"', "nlu:"]
    by_intent: dict[str, list[str]] = defaultdict(list)
    for ex in data.examples:
        by_intent[ex.full_intent].append(_line(to_markup(ex.text, ex.entities)))
    for intent, lines in by_intent.items():
        out.append(f"- intent: {json.dumps(intent, ensure_ascii=False)}")
        out.append("  examples: |")
        out.extend(f"    - {line}" for line in lines)
    synonyms: dict[str, list[str]] = defaultdict(list)
    for surface, value in data.synonyms.items():
        synonyms[value].append(surface)
    for value, surfaces in synonyms.items():
        out += [f"- synonym: {json.dumps(value, ensure_ascii=False)}", "  examples: |"]
        out += [f"    - {_line(s)}" for s in surfaces]
    for regex in data.regexes:
        out += [f"- regex: {json.dumps(regex.name)}", "  examples: |", f"    - {regex.pattern}"]
    for table in data.lookups:
        out += [f"- lookup: {json.dumps(table.name)}", "  examples: |"]
        out += [f"    - {_line(e)}" for e in table.elements]
    return "\n".join(out) + "\n"


def write_yaml(data: TrainingData, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(data), encoding="utf-8")
