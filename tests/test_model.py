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
