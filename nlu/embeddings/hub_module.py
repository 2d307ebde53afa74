"""The TF Hub module: in-graph BERT tokenization + MiniLM encoder + mean pooling, as one `tf.Module`.

Saved with `tf.saved_model.save`, it is a TF2 SavedModel in TF Hub format. After `import tensorflow_text`
(its ops are in the graph), `hub.load(path)` gives an object with these functions, all taking strings:

    module(texts)             # texts (batch,) -> dict:
        sentence  (batch, 384)      float32  mean over [CLS], wordpieces, [SEP]; L2-normalised
        tokens    (batch, len, 384) float32  one vector per wordpiece ([CLS]/[SEP] left out), 0 on padding
        mask      (batch, len)      bool     True on real wordpieces
        starts    (batch, len)      int32    character (code point) offset of each wordpiece in its input
        ends      (batch, len)      int32    exclusive end
        ids       (batch, len)      int32    wordpiece ids
        truncated (batch,)          bool     the input had more than 254 wordpieces and was cut
    module.sentence(texts)    # (batch, 384) only
    module.tokenize(texts)    # the tokenizer part of module(texts): ids, mask, starts, ends, truncated
    module.encode_ids(ids, mask)  # the encoder part: ids/mask (batch, len) from tokenize -> sentence, tokens
    module.vocabulary()       # (30522,) the wordpiece strings, in id order
    module.dim                # 384

`len` is the longest input of the call (dynamic padding), never a fixed 128 or 256. A call with one
text of at most 62 wordpieces runs the encoder compiled by XLA on the text padded to a multiple of 16
positions (masked, so the outputs are the same): four programs in all (see `bucketing.py`). Batches and
longer single texts run the plain graph, which compiles nothing per shape.
"""

from __future__ import annotations

import tensorflow as tf

from nlu.embeddings.bucketing import XLA_MAX_WIDTH, XLA_PAD_MULTIPLE
from nlu.embeddings.wordpiece import BertWordpieceTokenizer

EMBEDDING_DIM = 384

_TEXTS = tf.TensorSpec([None], tf.string, name="texts")
_IDS = tf.TensorSpec([None, None], tf.int32, name="ids")
_MASK = tf.TensorSpec([None, None], tf.bool, name="mask")


