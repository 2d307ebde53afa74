"""A stand-in for TensorFlow Serving's REST API on loopback, running the real exported SavedModels.

TF Serving's container cannot run on these machines; this speaks the same predict and model-status JSON
(https://www.tensorflow.org/tfx/serving/api_rest) so Parley's client is tested through its real
request/response code against the real export. Row ("instances" -> "predictions") and columnar
("inputs" -> "outputs") formats, errors as {"error": ...} with TF Serving's status codes.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import tensorflow as tf
import tensorflow_text  # noqa: F401 - registers the sentencepiece ops the export uses

_PREDICT = re.compile(r"^/v1/models/([^/:]+)(?:/versions/(\d+))?:predict$")
_STATUS = re.compile(r"^/v1/models/([^/:]+)(?:/versions/(\d+))?$")


class TFServingStandIn:
    def __init__(self, models: dict[str, Path]) -> None:
        self.signatures = {
            name: tf.saved_model.load(str(path)).signatures["serving_default"]
            for name, path in models.items()
        }
        self.requests: list[dict] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                return

            def do_GET(self) -> None:
                match = _STATUS.match(self.path)
                if not match or match.group(1) not in standin.signatures:
                    return self._json(404, {"error": f"Servable not found for request: {self.path}"})
                status = {"error_code": "OK", "error_message": ""}
                self._json(
                    200, {"model_version_status": [{"version": "1", "state": "AVAILABLE", "status": status}]}
                )

            def do_POST(self) -> None:
                match = _PREDICT.match(self.path)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                standin.requests.append(body)
                if not match or match.group(1) not in standin.signatures:
                    name = match.group(1) if match else self.path
                    return self._json(404, {"error": f"Servable not found for request: Latest({name})"})
                try:
                    self._json(200, standin.predict(match.group(1), body))
                except (KeyError, TypeError, ValueError) as exc:
                    self._json(400, {"error": f"JSON Parse error: {exc}"})

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def predict(self, name: str, body: dict) -> dict:
        if body.get("signature_name", "serving_default") != "serving_default":
            raise ValueError(f"no signature {body['signature_name']!r}")
        if "inputs" in body:  # columnar
            inputs = body["inputs"]
            texts = inputs["text"] if isinstance(inputs, dict) else inputs
        else:  # row
            texts = [i["text"] if isinstance(i, dict) else i for i in body["instances"]]
        if not all(isinstance(t, str) for t in texts):
            raise TypeError("text must be strings")
        result = self.signatures[name](text=tf.constant(texts, tf.string))
        translations = [t.decode("utf-8") for t in result["translation"].numpy()]
        scores = [float(s) for s in result["score"].numpy()]
        if "inputs" in body:
            return {"outputs": {"translation": translations, "score": scores}}
        return {
            "predictions": [{"translation": t, "score": s} for t, s in zip(translations, scores, strict=True)]
        }

    def __enter__(self) -> TFServingStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
