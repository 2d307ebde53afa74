"""A configured list of components: train them in order, run them in order, save and load them."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from nlu.components import Component, Message, component_class
from nlu.config import ComponentSpec, PipelineConfig, parse_pipeline
from nlu.data.training_data import TrainingData

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


class Pipeline:
    def __init__(self, config: PipelineConfig, components: list[Component]) -> None:
        self.config = config
        self.components = components

    @classmethod
    def create(cls, config: PipelineConfig) -> Pipeline:
        return cls(config, [component_class(s.name)(s.config) for s in config.components])

    def train(self, data: TrainingData, seed: int = 0) -> dict[str, Any]:
        import keras

        keras.utils.set_random_seed(seed)
        messages = [Message(ex.text, example=ex) for ex in data.examples]
        summary: dict[str, Any] = {}
        for comp in self.components:
            started = time.perf_counter()
            part = comp.train(messages, data) or {}
            if comp.featurizes:
                comp.process(messages)
            part["seconds"] = (
                round(time.perf_counter() - started, 2) if "seconds" not in part else part["seconds"]
            )
            summary[comp.name] = part
            log.info("event=nlu.component.trained component=%s seconds=%s", comp.name, part["seconds"])
        return summary

    def process(self, messages: list[Message]) -> None:
        for comp in self.components:
            comp.process(messages)

    def save(self, directory: Path) -> None:
        for i, comp in enumerate(self.components):
            sub = directory / "components" / f"{i:02d}_{comp.name}"
            sub.mkdir(parents=True, exist_ok=True)
            comp.save(sub)

    @classmethod
    def load(cls, directory: Path, metadata: dict[str, Any]) -> Pipeline:
        config = parse_pipeline(metadata["pipeline"], metadata["language"], str(directory / "metadata.json"))
        components = []
        for i, spec in enumerate(config.components):
            sub = directory / "components" / f"{i:02d}_{spec.name}"
            components.append(component_class(spec.name).load(sub, spec.config))
        return cls(config, components)


def write_metadata(directory: Path, metadata: dict[str, Any]) -> None:
    (directory / "metadata.json").write_text(json.dumps(metadata, indent=1, ensure_ascii=False))


def spec_dicts(specs: tuple[ComponentSpec, ...]) -> list[dict[str, Any]]:
    return [{"name": s.name, **s.raw} for s in specs]