class MiniLMHubModule(tf.Module):
    """Wraps a keras_hub `BertBackbone` (exact-GELU) and the graph tokenizer for saving."""

    def __init__(
        self,
        backbone,
        tokenizer: BertWordpieceTokenizer,
        *,
        jit_compile: bool = False,
        single_jit_compile: bool = True,
    ) -> None:
        super().__init__(name="minilm_hub_module")
        self.backbone = backbone
        self.tokenizer = tokenizer
        self.dim = tf.Variable(EMBEDDING_DIM, trainable=False, name="dim")  # saved with the module
        self._cls = tf.constant(tokenizer.cls_id, tf.int32)
        self._sep = tf.constant(tokenizer.sep_id, tf.int32)
        self._pad = tokenizer.pad_id
        self._pad_multiple = XLA_PAD_MULTIPLE if jit_compile else 1
        self._encoder = tf.function(self.encode_assembled, jit_compile=jit_compile, reduce_retracing=True)
        # One text per call (a served utterance) runs the XLA-compiled encoder: ~5 ms instead of ~9.5 ms
        # for ten words on 2 cores, as the graph's many small ops fuse. Only batch 1 takes that path, so
        # XLA compiles one program per 16 positions of length, so only texts of <= XLA_MAX_WIDTH positions
        # take it (4 programs, compiled at load); batches and longer texts keep the plain graph.
        self._single_encoder = (
            tf.function(self.encode_assembled, jit_compile=True, reduce_retracing=True)
            if single_jit_compile and not jit_compile
            else None
        )

    @tf.function(input_signature=[_TEXTS])
    def __call__(self, texts: tf.Tensor) -> dict[str, tf.Tensor]:
        tok = self._tokenize(texts)
        enc = self._encode(tok["ids"], tok["mask"])
        return {**tok, **enc}

    @tf.function(input_signature=[_TEXTS])
    def sentence(self, texts: tf.Tensor) -> tf.Tensor:
        tok = self._tokenize(texts)
        return self._encode(tok["ids"], tok["mask"])["sentence"]

    @tf.function(input_signature=[_TEXTS])
    def tokenize(self, texts: tf.Tensor) -> dict[str, tf.Tensor]:
        return self._tokenize(texts)

    @tf.function(input_signature=[])
    def vocabulary(self) -> tf.Tensor:
        return tf.constant(self.tokenizer.vocab)  # (vocab_size,) wordpiece strings, in id order

    @tf.function(input_signature=[_IDS, _MASK])
    def encode_ids(self, ids: tf.Tensor, mask: tf.Tensor) -> dict[str, tf.Tensor]:
        return self._encode(ids, mask)

    # --- parts --------------------------------------------------------------------------------------
    def _tokenize(self, texts: tf.Tensor) -> dict[str, tf.Tensor]:
        rag = self.tokenizer.tokenize(texts)
        ids = rag["ids"].to_tensor(default_value=self._pad)  # (batch, len)
        return {
            "ids": ids,
            "mask": tf.ones_like(rag["ids"], tf.bool).to_tensor(default_value=False),  # (batch, len)
            "starts": rag["starts"].to_tensor(default_value=0, shape=tf.shape(ids)),
            "ends": rag["ends"].to_tensor(default_value=0, shape=tf.shape(ids)),
            "truncated": rag["truncated"],
        }

    def _encode(self, ids: tf.Tensor, mask: tf.Tensor) -> dict[str, tf.Tensor]:
        full, full_mask = self.assemble(ids, mask)
        batch = tf.shape(ids)[0]
        if self._single_encoder is not None:
            short_single = tf.logical_and(tf.equal(batch, 1), tf.shape(full)[1] <= XLA_MAX_WIDTH)
            return tf.cond(
                short_single,
                lambda: self._padded_call(self._single_encoder, full, full_mask, XLA_PAD_MULTIPLE),
                lambda: self._encoder(full, full_mask),
            )
        if self._pad_multiple == 1:
            return self._encoder(full, full_mask)
        return self._padded_call(self._encoder, full, full_mask, self._pad_multiple)

    def assemble(self, ids: tf.Tensor, mask: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """Wordpiece ids/mask (batch, len) -> the encoder's input with [CLS], [SEP]: (batch, len+2) x 2."""
        batch = tf.shape(ids)[0]
        lengths = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1)  # (batch,)
        # [CLS] ids [SEP] [PAD]...: place [SEP] right after each row's last wordpiece
        body = tf.where(mask, ids, tf.fill(tf.shape(ids), tf.constant(self._pad, tf.int32)))
        body = tf.concat([body, tf.fill([batch, 1], tf.constant(self._pad, tf.int32))], 1)  # (batch, len+1)
        sep_at = tf.one_hot(lengths, tf.shape(body)[1], on_value=True, off_value=False)
        body = tf.where(sep_at, self._sep, body)
        full = tf.concat([tf.fill([batch, 1], self._cls), body], 1)  # (batch, len+2)
        full_mask = tf.sequence_mask(lengths + 2, tf.shape(full)[1])  # (batch, len+2)
        return full, full_mask

    def _padded_call(self, encoder, full: tf.Tensor, full_mask: tf.Tensor, multiple: int):
        """`encoder` on inputs padded up to a multiple of `multiple` positions, cut back after."""
        width = tf.shape(full)[1]
        extra = (-width) % multiple
        out = encoder(
            tf.pad(full, [[0, 0], [0, extra]], constant_values=self._pad),
            tf.pad(full_mask, [[0, 0], [0, extra]], constant_values=False),
        )
        return {"sentence": out["sentence"], "tokens": out["tokens"][:, : width - 2]}

    def encode_assembled(self, full: tf.Tensor, full_mask: tf.Tensor) -> dict[str, tf.Tensor]:
        """The encoder + pooling on `assemble`'s output (differentiable: fine-tuning calls it)."""
        hidden = self.backbone(
            {
                "token_ids": full,
                "segment_ids": tf.zeros_like(full),
                "padding_mask": tf.cast(full_mask, tf.int32),
            },
            training=False,
        )["sequence_output"]  # (batch, len+2, 384)
        weights = tf.cast(full_mask, hidden.dtype)[:, :, None]  # (batch, len+2, 1)
        summed = tf.reduce_sum(hidden * weights, axis=1)  # (batch, 384)
        mean = summed / tf.maximum(tf.reduce_sum(weights, axis=1), 1e-9)
        sentence = mean / tf.maximum(tf.norm(mean, axis=1, keepdims=True), 1e-12)  # (batch, 384)
        token_mask = full_mask[:, 2:]  # (batch, len): wordpiece i sits at i+1; its row has i < length
        tokens = hidden[:, 1:-1] * tf.cast(token_mask, hidden.dtype)[:, :, None]  # (batch, len, 384)
        return {"sentence": sentence, "tokens": tokens}
