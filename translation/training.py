"""Training: token batches, inverse-sqrt warm-up, clipping, label smoothing, checkpoints + resume,
dev-BLEU early stopping, averaging of the last K checkpoints, progress bar and TensorBoard logs.

`train(prepared_dir, model_dir, config)` writes a model directory (see `translator.py`) plus
`checkpoints/` (TF checkpoints: model, optimizer, step, epoch, elapsed time), `tensorboard/`
and `train_log.json` (dev BLEU against training time).
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
import sacrebleu
import tensorflow as tf
from tensorflow.core.framework import summary_pb2
from tqdm import tqdm

from translation.batching import make_batches
from translation.config import ProjectConfig
from translation.data import read_meta, read_split
from translation.models import build_model
from translation.subwords import Subwords
from translation.translator import Translator, build, keras_numpy_copy_warning_ignored

log = logging.getLogger(__name__)


@keras.saving.register_keras_serializable(package="parley")
class InverseSqrtSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up to `peak` over `warmup` steps, then decay with 1/sqrt(step)."""

    def __init__(self, peak: float, warmup: int) -> None:
        self.peak, self.warmup = peak, warmup

    def __call__(self, step):
        step = tf.cast(step, tf.float32) + 1.0
        w = float(max(self.warmup, 1))
        return self.peak * tf.minimum(step / w, tf.math.rsqrt(step / w))

    def get_config(self) -> dict:
        return {"peak": self.peak, "warmup": self.warmup}


def _scalar(name: str, value: float, step: int) -> None:
    """A TensorBoard scalar written with core TF only (the tensorboard package is not required)."""
    meta = summary_pb2.SummaryMetadata()
    meta.plugin_data.plugin_name = "scalars"
    tf.summary.write(name, tf.constant(float(value), tf.float32), step=step, metadata=meta)


def smoothed_loss(logits: tf.Tensor, target: tf.Tensor, smoothing: float) -> tuple[tf.Tensor, tf.Tensor]:
    """logits (B, T, V), target (B, T) -> (summed label-smoothed cross-entropy, non-pad token count)."""
    v = tf.shape(logits)[-1]
    onehot = tf.one_hot(target, v)
    soft = onehot * (1.0 - smoothing) + smoothing / tf.cast(v, tf.float32)
    xent = tf.nn.softmax_cross_entropy_with_logits(soft, logits)  # (B, T)
    mask = tf.cast(tf.not_equal(target, 0), tf.float32)
    return tf.reduce_sum(xent * mask), tf.reduce_sum(mask)


@dataclass
class TrainSummary:
    steps: int
    epochs: int
    elapsed_s: float
    target_tokens: int
    target_tokens_per_s: float
    best_dev_bleu: float | None
    stopped_because: str
    history: list[dict] = field(default_factory=list)


def corpus_bleu(translator: Translator, pairs: list[tuple[str, str]], beam: int = 1) -> float:
    hyps = [h.text for h in translator.translate([p[0] for p in pairs], beam=beam)]
    return float(sacrebleu.corpus_bleu(hyps, [[p[1] for p in pairs]]).score)


def _average_checkpoints(model: keras.Model, ckpt_paths: list[str]) -> None:
    """Set the model's weights to the mean of the given checkpoints' model weights."""
    with keras_numpy_copy_warning_ignored():
        _average(model, ckpt_paths)


def _average(model: keras.Model, ckpt_paths: list[str]) -> None:
    total = None
    for path in ckpt_paths:
        tf.train.Checkpoint(model=model).restore(path).expect_partial()
        weights = model.get_weights()
        total = weights if total is None else [a + b for a, b in zip(total, weights, strict=True)]
    assert total is not None
    model.set_weights([w / len(ckpt_paths) for w in total])


