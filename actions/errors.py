"""Errors of the actions package. Each carries a `kind` (bad_input, not_found, unavailable, config,
internal) that the server maps to an HTTP status and a CLI exit code in one place (`bot/errors.py`)."""

from __future__ import annotations

from pathlib import Path


class ActionError(Exception):
    kind = "internal"
    code = "action_failed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ActionServerError(ActionError):
    """The action server timed out, is down, or answered with an error: the agent says its fallback."""

    kind = "unavailable"
    code = "action_server_error"


class ActionNotOnServer(ActionServerError):
    code = "action_not_found"


class ActionConfigError(ActionError):
    """The project's actions (module, endpoints.yml `actions:`) are wrong. Names the file and key."""

    kind = "config"
    code = "config_error"

    def __init__(self, path: Path | str | None, key: str | None, problem: str) -> None:
        where = f"{path}" if path is not None else "actions"
        if key:
            where += f": key '{key}'"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key
