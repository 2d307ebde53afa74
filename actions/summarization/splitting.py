"""Text -> sentences, with pysbd (rule-based, its rules ship in the package: nothing is downloaded).

    split_sentences("Dr. Smith arrived. He sat down.")  ->  ["Dr. Smith arrived.", "He sat down."]

Paragraphs (blank lines) always end a sentence; a single newline is read as a space, so hard-wrapped text
joins up again. pysbd leans on capital letters, so lowercased text (chat, or tokenized corpora such as
CNN/Daily Mail, where "economy . obama said" stays one segment) gets one extra rule: a `.`, `!` or `?`
standing alone between spaces, optionally followed by a closing quote (`''` or `"`), ends a sentence.
Abbreviations keep their period attached ("u.s.", "Dr."), so they are not cut by that rule.
"""

from __future__ import annotations

import re
import threading

_PARAGRAPH = re.compile(r"\n\s*\n")
_STANDALONE_END = re.compile(r"\s[.!?]+(?:\s+(?:''|\"))?(?=\s+\S)")
_SPACES = re.compile(r"\s+")
_CLOSING_QUOTE = re.compile(r"^('')(?:\s+|$)")  # PTB's closing quote; a plain " may open a sentence

_local = threading.local()  # pysbd's Segmenter keeps state per call: one per thread


def _segmenter():
    seg = getattr(_local, "segmenter", None)
    if seg is None:
        import pysbd

        seg = _local.segmenter = pysbd.Segmenter(language="en", clean=False)
    return seg


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order, each stripped and with inner whitespace collapsed; no empty ones."""
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = _SPACES.sub(" ", paragraph).strip()
        if not paragraph:
            continue
        for segment in _segmenter().segment(paragraph):
            for piece in _split_standalone(segment):
                closing = _CLOSING_QUOTE.match(piece)
                if closing and out:  # a closing quote cut off the sentence it closes: give it back
                    out[-1] = f"{out[-1]} {closing.group(1)}"
                    piece = piece[closing.end() :].strip()
                if piece:
                    out.append(piece)
    return out


def _split_standalone(segment: str) -> list[str]:
    pieces, start = [], 0
    for match in _STANDALONE_END.finditer(segment):
        pieces.append(segment[start : match.end()])
        start = match.end()
    pieces.append(segment[start:])
    return [p.strip() for p in pieces if p.strip()]


def count_words(sentence: str) -> int:
    return len(sentence.split())
