"""`build_multilingual()`: the start-up step that checks the models a user language needs and builds
`Multilingual` (None for a monolingual bot). A user language without a trained model for either
direction is a `ConfigError` naming config.yml's key and the folder; nothing falls back silently.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from bot.errors import ConfigError
from bot.languages import LanguageSettings
from bot.multilingual.conversation import Multilingual
from bot.multilingual.detection import LanguageDetector, LinguaDetector
from bot.multilingual.translate import MessageTranslator

log = logging.getLogger(__name__)


class PairLike(Protocol):
    source: str
    target: str
    model: Path


def check_models(settings: LanguageSettings, pairs: Sequence[PairLike], config_path: Path) -> None:
    """Each user language's two directions have a trained model folder (config.json in it)."""
    for code in settings.foreign:
        for source, target in ((code, settings.bot), (settings.bot, code)):
            index, pair = next(
                (i, p) for i, p in enumerate(pairs) if (p.source, p.target) == (source, target)
            )  # present: read_language_settings checked it
            if not (Path(pair.model) / "config.json").is_file():
                raise ConfigError(
                    config_path,
                    f"translation.pairs[{index}].model",
                    f"no trained {source}-{target} model in {pair.model} (languages: lists {code!r}); "
                    "train it with `parley translate train` (`make run` trains the demo's)",
                )


def build_multilingual(
    settings: LanguageSettings,
    pairs: Sequence[PairLike],
    engine: Any | None,
    config_path: Path,
    detector: LanguageDetector | None = None,
) -> Multilingual | None:
    if not settings.multilingual:
        return None
    check_models(settings, pairs, config_path)
    if engine is None:
        raise ConfigError(config_path, "languages", "user languages need the translation models loaded")
    loaded = set(engine.pairs()) if hasattr(engine, "pairs") else None
    for code in settings.foreign:
        for pair in ((code, settings.bot), (settings.bot, code)):
            if loaded is not None and pair not in loaded:
                raise ConfigError(
                    config_path, "translation.pairs", f"the {pair[0]}-{pair[1]} model did not load"
                )
    if detector is None:
        detector = LinguaDetector(
            settings.users,
            settings.detection.recognise,
            settings.detection.min_confidence,
            source=str(config_path),
        )
    log.info("event=multilingual.ready bot=%s users=%s", settings.bot, ",".join(settings.users))
    return Multilingual(settings, detector, MessageTranslator(engine))
