"""Reads Rasa 3 NLU training data (YAML) from files and folders, with file:line in every error.

Supports `- intent:` (examples as a `|` block of `- ` lines or as a list of `text:` items), inline
entities (see `markup.py`), `- synonym:`, `- regex:`, `- lookup:` (inline, or a path to a text file with
one element per line). Other top-level sections (`stories`, `rules`, `responses`) belong to the
dialogue side and are skipped; files that look like a domain are skipped too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from nlu.data.markup import MarkupError, parse_markup
from nlu.data.training_data import Example, LookupTable, RegexPattern, TrainingData
from nlu.errors import TrainingDataError
from nlu.yamlio import ConfigFileError, compose_yaml, read_text

log = logging.getLogger(__name__)

DATA_SECTIONS = ("version", "nlu", "stories", "rules", "responses", "e2e_tests")
DOMAIN_SECTIONS = {"intents", "entities", "slots", "actions", "forms", "session_config"}
ITEM_KEYS = {
    "intent": ("intent", "examples", "metadata"),
    "synonym": ("synonym", "examples"),
    "regex": ("regex", "examples"),
    "lookup": ("lookup", "examples"),
}
YAML_SUFFIXES = (".yml", ".yaml")


def load_training_data(paths: Sequence[Path | str] | Path | str) -> TrainingData:
    """All NLU data under `paths` (files, or folders searched recursively for *.yml / *.yaml)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    data = TrainingData()
    files = list(_expand(Path(p) for p in paths))
    for path in files:
        data = data.merge(read_file(path))
    _check_duplicates(data)
    return data


