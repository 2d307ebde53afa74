"""The registry of model-backed actions: name -> the class that implements it.

A project switches them on in `endpoints.yml`, each with its own settings:

    actions:
      action_translate: {}
      action_forecast:
        series: {visits: {csv: data/visits.csv, freq: H}}

Adding a model-backed action is one module with an `actions.sdk.Action` subclass and one line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from actions.errors import ActionConfigError
from actions.sdk import Action, ActionSettings

MODEL_BACKED: dict[str, str] = {
    "action_translate": "actions.translate:TranslateAction",
    "action_forecast": "actions.forecasting.action:ForecastAction",
    "action_summarize": "actions.summarization.action:SummarizeAction",
}


def action_class(name: str) -> type[Action]:
    if name not in MODEL_BACKED:
        raise ActionConfigError(
            "endpoints.yml",
            f"actions.{name}",
            f"no model-backed action of this name; known: {', '.join(sorted(MODEL_BACKED))}",
        )
    module, _, attr = MODEL_BACKED[name].partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ActionConfigError(
            "endpoints.yml", f"actions.{name}", f"{MODEL_BACKED[name]} cannot be loaded: {exc}"
        ) from exc


def build_model_backed(
    configured: Mapping[str, Mapping[str, Any]], settings_for: Callable[[str, dict[str, Any]], ActionSettings]
) -> dict[str, Callable[[], Action]]:
    """Build each configured action once, at start-up (so a bad setting fails there); name -> factory."""
    built: dict[str, Callable[[], Action]] = {}
    for name, options in configured.items():
        instance = action_class(name).from_settings(settings_for(name, dict(options or {})))
        built[name] = lambda instance=instance: instance
    return built
