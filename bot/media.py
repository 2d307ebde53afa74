"""Files actions publish for channels to show (a forecast plot, an upload): kept in Redis, served at
`GET /media/<id>`, so every server process can serve what any other published. They expire after
`ttl_s` (a day by default)."""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, Response, current_app

from bot.errors import NotFound

_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg", "text/plain": "txt"}
_ID = re.compile(r"^[0-9a-f]{32}\.(png|jpg|svg|txt)$")


class RedisMediaStore:
    def __init__(
        self, client, key_prefix: str = "parley:media:", ttl_s: int = 86_400, base_url: str = ""
    ) -> None:
        self.client = client
        self.key_prefix = key_prefix
        self.ttl_s = ttl_s
        self.base_url = base_url.rstrip("/")

    def publish(self, data: bytes, content_type: str) -> str:
        if content_type not in _TYPES:
            raise ValueError(f"media type {content_type!r} is not served; use one of {', '.join(_TYPES)}")
        media_id = f"{hashlib.sha256(data).hexdigest()[:32]}.{_TYPES[content_type]}"
        self.client.set(self.key_prefix + media_id, data, ex=self.ttl_s)
        return f"{self.base_url}/media/{media_id}"

    def get(self, media_id: str) -> tuple[bytes, str] | None:
        if not _ID.match(media_id):
            return None
        data = self.client.get(self.key_prefix + media_id)
        if data is None:
            return None
        ext = media_id.rsplit(".", 1)[1]
        return data, next(t for t, e in _TYPES.items() if e == ext)


bp = Blueprint("media", __name__)


@bp.get("/media/<media_id>")
def media(media_id: str):
    found = current_app.extensions["parley"].media.get(media_id)
    if found is None:
        raise NotFound(f"no media {media_id!r} here (media expire after a day); ask the assistant again")
    data, content_type = found
    return Response(data, mimetype=content_type, headers={"Cache-Control": "public, max-age=86400"})