def _expand(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        elif path.is_file():
            yield path
        else:
            raise TrainingDataError(path, None, "no such file or folder")


def read_file(path: Path) -> TrainingData:
    try:
        text = read_text(path)
    except ConfigFileError as exc:
        raise TrainingDataError(exc.path, exc.line, exc.problem) from None
    return read_yaml(text, path)


def read_yaml(text: str, path: Path | str = "<string>") -> TrainingData:
    try:
        root = compose_yaml(path, text)
    except ConfigFileError as exc:
        raise TrainingDataError(exc.path, exc.line, exc.problem) from None
    data = TrainingData()
    if root is None:
        return data
    if not isinstance(root, MappingNode):
        raise TrainingDataError(path, _line(root), "expected a mapping with 'version' and 'nlu' at the top")
    keys = {k.value for k, _ in root.value if isinstance(k, ScalarNode)}
    if keys & DOMAIN_SECTIONS:
        log.debug("event=nlu.data.skip_domain file=%s", path)
        return data
    for key_node, value_node in root.value:
        key = key_node.value
        if key not in DATA_SECTIONS:
            raise TrainingDataError(
                path,
                _line(key_node),
                f"unknown top-level key '{key}'; valid keys: {', '.join(DATA_SECTIONS)}",
            )
        if key == "version" and not str(value_node.value).startswith(("2", "3")):
            data.warnings.append(
                f"{path}:{_line(value_node)}: version {value_node.value!r} is not a Rasa 3 format"
            )
        if key == "nlu":
            _read_nlu(value_node, path, data)
    return data


def _read_nlu(node: Node, path: Path | str, data: TrainingData) -> None:
    if isinstance(node, ScalarNode) and node.value in ("", "null", "~"):
        return
    if not isinstance(node, SequenceNode):
        raise TrainingDataError(path, _line(node), "'nlu' must be a list of '- intent:' / '- synonym:' items")
    for item in node.value:
        if not isinstance(item, MappingNode):
            raise TrainingDataError(
                path, _line(item), "each 'nlu' item must be a mapping such as '- intent: greet'"
            )
        fields = {k.value: (k, v) for k, v in item.value}
        kinds = [k for k in ITEM_KEYS if k in fields]
        if len(kinds) != 1:
            raise TrainingDataError(
                path,
                _line(item),
                f"an 'nlu' item needs exactly one of {', '.join(ITEM_KEYS)}; "
                f"found keys {', '.join(fields) or 'none'}",
            )
        kind = kinds[0]
        for key, (key_node, _) in fields.items():
            if key not in ITEM_KEYS[kind]:
                raise TrainingDataError(
                    path,
                    _line(key_node),
                    f"unknown key '{key}' in '{kind}' item; valid keys: {', '.join(ITEM_KEYS[kind])}",
                )
        name_node = fields[kind][1]
        name = name_node.value if isinstance(name_node, ScalarNode) else None
        if not name or not str(name).strip():
            raise TrainingDataError(path, _line(name_node), f"'{kind}' needs a name")
        name = str(name).strip()
        examples = _examples(fields.get("examples"), path, item, kind, name)
        if kind == "intent":
            for line, raw in examples:
                stray: list[str] = []
                try:
                    text, entities = parse_markup(raw, stray)
                except MarkupError as exc:
                    raise TrainingDataError(
                        path, line, f"intent '{name}', example {raw!r}: {exc.problem}"
                    ) from None
                if not text.strip():
                    raise TrainingDataError(path, line, f"intent '{name}' has an empty example")
                for note in stray:
                    message = f"{path}:{line}: intent '{name}', example {raw!r}, {note}"
                    data.warnings.append(message)
                    log.warning("event=nlu.data.stray_bracket %s", message)
                base, slash, _ = name.partition("/")  # Rasa's retrieval intent: faq/ask_channels
                key = name if slash else None
                data.examples.append(Example(text, base, entities, f"{path}:{line}", response_key=key))
                for ann in entities:
                    surface = text[ann.start : ann.end]
                    if ann.value != surface:
                        data.synonyms[surface.lower()] = ann.value
        elif kind == "synonym":
            for _, raw in examples:
                data.synonyms[raw.lower()] = name
        elif kind == "regex":
            data.regexes.extend(RegexPattern(name, raw) for _, raw in examples)
        else:
            data.lookups.append(LookupTable(name, tuple(raw for _, raw in examples)))


def _examples(
    entry: tuple[Node, Node] | None, path: Path | str, item: Node, kind: str, name: str
) -> list[tuple[int, str]]:
    """(line, text) pairs of an item's `examples`."""
    if entry is None or (isinstance(entry[1], ScalarNode) and not entry[1].value.strip()):
        raise TrainingDataError(path, _line(item), f"{kind} '{name}' has no examples")
    node = entry[1]
    out: list[tuple[int, str]] = []
    if isinstance(node, ScalarNode):
        value = node.value
        if kind == "lookup" and "\n" not in value.strip() and not value.lstrip().startswith("- "):
            return _lookup_file(value.strip(), path, node)
        first = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
        for offset, raw_line in enumerate(value.split("\n")):
            stripped = raw_line.strip()
            if not stripped:
                continue
            if not stripped.startswith("-"):
                raise TrainingDataError(
                    path,
                    first + offset,
                    f"{kind} '{name}': example lines must start with '- ', got {stripped!r}",
                )
            text = stripped[1:].strip()
            if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
                text = text[1:-1]
            if text:
                out.append((first + offset, text))
    elif isinstance(node, SequenceNode):
        for child in node.value:
            if isinstance(child, ScalarNode):
                out.append((_line(child), str(child.value).strip()))
            elif isinstance(child, MappingNode):
                fields = {k.value: v for k, v in child.value}
                unknown = sorted(set(fields) - {"text", "metadata"})
                if unknown or "text" not in fields or not isinstance(fields["text"], ScalarNode):
                    raise TrainingDataError(
                        path,
                        _line(child),
                        f"{kind} '{name}': an example item needs 'text' (and optional 'metadata')",
                    )
                out.append((_line(fields["text"]), fields["text"].value.strip()))
    else:
        raise TrainingDataError(
            path, _line(node), f"{kind} '{name}': 'examples' must be a '|' block or a list"
        )
    if not out:
        raise TrainingDataError(path, _line(item), f"{kind} '{name}' has no examples")
    return out


def _lookup_file(ref: str, path: Path | str, node: Node) -> list[tuple[int, str]]:
    candidates = [Path(ref)] if Path(ref).is_absolute() else [Path(path).parent / ref, Path(ref)]
    for candidate in candidates:
        if candidate.is_file():
            try:
                lines = read_text(candidate).splitlines()
            except ConfigFileError as exc:
                raise TrainingDataError(exc.path, exc.line, f"lookup table: {exc.problem}") from None
            out = [(_line(node), ln.strip().lstrip("-").strip()) for ln in lines if ln.strip()]
            if out:
                return out
    raise TrainingDataError(
        path, _line(node), f"lookup table file '{ref}' not found (looked in {candidates[0]})"
    )


def _check_duplicates(data: TrainingData) -> None:
    seen: dict[str, tuple[str, str]] = {}
    for ex in data.examples:
        key = ex.text.strip().lower()
        if key in seen and seen[key][0] != ex.full_intent:
            message = (
                f"{ex.source}: example {ex.text!r} is listed under intent '{ex.full_intent}' and also under "
                f"'{seen[key][0]}' at {seen[key][1]}"
            )
            data.warnings.append(message)
            log.warning("event=nlu.data.duplicate_example %s", message)
        seen.setdefault(key, (ex.full_intent, ex.source))


def _line(node: Node) -> int:
    return node.start_mark.line + 1
