"""`SentenceEncoder`: texts -> sentence and per-wordpiece vectors through a TF Hub module, cached and batched.

    enc = SentenceEncoder()                    # the default module, built on first use into the cache folder
    e = enc.encode(["book a table", "hi"])     # Encodings, padded to this call's longest input
    e.sentence      # (2, 384) float32, L2-normalised
    e.tokens        # (2, 3, 384) float32 contextual wordpiece vectors, [CLS]/[SEP] left out, 0 on padding
    e.mask          # (2, 3) bool;  e.starts / e.ends (2, 3) int32 character offsets;  e.wordpieces
    enc.encode_sentences(texts)                # (n, 384) only

With a handle to another hub module (e.g. the Universal Sentence Encoder), only `sentence` is available:
`tokens`, `mask`, `starts`, `ends` and `wordpieces` are then None, and `has_tokens` is False.

Misses are sorted by length and run in chunks of `batch_size` (length bucketing: short texts are not padded to
long ones); each chunk is padded to its own longest input. Results are cached per text (LRU, bounded by
`cache_size` entries and `cache_mb` megabytes). Instances are safe to share between threads.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlu.embeddings.bucketing import XLA_MAX_WIDTH, XLA_PAD_MULTIPLE, plan_chunks, xla_widths
from nlu.embeddings.builder import DEFAULT_HANDLE
from nlu.embeddings.errors import EmbeddingInputError, EmbeddingModuleError
from nlu.embeddings.handles import load_hub_module

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 20_000  # longer texts are cut (with a warning); the model reads at most 254 wordpieces
TOKENIZE_CHUNK = 1024  # texts tokenized per call; the encoder then runs length-bucketed chunks of them
MAX_CHUNK_TOKENS = 64 * 64  # padded wordpieces per encoder call: bounds the attention's memory


@dataclass(frozen=True)
class Encodings:
    """Vectors for a batch of texts. `tokens` and the fields after it are None for sentence-only modules."""

    sentence: np.ndarray  # (batch, dim) float32, L2-normalised
    tokens: np.ndarray | None = None  # (batch, max_len, dim) float32, one per wordpiece, 0 on padding
    mask: np.ndarray | None = None  # (batch, max_len) bool, True on real wordpieces
    starts: np.ndarray | None = None  # (batch, max_len) int32 character offset of each wordpiece
    ends: np.ndarray | None = None  # (batch, max_len) int32 exclusive end
    wordpieces: list[list[str]] | None = None  # per input, its wordpieces ("book", "##ing", ...)
    truncated: np.ndarray | None = None  # (batch,) bool, the input was longer than the model reads


@dataclass(frozen=True)
class _Entry:
    sentence: np.ndarray  # (dim,)
    tokens: np.ndarray | None  # (n, dim)
    starts: np.ndarray | None  # (n,)
    ends: np.ndarray | None  # (n,)
    ids: np.ndarray | None  # (n,)
    truncated: bool

    @property
    def full(self) -> bool:
        return self.tokens is not None

    @property
    def nbytes(self) -> int:
        arrays = (self.sentence, self.tokens, self.starts, self.ends, self.ids)
        return sum(a.nbytes for a in arrays if a is not None) + 200


class _LRU:
    """Thread-safe LRU of text -> _Entry, bounded by entry count and bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._data: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str, *, need_full: bool) -> _Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None or (need_full and not entry.full):
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: _Entry) -> None:
        if self.max_entries <= 0 or entry.nbytes > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
                if old.full and not entry.full:
                    entry = old
            self._data[key] = entry
            self._bytes += entry.nbytes
            while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._data.popitem(last=False)
                self._bytes -= evicted.nbytes

    def __len__(self) -> int:
        return len(self._data)


