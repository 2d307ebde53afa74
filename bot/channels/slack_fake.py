"""A test double for Slack: a fake Web API on loopback that records every call, and request signing
exactly as Slack signs (for tests and bench/slack.py; the channel never imports it).

    with FakeSlackAPI() as api:                      # point slack_sdk at api.url (settings api_url)
        api.fail_next(1, status=429, retry_after=1)  # script failures, or api.failure_rate = 0.2
        headers = slack_signature(body, secret)      # X-Slack-Request-Timestamp + X-Slack-Signature
        api.wait_for(lambda: len(api.posts()) == 1)

Served: auth.test, chat.postMessage, chat.update, files.getUploadURLExternal, the upload URL it hands
out, files.completeUploadExternal, files.info, apps.connections.open (answers `socket_url`). A failed
call (scripted or random) is recorded with its status and does nothing else, so `posts()` holds only
what Slack would have shown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"


def slack_signature(body: bytes | str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: `v0=` + HMAC-SHA256(secret, "v0:{timestamp}:{body}") in hex."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode("utf-8"), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    status: int
    at: float
    token: str = ""
    ok: bool = True  # what Slack answered: {"ok": true} (a failure may come with HTTP 200 too)


@dataclass
class _Failure:
    status: int
    retry_after: int | None = None
    error: str = "internal_error"


@dataclass
class FakeSlackAPI:
    failure_rate: float = 0.0
    seed: int = 0
    socket_url: str = ""  # what apps.connections.open hands out (a Socket Mode test's WebSocket server)
    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    locales: dict[str, str] = field(default_factory=dict)  # users.info?include_locale=true per user id

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._scripted: list[_Failure] = []
        self._random = random.Random(self.seed)
        self._ts = 1_700_000_000_000_000
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, headers, reply = api._answer(self.path, self.headers, body)
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815 - slack_sdk sends a few methods (users.info) as GET + query

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ scripting and reading
    def fail_next(
        self, count: int = 1, status: int = 500, retry_after: int | None = None, error: str | None = None
    ) -> None:
        """The next `count` calls fail: HTTP `status` with `{"ok": false, "error": error}`."""
        error = error or ("ratelimited" if status == 429 else "internal_error")
        with self._lock:
            self._scripted.extend(_Failure(status, retry_after, error) for _ in range(count))

    def posts(self) -> list[dict[str, Any]]:
        """Messages Slack accepted (chat.postMessage that answered ok), in order."""
        with self._lock:
            return [c.args for c in self.calls if c.method == "chat.postMessage" and c.ok]

    def attempts(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(min(left, 0.05))
        return True

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.uploads.clear()
            self._scripted.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeSlackAPI:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ serving
    def _answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, str], Any]:
        method = path.split("?")[0].rsplit("/", 1)[-1]
        upload = path.startswith("/upload/")
        args = {"_bytes": len(body)} if upload else _arguments(headers.get("Content-Type") or "", body)
        if "?" in path and not upload:  # a GET's arguments
            args = {**{k: v[0] for k, v in parse_qs(path.split("?", 1)[1]).items()}, **args}
        token = (headers.get("Authorization") or "").removeprefix("Bearer ")
        with self._lock:
            failure = self._scripted.pop(0) if self._scripted else None
            if failure is None and self.failure_rate and self._random.random() < self.failure_rate:
                failure = _Failure(self._random.choice([500, 503]))
            if failure is not None:
                self.calls.append(Call(method, args, failure.status, time.monotonic(), token, ok=False))
                self._lock.notify_all()
                extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
                return (
                    failure.status,
                    {"Content-Type": "application/json", **extra},
                    {
                        "ok": False,
                        "error": failure.error,
                    },
                )
            if upload:
                self.uploads[method] = body
                reply: Any = b"OK - " + str(len(body)).encode()
                status, content_type = 200, "text/plain"
            else:
                status, content_type = 200, "application/json"
                reply = self._method(method, args)
            self.calls.append(Call(method, args, status, time.monotonic(), token))
            self._lock.notify_all()
        return status, {"Content-Type": content_type}, reply

    def _method(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": "T1"}
        if method in ("chat.postMessage", "chat.update"):
            self._ts += 1
            ts = f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {**args, "ts": ts}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.calls):06d}"
            return {
                "ok": True,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
                "file_id": file_id,
            }
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files or []]}
        if method == "apps.connections.open":
            return (
                {"ok": True, "url": self.socket_url}
                if self.socket_url
                else {"ok": False, "error": "no_socket"}
            )
        if method == "users.info":
            user = {"id": args.get("user")}
            if str(args.get("include_locale")).lower() in ("1", "true") and args.get("user") in self.locales:
                user["locale"] = self.locales[str(args["user"])]
            return {"ok": True, "user": user}
        if method == "files.info":
            return {"ok": True, "file": {"id": args.get("file")}}
        return {"ok": False, "error": "unknown_method"}


def _arguments(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        try:
            return json.loads(body)
        except ValueError:
            return {"_raw": body.decode("utf-8", "replace")}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    return {"_bytes": len(body)}
