"""Adversarial training: it moves the tables only for the second gradient, and what it
trains is the ordinary network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import synthetic_reviews

from sentigru.errors import SentigruError
from sentigru.spec import ModelSpec, Spec, TrainingSpec

pytest.importorskip("keras")

SMALL = ModelSpec(embed_dim=8, units=8, bigram_buckets=64, bigram_dim=2, dropout=0.0)


def _batch(vocab: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ids = rng.integers(3, vocab, size=(16, 12)).astype("int32")
    ids[:, 0] = 1
    labels = np.eye(2, dtype="float32")[rng.integers(0, 2, size=16)]
    return ids, labels


def _compiled(epsilon: float, rate: float) -> tuple[object, object]:
    import keras

    from sentigru.adversarial import wrap
    from sentigru.model import build_model

    keras.utils.set_random_seed(3)
    model = build_model(SMALL, 40, 2)
    trainee = wrap(model, epsilon)
    trainee.compile(keras.optimizers.SGD(rate), "categorical_crossentropy", metrics=["accuracy"])
    return model, trainee


def test_the_tables_are_moved_back_after_each_step() -> None:
    model, trainee = _compiled(epsilon=5.0, rate=0.0)
    before = [np.array(w) for w in model.get_weights()]
    trainee.train_on_batch(*_batch(40))
    for old, new in zip(before, model.get_weights(), strict=True):
        # A zero step leaves no shift behind (a shift of 5 over the table would be ~0.3
        # an entry; adding and taking it away again costs only float round-off).
        np.testing.assert_allclose(old, new, atol=1e-6)


def test_the_step_adds_the_gradient_at_the_moved_tables() -> None:
    ids, labels = _batch(40)
    steps = {}
    for epsilon in (0.0, 1e-6, 5.0):
        model, trainee = _compiled(epsilon, rate=0.1)
        before = [np.array(w) for w in model.get_weights()]
        trainee.train_on_batch(ids, labels)
        steps[epsilon] = [np.array(w) - b for w, b in zip(model.get_weights(), before, strict=True)]
    # Tables barely moved: the second gradient is the first again, so SGD steps twice as far.
    for plain, tiny in zip(steps[0.0], steps[1e-6], strict=True):
        np.testing.assert_allclose(tiny, 2 * plain, rtol=1e-3, atol=1e-7)
    # Tables moved by 5: the second gradient is another one.
    assert not np.allclose(steps[5.0][0], 2 * steps[0.0][0], rtol=1e-2, atol=1e-5)


def test_training_saves_the_plain_network(synthetic_files: tuple[Path, Path]) -> None:
    from sentigru.data import read_examples
    from sentigru.training import train

    spec = Spec(
        model=SMALL,
        training=TrainingSpec(epochs=2, batch_size=32, seed=1, adversarial=1.0),
    ).replace(tokenizer={"vocab_size": 60, "seq_len": 32})
    trained = train(read_examples(synthetic_files[0]).examples, spec, verbose=0, strategy="one")
    assert trained.model.name == "sentigru"
    assert all(np.isfinite(trained.history["loss"])) and min(trained.history["loss"]) > 0
    assert 0.0 <= trained.metrics["val_accuracy"] <= 1.0
    assert trained.model.predict(_batch(len(trained.vocab))[0], verbose=0).shape == (16, 2)


def test_adversarial_settings_are_checked() -> None:
    with pytest.raises(SentigruError, match="adversarial must be >= 0"):
        TrainingSpec(adversarial=-0.5)


def test_adversarial_training_refuses_several_devices() -> None:
    from sentigru.data.examples import Examples
    from sentigru.training import train

    rows = synthetic_reviews(40)
    examples = Examples([t for _, t in rows], [lab for lab, _ in rows])
    spec = Spec(training=TrainingSpec(adversarial=1.0))
    with pytest.raises(SentigruError, match="one device"):
        train(examples, spec, verbose=0, strategy="mirrored")
