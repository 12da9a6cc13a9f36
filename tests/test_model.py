"""The network's shapes, and that padding does not change what it says."""

from __future__ import annotations

import numpy as np
import pytest

from sentigru.spec import ModelSpec

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("pooling", ["maxmean", "max", "mean"])
def test_shapes_and_softmax(cell: str, pooling: str) -> None:
    from sentigru.model import build_model

    model = build_model(
        ModelSpec(cell=cell, units=4, embed_dim=4, pooling=pooling, chunk_len=0, bigram_buckets=0),
        50,
        3,
    )
    ids = np.random.default_rng(0).integers(1, 50, size=(5, 11)).astype(np.int32)
    scores = np.asarray(model(ids, training=False))
    assert scores.shape == (5, 3)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    "spec",
    [
        ModelSpec(units=8, embed_dim=8, chunk_len=0, bigram_buckets=0),
        ModelSpec(units=8, embed_dim=8, layers=2, chunk_len=0, bigram_buckets=0),
        ModelSpec(units=8, embed_dim=8, chunk_len=4, bigram_buckets=31, bigram_dim=4),
    ],
)
def test_short_text_reads_the_same_padded_to_any_length(spec: ModelSpec) -> None:
    """A 5-word sentence padded to 256 must score as it does padded to 8: the padding is
    masked in both directions and left out of the pooling (and of the word pairs)."""
    from sentigru.model import build_model

    model = build_model(spec, 100, 2)
    words = [1, 17, 42, 5, 99, 23]
    short = np.zeros((1, 8), np.int32)
    short[0, : len(words)] = words
    long = np.zeros((1, 256), np.int32)
    long[0, : len(words)] = words
    np.testing.assert_allclose(
        np.asarray(model(short, training=False)),
        np.asarray(model(long, training=False)),
        atol=1e-6,
    )


def test_the_recurrent_layers_get_a_mask_cudnn_takes(tmp_path) -> None:
    """A text shorter than its batch's longest leaves chunks of padding only; a mask with
    no step on fails Keras' check before cuDNN (GPUs), inside a compiled training step
    where it cannot fall back. Checked here by Keras' own check, which a CPU runs too."""
    import keras
    import tensorflow as tf
    from keras.src.backend.tensorflow.rnn import _assert_valid_mask  # cuDNN's precondition

    from sentigru.model import build_model

    spec = ModelSpec(units=4, embed_dim=4, chunk_len=4, bigram_buckets=0)
    model = build_model(spec, 30, 2)
    ids = np.zeros((2, 12), np.int32)
    ids[0, :12], ids[1, :3] = np.arange(1, 13), [1, 5, 6]  # the second: two chunks of padding
    masks = keras.Model(
        model.input, [model.get_layer(n).output for n in ("chunk_mask", "rnn_mask")]
    )(ids)
    chunk_mask, rnn_mask = (np.asarray(m) for m in masks)
    with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded"):
        _assert_valid_mask(tf.constant(chunk_mask))
    _assert_valid_mask(tf.constant(rnn_mask))
    assert (rnn_mask[:, 1:] == chunk_mask[:, 1:]).all() and rnn_mask[:, 0].all()
    model.save(tmp_path / "m.keras")  # the new layer is registered: safe_mode loads it
    from sentigru.bundle import load_keras

    again = load_keras(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(again(ids)), np.asarray(model(ids)), atol=1e-6)


def test_a_model_saved_before_the_mask_layer_runs_on_todays_graph(monkeypatch) -> None:
    """Folders saved before :class:`FirstStepKept` (the bundled model's among them) give
    their recurrent layers the chunk mask: the Keras predictor runs them on the graph
    built today, with their weights and their scores."""
    from sentigru import model as model_module

    spec = ModelSpec(units=4, embed_dim=4, chunk_len=4, bigram_buckets=0)
    with monkeypatch.context() as patch:  # the graph as it was: no rnn_mask layer
        patch.setattr(model_module, "FirstStepKept", lambda name: lambda mask: mask)
        old = model_module.build_model(spec, 30, 2)
    assert "rnn_mask" not in {layer.name for layer in old.layers}
    new = model_module.with_current_graph(old, spec)
    assert "rnn_mask" in {layer.name for layer in new.layers}
    ids = np.zeros((2, 12), np.int32)
    ids[0], ids[1, :3] = np.arange(1, 13), [1, 5, 6]
    np.testing.assert_allclose(np.asarray(new(ids)), np.asarray(old(ids)), atol=1e-6)
    assert model_module.with_current_graph(new, spec) is new  # today's: as it is


def test_saved_model_reloads_in_safe_mode(tmp_path) -> None:
    """The custom layers are registered, so safe_mode loading needs no code from the file."""
    from sentigru.bundle import load_keras
    from sentigru.model import build_model

    spec = ModelSpec(units=4, embed_dim=4, chunk_len=4, bigram_buckets=17, bigram_dim=2)
    model = build_model(spec, 30, 2)
    model.save(tmp_path / "m.keras")
    ids = np.array([[1, 5, 6, 7, 8, 9, 0, 0]], np.int32)
    again = load_keras(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(again(ids)), np.asarray(model(ids)), atol=1e-6)


def test_unknown_dropout_hides_words_in_training_only() -> None:
    """In training, words (never <PAD> or <START>) become <UNKNOWN> at about the rate
    asked; at inference the ids pass unchanged, so the phone graph needs no such step."""
    from sentigru.contract import PAD_ID, START_ID, UNKNOWN_ID
    from sentigru.model import UnknownDropout

    keras.utils.set_random_seed(3)
    layer = UnknownDropout(0.25)
    ids = np.zeros((64, 40), np.int32)
    ids[:, 0] = START_ID
    ids[:, 1:30] = np.random.default_rng(0).integers(3, 500, (64, 29))
    hidden = np.asarray(layer(ids, training=True))
    assert np.array_equal(np.asarray(layer(ids, training=False)), ids)
    assert np.all(hidden[:, 0] == START_ID) and np.all(hidden[:, 30:] == PAD_ID)
    changed = hidden[:, 1:30] != ids[:, 1:30]
    assert np.all(hidden[:, 1:30][changed] == UNKNOWN_ID)
    assert 0.2 < changed.mean() < 0.3


def test_a_model_with_unknown_dropout_reloads_and_predicts_as_without(tmp_path) -> None:
    """The layer has no weights: with the same weights, the model answers as one built
    without it, before and after a save."""
    from sentigru.bundle import load_keras
    from sentigru.model import build_model

    spec = ModelSpec(units=4, embed_dim=4, chunk_len=4, bigram_buckets=17, bigram_dim=2)
    plain = build_model(spec, 30, 2)
    hiding = build_model(ModelSpec(**{**spec.__dict__, "unknown_rate": 0.2}), 30, 2)
    hiding.set_weights(plain.get_weights())
    hiding.save(tmp_path / "m.keras")
    ids = np.array([[1, 5, 6, 7, 8, 9, 0, 0]], np.int32)
    expected = np.asarray(plain(ids, training=False))
    np.testing.assert_allclose(np.asarray(hiding(ids, training=False)), expected, atol=1e-6)
    again = load_keras(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(again(ids, training=False)), expected, atol=1e-6)