class SentenceEncoder:
    """Sentence and wordpiece vectors from `hub.load(resolve_handle(handle))`; see the module docstring."""

    def __init__(
        self,
        handle: str = DEFAULT_HANDLE,
        *,
        cache_size: int = 4096,
        batch_size: int = 64,
        cache_mb: float = 64.0,
        warmup: bool = True,
    ) -> None:
        if batch_size < 1:
            raise EmbeddingInputError(f"batch_size must be >= 1, got {batch_size}")
        if cache_size < 0:
            raise EmbeddingInputError(f"cache_size must be >= 0, got {cache_size}")
        import tensorflow as tf

        self._tf = tf
        self.handle = handle
        self.batch_size = batch_size
        self.module = load_hub_module(handle)
        self._bucketing = True  # False: chunks of batch_size in input order, padded to their longest
        self.has_tokens = all(hasattr(self.module, n) for n in ("sentence", "tokenize", "vocabulary"))
        self._cache = _LRU(cache_size, int(cache_mb * 2**20))
        if self.has_tokens:
            self._vocab = [v.decode("utf-8") for v in self.module.vocabulary().numpy().tolist()]
            self.dim = int(self.module.dim.numpy())
        else:
            self._vocab = []
            self.dim = int(self._foreign_sentences(["dimension probe"]).shape[-1])
        if warmup and self.has_tokens:
            self._warm_up()
        log.info(
            "event=embeddings.encoder.ready handle=%s dim=%d tokens=%s", handle, self.dim, self.has_tokens
        )

    # --- public -----------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> Encodings:
        """Sentence and (for modules that have them) wordpiece vectors for `texts`, padded to the longest."""
        clean = self._validate(texts)
        entries = self._lookup(clean, need_full=self.has_tokens)
        return self._assemble(entries)

    def encode_sentences(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 L2-normalised sentence vectors; skips the per-token outputs."""
        clean = self._validate(texts)
        entries = self._lookup(clean, need_full=False)
        if not entries:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([e.sentence for e in entries])

    @property
    def cache_info(self) -> dict[str, int]:
        return {"hits": self._cache.hits, "misses": self._cache.misses, "size": len(self._cache)}

    # --- internals ----------------------------------------------------------------------------------
    def _warm_up(self) -> None:
        """Run every program a served text can meet, so that none is optimised or compiled on a user.

        The first call of each graph function optimises it (~1 s), and one text per call runs XLA, which
        compiles one program per padded width (`bucketing.xla_widths()`, ~0.5-1 s each): all of them now.
        "." is one wordpiece, so `width - 2` dots fill [CLS] + dots + [SEP] to exactly `width` positions.
        """
        for width in xla_widths():
            self._run(["." * (width - 2)], full=True)
        self._run(["." * (XLA_MAX_WIDTH + XLA_PAD_MULTIPLE)], full=True)  # a longer text: the plain graph
        for width in xla_widths()[:2]:  # sentence-only calls (token_features: false): the usual sizes
            self._run(["." * (width - 2)], full=False)
        self._run(["warm up", "the bucketed path too"], full=True)

    def _validate(self, texts: Sequence[str]) -> list[str]:
        if isinstance(texts, str | bytes) or not isinstance(texts, Sequence | np.ndarray):
            raise EmbeddingInputError(
                f"encode() takes a sequence of strings, got {type(texts).__name__}; wrap one text in a list"
            )
        out = []
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise EmbeddingInputError(f"text {i} is {type(text).__name__}, not str: {text!r:.60}")
            if len(text) > MAX_TEXT_CHARS:
                log.warning(
                    "event=embeddings.input.truncated index=%d chars=%d kept=%d "
                    "(the model reads at most 254 wordpieces)",
                    i,
                    len(text),
                    MAX_TEXT_CHARS,
                )
                text = text[:MAX_TEXT_CHARS]
            out.append(text)
        return out

    def _lookup(self, texts: list[str], *, need_full: bool) -> list[_Entry]:
        found: dict[str, _Entry] = {}
        missing: list[str] = []
        for text in dict.fromkeys(texts):  # unique, in order
            entry = self._cache.get(text, need_full=need_full)
            if entry is None:
                missing.append(text)
            else:
                found[text] = entry
        step = TOKENIZE_CHUNK if self._bucketing else self.batch_size
        if self._bucketing:
            missing.sort(key=len)  # similar lengths tokenize together; plan_chunks then buckets exactly
        for i in range(0, len(missing), step):
            chunk = missing[i : i + step]
            for text, entry in zip(chunk, self._run(chunk, full=need_full), strict=True):
                found[text] = entry
                self._cache.put(text, entry)
        return [found[t] for t in texts]

    def _run(self, texts: list[str], *, full: bool) -> list[_Entry]:
        batch = self._tf.constant([t.encode("utf-8", "replace") for t in texts], self._tf.string)
        if not self.has_tokens:
            sentence = self._foreign_sentences(batch)
            return [_Entry(s.copy(), None, None, None, None, False) for s in sentence]
        if len(texts) == 1 or not self._bucketing:  # one graph call does it all
            if not full:
                return [
                    _Entry(s.copy(), None, None, None, None, False)
                    for s in self.module.sentence(batch).numpy()
                ]
            out = {k: v.numpy() for k, v in self.module(batch).items()}
            return [self._entry(out, row, out, row, full) for row in range(len(texts))]
        # length bucketing: tokenize all, then encode chunks of similar wordpiece counts
        tok = {k: v.numpy() for k, v in self.module.tokenize(batch).items()}
        lengths = tok["mask"].sum(axis=1)  # (batch,)
        order = np.argsort(lengths, kind="stable")
        entries: list[_Entry | None] = [None] * len(texts)
        for start, end in plan_chunks(lengths[order], max_batch=self.batch_size, max_tokens=MAX_CHUNK_TOKENS):
            rows = order[start:end]
            width = int(lengths[rows].max())
            out = self.module.encode_ids(
                self._tf.constant(tok["ids"][rows, :width]), self._tf.constant(tok["mask"][rows, :width])
            )
            out = {"sentence": out["sentence"].numpy(), "tokens": out["tokens"].numpy() if full else None}
            for k, row in enumerate(rows):
                entries[row] = self._entry(out, k, tok, row, full)
        return entries  # type: ignore[return-value]

    @staticmethod
    def _entry(enc: dict, enc_row: int, tok: dict, tok_row: int, full: bool) -> _Entry:
        """One input's cache entry from encoder outputs `enc` and tokenizer outputs `tok` (numpy)."""
        if not full:
            return _Entry(enc["sentence"][enc_row].copy(), None, None, None, None, False)
        n = int(tok["mask"][tok_row].sum())
        return _Entry(
            sentence=enc["sentence"][enc_row].copy(),
            tokens=enc["tokens"][enc_row, :n].copy(),
            starts=tok["starts"][tok_row, :n].copy(),
            ends=tok["ends"][tok_row, :n].copy(),
            ids=tok["ids"][tok_row, :n].copy(),
            truncated=bool(tok["truncated"][tok_row]),
        )

    def _foreign_sentences(self, batch) -> np.ndarray:
        """Sentence vectors from a module that is not Parley's (dict or tensor output), L2-normalised."""
        out = self.module(self._tf.constant(batch) if isinstance(batch, list) else batch)
        if isinstance(out, dict):
            for key in ("sentence", "default", "outputs", "pooled_output"):
                if key in out:
                    out = out[key]
                    break
            else:
                raise EmbeddingModuleError(
                    f"module {self.handle!r} returned outputs {sorted(out)}; expected one of "
                    "'sentence', 'default', 'outputs', 'pooled_output'"
                )
        vectors = np.asarray(out, np.float32)
        if vectors.ndim != 2:
            raise EmbeddingModuleError(f"module {self.handle!r} returned shape {vectors.shape}, expected 2-D")
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors / norms

    def _assemble(self, entries: list[_Entry]) -> Encodings:
        batch = len(entries)
        if batch == 0:
            sentence = np.zeros((0, self.dim), np.float32)
        else:
            sentence = np.stack([e.sentence for e in entries])
        if not self.has_tokens:
            return Encodings(sentence=sentence)
        max_len = max((len(e.ids) for e in entries), default=0)  # dynamic padding: this call's longest
        tokens = np.zeros((batch, max_len, self.dim), np.float32)
        mask = np.zeros((batch, max_len), bool)
        starts = np.zeros((batch, max_len), np.int32)
        ends = np.zeros((batch, max_len), np.int32)
        for row, e in enumerate(entries):
            n = len(e.ids)
            tokens[row, :n] = e.tokens
            mask[row, :n] = True
            starts[row, :n] = e.starts
            ends[row, :n] = e.ends
        return Encodings(
            sentence=sentence,
            tokens=tokens,
            mask=mask,
            starts=starts,
            ends=ends,
            wordpieces=[[self._vocab[i] for i in e.ids] for e in entries],
            truncated=np.array([e.truncated for e in entries], bool),
        )
