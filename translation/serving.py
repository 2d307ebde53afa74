"""A translator that asks TensorFlow Serving: the exported SavedModel (translation/export.py) served out
of process, so bot workers do not hold the translation models.

    POST {url}/v1/models/{model}:predict
         {"signature_name": "serving_default", "inputs": {"text": ["Hello", ...]}}      (columnar)
    <-   {"outputs": {"translation": ["Hallo", ...], "score": [-0.12, ...]}}
    <-   {"error": "..."} with a 4xx/5xx status when TF Serving refuses or fails

`ServingTranslator` has what `TranslationService` uses of a `Translator` (source, target, subwords,
decode, translate), so splitting long texts, micro-batching and the pair checks are the same code for
both. It reads only config.json and the sentencepiece files of the model directory (for the input
length checks), never the weights. The beam is the one baked into the export; alignments need the
in-process model.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from pydantic import BaseModel, ConfigDict, Field

from nlu.yamlio import validate
from translation.config import DecodeConfig, from_dict
from translation.errors import ModelNotFound, ModelServerError, TranslationError
from translation.subwords import Subwords

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"  # translation/translator.py's (not imported: it loads Keras)


@dataclass(frozen=True)
class ServedHypothesis:
    """What TranslationService reads of a translator's hypothesis (translator.Hypothesis's fields)."""

    text: str
    score: float
    attention: None = None
    source_tokens: tuple[str, ...] = ()
    target_tokens: tuple[str, ...] = ()


class ServerConfig(BaseModel):
    """endpoints.yml `translation_server:`. Unknown keys and wrong types are refused.

    translation_server:
      url: http://tfserving:8501    # TF Serving's REST port
      timeout: 10                   # seconds per request
      model: en-de                  # the served model's name, for a single pair; or, per pair:
      models: {en-de: en-de, de-en: de-en}   # (default: the pair's name, `<source>-<target>`)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    url: str = Field(pattern=r"^https?://")
    timeout: float = Field(10.0, gt=0)
    model: str | None = None
    models: dict[str, str] = Field(default_factory=dict)

    def model_for(self, source: str, target: str) -> str:
        pair = f"{source}-{target}"
        return self.models.get(pair) or self.model or pair


def load_server_config(raw: Any, path: Path) -> ServerConfig | None:
    """The section read through nlu.yamlio.validate (file, line and key in the error); None if absent."""
    if raw is None:
        return None
    return validate(ServerConfig, raw, path=path, key_prefix="translation_server")


class ServingTranslator:
    def __init__(
        self,
        url: str,
        model: str,
        source: str,
        target: str,
        subwords: Subwords,
        decode: DecodeConfig,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url, self.model, self.timeout = url.rstrip("/"), model, timeout
        self.source, self.target, self.subwords, self.decode = source, target, subwords, decode
        self.session = session or requests.Session()

    @classmethod
    def load(cls, directory: Path, server: ServerConfig) -> ServingTranslator:
        cfg_file = Path(directory) / CONFIG_FILE
        if not cfg_file.is_file():
            raise ModelNotFound(f"no {CONFIG_FILE} in {directory} (languages and subwords are read from it)")
        cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
        subwords = Subwords.load(Path(directory), cfg["source"], cfg["target"], cfg["joint"])
        decode = from_dict(DecodeConfig, cfg.get("decode", {}), cfg_file, "decode.")
        model = server.model_for(cfg["source"], cfg["target"])
        return cls(server.url, model, cfg["source"], cfg["target"], subwords, decode, server.timeout)

    @property
    def predict_url(self) -> str:
        return f"{self.url}/v1/models/{self.model}:predict"

    def status(self) -> str:
        """The served model's state (e.g. AVAILABLE), from TF Serving's model status API."""
        reply = self._call("GET", f"{self.url}/v1/models/{self.model}", None)
        states = [v.get("state", "?") for v in reply.get("model_version_status", [])]
        return states[0] if states else "UNKNOWN"

    def translate(
        self, texts: Sequence[str], beam: int = 4, alignments: bool = False
    ) -> list[ServedHypothesis]:
        if alignments:
            raise TranslationError("alignments need the in-process model; this pair is served by TF Serving")
        if not texts:
            return []
        body = {"signature_name": "serving_default", "inputs": {"text": list(texts)}}
        outputs = self._call("POST", self.predict_url, body).get("outputs")
        try:
            pieces, scores = outputs["translation"], outputs["score"]
            if len(pieces) != len(texts) or len(scores) != len(texts):
                raise ValueError(f"{len(pieces)} translations for {len(texts)} texts")
        except (TypeError, KeyError, ValueError) as exc:
            raise ModelServerError(f"TF Serving's answer for {self.model} is no translation: {exc}") from None
        return [ServedHypothesis(str(p), float(s)) for p, s in zip(pieces, scores, strict=True)]

    def _call(self, method: str, url: str, body: dict | None) -> dict:
        try:
            reply = self.session.request(method, url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ModelServerError(
                f"TF Serving at {self.url} cannot be reached ({exc.__class__.__name__}); "
                "start it or fix endpoints.yml translation_server.url"
            ) from None
        try:
            payload = reply.json()
        except ValueError:
            payload = {}
        if reply.status_code != 200:
            error = payload.get("error", reply.text[:200]) if isinstance(payload, dict) else reply.text[:200]
            raise ModelServerError(f"TF Serving answered {reply.status_code} for model {self.model}: {error}")
        if not isinstance(payload, dict):
            raise ModelServerError(f"TF Serving's answer for {self.model} is not a JSON object")
        return payload
