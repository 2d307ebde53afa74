"""`SummarizerConfig`: every knob of the engine in one frozen dataclass, checked when it is built.

    SummarizerConfig.from_options({"sentences": 4, "redundancy": 0.3}, "endpoints.yml actions.x")

Unknown keys and wrong types fail with the key's name and the valid choices. The scoring defaults were
tuned on the 500 development documents of bench/summarization.py, three grid rounds
(bench/results/summarization_tuning_round{1,2,3}.json, best of round 3); the test split was not used.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from actions.summarization.errors import ConfigError

DEFAULT_HANDLE = "parley://all-minilm-l6-v2"  # the NLU's encoder (nlu.embeddings.DEFAULT_HANDLE)


@dataclass(frozen=True)
class SummarizerConfig:
    # encoder
    handle: str = DEFAULT_HANDLE
    batch_size: int = 256  # sentences per encoder call (the encoder buckets them by length inside)
    # default length budget, when a request names none
    sentences: int = 3
    words: int | None = None  # when set, the default budget is this many words instead of sentences
    # PacSum directed centrality: lambda_backward * sum_{j<i} e_ij + lambda_forward * sum_{j>i} e_ij,
    # over similarities e_ij thresholded at min + beta * (max - min)
    lambda_backward: float = -0.5
    lambda_forward: float = 1.0
    beta: float = 0.5
    # explicit lead bias: score_i = centrality_i (scaled to [0, 1]) + lead_weight * exp(-i / lead_decay)
    lead_weight: float = 1.0
    lead_decay: float = 16.0
    # MMR: pick argmax (1 - redundancy) * score_i - redundancy * max_{j picked} cos(i, j)
    redundancy: float = 0.2
    min_words: int = (
        5  # shorter sentences (bylines, "published : ." fragments) are picked only if nothing else is
    )
    window: int = 128  # long inputs: each sentence is compared with this many neighbours on each side
    # limits (a clear bad_input above them)
    max_chars: int = 200_000
    max_sentences: int = 4_000
    check_language: bool = True  # the default encoder reads English only

    def __post_init__(self) -> None:
        for name, low in (
            ("batch_size", 1),
            ("sentences", 1),
            ("min_words", 0),
            ("window", 1),
            ("max_chars", 1),
            ("max_sentences", 2),
        ):
            if getattr(self, name) < low:
                raise ConfigError(
                    f"summarization option {name!r} must be >= {low}, got {getattr(self, name)}"
                )
        if self.words is not None and self.words < 1:
            raise ConfigError(f"summarization option 'words' must be >= 1, got {self.words}")
        if not 0.0 <= self.redundancy <= 1.0:
            raise ConfigError(f"summarization option 'redundancy' must be in [0, 1], got {self.redundancy}")
        if not 0.0 <= self.beta < 1.0:
            raise ConfigError(f"summarization option 'beta' must be in [0, 1), got {self.beta}")
        if self.lead_decay <= 0:
            raise ConfigError(f"summarization option 'lead_decay' must be > 0, got {self.lead_decay}")

    @classmethod
    def from_options(
        cls, options: dict[str, Any] | None, source: str = "summarization options"
    ) -> SummarizerConfig:
        """A config from a YAML mapping; unknown keys and wrong types raise ConfigError naming `source`."""
        options = dict(options or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ConfigError(f"{source}: unknown option(s) {unknown}; valid: {sorted(known)}")
        clean: dict[str, Any] = {}
        for key, value in options.items():
            default = getattr(cls, key)
            clean[key] = _coerce(key, value, default, source)
        return cls(**clean)

    def replace(self, **changes: Any) -> SummarizerConfig:
        return SummarizerConfig.from_options({**self.to_dict(), **changes})

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _coerce(key: str, value: Any, default: Any, source: str) -> Any:
    if key == "words":
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise ConfigError(f"{source}: option 'words' must be an integer or null, got {value!r}")
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(default, float):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, str):
        if isinstance(value, str) and value.strip():
            return value
    raise ConfigError(f"{source}: option {key!r} must be {type(default).__name__}, got {value!r}")
