"""Parley's one YAML loader and its one validation mechanism, shared by the bot and both engines.

    load_yaml(path)            -> the document; mappings are `LineDict`s, sequences `LineList`s, so
                                  every key and item remembers its (1-based) line
    compose_yaml(path)         -> the node tree (for readers that walk nodes, e.g. NLU training data)
    validate(model, data, ...) -> a pydantic model or dataclass built from loaded data; a
                                  `ValidationError` becomes a `ConfigFileError` naming file, line, key

Every failure is a `ConfigFileError` (`kind = "config"`) whose message reads
`file:line: key: problem`. Missing files, bytes that are not UTF-8, malformed YAML and duplicate keys
are errors with the line (and column) they were found at; nothing is dropped silently.

It lives in `nlu` because that is the lowest engine: `translation` may import `nlu`, and the engines may
not import `bot`.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from yaml.nodes import MappingNode, Node, SequenceNode

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


def validate(model: type[T], data: Any, *, path: Path | str, key_prefix: str = "") -> T:
    """`model` (a pydantic model or dataclass) built from `data`, as loaded by `load_yaml`.

    A failure is a `ConfigFileError` naming `path`, the line of the offending key (when `data` came
    from `load_yaml`) and its dotted key, prefixed by `key_prefix` when `data` is a section of the file.
    Unknown keys list the valid ones; wrong types say what was expected and what was given.
    """
    try:
        return _adapter(model).validate_python(data)
    except ValidationError as exc:
        line, key, problem = describe_errors(exc, model, data, key_prefix)
        raise ConfigFileError(path, line, problem, key=key) from None


# --- turning a pydantic ValidationError into file, line, key and a sentence --------------------------

_EXPECTED = {
    "int_type": "int",
    "int_parsing": "int",
    "int_from_float": "int",
    "float_type": "float",
    "float_parsing": "float",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "string_type": "str",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dataclass_type": "a mapping",
}


def describe_errors(
    exc: ValidationError, model: Any, data: Any, key_prefix: str = ""
) -> tuple[int | None, str | None, str]:
    """(line, dotted key, problem) of the first error, the others counted after it."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    line, key = _locate(data, first["loc"], key_prefix)
    problem = _problem(first, model)
    if len(errors) > 1:
        others = [_locate(data, e["loc"], key_prefix)[1] or "(top level)" for e in errors[1:4]]
        more = f"{len(errors) - 1} more: {', '.join(others)}" + (", ..." if len(errors) > 4 else "")
        problem += f" (and {more})"
    return line, key, problem


def _locate(data: Any, loc: tuple[Any, ...], key_prefix: str) -> tuple[int | None, str | None]:
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict | LineList) and _has(node, part):
            line = node.line_of(part) or line
            node = node[part]
        else:
            node = None
    key = key_prefix.rstrip(".")
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return line, key or None


def _has(node: LineDict | LineList, part: Any) -> bool:
    if isinstance(node, LineDict):
        return part in node
    return isinstance(part, int) and -len(node) <= part < len(node)


def _problem(error: dict[str, Any], model: Any) -> str:
    kind, given = error["type"], error.get("input")
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        valid = _fields_at(model, error["loc"][:-1])
        return "unknown key" + (f"; valid keys: {', '.join(sorted(valid))}" if valid else "")
    if kind in ("missing", "missing_argument", "missing_keyword_only_argument"):
        return "required key is missing"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {yaml_type(given)} {given!r}"
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    return f"{message}, got {given!r}"


def yaml_type(value: Any) -> str:
    """How YAML calls `value`'s type: mapping, list, str, int, float, bool, null."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def _fields_at(model: Any, loc: tuple[Any, ...]) -> list[str] | None:
    """The key names valid at `loc` inside `model`, when that place is a model or dataclass."""
    tp = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int):
            args = typing.get_args(tp)
            tp = args[0] if args else None
        else:
            tp = _field_types(tp).get(part)
        if tp is None:
            return None
    tp = _unwrap(tp)
    names = list(_field_types(tp))
    return names or None


def _field_types(tp: Any) -> dict[str, Any]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {(f.alias or name): f.annotation for name, f in tp.model_fields.items()}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        return {f.name: hints.get(f.name) for f in dataclasses.fields(tp)}
    return {}


def _unwrap(tp: Any) -> Any:
    """The model or dataclass inside `X | None`, `Optional[X]` or `Annotated[X, ...]`."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if _field_types(_unwrap(arg)):
                return _unwrap(arg)
    return tp
