"""Errors of the summarization engine: one class, its `kind` says what went wrong.

SummarizationError                 kind      HTTP  what the caller should do
├── BadInput                       bad_input  400  fix the text (the message says how)
├── NotFound                       not_found  404  name a file that exists
├── Unavailable                    unavailable 503 install / build the sentence encoder
├── ConfigError                    config     500  fix the `actions:` options named in the message
└── InternalError                  internal   500  report it: a bug

Callers map `kind` (a stable string) to their own codes: the CLI to an exit code, the server to a status.
"""

from __future__ import annotations


class SummarizationError(Exception):
    """Base class; `kind` is one of "bad_input", "not_found", "unavailable", "config", "internal"."""

    kind = "internal"
    code = "summarization_failed"  # stable, for {"error": code, "message": ...}
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(SummarizationError):
    """The text cannot be summarized as given: empty, one sentence, not text, too long, wrong language."""

    kind = "bad_input"
    code = "summarization_bad_input"
    http_status = 400


class NotFound(SummarizationError):
    kind = "not_found"
    code = "summarization_not_found"
    http_status = 404


class Unavailable(SummarizationError):
    """The sentence encoder cannot be loaded (weights package missing, module build failed)."""

    kind = "unavailable"
    code = "summarization_unavailable"
    http_status = 503


class ConfigError(SummarizationError):
    kind = "config"
    code = "summarization_config"
    http_status = 500


class InternalError(SummarizationError):
    kind = "internal"
    http_status = 500
