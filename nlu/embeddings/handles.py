"""Handles -> loadable module paths, and the one place that calls `hub.load`.

    resolve_handle("parley://all-minilm-l6-v2")          -> "<cache>/hub/all-minilm-l6-v2" (built if needed)
    resolve_handle("/models/my-module") or "file:///..."  -> that folder (it must exist)
    resolve_handle("https://tfhub.dev/google/universal-sentence-encoder/4")    -> unchanged, for hub.load
    resolve_handle("https://www.kaggle.com/models/google/universal-sentence-encoder/...") -> unchanged
    resolve_handle("google/universal-sentence-encoder/tensorFlow2/multilingual/2")
        -> "https://www.kaggle.com/models/google/universal-sentence-encoder/tensorFlow2/multilingual/2"
           (a bare Kaggle model handle, owner/model/framework/variation[/version], as a URL hub.load fetches)

Remote handles need a network the first time; hub caches them under `$TFHUB_CACHE_DIR`, which defaults here
to `<cache>/tfhub` so that a server can be prepared once and then run offline.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from nlu.embeddings.builder import DEFAULT_HANDLE, build_module, default_cache_dir
from nlu.embeddings.errors import EmbeddingModuleError

log = logging.getLogger(__name__)

_REMOTE_PREFIXES = ("https://", "http://", "gs://", "s3://")
KAGGLE_MODELS = "https://www.kaggle.com/models/"
_LOADED: dict[str, Any] = {}  # resolved path -> loaded module: one copy per process, shared by all encoders
_LOAD_LOCK = threading.Lock()


def resolve_handle(handle: str) -> str:
    """What `hub.load` should get for `handle` (see the module docstring). Builds the default module once."""
    if not isinstance(handle, str) or not handle.strip():
        raise EmbeddingModuleError(f"embedding handle must be a non-empty string, got {handle!r}")
    handle = handle.strip()
    if handle == DEFAULT_HANDLE:
        return str(build_module())
    if handle.startswith("parley://"):
        raise EmbeddingModuleError(f"unknown Parley module {handle!r}; the only one is {DEFAULT_HANDLE!r}")
    if handle.startswith(_REMOTE_PREFIXES):
        return handle
    local = Path(handle.removeprefix("file://")).expanduser()
    if local.is_dir():
        return str(local.resolve())
    if handle.startswith(("file://", "/", ".", "~")) or local.exists():
        raise EmbeddingModuleError(
            f"embedding module folder {str(local)!r} does not exist (handle {handle!r})"
        )
    if 4 <= len(handle.split("/")) <= 5 and " " not in handle:
        return KAGGLE_MODELS + handle  # a Kaggle model handle: "google/universal-sentence-encoder/..."
    raise EmbeddingModuleError(
        f"embedding handle {handle!r} is neither {DEFAULT_HANDLE!r}, a module folder, a URL, nor a Kaggle "
        "model handle (owner/model/framework/variation[/version])"
    )


def import_hub():
    """`tensorflow_hub`, with `tensorflow_text` imported first (the module's graph uses its ops)."""
    import tensorflow_text  # noqa: F401  registers FastWordpieceTokenizeWithOffsets, NormalizeUTF8, ...

    with warnings.catch_warnings():
        # tensorflow_hub 0.16 imports pkg_resources, which warns that it is deprecated
        warnings.filterwarnings("ignore", message=".*pkg_resources.*")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        import tensorflow_hub as hub
    return hub


def load_hub_module(handle: str) -> Any:
    """`hub.load(resolve_handle(handle))`, with errors that name the handle. Loaded once per process."""
    path = resolve_handle(handle)
    with _LOAD_LOCK:
        if path not in _LOADED:
            _LOADED[path] = _load(handle, path)
        return _LOADED[path]


def _load(handle: str, path: str) -> Any:
    os.environ.setdefault("TFHUB_CACHE_DIR", str(default_cache_dir() / "tfhub"))
    hub = import_hub()
    try:
        return hub.load(path)
    except Exception as exc:  # noqa: BLE001 - hub raises many types (OSError, ValueError, NotFoundError...)
        raise EmbeddingModuleError(
            f"cannot load embedding module {handle!r} (from {path!r}): {type(exc).__name__}: {exc}"
        ) from exc
