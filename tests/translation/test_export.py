"""The SavedModel export maps strings to strings in-graph and matches the Python translator."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_text  # noqa: F401 - registers the sentencepiece ops the export uses

from translation.export import export


@pytest.mark.parametrize("name", ["transformer", "rnn"])
def test_export_round_trip_matches_python_translator(name, tiny_pairs, tmp_path, request):
    translator = request.getfixturevalue(name)
    out = export(request.getfixturevalue(f"{name}_dir"), tmp_path / "export", beam=3)
    texts = [p[0] for p in tiny_pairs[:12]] + ["A sentence it has never seen, about zebras.", "Hi!"]
    expected = translator.translate(texts, beam=3)
    loaded = tf.saved_model.load(str(out))
    result = loaded.signatures["serving_default"](text=tf.constant(texts))
    got = [t.decode("utf-8") for t in result["translation"].numpy()]
    assert got == [h.text for h in expected]
    np.testing.assert_allclose(result["score"].numpy(), [h.score for h in expected], atol=1e-3)
    assert json.loads((out / "parley_export.json").read_text())["beam"] == 3
