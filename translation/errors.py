"""Errors of the translation engine. Each carries a stable `code` and a `kind`, which the server maps
to an HTTP status and the CLI to an exit code (in one place: bot/errors.py).

    TranslationError                 internal     translation_error
    ├── DataError                    bad_input    bad_data              (prepare: file + line named)
    ├── ConfigError                  config       config_error          (file + key named)
    ├── UnknownModel                 bad_input    unknown_model         (catalog: lists valid names)
    ├── UnknownLanguagePair          not_found    unknown_language_pair (lists loaded pairs)
    ├── InputTooLong                 too_large    input_too_long
    ├── ModelNotFound                unavailable  model_not_found       (missing/broken model directory)
    └── ModelServerError             unavailable  model_server_unavailable (TF Serving down or refusing)

The engine never imports `bot`.
"""

from __future__ import annotations


class TranslationError(Exception):
    code = "translation_error"
    kind = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message



class DataError(TranslationError):
    """Bad training data; the message names the file and (where it applies) the line."""

    code = "bad_data"
    kind = "bad_input"


class ConfigError(TranslationError):
    code = "config_error"
    kind = "config"

    def __init__(self, path: object, key: str | None, problem: str) -> None:
        where = f"{path}" + (f": key '{key}'" if key else "")
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key


class UnknownModel(TranslationError):
    code = "unknown_model"
    kind = "bad_input"


class UnknownLanguagePair(TranslationError):
    code = "unknown_language_pair"
    kind = "not_found"


class InputTooLong(TranslationError):
    code = "input_too_long"
    kind = "too_large"


class ModelNotFound(TranslationError):
    code = "model_not_found"
    kind = "unavailable"


class ModelServerError(TranslationError):
    """The model server (TF Serving) cannot be reached, refuses, or answers something else."""

    code = "model_server_unavailable"
    kind = "unavailable"
