"""Export a model directory as a TensorFlow SavedModel that maps strings to strings.

Tokenization and detokenization run inside the graph (tensorflow-text's SentencepieceTokenizer), and
decoding is the same `tf.while_loop` beam search the Python translator uses, so TF Serving can serve
the export without Python. Signature `serving_default`: `text` (batch,) string ->
`translation` (batch,) string, `score` (batch,) float32. Load with `import tensorflow_text` first.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import tensorflow as tf
import tensorflow_text as tft

from translation.decoding import beam_search, greedy
from translation.subwords import EOS, UNK
from translation.translator import Translator

log = logging.getLogger(__name__)


class ServingModule(tf.Module):
    def __init__(self, translator: Translator, beam: int) -> None:
        super().__init__(name="parley_translator")
        self.model = translator.model
        self.beam = beam
        self.decode_cfg = translator.decode
        self.source_tokenizer = tft.SentencepieceTokenizer(
            model=translator.subwords.source_file.read_bytes(), out_type=tf.int32, add_eos=True
        )
        self.target_tokenizer = tft.SentencepieceTokenizer(
            model=translator.subwords.target_file.read_bytes(), out_type=tf.int32
        )

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def translate(self, text: tf.Tensor) -> dict[str, tf.Tensor]:
        src = self.source_tokenizer.tokenize(text).to_tensor(0)  # (B, S)
        d = self.decode_cfg
        if self.beam == 1:
            tokens, scores, _ = greedy(
                self.model, src, d.max_length_ratio, d.max_length_extra, d.length_penalty
            )
        else:
            tokens, scores, _ = beam_search(
                self.model, src, self.beam, d.length_penalty, d.max_length_ratio, d.max_length_extra
            )
            tokens, scores = tokens[:, 0], scores[:, 0]  # (B, T), (B,)
        stop = tf.logical_or(tf.equal(tokens, EOS), tf.equal(tokens, 0))
        alive = tf.equal(tf.cumsum(tf.cast(stop, tf.int32), axis=1), 0)  # before the first EOS/pad
        keep = tf.logical_and(alive, tf.logical_or(tokens > EOS, tf.equal(tokens, UNK)))
        out = self.target_tokenizer.detokenize(tf.ragged.boolean_mask(tokens, keep))
        return {"translation": out, "score": scores}


def export(model_dir: Path, out: Path, beam: int | None = None) -> Path:
    translator = Translator.load(model_dir)
    beam = beam or translator.decode.beam
    module = ServingModule(translator, beam)
    out = Path(out)
    tf.saved_model.save(module, str(out), signatures={"serving_default": module.translate})
    (out / "parley_export.json").write_text(
        json.dumps(
            {
                "source": translator.source,
                "target": translator.target,
                "beam": beam,
                "signature": "serving_default",
                "input": "text",
                "outputs": ["translation", "score"],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    log.info("event=export.done dir=%s beam=%d", out, beam)
    return out
