"""Errors of the translation engine. Each carries a stable `code` and an `http_status`.

    TranslationError                 500 translation_error
    ├── DataError                    400 bad_data            (prepare: file + line named)
    ├── ConfigError                  400 config_error        (file + key named)
    ├── UnknownModel                 400 unknown_model       (catalog: lists valid names)
    ├── UnknownLanguagePair          404 unknown_language_pair (lists loaded pairs)
    ├── InputTooLong                 413 input_too_long
    └── ModelNotFound                503 model_not_found     (missing/broken model directory)

The engine never imports `bot`; the server renders these as `{"error": code, "message": ...}`
because they carry the same two class attributes as `bot.errors.ParleyError`.
"""

from __future__ import annotations


class TranslationError(Exception):
    code = "translation_error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class DataError(TranslationError):
    """Bad training data; the message names the file and (where it applies) the line."""

    code = "bad_data"
    http_status = 400


class ConfigError(TranslationError):
    code = "config_error"
    http_status = 400

    def __init__(self, path: object, key: str | None, problem: str) -> None:
        where = f"{path}" + (f": key '{key}'" if key else "")
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key


class UnknownModel(TranslationError):
    code = "unknown_model"
    http_status = 400


class UnknownLanguagePair(TranslationError):
    code = "unknown_language_pair"
    http_status = 404


class InputTooLong(TranslationError):
    code = "input_too_long"
    http_status = 413


class ModelNotFound(TranslationError):
    code = "model_not_found"
    http_status = 503
