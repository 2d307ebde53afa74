"""Is this text English? A simple check, because the default encoder (all-MiniLM-L6-v2) reads English only.

Two signals, both cheap and deterministic:
- script: if most letters are outside the Latin alphabet (Cyrillic, CJK, Arabic, ...), it is not English;
- function words: in English prose about a third of the words are the, of, and, to, is, ...; in German,
  French or Spanish text few of them occur. Texts of fewer than 8 words are let through (too short to say).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# English function words that are not also common words of German, French, Spanish or Dutch
_ENGLISH = frozenset(
    "the of and to is are was that it for with on as this be by at from have has had not but or they "
    "we you he she his her their which would there been were can if i my our your what who do does did "
    "it's i'm don't its them these those than then when how why about into just also because should "
    "could any some will".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
MIN_WORDS = 8
MIN_FUNCTION_SHARE = 0.08
MAX_FOREIGN_LETTERS = 0.3


@dataclass(frozen=True)
class LanguageVerdict:
    english: bool
    reason: str  # why not, for the message; "" when English


def check_english(text: str) -> LanguageVerdict:
    letters = [c for c in text if c.isalpha()]
    if letters:
        foreign = sum(1 for c in letters if not _latin(c)) / len(letters)
        if foreign > MAX_FOREIGN_LETTERS:
            return LanguageVerdict(False, f"{foreign:.0%} of its letters are not in the Latin alphabet")
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return LanguageVerdict(True, "")
    share = sum(1 for w in words if w in _ENGLISH) / len(words)
    if share < MIN_FUNCTION_SHARE:
        return LanguageVerdict(
            False, f"only {share:.0%} of its words are common English words, about 30% in English prose"
        )
    return LanguageVerdict(True, "")


def _latin(char: str) -> bool:
    try:
        return "LATIN" in unicodedata.name(char)
    except ValueError:
        return False
