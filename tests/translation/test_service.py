"""TranslationService: pairs, 404 listing pairs, 413/splitting, micro-batching under threads."""

from __future__ import annotations

import threading

import pytest

from translation.errors import InputTooLong, UnknownLanguagePair
from translation.service import TranslationService


@pytest.fixture(scope="module")
def service(transformer_dir, rnn_dir):
    svc = TranslationService.load(
        {("en", "de"): transformer_dir, ("en", "de-rnn"): rnn_dir}, batch_window_ms=30
    )
    yield svc
    svc.close()


def test_translates_with_the_pair_asked_for(service, tiny_pairs):
    assert service.pairs() == [("en", "de"), ("en", "de-rnn")]
    out = service.translate([tiny_pairs[0][0], tiny_pairs[1][0]], "en", "de", beam=2)
    assert [t.text for t in out] == [tiny_pairs[0][1], tiny_pairs[1][1]]
    assert all(t.score <= 0 and t.alignment is None for t in out)


def test_alignments_on_request(service, tiny_pairs):
    t = service.translate([tiny_pairs[2][0]], "en", "de", alignments=True)[0]
    assert len(t.alignment) == len(t.target_tokens) and len(t.alignment[0]) == len(t.source_tokens)
    assert t.to_dict()["alignment"]["source_tokens"][-1] == "</s>"


def test_unknown_pair_is_404_and_lists_available_pairs(service):
    with pytest.raises(UnknownLanguagePair) as info:
        service.translate(["hi"], "de", "fr")
    assert info.value.kind == "not_found"
    assert "de-fr" in info.value.message and "available pairs: en-de, en-de-rnn" in info.value.message


def test_long_text_is_split_into_sentences(service, tiny_pairs):
    a, b = tiny_pairs[10], tiny_pairs[11]
    sp = service.translators[("en", "de")].subwords.source
    limit = max(len(sp.encode(a[0])), len(sp.encode(b[0]))) + 1  # each sentence fits, both together do not
    service._max_input_tokens = limit
    try:
        out = service.translate([f"{a[0]} {b[0]}"], "en", "de", beam=2, alignments=True)[0]
        single = service.translate([a[0], b[0]], "en", "de", beam=2)
        assert out.text == f"{single[0].text} {single[1].text}"
        assert len(out.alignment) == len(out.target_tokens)
        with pytest.raises(InputTooLong) as info:
            service.translate(["word " * 40], "en", "de")
        assert info.value.kind == "too_large" and f"the limit is {limit}" in info.value.message
    finally:
        service._max_input_tokens = None


def test_too_many_texts_is_413(service):
    with pytest.raises(InputTooLong, match="65 texts in one request, the limit is 64"):
        service.translate(["hi"] * 65, "en", "de")


def test_concurrent_calls_are_micro_batched_with_the_same_results(service, tiny_pairs):
    texts = [p[0] for p in tiny_pairs[:16]]
    singles = [service.translate([t], "en", "de", beam=2)[0] for t in texts]
    batches_before = service.batcher.batches
    results: dict[int, object] = {}
    barrier = threading.Barrier(len(texts))

    def call(i: int) -> None:
        barrier.wait()
        results[i] = service.translate([texts[i]], "en", "de", beam=2)[0]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [results[i].text for i in range(len(texts))] == [s.text for s in singles]
    assert [results[i].score for i in range(len(texts))] == pytest.approx(
        [s.score for s in singles], abs=1e-3
    )
    assert service.batcher.batches - batches_before < len(texts)  # grouped, not one call each
