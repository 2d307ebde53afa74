"""The policy interface, the prediction it returns, and config parsing shared by all policies."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bot.dialogue.domain import Domain
from bot.dialogue.stories import DialogueData
from bot.dialogue.tracker import Tracker
from bot.errors import ConfigError

log = logging.getLogger(__name__)

INTERNAL_FIELD = "ignored_options"  # filled by build_config, never from config.yml


@dataclass(frozen=True)
class Prediction:
    action: str
    confidence: float
    policy: str
    priority: int = 0
    events: tuple[Any, ...] = field(default=())


class Policy(Protocol):
    name: str
    priority: int

    def train(self, data: DialogueData, domain: Domain) -> dict[str, Any]:
        """Learn from rules and stories; returns a summary (counts) for the CLI."""

    def predict(
        self, tracker: Tracker, domain: Domain, excluded: frozenset[str] = frozenset()
    ) -> Prediction | None:
        """The next action, never one of `excluded` (actions that just refused to run)."""

    def save(self, directory: Path) -> None: ...


C = TypeVar("C")


def build_config(
    cls: type[C], options: dict[str, Any], *, source: object, key: str, ignored: frozenset[str] = frozenset()
) -> C:
    """A policy's frozen config from its `config.yml` entry; unknown keys fail naming file and key.

    Options in `ignored` (Rasa options the policy has no use for) are accepted and named in one
    WARNING, `event=dialogue.policy.options_ignored`; a config with an `ignored_options` field also
    gets their names (for the training summary). A value the config refuses (its `__post_init__`
    raises ValueError) is a ConfigError naming the policy's key.
    """
    known = {f.name: f for f in fields(cls) if f.name != INTERNAL_FIELD}  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    skipped = sorted(name for name in options if name in ignored)
    for name, value in options.items():
        if name in ignored:
            continue
        if name not in known:
            valid = ", ".join(sorted({*known, *ignored}))
            raise ConfigError(source, f"{key}.{name}", f"unknown option; valid: {valid}")
        default = getattr(cls, name, None)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise ConfigError(source, f"{key}.{name}", f"must be true or false, got {value!r}")
        if isinstance(default, int | float) and not isinstance(default, bool):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(source, f"{key}.{name}", f"must be a number, got {value!r}")
            value = type(default)(value) if isinstance(default, float) else value
        kwargs[name] = value
    if skipped:
        policy = cls.__name__.removesuffix("Config")
        log.warning(
            "event=dialogue.policy.options_ignored file=%s key=%s policy=%s options=%s "
            "note='Rasa options %s has no use for; they have no effect'",
            source, key, policy, ",".join(skipped), policy,
        )  # fmt: skip
        if any(f.name == INTERNAL_FIELD for f in fields(cls)):  # type: ignore[arg-type]
            kwargs[INTERNAL_FIELD] = tuple(skipped)
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise ConfigError(source, key, str(exc)) from None
