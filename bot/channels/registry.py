"""The channels Parley serves, by their credentials.yml key. Adding one: a module + one line below.

`load_channels` reads credentials.yml's sections at start-up: each known key builds its channel from
its validated section; an unknown key is an error naming the file, the key and the channels there are;
a Rasa channel Parley does not implement is named in a warning (the project still starts, unchanged).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.channels.base import InputChannel
from bot.errors import ConfigError
from nlu.yamlio import validate

log = logging.getLogger(__name__)

CHANNELS: dict[str, str | type[InputChannel]] = {
    "rest": "bot.channels.rest:RestInput",
    "callback": "bot.channels.callback:CallbackInput",
    "slack": "bot.channels.slack:SlackInput",
    "widget": "bot.channels.widget:WidgetInput",
    "socketio": "bot.channels.socketio:SocketIOInput",
}

# Rasa 3 channels (rasa.core.channels) that Parley does not serve (yet): named, never silently dropped.
RASA_CHANNELS_NOT_SERVED = (
    "twilio",
    "twilio_voice",
    "telegram",
    "mattermost",
    "facebook",
    "webexteams",
    "rocketchat",
    "botframework",
    "hangouts",
    "cisco",
    "microsoft",
    "audiocodes",
    "rasa",
)


def channel_class(name: str) -> type[InputChannel]:
    """The class registered for `name`: "module:Class" (imported when first used) or the class itself."""
    entry = CHANNELS[name]
    if not isinstance(entry, str):
        return entry
    module, _, attr = entry.partition(":")
    return getattr(importlib.import_module(module), attr)


def load_channels(credentials: Mapping[str, Any], path: Path | str = "credentials.yml") -> list[InputChannel]:
    """The channels credentials.yml asks for; REST is always served (as in Rasa, with defaults)."""
    sections = dict(credentials or {})
    sections.setdefault("rest", None)
    channels: list[InputChannel] = []
    ignored: list[str] = []
    for key, section in sections.items():
        if key in CHANNELS:
            channels.append(build_channel(key, section, path))
        elif key in RASA_CHANNELS_NOT_SERVED:
            ignored.append(key)
        else:
            raise ConfigError(
                path,
                key,
                f"unknown channel; Parley's channels: {', '.join(CHANNELS)}"
                f" (Rasa channels it does not serve yet: {', '.join(RASA_CHANNELS_NOT_SERVED)})",
            )
    if ignored:
        log.warning(
            "event=channels.not_served file=%s channels=%s: Parley does not serve these Rasa channels "
            "yet; their sections are not used (served: %s)",
            path,
            ",".join(ignored),
            ",".join(c.name for c in channels),
        )
    return channels


def build_channel(name: str, section: Any, path: Path | str = "credentials.yml") -> InputChannel:
    cls = channel_class(name)
    if section is not None and not isinstance(section, Mapping):
        raise ConfigError(path, name, f"must be empty or a mapping, got {type(section).__name__}")
    return cls(validate(cls.Settings, section if section is not None else {}, path=path, key_prefix=name))
