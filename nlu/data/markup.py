"""Rasa's inline entity markup: `[text](entity)`, `[text](entity:value)`, `[text]{"entity": ..., ...}`
and `[text][{...}, {...}]` (several entities on one span). Parsing and writing it back."""

from __future__ import annotations

import json
import re

from nlu.data.training_data import EntityAnnotation

ENTITY_MARKUP = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|\{(?P<dict>[^}]+?)\}"
    r"|\[(?P<list>\{.*?\})\])"
)
DICT_KEYS = ("entity", "value", "role", "group")


class MarkupError(ValueError):
    """Bad markup; `column` is 1-based within the example."""

    def __init__(self, column: int, problem: str) -> None:
        super().__init__(problem)
        self.column = column
        self.problem = problem


def _annotation_from_dict(obj: object, start: int, end: int, surface: str, column: int) -> EntityAnnotation:
    if not isinstance(obj, dict):
        raise MarkupError(column, f"entity annotation must be a JSON object, got {obj!r}")
    unknown = sorted(set(obj) - set(DICT_KEYS))
    if unknown:
        raise MarkupError(
            column, f"unknown key {unknown[0]!r} in entity annotation; valid keys: {', '.join(DICT_KEYS)}"
        )
    if not isinstance(obj.get("entity"), str) or not obj["entity"].strip():
        raise MarkupError(column, 'entity annotation needs "entity": "<name>"')
    value = obj.get("value", surface)
    return EntityAnnotation(
        start,
        end,
        obj["entity"].strip(),
        str(value),
        role=None if obj.get("role") is None else str(obj["role"]),
        group=None if obj.get("group") is None else str(obj["group"]),
    )


def parse_markup(
    marked: str, warnings: list[str] | None = None
) -> tuple[str, tuple[EntityAnnotation, ...]]:
    """`"fly to [Berlin](city)"` -> `("fly to Berlin", (EntityAnnotation(7, 13, "city", "Berlin"),))`.

    A stray bracket that cannot be an annotation (`hello]`, `[note`) is text, as Rasa reads it; what it
    was is appended to `warnings`. One that looks like a broken annotation (`[Berlin](city`) is an error."""
    found: list[str] = [] if warnings is None else warnings
    plain: list[str] = []
    annotations: list[EntityAnnotation] = []
    cursor = 0
    length = 0
    for match in ENTITY_MARKUP.finditer(marked):
        _check_plain(marked, cursor, match.start(), found)
        before = marked[cursor : match.start()]
        plain.append(before)
        length += len(before)
        surface = match.group("text")
        start, end = length, length + len(surface)
        column = match.start() + 1
        if match.group("entity") is not None:
            value = match.group("value")
            annotations.append(
                EntityAnnotation(
                    start, end, match.group("entity").strip(), surface if value is None else value.strip()
                )
            )
        else:
            raw = match.group("dict")
            raw = "{" + raw + "}" if raw is not None else "[" + match.group("list") + "]"
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise MarkupError(column, f"entity annotation {raw} is not valid JSON ({exc.msg})") from None
            for item in obj if isinstance(obj, list) else [obj]:
                annotations.append(_annotation_from_dict(item, start, end, surface, column))
        plain.append(surface)
        length = end
        cursor = match.end()
    _check_plain(marked, cursor, len(marked), found)
    plain.append(marked[cursor:])
    return "".join(plain), tuple(annotations)


def _check_plain(marked: str, start: int, end: int, warnings: list[str]) -> None:
    """Text between annotations may hold literal brackets (`from [country]`) when they pair up and no
    `](` or `]{` suggests a broken annotation. A stray `]`, or a `[` never closed with no `(` or `{`
    after it, is text (a warning, as Rasa reads it as text); a `[` never closed before `(` or `{` is an
    annotation gone wrong (`[Berlin(city)`), an error."""
    depth, opened = 0, -1
    for i in range(start, end):
        char = marked[i]
        if char == "[":
            if depth == 0:
                opened = i
            depth += 1
        elif char == "]":
            if depth == 0:
                warnings.append(f"column {i + 1}: stray ']' read as text, as Rasa reads it")
                continue
            depth -= 1
            if i + 1 < len(marked) and marked[i + 1] in "({":
                raise MarkupError(
                    i + 2,
                    f"entity annotation starting at column {opened + 1} is not closed; "
                    'write entities as [text](entity) or [text]{"entity": "name"}',
                )
    if depth:
        rest = marked[opened:end]
        if "(" in rest or "{" in rest:
            raise MarkupError(opened + 1, _unbalanced("[", opened + 1))
        warnings.append(f"column {opened + 1}: '[' never closed, read as text, as Rasa reads it")


def _unbalanced(char: str, column: int) -> str:
    return (
        f"unbalanced entity bracket {char!r} at column {column}; "
        'write entities as [text](entity) or [text]{"entity": "name"}'
    )


def to_markup(text: str, entities: tuple[EntityAnnotation, ...] | list[EntityAnnotation]) -> str:
    """Inverse of `parse_markup` (one annotation per span)."""
    out: list[str] = []
    cursor = 0
    for ann in sorted(entities, key=lambda a: a.start):
        if ann.start < cursor:
            continue  # overlapping annotations cannot be written inline
        surface = text[ann.start : ann.end]
        out.append(text[cursor : ann.start])
        if ann.role is None and ann.group is None:
            suffix = f"({ann.entity})" if ann.value == surface else f"({ann.entity}:{ann.value})"
        else:
            obj = {"entity": ann.entity}
            if ann.value != surface:
                obj["value"] = ann.value
            if ann.role is not None:
                obj["role"] = ann.role
            if ann.group is not None:
                obj["group"] = ann.group
            suffix = json.dumps(obj, ensure_ascii=False)
        out.append(f"[{surface}]{suffix}")
        cursor = ann.end
    out.append(text[cursor:])
    return "".join(out)
