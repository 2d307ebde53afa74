"""In-graph tokenization equals HF `tokenizers` (the original's fast BERT tokenizer) on random text."""

from __future__ import annotations

import random
import unicodedata

import pytest
import tensorflow as tf

POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      ",
    ".,;:!?'\"()[]{}<>$%^&*-_+=/\\|~`@#",
    "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏßẞİıŁłŒœŠšŽž",
    "ΑΒΓΔΕΖΗΘΣΟσςαβγ абвгдЖЗИЙ",
    "中文字日本語한국어ひらがなカタカナ",
    "😀🎉👍🏽\u200d\u2028\u00a0\u3000\t\n\r\x00\x0b\x0c\x1f\x7f\x85\u200b\ufeff\ufffd\ue000",
    "\u0301\u0308\u0327\u20ac\u00a3\u00b5\u00bd\u2122\uff21\uff41\uff10\uff0c\u3002",
]


def random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        texts.append("".join(rng.choice(rng.choice(POOLS)) for _ in range(rng.randint(0, 40))))
    return texts


@pytest.fixture(scope="module")
def original():
    tokenizers = pytest.importorskip("tokenizers")
    from nlu.embeddings.builder import weights_dir

    tok = tokenizers.Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def test_ids_and_offsets_equal_the_original_on_random_unicode(hub_module, original):
    texts = random_texts(400, seed=6) + ["a" * 100, "b" * 101, "x" + "\u0301" * 150, "ΣΟΦΟΣ İstanbul ǅ ﬁ"]
    out = hub_module.tokenize(tf.constant(texts))
    mask = out["mask"].numpy()
    for i, text in enumerate(texts):
        n = int(mask[i].sum())
        ref = original.encode(text, add_special_tokens=False)
        assert out["ids"][i, :n].numpy().tolist() == ref.ids[:254], repr(text)
        starts, ends = out["starts"][i, :n].numpy().tolist(), out["ends"][i, :n].numpy().tolist()
        mine = list(zip(starts, ends, strict=True))
        assert mine == [tuple(o) for o in ref.offsets[:254]], repr(text)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    return "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Cc", "Cf", "Co", "Cs")).lower()


def test_offsets_round_trip_to_the_text(encoder, reference):
    texts = [r["text"] for r in reference] + ["Book a flight to São Paulo on Friday, 14:30!", "naïve façades"]
    enc = encoder.encode(texts)
    checked = 0
    for i, text in enumerate(texts):
        for j, piece in enumerate(enc.wordpieces[i]):
            span = text[enc.starts[i, j] : enc.ends[i, j]]
            assert enc.starts[i, j] < enc.ends[i, j] <= len(text)
            if piece == "[UNK]":
                continue
            piece = piece.removeprefix("##")
            normalised = _normalise(span)
            # a piece equals its slice, except where NFD splits one character into several pieces (Hangul)
            assert normalised == piece or piece in normalised, (text, piece, span)
            checked += 1
    assert checked > 500
