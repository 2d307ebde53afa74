"""DucklingEntityExtractor: numbers, dates, emails, amounts, ... as Rasa's Duckling extractor returns them.

Two ways to reach Duckling, as Rasa's keys say:
    no `url`    Duckling in process (the `pyduckling-native-phihos` wheel: Duckling compiled into the
                package, offline, no server)
    `url`       the Duckling HTTP server at that address, called as Rasa calls it (POST <url>/parse with
                text, locale, tz, dims, reftime); `RASA_DUCKLING_HTTP_URL` overrides the url, `TZ` the
                timezone, as in Rasa. A server that does not answer is logged as an error and the message
                gets no Duckling entities, as in Rasa.

Each entity is Rasa's: `entity` = the dimension, `value` (an interval is `{"from", "to"}`), `start`,
`end`, `text`, `additional_info` (Duckling's whole value), `confidence` 1.0, `extractor`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests

from nlu.components.base import Component, Message
from nlu.results import Entity

log = logging.getLogger(__name__)

DUCKLING_DEFAULT_TZ = "America/Los_Angeles"  # what a Duckling server assumes when no `tz` is sent
ZONEINFO = "/usr/share/zoneinfo"


@dataclass(frozen=True)
class DucklingConfig:
    dimensions: tuple[str, ...] | None = None  # None: every dimension Duckling has
    url: str | None = None
    locale: str | None = None  # None: `<language>_<LANGUAGE>` as Rasa sends it
    timezone: str | None = None
    timeout: float = 3.0
    language: str = "en"  # filled from config.yml's `language`

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")


class DucklingEntityExtractor(Component):
    name = "DucklingEntityExtractor"
    Config = DucklingConfig

    def __init__(self, config: DucklingConfig) -> None:
        super().__init__(config)
        self._local: _LocalDuckling | None = None if self._url() else _LocalDuckling(config, self.locale)

    @property
    def locale(self) -> str:
        lang = self.config.language.split("_")[0].split("-")[0]
        return self.config.locale or f"{lang}_{lang.upper()}"

    def _url(self) -> str | None:
        return os.environ.get("RASA_DUCKLING_HTTP_URL") or self.config.url

    def _timezone(self) -> str | None:
        return os.environ.get("TZ") or self.config.timezone

    def process(self, messages: list[Message]) -> None:
        for msg in messages:
            reftime = int(time.time()) * 1000
            url = self._url()
            if url:
                matches = self._http_parse(url, msg.text, reftime)
            else:
                assert self._local is not None
                matches = self._local.parse(msg.text, reftime, self._timezone() or DUCKLING_DEFAULT_TZ)
            msg.entities.extend(to_entities(matches, self.config.dimensions, self.name))

    def _http_parse(self, url: str, text: str, reftime: int) -> list[dict[str, Any]]:
        parse_url = urljoin(url, "/parse")
        payload = {
            "text": text,
            "locale": self.locale,
            "tz": self._timezone(),
            "dims": json.dumps(list(self.config.dimensions) if self.config.dimensions else None),
            "reftime": reftime,
        }
        try:
            reply = requests.post(
                parse_url,
                data=payload,
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
                timeout=self.config.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            log.error(
                "event=nlu.duckling.unreachable url=%s error='%s' note='no Duckling entities for this "
                "message; start the Duckling server, or remove url: to run Duckling in process'",
                parse_url, exc,
            )  # fmt: skip
            return []
        if reply.status_code != 200:
            log.error(
                "event=nlu.duckling.failed url=%s status=%d body='%s'", parse_url, reply.status_code,
                reply.text[:200],
            )  # fmt: skip
            return []
        return list(reply.json())


def to_entities(matches: list[dict[str, Any]], dimensions: Any, extractor: str) -> list[Entity]:
    """Duckling's matches as Rasa's entities, keeping only `dimensions` when given (as Rasa does)."""
    out = []
    for match in matches:
        if dimensions and match["dim"] not in dimensions:
            continue
        info = match["value"]
        if info.get("type") == "interval":
            value: Any = {"to": info.get("to", {}).get("value"), "from": info.get("from", {}).get("value")}
        else:
            value = info.get("value")
        text = match.get("body", match.get("text"))
        out.append(
            Entity(match["dim"], value, match["start"], match["end"], 1.0, extractor,
                   text=text, additional_info=info)
        )  # fmt: skip
    return out


class _LocalDuckling:
    """Duckling in this process (its Haskell runtime starts on import of `duckling`)."""

    def __init__(self, config: DucklingConfig, locale: str) -> None:
        try:
            import duckling
        except ImportError as exc:
            raise RuntimeError(
                "DucklingEntityExtractor without `url:` runs Duckling in process and needs the package "
                "pyduckling-native-phihos (pip install pyduckling-native-phihos), which did not import: "
                f"{exc}; or give `url:` of a Duckling server"
            ) from None
        if not os.path.isdir(ZONEINFO):
            raise RuntimeError(f"Duckling in process needs the time zone database in {ZONEINFO} (tzdata)")
        self._d = duckling
        self._zones = duckling.load_time_zones(ZONEINFO)
        lang = locale.split("_")[0].upper()
        self._locale = duckling.parse_locale(locale, duckling.default_locale_lang(duckling.parse_lang(lang)))
        self._dims = duckling.parse_dimensions(list(config.dimensions or ()))

    def parse(self, text: str, reftime_ms: int, timezone: str) -> list[dict[str, Any]]:
        ref = self._d.parse_ref_time(self._zones, timezone, reftime_ms // 1000)
        return list(self._d.parse(text, self._d.Context(ref, self._locale), self._dims, False))
