"""The `slack:` section of credentials.yml: Rasa 3's keys, plus a few of Parley's, validated at start-up.

    slack:
      slack_token: "${SLACK_TOKEN}"                  # bot token, xoxb-...
      slack_signing_secret: "${SLACK_SIGNING_SECRET}"
      slack_channel: C0123456789                     # optional: only this channel (and direct messages)
      use_threads: false                             # true: every reply goes in the message's thread
      conversation_granularity: sender               # sender | channel | thread (as Rasa)
      proxy: null                                    # http(s) proxy for the Web API calls

`${NAME}` is replaced by the environment variable NAME (Rasa's substitution); an unset one is a start-up
error naming the variable. A missing `slack_token` / `slack_signing_secret` is read from SLACK_TOKEN /
SLACK_SIGNING_SECRET. Secrets are `SecretStr`: their repr is `**********`, and neither a log line nor an
error message ever carries them.
"""

from __future__ import annotations

import os
import re
from typing import Any, Literal

from pydantic import (
    Field,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.channels.base import ChannelSettings

_ENV_REF = re.compile(r"\$\{([^}]*)\}")
_ENV_FALLBACK = {"slack_token": "SLACK_TOKEN", "slack_signing_secret": "SLACK_SIGNING_SECRET"}
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")


def substitute_env(value: Any, environ: dict[str, str] | None = None) -> Any:
    """`"${SLACK_TOKEN}"` -> the variable's value; text around the reference is kept, as in Rasa."""
    if not isinstance(value, str) or "${" not in value:
        return value
    env = os.environ if environ is None else environ
    missing = [name for name in _ENV_REF.findall(value) if name not in env]
    if missing:
        raise ValueError(
            f"environment variable {', '.join(missing)} is not set; set it, or write the value in the file"
        )
    return _ENV_REF.sub(lambda m: env[m.group(1)], value)


class SlackSettings(ChannelSettings):
    slack_token: SecretStr
    slack_signing_secret: SecretStr
    slack_channel: str | None = None
    use_threads: bool = False
    conversation_granularity: Literal["sender", "channel", "thread"] = "sender"
    proxy: str | None = None
    # Rasa's retry keys are accepted so a Rasa credentials.yml loads unchanged; Parley needs none of them:
    # every delivery of an event (first or retry, any reason) is answered at most once (event_id de-dup).
    slack_retry_reason_header: str | None = None
    slack_retry_number_header: str | None = None
    errors_ignore_retry: list[str] | None = None
    # Parley's own.
    workers: PositiveInt = 16  # turns run after the ack, at most this many at once per process
    max_pending: PositiveInt = 1000  # accepted turns waiting for a worker; beyond it Slack gets 503
    dedup_ttl_s: PositiveInt = 86_400  # how long an event_id is remembered (Slack retries for ~1 h)
    send_attempts: PositiveInt = 4  # tries per Web API call beyond slack_sdk's own retry handlers
    send_backoff_s: PositiveFloat = 0.5
    redeliver_interval_s: PositiveFloat = 30.0  # replies Slack did not take are sent again this often
    redeliver_max_age_s: PositiveFloat = 3600.0  # ... for this long, then dropped (logged)
    api_url: str = "https://slack.com/api/"  # the Web API base URL (tests point it at a fake)
    api_timeout_s: PositiveInt = 30
    socket_mode: bool = False  # receive events over a WebSocket instead of the public HTTP routes
    # xapp-... with connections:write, for socket_mode (validated even when absent: socket_mode needs it)
    slack_app_token: SecretStr | None = Field(default=None, validate_default=True)
    key_prefix: str = Field(default="parley:slack:", min_length=1)
    # a multilingual bot starts a conversation in the user's Slack locale (users.info, scope users:read)
    user_locale: bool = True

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_environment(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, variable in _ENV_FALLBACK.items():
                if data.get(key) in (None, "") and os.environ.get(variable):
                    data = {**data, key: os.environ[variable]}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _environment_references(cls, value: Any) -> Any:
        return substitute_env(value)

    @field_validator("slack_token", "slack_signing_secret", "slack_app_token")
    @classmethod
    def _not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("is empty; set it (or its environment variable)")
        return value

    @field_validator("slack_channel")
    @classmethod
    def _channel_id(cls, value: str | None) -> str | None:
        if value is not None and not _CHANNEL_ID.match(value):
            raise ValueError(
                f"{value!r} is not a channel ID; events name channels by ID (C0123456789: the channel's"
                " details, at the bottom of the About tab)"
            )
        return value

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_app_token")
    @classmethod
    def _socket_mode_needs_app_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # a field's error (not the model's), so the message never carries the other, secret, values
        if value is None and info.data.get("socket_mode"):
            raise ValueError("socket_mode needs slack_app_token (an app-level xapp- token)")
        return value
