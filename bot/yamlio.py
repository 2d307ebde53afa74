"""Reading the bot's YAML files through Parley's one loader (`nlu.yamlio`), raising `ConfigError`.

`read_yaml` keeps its name for the bot's callers; mappings come back as `nlu.yamlio.LineDict`s, so a
validator can name the line of any key. `config_error` turns the loader's `ConfigFileError` into the
bot's `ConfigError`, keeping the line in the message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from nlu.yamlio import ConfigFileError, load_yaml


def read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path)
    except ConfigFileError as exc:
        raise config_error(exc) from None


def config_error(exc: ConfigFileError) -> ConfigError:
    """`file: key 'k': line L, column C: problem` (the bot's message shape), with `.line` set."""
    where = ""
    if exc.line is not None:
        where = f"line {exc.line}" + (f", column {exc.column}" if exc.column is not None else "") + ": "
    err = ConfigError(exc.path, exc.key, where + exc.problem)
    err.line = exc.line  # type: ignore[attr-defined]
    return err
