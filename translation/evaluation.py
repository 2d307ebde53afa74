"""Evaluation (sacrebleu BLEU + chrF, per-sentence scores) and attention alignment plots."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import sacrebleu

from translation.errors import DataError
from translation.translator import Hypothesis, Translator

log = logging.getLogger(__name__)


def evaluate(
    translator: Translator,
    sources: Sequence[str],
    references: Sequence[str],
    out_json: Path,
    beam: int | None = None,
    plot_sentence: int | None = 0,
    references_from: str | Path | None = None,
) -> dict:
    """Translate `sources`, score the detokenised hypotheses against `references` with sacrebleu
    (BLEU and chrF, case-sensitive, its own default tokenisation) and write: `out_json` (corpus scores,
    both signatures, where the references came from, per-sentence scores) and, when `plot_sentence`
    is set, `<out_json stem>.alignment.png`. The references should be the raw reference file, as
    published, never a cleaned or lowercased copy: `references_from` names it in the report (with
    its SHA-256 when it is a file). Returns the report."""
    if len(sources) != len(references):
        raise DataError(f"{len(sources)} source sentences but {len(references)} references")
    if not sources:
        raise DataError("nothing to evaluate: 0 source sentences")
    start = time.perf_counter()
    hyps = translator.translate(list(sources), beam=beam)
    seconds = time.perf_counter() - start
    texts = [h.text for h in hyps]
    bleu, chrf = sacrebleu.metrics.BLEU(), sacrebleu.metrics.CHRF()
    bleu_score = bleu.corpus_score(texts, [list(references)])
    chrf_score = chrf.corpus_score(texts, [list(references)])
    sentence_bleu = sacrebleu.metrics.BLEU(effective_order=True)
    sentences = [
        {
            "index": i,
            "source": s,
            "reference": r,
            "hypothesis": h.text,
            "model_score": round(h.score, 4),
            "bleu": round(sentence_bleu.sentence_score(h.text, [r]).score, 2),
            "chrf": round(chrf.sentence_score(h.text, [r]).score, 2),
        }
        for i, (s, r, h) in enumerate(zip(sources, references, hyps, strict=True))
    ]
    out_json = Path(out_json)
    out_json.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "bleu": round(bleu_score.score, 2),
        "chrf": round(chrf_score.score, 2),
        "bleu_signature": str(bleu.get_signature()),
        "chrf_signature": str(chrf.get_signature()),
        "bleu_detail": str(bleu_score),
        "sacrebleu_version": sacrebleu.__version__,
        "references": _references_note(references_from, len(references)),
        "hypotheses": "detokenised (sentencepiece decode), as a user sees them",
        "sentences_count": len(sources),
        "beam": beam or translator.decode.beam,
        "seconds": round(seconds, 2),
        "target_tokens_per_s": round(sum(len(h.token_ids) + 1 for h in hyps) / max(seconds, 1e-9), 1),
        "sentences": sentences,
    }
    if plot_sentence is not None and 0 <= plot_sentence < len(sources):
        png = out_json.with_suffix(".alignment.png")
        hyp = translator.translate([sources[plot_sentence]], beam=beam, alignments=True)[0]
        plot_alignment(hyp, png, title=f"Sentence {plot_sentence}: attention alignment")
        report["alignment_png"] = str(png)
    out_json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


def _references_note(references_from: str | Path | None, count: int) -> dict:
    note: dict = {"from": str(references_from) if references_from is not None else "given in memory"}
    path = Path(references_from) if references_from is not None else None
    if path is not None and path.is_file():
        note["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    note["lines"] = count
    return note


def plot_alignment(hyp: Hypothesis, png: Path, title: str = "Attention alignment") -> Path:
    """Heat map of target tokens (rows) against source tokens (columns)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if hyp.attention is None:
        raise ValueError("hypothesis has no attention; translate with alignments=True")
    attn = np.asarray(hyp.attention)
    fig, ax = plt.subplots(figsize=(max(4, 0.5 * attn.shape[1] + 2), max(3, 0.4 * attn.shape[0] + 1.5)))
    im = ax.imshow(attn, cmap="viridis", aspect="auto", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(hyp.source_tokens)), hyp.source_tokens, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(hyp.target_tokens)), hyp.target_tokens, fontsize=8)
    ax.set_xlabel("source subword")
    ax.set_ylabel("target subword")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="attention weight")
    fig.tight_layout()
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png
