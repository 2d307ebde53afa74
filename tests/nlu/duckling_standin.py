"""A tiny stand-in for Rasa's Duckling HTTP server (`POST /parse`, form-encoded, JSON list back), answered
by the in-process Duckling, so the `url:` mode is tested over real HTTP without a Duckling server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@contextmanager
def duckling_standin(status: int = 200) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """(url, requests seen): each request's form fields as a dict; answers with `status`."""
    from nlu.components.duckling import DucklingConfig, _LocalDuckling

    seen: list[dict[str, str]] = []
    engines: dict[tuple[str, str], _LocalDuckling] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            seen.append({**form, "path": self.path, "content-type": self.headers["Content-Type"]})
            dims = json.loads(form.get("dims", "null")) or []
            key = (form.get("locale", "en_US"), ",".join(dims))
            if key not in engines:
                engines[key] = _LocalDuckling(DucklingConfig(dimensions=tuple(dims) or None), key[0])
            tz = form.get("tz", "America/Los_Angeles")
            answer = engines[key].parse(form["text"], int(form["reftime"]), tz) if status == 200 else "no"
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
