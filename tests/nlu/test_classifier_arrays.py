"""The classifier's batches: padded feature arrays whose shapes follow the longest message."""

from __future__ import annotations

import numpy as np

from nlu.components.base import Message, Token
from nlu.components.classifier_arrays import batch_arrays, probe_arrays, signature, target_arrays
from nlu.data.training_data import Example

META = {
    "intents": ["bye", "greet"],
    "tags": [],
    "roles": [],
    "groups": [],
    "dense_dim": 3,
    "token_dense_dim": 0,
    "intent_attention": 0,
    "buckets": 10,
    "n_patterns": 0,
}


def _message(text: str, intent: str, ngrams: list[int]) -> Message:
    tokens = [Token(w, text.index(w), text.index(w) + len(w)) for w in text.split()]
    return Message(
        text,
        Example(text, intent),
        tokens,
        sentence_dense=np.ones(3, np.float32),
        sentence_ngrams=np.array(ngrams, np.int32),
        ngram_buckets=10,
    )


def test_batches_pad_to_the_longest_and_clip_ids_to_the_buckets():
    messages = [_message("hi", "greet", [1, 2]), _message("bye now", "bye", [3, 4, 12])]
    x = batch_arrays(META, messages)
    assert x["sent_dense"].shape == (2, 3) and x["sent_ids"].shape == (2, 3)
    assert x["sent_ids"].tolist() == [[1, 2, 0], [3, 4, 9]]  # padded with 0; 12 clipped to 9
    assert target_arrays(META, messages, 1)["intent"].tolist() == [1, 0]


def test_probe_matches_the_batch_signature():
    messages = [_message("hi", "greet", [1])]
    batch_spec, _ = signature(batch_arrays(META, messages), {})
    probe_spec, _ = signature(probe_arrays(META), {})
    assert batch_spec == probe_spec
