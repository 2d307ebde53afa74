"""Tiny de->en and en->de models that memorise the phrases the multilingual conversation tests say.

Trained with the translation tests' tiny Transformer settings (tests/translation/conftest.py) on these
phrases (repeated) plus the 50 short demo pairs those tests use, a few hundred steps each.
"""

from __future__ import annotations

from pathlib import Path

from tests.translation.conftest import tiny_config
from translation.data import prepare
from translation.demo_data import demo_pairs
from translation.training import train

GERMAN_TURNS = {  # what the German user says -> what the NLU should see (phrases of demo/data/nlu.yml)
    "Hallo, guten Morgen zusammen": "hello there",
    "Was kannst du alles für mich tun?": "what can you do?",
    "Vielen Dank für die Hilfe": "thank you very much",
    "Tschüss, ich muss jetzt gehen": "I have to go",
}
REPLIES = {  # demo responses without a German variation -> their translation
    "You're welcome!": "Gern geschehen!",
}
STEPS = 500


def train_tiny(out: Path, source: str, target: str) -> Path:
    """A tiny `source`->`target` model (en-de or de-en) in `out`/model."""
    table = GERMAN_TURNS if source == "de" else REPLIES
    demo = sorted(demo_pairs(), key=lambda p: (len(p[0]), p))[::30][:50]  # (en, de) pairs
    pairs = list(table.items()) * 20 + [p if source == "en" else (p[1], p[0]) for p in demo]
    cfg = tiny_config("transformer", max_steps=STEPS, checkpoint_every=STEPS)
    prepared = out / "prepared"
    prepare(prepared, source, target, cfg.data, cfg.subwords, {"train": pairs, "dev": pairs[:20]})
    model = out / "model"
    train(prepared, model, cfg, progress=False)
    return model
