"""Handles, building once, loading other hub modules, and the Keras 3 layer."""

from __future__ import annotations

import time

import numpy as np
import pytest
import tensorflow as tf

from nlu.embeddings import (
    DEFAULT_HANDLE,
    EmbeddingModuleError,
    SentenceEncoder,
    build_module,
    default_cache_dir,
    resolve_handle,
)
from nlu.embeddings.builder import MARKER, is_built


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("PARLEY_CACHE_DIR")
    assert default_cache_dir().parts[-2:] == (".cache", "parley")


def test_existing_module_is_reused_not_rebuilt(module_path):
    marker = module_path / MARKER
    before = marker.stat().st_mtime_ns
    started = time.perf_counter()
    assert build_module() == module_path
    assert resolve_handle(DEFAULT_HANDLE) == str(module_path)
    assert time.perf_counter() - started < 1.0
    assert marker.stat().st_mtime_ns == before


def test_a_half_written_module_counts_as_not_built(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"partial")
    assert not is_built(tmp_path)
    (tmp_path / MARKER).write_text('{"format_version": 0}')
    assert not is_built(tmp_path)  # an older format is rebuilt too


def test_local_folder_handles_resolve_to_themselves(module_path):
    assert resolve_handle(str(module_path)) == str(module_path.resolve())
    assert resolve_handle(f"file://{module_path}") == str(module_path.resolve())


def test_remote_handles_are_passed_to_hub_as_urls():
    kaggle = "https://www.kaggle.com/models/google/universal-sentence-encoder/tensorFlow2/multilingual/2"
    for handle in ("https://tfhub.dev/google/universal-sentence-encoder-multilingual/3", kaggle):
        assert resolve_handle(handle) == handle
    assert resolve_handle("google/universal-sentence-encoder/tensorFlow2/multilingual/2") == kaggle


@pytest.mark.parametrize(
    "handle", ["/no/such/module", "./missing-module", "parley://other-model", "", "not-a-module"]
)
def test_bad_handles_are_clear_errors(handle):
    with pytest.raises(EmbeddingModuleError) as err:
        resolve_handle(handle)
    assert err.value.kind == "unavailable"


class _SentenceOnly(tf.Module):
    """A stand-in for the Universal Sentence Encoder: strings -> (batch, 8), no per-token outputs."""

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def __call__(self, texts):
        lengths = tf.cast(tf.strings.length(texts), tf.float32)[:, None]  # (batch, 1)
        return tf.concat([lengths, tf.ones([tf.shape(texts)[0], 7])], 1)  # (batch, 8)


def test_a_sentence_only_hub_module_loads_from_a_local_folder(tmp_path):
    path = tmp_path / "use-like"
    tf.saved_model.save(_SentenceOnly(), str(path))
    enc = SentenceEncoder(str(path))
    assert enc.dim == 8 and not enc.has_tokens
    out = enc.encode(["abc", "a"])
    assert out.sentence.shape == (2, 8) and out.tokens is None and out.wordpieces is None
    np.testing.assert_allclose(np.linalg.norm(out.sentence, axis=1), 1.0, atol=1e-6)


def test_hub_embedding_layer_inside_a_keras3_model(encoder):
    import keras

    from nlu.embeddings import HubEmbeddingLayer

    texts = tf.constant(["hello there", "book a table", "good morning", "reserve a seat for two"])
    labels = np.array([0, 1, 0, 1])
    inp = keras.Input(shape=(), dtype="string")
    features = HubEmbeddingLayer()(inp)  # (batch, 384)
    model = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(features))
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    history = model.fit(texts, labels, epochs=8, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
    assert model.predict(texts, verbose=0).argmax(1).tolist() == labels.tolist()
    assert not model.layers[1].trainable_weights  # the hub module is a frozen feature extractor

    inp = keras.Input(shape=(), dtype="string")
    out = HubEmbeddingLayer(output_key="all")(inp)
    pooled = keras.layers.GlobalAveragePooling1D()(out["tokens"], mask=out["mask"])
    enc = encoder.encode(["book a table", "hi"])
    expected = enc.tokens.sum(1) / enc.mask.sum(1, keepdims=True)
    got = keras.Model(inp, pooled)(tf.constant(["book a table", "hi"]))
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.slow
def test_a_fresh_build_takes_under_a_minute_and_gives_the_reference(tmp_path, reference):
    from nlu.embeddings.handles import import_hub

    started = time.perf_counter()
    path = build_module(tmp_path / "fresh")
    assert time.perf_counter() - started < 60
    assert is_built(path)
    module = import_hub().load(str(path))
    got = module.sentence(tf.constant([reference[0]["text"]])).numpy()[0]
    want = np.array(reference[0]["sentence"])
    assert got @ want / np.linalg.norm(want) >= 0.9999


def test_cli_info_names_the_module_folder(module_path, capsys):
    from nlu.embeddings.cli import main

    assert main(["info"]) == 0
    assert str(module_path) in capsys.readouterr().out
