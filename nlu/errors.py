"""Errors of the NLU engine. Each carries a stable `code` and an `http_status`, like `bot.errors`.

    NLUError                      500 nlu_error
    ├── TrainingDataError         400 training_data_error   (names file and line)
    ├── PipelineConfigError       400 config_error          (names file and key)
    ├── ModelNotFound             503 model_not_found       (run `parley train`)
    ├── IncompatibleModel         503 model_incompatible    (trained by another version; retrain)
    └── InvalidInput              400 validation_failed     (parse() got something that is not text)

The engine never imports `bot`; the server's one error handler renders any of these as
`{"error": code, "message": ...}` with the status.
"""

from __future__ import annotations

from pathlib import Path


class NLUError(Exception):
    code = "nlu_error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class TrainingDataError(NLUError):
    """A training data file is malformed. The message starts with `file:line:`."""

    code = "training_data_error"
    http_status = 400

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        where = f"{path}" + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.line = line


class PipelineConfigError(NLUError):
    """`config.yml` names an unknown component or key. The message names the file and the key."""

    code = "config_error"
    http_status = 400

    def __init__(self, path: Path | str | None, key: str | None, problem: str) -> None:
        where = f"{path}" if path is not None else "pipeline config"
        if key:
            where += f": key '{key}'"
        super().__init__(f"{where}: {problem}")
        self.path = None if path is None else str(path)
        self.key = key


class ModelNotFound(NLUError):
    code = "model_not_found"
    http_status = 503


class IncompatibleModel(NLUError):
    code = "model_incompatible"
    http_status = 503


class InvalidInput(NLUError):
    code = "validation_failed"
    http_status = 400