def train(
    prepared: Path,
    out: Path,
    cfg: ProjectConfig,
    *,
    restart: bool = False,
    max_minutes: float | None = None,
    progress: bool | None = None,
) -> TrainSummary:
    prepared, out = Path(prepared), Path(out)
    tc = cfg.train
    budget_s = 60.0 * (max_minutes if max_minutes is not None else tc.max_minutes)
    keras.utils.set_random_seed(tc.seed)
    if tc.deterministic:
        tf.config.experimental.enable_op_determinism()
    meta = read_meta(prepared)
    subwords = Subwords.load(prepared, meta["source"], meta["target"], meta["joint"])
    train_pairs, dev_pairs = read_split(prepared, "train"), read_split(prepared, "dev")
    src_ids = subwords.encode_source([p[0] for p in train_pairs])
    tgt_ids = subwords.encode_target([p[1] for p in train_pairs])
    dev_eval = dev_pairs[: tc.eval_sentences]

    model = build(build_model(cfg.model, subwords.source_vocab_size, subwords.target_vocab_size))
    translator = Translator(
        model, subwords, dict(cfg.model), meta["source"], meta["target"], meta["joint"], cfg.decode
    )
    params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    log.info(
        "event=train.start model=%s params=%d train_pairs=%d dev_pairs=%d",
        cfg.model.get("name"),
        params,
        len(train_pairs),
        len(dev_pairs),
    )

    optimizer = keras.optimizers.Adam(
        InverseSqrtSchedule(tc.learning_rate, tc.warmup_steps),
        beta_1=0.9,
        beta_2=0.98,
        epsilon=1e-9,
        global_clipnorm=tc.clip_norm,
    )
    optimizer.build(model.trainable_variables)
    state = {
        "step": tf.Variable(0, dtype=tf.int64),
        "epoch": tf.Variable(0, dtype=tf.int64),
        "batch": tf.Variable(0, dtype=tf.int64),
        "elapsed": tf.Variable(0.0, dtype=tf.float64),
        "tokens": tf.Variable(0, dtype=tf.int64),
        "best_bleu": tf.Variable(-1.0, dtype=tf.float64),
        "bad_evals": tf.Variable(0, dtype=tf.int64),
    }
    ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer, **state)
    ckpt_dir = out / "checkpoints"
    if restart and out.exists():
        shutil.rmtree(ckpt_dir, ignore_errors=True)
        (out / "train_log.json").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    manager = tf.train.CheckpointManager(
        ckpt, str(ckpt_dir), max_to_keep=max(tc.keep_checkpoints, tc.average_last)
    )
    history: list[dict] = []
    if manager.latest_checkpoint:
        ckpt.restore(manager.latest_checkpoint).assert_existing_objects_matched()
        if (out / "train_log.json").is_file():
            saved = json.loads((out / "train_log.json").read_text(encoding="utf-8"))["history"]
            history = [h for h in saved if "averaged" not in h]  # averaging is redone at the end
        log.info(
            "event=train.resume checkpoint=%s step=%d elapsed_s=%.0f",
            manager.latest_checkpoint,
            int(state["step"]),
            float(state["elapsed"]),
        )
    (out / "train_config.json").write_text(json.dumps(cfg.to_dict(), indent=2), encoding="utf-8")

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)] * 3, reduce_retracing=True)
    def train_step(src, tgt_in, tgt_out):
        with tf.GradientTape() as tape:
            logits = model((src, tgt_in), training=True)
            loss_sum, count = smoothed_loss(logits, tgt_out, tc.label_smoothing)
            loss = loss_sum / tf.maximum(count, 1.0)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    writer = tf.summary.create_file_writer(str(out / "tensorboard"))
    show_bar = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(
        total=tc.max_steps, initial=int(state["step"]), disable=not show_bar, unit="step", dynamic_ncols=True
    )
    stopped = "max_steps"
    session_start, elapsed0 = time.monotonic(), float(state["elapsed"])
    window_tokens, window_start, losses = 0, time.monotonic(), []

    def elapsed() -> float:
        return elapsed0 + time.monotonic() - session_start

    def save_checkpoint() -> None:
        state["elapsed"].assign(elapsed())
        manager.save(checkpoint_number=int(state["step"]))
        (out / "train_log.json").write_text(json.dumps({"history": history}, indent=2), encoding="utf-8")

    def evaluate_dev() -> bool:
        """Returns True when early stopping should end training."""
        bleu = corpus_bleu(translator, dev_eval)
        step = int(state["step"])
        history.append(
            {
                "step": step,
                "elapsed_s": round(elapsed(), 1),
                "dev_bleu": round(bleu, 2),
                "target_tokens": int(state["tokens"]),
                "loss": float(np.mean(losses or [0.0])),
            }
        )
        with writer.as_default():
            _scalar("dev_bleu", bleu, step=step)
        log.info("event=train.eval step=%d dev_bleu=%.2f elapsed_s=%.0f", step, bleu, elapsed())
        if bleu > float(state["best_bleu"]):
            state["best_bleu"].assign(bleu)
            state["bad_evals"].assign(0)
            return False
        state["bad_evals"].assign_add(1)
        return tc.patience > 0 and int(state["bad_evals"]) >= tc.patience

    with writer.as_default():
        while True:
            epoch = int(state["epoch"])
            batches = make_batches(src_ids, tgt_ids, tc.max_tokens_per_batch, tc.bucket_width, tc.seed, epoch)
            done = False
            for b in batches[int(state["batch"]) :]:
                # Checked before the step, so re-running a finished run only finalises it.
                if int(state["step"]) >= tc.max_steps:
                    stopped, done = "max_steps", True
                elif budget_s and elapsed() >= budget_s:
                    stopped, done = f"time budget of {budget_s / 60:.1f} minutes", True
                if done:
                    break
                loss = float(train_step(tf.constant(b.src), tf.constant(b.tgt_in), tf.constant(b.tgt_out)))
                if not math.isfinite(loss):
                    raise FloatingPointError(
                        f"loss became {loss} at step {int(state['step'])}; "
                        f"lower train.learning_rate ({tc.learning_rate})"
                    )
                state["step"].assign_add(1)
                state["batch"].assign_add(1)
                state["tokens"].assign_add(b.target_tokens)
                window_tokens += b.target_tokens
                losses.append(loss)
                step = int(state["step"])
                bar.update(1)
                if step % tc.log_every == 0:
                    tps = window_tokens / max(time.monotonic() - window_start, 1e-9)
                    bar.set_postfix(loss=f"{np.mean(losses[-tc.log_every :]):.3f}", tok_s=f"{tps:.0f}")
                    _scalar("loss", np.mean(losses[-tc.log_every :]), step=step)
                    _scalar("target_tokens_per_s", tps, step=step)
                    _scalar("learning_rate", float(optimizer.learning_rate), step=step)
                    if not show_bar:
                        log.info(
                            "event=train.progress step=%d epoch=%d loss=%.3f tok_s=%.0f elapsed_s=%.0f",
                            step,
                            epoch,
                            np.mean(losses[-tc.log_every :]),
                            tps,
                            elapsed(),
                        )
                    window_tokens, window_start = 0, time.monotonic()
                if tc.eval_every and step % tc.eval_every == 0 and evaluate_dev():
                    stopped, done = f"no dev BLEU gain in {tc.patience} evaluations", True
                if step % tc.checkpoint_every == 0:
                    save_checkpoint()
                if done:
                    break
            if done:
                break
            state["epoch"].assign_add(1)
            state["batch"].assign(0)
    bar.close()
    if not history or history[-1]["step"] != int(state["step"]):
        evaluate_dev()
    save_checkpoint()
    if tc.average_last > 1 and len(manager.checkpoints) > 1:
        last_bleu = history[-1]["dev_bleu"]  # the un-averaged weights at this step
        paths = list(manager.checkpoints[-tc.average_last :])
        _average_checkpoints(model, paths)
        bleu = corpus_bleu(translator, dev_eval)
        kept = bleu >= last_bleu
        history.append(
            {
                "step": int(state["step"]),
                "elapsed_s": round(elapsed(), 1),
                "dev_bleu": round(bleu, 2),
                "target_tokens": int(state["tokens"]),
                "averaged": len(paths),
                "kept": kept,
            }
        )
        log.info(
            "event=train.averaged checkpoints=%d dev_bleu=%.2f last_dev_bleu=%.2f kept=%s",
            len(paths),
            bleu,
            last_bleu,
            kept,
        )
        if not kept:  # averaging over checkpoints far apart can hurt: keep the last weights instead
            tf.train.Checkpoint(model=model).restore(manager.latest_checkpoint).expect_partial()
    total_s = elapsed()
    summary = TrainSummary(
        steps=int(state["step"]),
        epochs=int(state["epoch"]),
        elapsed_s=round(total_s, 1),
        target_tokens=int(state["tokens"]),
        target_tokens_per_s=round(int(state["tokens"]) / max(total_s, 1e-9), 1),
        best_dev_bleu=max((h["dev_bleu"] for h in history), default=None),
        stopped_because=stopped,
        history=history,
    )
    translator.save(
        out,
        extra={"training": {k: v for k, v in asdict(summary).items() if k != "history"}, "params": params},
    )
    (out / "train_log.json").write_text(
        json.dumps({"history": history, "summary": asdict(summary)}, indent=2), encoding="utf-8"
    )
    log.info("event=train.done steps=%d elapsed_s=%.0f stopped=%r", summary.steps, total_s, stopped)
    return summary
