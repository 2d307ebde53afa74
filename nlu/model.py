"""`NLUModel`: a trained pipeline loaded from its folder, parsing texts into `ParseResult`s."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from nlu.components.base import Message
from nlu.errors import IncompatibleModel, InvalidInput, ModelNotFound
from nlu.pipeline import FORMAT_VERSION, Pipeline
from nlu.results import IntentPrediction, ParseResult

log = logging.getLogger(__name__)


class NLUModel:
    def __init__(self, pipeline: Pipeline, metadata: dict, model_dir: Path) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.model_dir = model_dir
        self.intents: list[str] = list(metadata.get("intents", []))
        self.entities: list[str] = list(metadata.get("entities", []))

    @classmethod
    def load(cls, model_dir: Path) -> NLUModel:
        model_dir = Path(model_dir)
        meta_path = model_dir / "metadata.json"
        if not meta_path.is_file():
            raise ModelNotFound(f"no trained NLU model in {model_dir}; run `parley train` first")
        started = time.perf_counter()
        metadata = json.loads(meta_path.read_text())
        if metadata.get("format") != FORMAT_VERSION:
            raise IncompatibleModel(
                f"the NLU model in {model_dir} has format {metadata.get('format')}, this Parley reads "
                f"{FORMAT_VERSION}; run `parley train --force`"
            )
        model = cls(Pipeline.load(model_dir, metadata), metadata, model_dir)
        model.parse("warm up")  # trace the graphs now, not on the first request
        log.info("event=nlu.model.loaded model_dir=%s seconds=%.2f", model_dir, time.perf_counter() - started)
        return model

    def parse(self, text: str) -> ParseResult:
        return self.parse_batch([text])[0]

    def parse_batch(self, texts: Sequence[str]) -> list[ParseResult]:
        for text in texts:
            if not isinstance(text, str):
                raise InvalidInput(f"text must be a string, got {type(text).__name__}")
        messages = [Message(t) for t in texts]
        self.pipeline.process(messages)
        return [
            ParseResult(
                text=m.text,
                intent=m.intent or IntentPrediction(None, 0.0),
                intent_ranking=list(m.ranking),
                entities=sorted(m.entities, key=lambda e: (e.start, e.end)),
                response_selector=m.response_selector,
            )
            for m in messages
        ]
