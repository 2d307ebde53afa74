"""`parley train`: NLU and dialogue models for a project, each retrained only when its inputs changed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import load_project
from bot.dialogue.domain import Domain, load_domain, responses_from_data
from bot.dialogue.model import train_dialogue
from bot.services import model_paths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProjectTrainOutcome:
    nlu_dir: Path
    nlu_retrained: bool
    nlu_summary: dict[str, Any]
    dialogue_dir: Path
    dialogue_retrained: bool
    dialogue_summary: dict[str, Any]

    def summary_lines(self) -> list[str]:
        def verdict(retrained: bool) -> str:
            return "trained" if retrained else "unchanged, kept"

        nlu = ", ".join(f"{k}={v}" for k, v in self.nlu_summary.items() if not isinstance(v, dict | list))
        dia = ", ".join(f"{k}={v}" for k, v in self.dialogue_summary.items())
        return [
            f"NLU model      {verdict(self.nlu_retrained):16s} -> {self.nlu_dir}  ({nlu})",
            f"dialogue model {verdict(self.dialogue_retrained):16s} -> {self.dialogue_dir}  ({dia})",
        ]


def retrieval_responses(domain: Domain, data_paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """`utter_faq/<key>` responses of the domain and the data files, in Rasa's JSON (ResponseSelector
    returns them with its prediction, as Rasa's does)."""
    from bot.dialogue.responses import variation_dict

    merged = {**domain.responses, **responses_from_data(data_paths)}
    return {name: [variation_dict(v) for v in vs] for name, vs in merged.items() if "/" in name}


def train_project(root: Path, *, force: bool = False, seed: int | None = None) -> ProjectTrainOutcome:
    from bot.validate import validate_project
    from nlu.config import parse_pipeline
    from nlu.data.yaml_reader import load_training_data
    from nlu.rasa_compat import translate_rasa_pipeline
    from nlu.train import train_on_data

    validate_project(root).raise_if_errors(Path(root))  # every file checked before minutes of training
    project = load_project(root)
    domain = load_domain(project.domain_path)
    paths = model_paths(project)
    data = [project.data_path]
    log.info("event=train.nlu.start project=%s", project.root)
    pipeline = translate_rasa_pipeline(project.pipeline, str(project.config_path))
    nlu_config = parse_pipeline(pipeline, project.language, str(project.config_path))
    training_data = load_training_data(data)
    training_data.responses = retrieval_responses(domain, data)
    nlu = train_on_data(nlu_config, training_data, paths["nlu"], force=force, seed=seed)
    log.info("event=train.dialogue.start project=%s", project.root)
    dialogue = train_dialogue(
        project.policies, domain, data, paths["dialogue"], config_source=project.config_path, force=force
    )
    return ProjectTrainOutcome(
        nlu.model_dir,
        nlu.retrained,
        dict(nlu.summary),
        dialogue.model_dir,
        dialogue.retrained,
        dialogue.summary,
    )
