"""Errors of the NLU engine. Each carries a stable `code` and a `kind`, which the server maps to an
HTTP status and the CLI to an exit code (in one place: bot/errors.py).

    NLUError                      internal     nlu_error
    ├── TrainingDataError         bad_input    training_data_error   (names file and line)
    ├── PipelineConfigError       config       config_error          (names file and key)
    ├── ModelNotFound             unavailable  model_not_found       (run `parley train`)
    ├── IncompatibleModel         unavailable  model_incompatible    (trained by another version; retrain)
    └── InvalidInput              bad_input    validation_failed     (parse() got something that is not text)

The engine never imports `bot`.
"""

from __future__ import annotations

from pathlib import Path


class NLUError(Exception):
    code = "nlu_error"
    kind = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message



class TrainingDataError(NLUError):
    """A training data file is malformed. The message starts with `file:line:`."""

    code = "training_data_error"
    kind = "bad_input"

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}" + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.line = line


class PipelineConfigError(NLUError):
    """`config.yml` names an unknown component or key. The message names the file and the key."""

    code = "config_error"
    kind = "config"

    def __init__(self, path: Path | str | None, key: str | None, problem: str) -> None:
        where = f"{path}" if path is not None else "pipeline config"
        if key:
            where += f": key '{key}'"
        super().__init__(f"{where}: {problem}")
        self.path = None if path is None else str(path)
        self.key = key


class ModelNotFound(NLUError):
    code = "model_not_found"
    kind = "unavailable"


class IncompatibleModel(NLUError):
    code = "model_incompatible"
    kind = "unavailable"


class InvalidInput(NLUError):
    code = "validation_failed"
    kind = "bad_input"
