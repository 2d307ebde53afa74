"""BILOU tags for entity spans on tokens, and the constrained Viterbi decoding back to spans."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlu.components.base import Token
from nlu.data.training_data import EntityAnnotation

OUTSIDE = "O"


def tag_names(entities: Sequence[str]) -> list[str]:
    """Index 0 is O; then B-, I-, L-, U- for each entity."""
    return [OUTSIDE] + [f"{p}-{e}" for e in entities for p in "BILU"]


def token_span(tokens: Sequence[Token], start: int, end: int) -> list[int]:
    return [i for i, t in enumerate(tokens) if t.start < end and t.end > start]


def encode(
    tokens: Sequence[Token], annotations: Sequence[EntityAnnotation], tags: Sequence[str]
) -> np.ndarray:
    """(n_tokens,) int tag ids; overlapping annotations keep the first."""
    index = {t: i for i, t in enumerate(tags)}
    out = np.zeros(len(tokens), dtype=np.int32)
    for ann in annotations:
        idx = token_span(tokens, ann.start, ann.end)
        if not idx or any(out[i] for i in idx) or f"U-{ann.entity}" not in index:
            continue
        if len(idx) == 1:
            out[idx[0]] = index[f"U-{ann.entity}"]
        else:
            out[idx[0]] = index[f"B-{ann.entity}"]
            for i in idx[1:-1]:
                out[i] = index[f"I-{ann.entity}"]
            out[idx[-1]] = index[f"L-{ann.entity}"]
    return out


def transition_mask(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Allowed (prev, next) pairs, allowed first tags and allowed last tags, as 0 / -inf log masks."""
    n = len(tags)
    allowed = np.full((n, n), -np.inf)
    for i, prev in enumerate(tags):
        for j, nxt in enumerate(tags):
            p_kind, p_ent = (prev.split("-", 1) + [""])[:2] if prev != OUTSIDE else ("O", "")
            n_kind, n_ent = (nxt.split("-", 1) + [""])[:2] if nxt != OUTSIDE else ("O", "")
            if p_kind in ("B", "I"):
                ok = n_kind in ("I", "L") and n_ent == p_ent
            else:
                ok = n_kind in ("O", "B", "U")
            if ok:
                allowed[i, j] = 0.0
    kinds = [t.split("-", 1)[0] if t != OUTSIDE else "O" for t in tags]
    first = np.array([0.0 if k in ("O", "B", "U") else -np.inf for k in kinds])
    last = np.array([0.0 if k in ("O", "L", "U") else -np.inf for k in kinds])
    return allowed, first, last


def viterbi(probs: np.ndarray, masks: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Best valid tag sequence for (n_tokens, n_tags) probabilities."""
    allowed, first, last = masks
    logp = np.log(np.clip(probs, 1e-9, 1.0))
    n = logp.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    score = logp[0] + first
    back = np.zeros((n, logp.shape[1]), dtype=np.int32)
    for t in range(1, n):
        cand = score[:, None] + allowed  # (prev, next)
        back[t] = np.argmax(cand, axis=0)
        score = cand[back[t], np.arange(logp.shape[1])] + logp[t]
    if n >= 1:
        score = score + last
    path = np.zeros(n, dtype=np.int32)
    path[-1] = int(np.argmax(score))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def decode(path: np.ndarray, tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(entity, first_token, last_token) for each span in a valid path."""
    spans: list[tuple[str, int, int]] = []
    begin = None
    for i, tag_id in enumerate(path):
        tag = tags[int(tag_id)]
        if tag == OUTSIDE:
            begin = None
            continue
        kind, entity = tag.split("-", 1)
        if kind == "U":
            spans.append((entity, i, i))
        elif kind == "B":
            begin = i
        elif kind == "L" and begin is not None:
            spans.append((entity, begin, i))
            begin = None
    return spans
