"""Parley's one YAML loader and its one validation mechanism, shared by the bot and both engines.

    load_yaml(path)            -> the document; mappings are `LineDict`s, sequences `LineList`s, so
                                  every key and item remembers its (1-based) line
    compose_yaml(path)         -> the node tree (for readers that walk nodes, e.g. NLU training data)
    validate(model, data, ...) -> a pydantic model or dataclass (or a plain frozen dataclass, checked
                                  through a pydantic model of its fields, see `nlu/validation.py`)
                                  built from loaded data; a failure is a `ConfigFileError` naming
                                  file, line and dotted key

Every failure is a `ConfigFileError` (`kind = "config"`) whose message reads
`file:line: key: problem`. Missing files, bytes that are not UTF-8, malformed YAML and duplicate keys
are errors with the line (and column) they were found at; nothing is dropped silently.

It lives in `nlu` because that is the lowest engine: `translation` may import `nlu`, and the engines may
not import `bot`.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError
from yaml.nodes import MappingNode, Node, SequenceNode

from nlu.validation import describe_errors, options_model, yaml_type

T = TypeVar("T")

__all__ = [
    "ConfigFileError",
    "LineDict",
    "LineList",
    "compose_yaml",
    "load_yaml",
    "read_text",
    "validate",
    "yaml_type",
]


class ConfigFileError(Exception):
    """A config or data file is missing or wrong: `file:line: key: problem`."""

    kind = "config"
    code = "config_error"

    def __init__(
        self,
        path: Path | str,
        line: int | None,
        problem: str,
        *,
        key: str | None = None,
        column: int | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.key = key or None
        self.problem = problem
        where = f"{self.location}: {self.key}" if self.key else self.location
        self.message = f"{where}: {problem}"
        super().__init__(self.message)

    @property
    def location(self) -> str:
        """`file`, `file:line` or `file:line:column`, as far as they are known."""
        out = self.path
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out


class LineDict(dict):
    """A mapping read from YAML that remembers its own line and the line of each key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        """The line `key` was written on (the mapping's own line when the key is absent)."""
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence read from YAML that remembers its own line and the line of each item."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line: int | None = None
        self.lines: list[int] = []

    def line_of(self, index: int) -> int | None:
        if isinstance(index, int) and -len(self.lines) <= index < len(self.lines):
            return self.lines[index]
        return self.line


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, building `LineDict`/`LineList` and refusing duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: MappingNode) -> LineDict:
    loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"a mapping key must be a scalar, got {key!r}", key_node.start_mark
            ) from None
        if key in out:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {out.lines[key]})",
                key_node.start_mark,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _LineLoader, node: SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Loaded documents can be written back with yaml.safe_dump.
yaml.SafeDumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)
yaml.SafeDumper.add_representer(LineList, yaml.representer.SafeRepresenter.represent_list)


def read_text(path: Path | str) -> str:
    """The file's text; a missing file or bytes that are not UTF-8 are a `ConfigFileError`."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder, expected a file" if path.is_dir() else "file not found"
        raise ConfigFileError(path, None, what)
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigFileError(
            path, line, f"not valid UTF-8 ({exc.reason} at byte {exc.start})", column=column
        ) from None


def load_yaml(path: Path | str, text: str | None = None) -> Any:
    """The YAML document in `path` (or in `text`, naming `path` in errors), with line numbers kept."""
    if text is None:
        text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


def compose_yaml(path: Path | str, text: str | None = None) -> Node | None:
    """The YAML node tree of `path` (or of `text`), for readers that need every node's position."""
    if text is None:
        text = read_text(path)
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


def _yaml_error(path: Path | str, exc: yaml.YAMLError) -> ConfigFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return ConfigFileError(path, line, f"malformed YAML: {problem}", column=column)


@functools.lru_cache(maxsize=256)
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


def _is_plain_dataclass(model: Any) -> bool:
    return (
        isinstance(model, type)
        and dataclasses.is_dataclass(model)
        and not hasattr(model, "__pydantic_validator__")
    )


def validate(model: type[T], data: Any, *, path: Path | str, key_prefix: str = "") -> T:
    """`model` (a pydantic model or dataclass, or a plain dataclass) built from `data`.

    `data` is usually what `load_yaml` returned, or a section of it (then `key_prefix` names the section,
    e.g. "translation" or "pipeline[2]"). A failure is a `ConfigFileError` naming `path`, the line of the
    offending key and its dotted key: unknown keys list the valid ones, wrong types say what was expected
    and what was given. A plain dataclass's fields are checked first (unknown keys, strict types), then
    the class is built; a ValueError from its `__post_init__` names the section.
    """
    try:
        if not _is_plain_dataclass(model):
            return _adapter(model).validate_python(data)
        checked = options_model(model).model_validate(data)
    except ValidationError as exc:
        line, key, problem = describe_errors(exc, model, data, key_prefix)
        raise ConfigFileError(path, line, problem, key=key) from None
    try:
        return model(**{name: getattr(checked, name) for name in checked.model_fields_set})
    except (ValueError, TypeError) as exc:
        line = getattr(data, "line", None)
        raise ConfigFileError(path, line, str(exc), key=key_prefix.rstrip(".") or None) from None
