"""`parley data validate` (as `rasa data validate`): check a project's files before any training.

Every check runs, whatever an earlier one found, so one run reports the problems of all files:

    config.yml     keys and `recipe`, the NLU pipeline (Rasa's names translated, each component's
                   options), the policies and each policy's options
    domain.yml     sections, slots, forms, responses (unknown properties are WARNINGs)
    data/          NLU examples and markup, rules and stories, each rule and story against the domain
    endpoints.yml  (read by the config check)

Errors name file, line and key. Cross-references Rasa only warns about (an NLU intent the domain does
not list, a domain intent without examples) are warnings here too. `parley train` runs this first, so a
typo in `policies:` is reported before minutes of NLU training.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import ConfigError, exit_code

log = logging.getLogger(__name__)


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def check(self, what: str, run: Callable[[], Any]) -> Any:
        """Run one check; a known error kind (config, bad data) is recorded instead of raised."""
        try:
            return run()
        except Exception as exc:
            if exit_code(exc) is None:
                raise  # a bug, not a finding
            self.errors.append(f"{what}: {getattr(exc, 'message', None) or exc}")
            return None

    def raise_if_errors(self, root: Path) -> None:
        if self.errors:
            listed = "\n  ".join(self.errors)
            raise ConfigError(
                root, None, f"{len(self.errors)} problem(s) found by `parley data validate`:\n  {listed}"
            )


class _Collect(logging.Handler):
    """The WARNINGs the loaders log while checking (ignored options, stray brackets, ...), for the report."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


def validate_project(root: Path | str) -> Report:
    report = Report()
    handler = _Collect(report.warnings)
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.addHandler(handler)
    root_logger.setLevel(min(level, logging.WARNING) if level else logging.WARNING)  # warnings are findings
    try:
        _validate(Path(root), report)
    finally:
        root_logger.removeHandler(handler)
        root_logger.setLevel(level)
    return report


def _validate(root: Path, report: Report) -> None:
    from bot.config import load_project
    from bot.dialogue.domain import load_domain, responses_from_data

    project = report.check("config", lambda: load_project(root, env={}))
    if project is None:
        return  # without config.yml's paths nothing else can be found
    report.check("pipeline", lambda: _pipeline(project))
    report.check("policies", lambda: _policies(project))
    domain = report.check("domain", lambda: load_domain(project.domain_path))
    if domain is not None:  # responses may live in data files too (retrieval ones: utter_faq/ask_name)
        extra = report.check("data responses", lambda: responses_from_data([project.data_path]))
        domain = domain.with_responses(extra or {})
    nlu = report.check("nlu data", lambda: _nlu_data(project))
    if domain is not None:
        _dialogue_data(project, domain, report)
        if nlu is not None:
            _intents(nlu, domain, report)
    if nlu is not None and nlu.retrieval_intents:
        names = {str(item.get("name")) if isinstance(item, dict) else str(item) for item in project.pipeline}
        if "ResponseSelector" not in names:
            report.warnings.append(
                f"config: the data has retrieval intents ({', '.join(nlu.retrieval_intents)}) but the "
                "pipeline no ResponseSelector; utter_<intent> cannot tell which response to give"
            )


def _pipeline(project: Any) -> None:
    from nlu.config import parse_pipeline
    from nlu.rasa_compat import translate_rasa_pipeline

    translated = translate_rasa_pipeline(project.pipeline, str(project.config_path))
    parse_pipeline(translated, project.language, str(project.config_path))


def _policies(project: Any) -> None:
    from bot.dialogue.model import build_policies

    build_policies(project.policies, project.config_path)


def _nlu_data(project: Any) -> Any:
    from nlu.data.yaml_reader import load_training_data

    return load_training_data([project.data_path])


def _dialogue_data(project: Any, domain: Any, report: Report) -> None:
    from bot.dialogue.stories import DialogueData, load_dialogue_data, validate_against_domain

    data = report.check("rules and stories", lambda: load_dialogue_data([project.data_path]))
    if data is None:
        return
    for block in [*data.rules, *data.stories]:  # one finding per rule or story, not just the first
        one = DialogueData(rules=[block]) if block.kind == "rule" else DialogueData(stories=[block])
        report.check(f"{block.kind} {block.name!r}", lambda one=one: validate_against_domain(one, domain))


def _intents(nlu: Any, domain: Any, report: Report) -> None:
    listed = {i.name for i in domain.intents}
    for intent in nlu.intents:
        if intent not in listed and not domain.is_known_intent(intent):
            report.warnings.append(f"nlu data: intent {intent!r} has examples but the domain lacks it")
    for intent in sorted(listed - set(nlu.intents)):
        report.warnings.append(f"domain: intent {intent!r} has no NLU examples")


# ------------------------------------------------------------------------------------------------ CLI


def register(data_sub: argparse._SubParsersAction) -> None:
    p = data_sub.add_parser(
        "validate",
        help="check config, domain and data (policies included) before training, as `rasa data validate`",
        description="Reads config.yml, domain.yml, endpoints.yml and data/; lists every problem found "
        "(file, line, key). Exit code 0 when there is none, 78 (config) otherwise.",
    )
    p.add_argument("--project", "-p", default=".", type=Path, help="project folder (default: current folder)")
    p.add_argument("--fail-on-warnings", action="store_true", help="exit 78 on warnings too")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    report = validate_project(args.project)
    for warning in report.warnings:
        print(f"warning: {warning}")
    for error in report.errors:
        print(f"error: {error}")
    failed = bool(report.errors) or (args.fail_on_warnings and bool(report.warnings))
    print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    return 78 if failed else 0
