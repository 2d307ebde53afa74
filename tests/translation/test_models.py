"""Both models memorise 50 pairs; beam 1 equals greedy; save/load gives identical outputs."""

from __future__ import annotations

import numpy as np
import pytest
import sacrebleu
import tensorflow as tf

from translation.decoding import beam_search, greedy
from translation.translator import Translator


@pytest.mark.parametrize("name", ["transformer", "rnn"])
def test_model_memorises_fifty_pairs(name, tiny_pairs, request):
    translator: Translator = request.getfixturevalue(name)
    hyps = translator.translate([p[0] for p in tiny_pairs], beam=1)
    bleu = sacrebleu.corpus_bleu([h.text for h in hyps], [[p[1] for p in tiny_pairs]]).score
    assert bleu >= 90, f"{name} reached BLEU {bleu:.1f} on its 50 training pairs"
    assert hyps[0].text == tiny_pairs[0][1]


@pytest.mark.parametrize("name", ["transformer", "rnn"])
def test_beam_of_one_equals_greedy(name, tiny_pairs, request):
    translator: Translator = request.getfixturevalue(name)
    ids = translator.subwords.encode_source([p[0] for p in tiny_pairs[:20]] + ["unseen words about zebras"])
    src = np.zeros((len(ids), max(map(len, ids))), np.int32)
    for i, row in enumerate(ids):
        src[i, : len(row)] = row
    g_tokens, g_scores, g_attn = greedy(translator.model, tf.constant(src))
    b_tokens, b_scores, b_attn = beam_search(translator.model, tf.constant(src), beam=1)
    np.testing.assert_array_equal(g_tokens.numpy(), b_tokens.numpy()[:, 0])
    np.testing.assert_allclose(g_scores.numpy(), b_scores.numpy()[:, 0], rtol=1e-5)
    np.testing.assert_allclose(g_attn.numpy(), b_attn.numpy()[:, 0], atol=1e-6)


def test_nbest_is_sorted_and_distinct(transformer, tiny_pairs):
    nbest = transformer.translate_nbest([tiny_pairs[3][0]], beam=3, n_best=3)[0]
    scores = [h.score for h in nbest]
    assert scores == sorted(scores, reverse=True)
    assert len({h.token_ids for h in nbest}) == 3


@pytest.mark.parametrize("name", ["transformer", "rnn"])
def test_save_load_round_trip_gives_identical_outputs(name, tiny_pairs, request, tmp_path):
    translator: Translator = request.getfixturevalue(name)
    texts = [p[0] for p in tiny_pairs[:10]] + ["Something it never saw."]
    before = translator.translate(texts, beam=3)
    translator.save(tmp_path / "copy")
    after = Translator.load(tmp_path / "copy").translate(texts, beam=3)
    assert [h.text for h in after] == [h.text for h in before]
    assert [h.score for h in after] == pytest.approx([h.score for h in before], abs=1e-5)


def test_models_rebuild_from_get_config(transformer, rnn):
    for translator in (transformer, rnn):
        cfg = translator.model.get_config()
        clone = type(translator.model)(**cfg)
        assert clone.get_config() == cfg


def test_alignment_covers_target_and_source_tokens(transformer, tiny_pairs):
    hyp = transformer.translate([tiny_pairs[5][0]], alignments=True)[0]
    assert hyp.attention.shape == (len(hyp.target_tokens), len(hyp.source_tokens))
    np.testing.assert_allclose(hyp.attention.sum(axis=1), 1.0, atol=1e-4)
