"""Errors of the embeddings package, under the NLU engine's tree (`nlu.errors`).

NLUError                        500 nlu_error
├── InvalidInput                400 validation_failed
│   └── EmbeddingInputError     400 validation_failed   (None, non-string, undecodable text)
└── EmbeddingModuleError        503 embedding_module_unavailable
                                    (weights package missing, build failed, handle not loadable)
"""

from __future__ import annotations

from nlu.errors import InvalidInput, NLUError


class EmbeddingInputError(InvalidInput):
    """A text given to the encoder is not a string (or cannot be encoded as UTF-8)."""


class EmbeddingModuleError(NLUError):
    """The embedding module cannot be built or loaded. The message names the path or handle."""

    code = "embedding_module_unavailable"
    kind = "unavailable"
