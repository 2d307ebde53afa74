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
from bot.yamlio import config_error
from nlu.yamlio import ConfigFileError, LineDict, validate

log = logging.getLogger(__name__)

INTERNAL_FIELD = "ignored_options"  # filled by build_config, never from config.yml
# Rasa options deprecated in Rasa 3 itself: accepted (with no effect) and named in their own WARNING
DEPRECATED_OPTIONS = {
    "use_nlu_confidence_as_score": "deprecated in Rasa 3; the NLU's confidence does not scale predictions",
}


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
    """A policy's frozen config from its `config.yml` entry, through the one validator
    (`nlu.yamlio.validate`): unknown keys, wrong types and refused values (a ValueError from the
    config's `__post_init__`) fail naming the file, the line and `policies[i].option`.

    Options in `ignored` (Rasa options the policy has no use for) are accepted and named in one
    WARNING, `event=dialogue.policy.options_ignored`; a config with an `ignored_options` field also
    gets their names (for the training summary).
    """
    skipped = sorted(name for name in options if name in ignored)
    if INTERNAL_FIELD in options:
        raise ConfigError(source, f"{key}.{INTERNAL_FIELD}", "unknown option; Parley fills it in itself")
    given = _without(options, set(skipped))
    for name in (n for n in skipped if n in DEPRECATED_OPTIONS):
        log.warning(
            "event=dialogue.policy.option_deprecated file=%s key=%s.%s note='%s'",
            source, key, name, DEPRECATED_OPTIONS[name],
        )  # fmt: skip
    if skipped:
        policy = cls.__name__.removesuffix("Config")
        log.warning(
            "event=dialogue.policy.options_ignored file=%s key=%s policy=%s options=%s "
            "note='Rasa options %s has no use for; they have no effect'",
            source, key, policy, ",".join(skipped), policy,
        )  # fmt: skip
        if any(f.name == INTERNAL_FIELD for f in fields(cls)):  # type: ignore[arg-type]
            given[INTERNAL_FIELD] = tuple(skipped)
    try:
        return validate(cls, given, path=str(source), key_prefix=key)
    except ConfigFileError as exc:
        raise config_error(exc) from None


def _without(options: dict[str, Any], names: set[str]) -> LineDict:
    out = LineDict((k, v) for k, v in options.items() if k not in names)
    out.line = getattr(options, "line", None)
    out.lines = {k: n for k, n in getattr(options, "lines", {}).items() if k not in names}
    return out
