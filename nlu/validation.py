"""How `nlu.yamlio.validate` checks config data and explains what is wrong.

`options_model` turns a plain frozen dataclass (a component's or a policy's config) into a pydantic
model of its fields with unknown keys forbidden and no coercion, so one mechanism checks every config;
`describe_errors` turns a pydantic `ValidationError` into (line, dotted key, one sentence) using the
line numbers `nlu.yamlio.load_yaml` keeps on mappings and sequences (anything with `line_of`).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    create_model,
)


@functools.lru_cache(maxsize=256)
def options_model(cls: type) -> type[BaseModel]:
    """A pydantic model of a plain frozen dataclass's fields: unknown keys forbidden, no coercion."""
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=f.default_factory)
        else:
            default = ...
        fields[f.name] = (_strict(hints[f.name]), default)
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    return create_model(f"{cls.__name__}Options", __config__=config, **fields)


_STRICT = {int: StrictInt, float: StrictFloat, bool: StrictBool, str: StrictStr}


def _strict(tp: Any) -> Any:
    """`tp` with int, float, bool and str made strict ("3" is no int, true no number; 1 is a float)."""
    if tp in _STRICT:
        return _STRICT[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_strict(a) for a in args)]  # noqa: UP007 - built from a tuple
    if origin in (tuple, list, set, frozenset) and args:
        return origin[tuple(a if a is Ellipsis else _strict(a) for a in args)]
    return tp


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


SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "credential")
_NOT_IN_DATA = {"extra_forbidden", "unexpected_keyword_argument", "missing", "missing_argument",
                "missing_keyword_only_argument"}  # fmt: skip


def describe_errors(
    exc: ValidationError, model: Any, data: Any, key_prefix: str = ""
) -> tuple[int | None, str | None, str]:
    """(line, dotted key, problem) of the first error, the other keys with errors counted after it.

    Errors of one key (a union's members each fail) are merged: "expected int or str". The value
    given is never shown for a key that looks like a secret (password, token, ...).
    """
    by_key: dict[str | None, list[tuple[int | None, dict[str, Any]]]] = {}
    for error in exc.errors(include_url=False):
        line, key = _locate(data, error["loc"], key_prefix, error["type"] in _NOT_IN_DATA)
        by_key.setdefault(key, []).append((line, error))
    keys = list(by_key)
    line, first = by_key[keys[0]][0]
    errors = [e for _, e in by_key[keys[0]]]
    expected = [_EXPECTED[e["type"]] for e in errors if e["type"] in _EXPECTED]
    if len(errors) > 1 and len(expected) == len(errors):
        value = first.get("input")
        given = shown(value, _is_secret(keys[0]))
        problem = f"expected {' or '.join(dict.fromkeys(expected))}, got {yaml_type(value)} {given}"
    else:
        problem = _problem(first, model, _is_secret(keys[0]))
    if len(keys) > 1:
        others = [k or "(top level)" for k in keys[1:4]]
        more = f"{len(keys) - 1} more: {', '.join(others)}" + (", ..." if len(keys) > 4 else "")
        problem += f" (and {more})"
    return line, keys[0], problem


def _is_secret(key: Any) -> bool:
    last = str(key or "").rsplit(".", 1)[-1].lower()
    return any(word in last for word in SECRET_WORDS)


def shown(value: Any, secret: bool = False, limit: int = 80) -> str:
    """`repr(value)` for an error message: secrets as ***, also inside mappings; long values cut."""
    if secret:
        return "***"
    text = repr(_masked(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "***" if _is_secret(k) else _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def _locate(
    data: Any, loc: tuple[Any, ...], key_prefix: str, key_not_in_data: bool
) -> tuple[int | None, str | None]:
    """The line and dotted key of `loc` in `data`.

    The parts of `loc` found in `data` make the key; of the rest, only a missing or unknown key's own
    name is kept (pydantic's other parts name union members and validators, not keys).
    """
    line = getattr(data, "line", None)
    node = data
    walked: list[Any] = []
    for part in loc:
        if not _has(node, part):
            break
        if hasattr(node, "line_of"):
            line = node.line_of(part) or line
        node = node[part]
        walked.append(part)
    if key_not_in_data and len(walked) < len(loc):
        walked.append(loc[len(walked)])
    key = key_prefix.rstrip(".")
    for part in walked:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return line, key or None


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    if isinstance(node, list | tuple):
        return isinstance(part, int) and -len(node) <= part < len(node)
    return False


def _problem(error: dict[str, Any], model: Any, secret: bool = False) -> str:
    kind, given = error["type"], error.get("input")
    given_text = shown(given, secret)
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        valid = _fields_at(model, error["loc"][:-1])
        if valid is None:
            return "unknown key"
        if not valid:
            return "unknown key; this section takes no keys"
        return f"unknown key; valid keys: {', '.join(sorted(valid))}"
    if kind in ("missing", "missing_argument", "missing_keyword_only_argument"):
        return "required key is missing"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {yaml_type(given)} {given_text}"
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    if isinstance(given, dict | list):  # a whole section: the message says what is wrong with it
        return message
    return f"{message}, got {given_text}"


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
    if not _field_types(tp) and not _is_structured(tp):
        return None
    return list(_field_types(tp))


def _is_structured(tp: Any) -> bool:
    return isinstance(tp, type) and (issubclass(tp, BaseModel) or dataclasses.is_dataclass(tp))


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
