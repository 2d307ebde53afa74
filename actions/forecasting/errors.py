"""Errors of the forecasting engine. Every one carries a stable `kind` the callers map to an exit code
or an HTTP status, and a message that says what to fix.

    ForecastError                 kind="internal"
     +-- BadInput                 kind="bad_input"    (400: the request or the series is wrong)
     +-- NotFound                 kind="not_found"    (404: an unknown series or model directory)
     +-- Unavailable              kind="unavailable"  (503: a dependency or a trained model is missing)
     +-- ConfigError              kind="config"       (a project's forecasting options are wrong)
"""

from __future__ import annotations


class ForecastError(Exception):
    """Base class; `kind` names the class of failure, the message says what to fix."""

    kind: str = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(ForecastError):
    kind = "bad_input"


class NotFound(ForecastError):
    kind = "not_found"


class Unavailable(ForecastError):
    kind = "unavailable"


class ConfigError(ForecastError):
    kind = "config"
