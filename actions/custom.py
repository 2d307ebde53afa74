"""Custom Python actions from the project's actions module, as Rasa finds them.

The module is Rasa's default: `<project>/actions.py` or every `.py` file in `<project>/actions/`.
A class counts as an action when it defines `name()` and `run(dispatcher, tracker, domain)`:

- Parley actions (subclasses of `actions.sdk.Action`, or any class with those two methods) get the
  action-facing API of actions/sdk.py;
- classes built on `rasa_sdk.Action` (including `FormValidationAction`) run in-process through an
  adapter that hands them rasa_sdk's own Tracker, CollectingDispatcher and domain dict, so the same
  file also works unchanged under `python -m rasa_sdk --actions actions`.
"""

from __future__ import annotations

import asyncio
import importlib.util
import inspect
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from actions.errors import ActionConfigError
from actions.sdk import Action, ActionRejected, CollectingDispatcher, EventDict, Tracker

log = logging.getLogger(__name__)


def action_module_files(project_root: Path) -> list[Path]:
    root = Path(project_root)
    if (root / "actions.py").is_file():
        return [root / "actions.py"]
    folder = root / "actions"
    if folder.is_dir():
        return sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    return []


def load_custom_actions(project_root: Path) -> dict[str, Callable[[], Action]]:
    """Action name -> factory for every action class in the project's actions module."""
    found: dict[str, Callable[[], Action]] = {}
    for file in action_module_files(project_root):
        for name, factory in _actions_in(file).items():
            if name in found:
                raise ActionConfigError(file, name, "two action classes have this name")
            found[name] = factory
            log.info("event=custom_action.loaded name=%s file=%s", name, file)
    return found


def _actions_in(file: Path) -> dict[str, Callable[[], Action]]:
    module_name = f"parley_project_actions.{file.stem}_{abs(hash(str(file.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        return {}
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ActionConfigError(
            file, None, f"the actions module failed to import: {exc.__class__.__name__}: {exc}"
        ) from exc
    found: dict[str, Callable[[], Action]] = {}
    for obj in vars(module).values():
        if not inspect.isclass(obj) or obj.__module__ != module_name or inspect.isabstract(obj):
            continue
        if not (callable(getattr(obj, "name", None)) and callable(getattr(obj, "run", None))):
            continue
        try:
            name = obj().name()
        except NotImplementedError:
            continue
        if name in found:
            raise ActionConfigError(file, name, "two action classes have this name")
        found[name] = _sdk_factory(obj) if _is_rasa_sdk_action(obj) else obj
    return found


def _is_rasa_sdk_action(cls: type) -> bool:
    return any(base.__module__.startswith("rasa_sdk") for base in cls.__mro__[1:])


def _sdk_factory(cls: type) -> Callable[[], Action]:
    return lambda: RasaSdkAdapter(cls())


class RasaSdkAdapter(Action):
    """Runs a rasa_sdk action in-process with rasa_sdk's own types; its output is passed through."""

    def __init__(self, action: Any) -> None:
        self.action = action

    def name(self) -> str:
        return str(self.action.name())

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventDict]:
        from rasa_sdk import Tracker as SdkTracker
        from rasa_sdk.executor import CollectingDispatcher as SdkDispatcher
        from rasa_sdk.interfaces import ActionExecutionRejection

        sdk_dispatcher = SdkDispatcher()
        sdk_tracker = SdkTracker.from_dict(tracker.current_state())
        try:
            result = self.action.run(sdk_dispatcher, sdk_tracker, domain)
            if inspect.isawaitable(result):
                result = asyncio.run(_await(result))
        except ActionExecutionRejection as exc:
            raise ActionRejected(self.name(), str(exc)) from exc
        dispatcher.messages.extend(sdk_dispatcher.messages)
        return list(result or [])


async def _await(awaitable: Any) -> Any:
    return await awaitable
