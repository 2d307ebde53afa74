"""The NMT engine as the conversation uses it: cached, failure-tolerant, templates with their {slots} kept.

`MessageTranslator.text(text, source, target)` -> the translation, or None when the engine failed (the
failure is logged as a warning; the caller keeps the original text). Repeated texts (response templates,
"yes", "thanks") come from an LRU cache. `template()` translates a response template before its slots
are filled, so slot values are never translated: the template is translated whole when the model keeps
every `{placeholder}`, else piece by piece between the placeholders.
`DictTranslation` is the in-memory double of the engine for tests.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")


class TranslationEngine(Protocol):
    """What `translation.service.TranslationService` offers: each result has `.text`."""

    def translate(
        self, texts: Sequence[str], source: str, target: str, *, beam: int = 4, alignments: bool = False
    ) -> list[Any]: ...


class MessageTranslator:
    def __init__(
        self, engine: TranslationEngine, *, beam_in: int = 1, beam_out: int = 4, cache_size: int = 4096
    ) -> None:
        self.engine, self.beam_in, self.beam_out = engine, beam_in, beam_out
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str, str, int], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.failures = 0

    def text(self, text: str, source: str, target: str, beam: int | None = None) -> str | None:
        """`text` in `target`, or None when the engine failed (logged)."""
        if source == target or not text.strip():
            return text
        result = self.aligned(text, source, target, beam)
        return None if result is None else result.text

    def aligned(self, text: str, source: str, target: str, beam: int | None = None) -> Any | None:
        """The engine's translation of `text` with its alignment (`.text`, `.alignment`, `.source_tokens`,
        `.target_tokens`), or None when the engine failed (logged)."""
        if source == target or not text.strip():
            return _Result(text)
        beam = beam or self.beam_in
        key = (source, target, text, beam)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            result = self.engine.translate([text], source, target, beam=beam, alignments=True)[0]
        except Exception as exc:  # noqa: BLE001 - any engine failure: the caller keeps the original text
            self.failures += 1
            log.warning(
                "event=multilingual.translation_failed pair=%s-%s chars=%d error=%s: %s",
                source,
                target,
                len(text),
                type(exc).__name__,
                exc,
            )
            return None
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return result

    def template(self, template: str, source: str, target: str) -> str | None:
        """A response template in `target`, its `{placeholders}` untouched; None when the engine failed."""
        placeholders = _PLACEHOLDER.findall(template)
        whole = self.text(template, source, target, self.beam_out)
        if whole is None or not placeholders or Counter(_PLACEHOLDER.findall(whole)) == Counter(placeholders):
            return whole
        out: list[str] = []
        for piece in re.split(f"({_PLACEHOLDER.pattern})", template):
            if _PLACEHOLDER.fullmatch(piece) or not any(c.isalpha() for c in piece):
                out.append(piece)
                continue
            translated = self.text(piece.strip(), source, target, self.beam_out)
            if translated is None:
                return None
            lead = " " if piece[:1].isspace() else ""
            trail = " " if piece[-1:].isspace() else ""
            out.append(f"{lead}{translated}{trail}")
        return "".join(out)


@dataclass(frozen=True)
class _Result:
    text: str
    alignment: Any = None
    source_tokens: tuple[str, ...] | None = None
    target_tokens: tuple[str, ...] | None = None


class DictTranslation:
    """The engine's test double: known translations per pair; an unknown text comes back as `[xx] text`."""

    def __init__(
        self,
        table: Mapping[tuple[str, str], Mapping[str, str]],
        fail: bool = False,
        alignments: Mapping[str, Any] | None = None,
    ) -> None:
        """`alignments`: source text -> (alignment rows, source pieces, target pieces), for some texts."""
        self.table = {pair: dict(texts) for pair, texts in table.items()}
        self.fail = fail
        self.alignments = dict(alignments or {})
        self.calls: list[tuple[str, str, str]] = []

    def translate(
        self, texts: Sequence[str], source: str, target: str, *, beam: int = 4, alignments: bool = False
    ) -> list[_Result]:
        if self.fail:
            raise RuntimeError(f"the {source}-{target} model is broken")
        self.calls.extend((source, target, t) for t in texts)
        known = self.table.get((source, target), {})
        out = []
        for t in texts:
            rows, src, tgt = self.alignments.get(t, (None, None, None)) if alignments else (None, None, None)
            out.append(_Result(known.get(t, f"[{target}] {t}"), rows, src, tgt))
        return out
