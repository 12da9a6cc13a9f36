"""The hand-written phone graph computes exactly what the Keras model computes."""

from __future__ import annotations

import numpy as np
import pytest

from sentigru.spec import ModelSpec

tf = pytest.importorskip("tensorflow")

SPECS = [
    ModelSpec(units=8, embed_dim=6),
    ModelSpec(units=8, embed_dim=6, pooling="mean"),
    ModelSpec(cell="lstm", units=8, embed_dim=6, chunk_len=5, pooling="max"),
    ModelSpec(units=8, embed_dim=6, layers=2, chunk_len=4, bigram_buckets=37, bigram_dim=3),
    ModelSpec(
        units=8, embed_dim=6, chunk_len=4, bigram_buckets=37, bigram_dim=1, bigram_dropout=False
    ),
]


def _rows(length: int, vocab: int) -> np.ndarray:
    """Rows as the tokenizer makes them: <START>, ids, then padding at the end only."""
    rng = np.random.default_rng(1)
    ids = np.zeros((4, length), np.int32)
    for i, n in enumerate([1, 5, length - 1, length]):
        ids[i, :n] = rng.integers(1, vocab, n)
        ids[i, 0] = 1
    return ids


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.cell}-{s.layers}-{s.chunk_len}")
@pytest.mark.parametrize("unroll", [True, False])
def test_phone_graph_equals_keras(spec: ModelSpec, unroll: bool) -> None:
    from sentigru.export.graph import PhoneWeights, phone_function
    from sentigru.model import build_model

    model = build_model(spec, 50, 3)
    rng = np.random.default_rng(0)
    for weight in model.weights:  # away from the initial zeros biases
        weight.assign(rng.normal(0, 0.5, weight.shape).astype("float32"))
    ids = _rows(20, 50)
    expected = np.asarray(model(ids, training=False))
    function = phone_function(PhoneWeights.from_keras(model, spec), 4, 20, unroll)
    np.testing.assert_allclose(function(tf.constant(ids)).numpy(), expected, atol=1e-5)


def test_seq_len_must_be_whole_chunks() -> None:
    from sentigru.export.graph import PhoneWeights, phone_function
    from sentigru.model import build_model

    spec = ModelSpec(units=4, embed_dim=4, chunk_len=8)
    weights = PhoneWeights.from_keras(build_model(spec, 20, 2), spec)
    with pytest.raises(ValueError, match="multiple of chunk_len"):
        phone_function(weights, 1, 20)
