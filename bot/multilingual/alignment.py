"""Entities found in the translation, located in the user's original text through the attention alignment.

The NLU extracts entities from the translated text; the translate-in step asks the engine for its
alignment (decoder attention: one row per target subword, one column per source subword), and each
entity's target subwords point, by their strongest attention, to source subwords, whose span (widened to
whole words) is reported as `original_start`, `original_end`, `original_value`. Where the subwords do not
spell the texts exactly (normalisation changed a character) nothing is added: the alignment does not allow it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EOS = "</s>"


def piece_offsets(pieces: Sequence[str], text: str) -> list[tuple[int, int]] | None:
    """Each piece's (start, end) in `text` (empty for `</s>`); None when the pieces do not spell it."""
    spans, pos = [], 0
    for piece in pieces:
        core = piece.lstrip("▁")
        if piece == EOS or not core:
            spans.append((pos, pos))
            continue
        found = text.find(core, pos)
        if found < 0 or text[pos:found].strip():
            return None
        spans.append((found, found + len(core)))
        pos = found + len(core)
    return spans if not text[pos:].strip() else None


def original_spans(
    entities: Sequence[dict[str, Any]], translation: Any, original: str, translated: str
) -> list[dict[str, Any]]:
    """`entities` (spans in `translated`), each with its span in `original` where the alignment allows."""
    alignment = getattr(translation, "alignment", None)
    if not alignment or not entities:
        return list(entities)
    source = piece_offsets(translation.source_tokens or (), original)
    target = piece_offsets(translation.target_tokens or (), translated)
    if source is None or target is None:
        return list(entities)
    words = [k for k, (a, b) in enumerate(source) if b > a]
    out = []
    for entity in entities:
        start, end = entity.get("start"), entity.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            out.append(dict(entity))
            continue
        rows = [
            i for i, (a, b) in enumerate(target) if b > a and a < end and b > start and i < len(alignment)
        ]
        cols = [max(words, key=lambda k, row=alignment[i]: row[k] if k < len(row) else -1.0) for i in rows]
        if not cols or not words:
            out.append(dict(entity))
            continue
        a, b = min(source[k][0] for k in cols), max(source[k][1] for k in cols)
        while a > 0 and original[a - 1].isalnum():
            a -= 1
        while b < len(original) and original[b].isalnum():
            b += 1
        out.append({**entity, "original_start": a, "original_end": b, "original_value": original[a:b]})
    return out
