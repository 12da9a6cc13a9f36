"""The character n-gram teacher (``--ngram-teacher``): TF-IDF rows as the usual
definition has them, a linear model that learns labels carried by characters of any
script, scores that are truly out-of-fold, and training rows that gain its scores
while validation keeps its labels."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from conftest import synthetic_reviews

from sentigru import ngram_teacher
from sentigru.data import Examples
from sentigru.errors import SentigruError
from sentigru.spec import Spec
from sentigru.train_data import Unlabelled, prepare


def _reviews(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Japanese-looking texts whose label is carried by one character among filler."""
    rng = random.Random(seed)
    filler = "のはがでをにとしたですますこれそれ商品配送"
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        chars = [rng.choice(filler) for _ in range(rng.randint(5, 30))]
        chars.insert(rng.randrange(len(chars) + 1), rng.choice("良優" if label else "悪酷"))
        texts.append("".join(chars))
        labels.append(label)
    return texts, np.eye(2)[labels]


def test_features_are_unit_length_tfidf_rows_of_shared_ngrams() -> None:
    features = ngram_teacher.featurize(["abcab", "abd", "xyz"])
    lengths = [
        np.sqrt((features.data[a:b] ** 2).sum())
        for a, b in zip(features.indptr, features.indptr[1:])
    ]
    np.testing.assert_allclose(lengths[:2], 1.0)
    assert lengths[2] == 0.0  # nothing of "xyz" is in a second text
    assert features.width == 3  # a, b, ab: the n-grams two texts share
    np.testing.assert_allclose(features.tdot(np.eye(3))[:, 2], 0.0)


def test_sparse_products_equal_dense_ones() -> None:
    texts, _ = _reviews(40)
    features = ngram_teacher.featurize(texts)
    dense = np.zeros((features.rows, features.width))
    for row, (a, b) in enumerate(zip(features.indptr, features.indptr[1:])):
        dense[row, features.indices[a:b]] = features.data[a:b]
    weights = np.random.default_rng(0).normal(size=(features.width, 2))
    np.testing.assert_allclose(features.dot(weights), dense @ weights, atol=1e-12)
    values = np.random.default_rng(1).normal(size=(features.rows, 2))
    np.testing.assert_allclose(features.tdot(values), dense.T @ values, atol=1e-12)
    part = features.take(np.array([3, 1]))
    np.testing.assert_allclose(part.dot(weights), (dense @ weights)[[3, 1]], atol=1e-12)


def test_the_teacher_reads_labels_carried_by_characters() -> None:
    texts, targets = _reviews(300)
    scores = ngram_teacher.out_of_fold_scores(texts, targets, seed=1)
    assert scores.shape == (300, 2) and np.allclose(scores.sum(axis=1), 1.0, atol=1e-5)
    assert (scores.argmax(axis=1) == targets.argmax(axis=1)).mean() > 0.95


def test_a_texts_score_never_depends_on_its_own_label() -> None:
    texts, targets = _reviews(100, seed=2)
    flipped = targets.copy()
    flipped[7] = flipped[7][::-1]
    before = ngram_teacher.out_of_fold_scores(texts, targets, seed=3)
    after = ngram_teacher.out_of_fold_scores(texts, flipped, seed=3)
    np.testing.assert_array_equal(before[7], after[7])
    assert not np.array_equal(before, after)  # the other folds' teachers did see it


def test_training_rows_gain_the_teachers_scores_and_validation_keeps_labels() -> None:
    rows = synthetic_reviews(80, seed=4)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings({"val_split": 0.1, "seq_len": 64, "vocab_size": 500})
    plain = prepare(examples, spec)
    taught = prepare(examples, spec.with_settings({"ngram_teacher": True}))
    labelled = sum(plain.counts.values())
    assert taught.unlabelled_rows == labelled and taught.train_rows == 2 * labelled
    assert taught.val_rows == plain.val_rows and taught.counts == plain.counts
    assert 0.5 < taught.teacher_accuracy <= 1.0
    targets = np.concatenate([y.numpy() for _, y in taught.pipelines("train", None, 16, (0, 1))])
    assert len(targets) == 2 * labelled
    soft = ~np.isin(targets, [0.0, 1.0]).all(axis=1)
    assert soft.sum() > labelled // 2  # the teacher's rows are scores, not labels
    val = np.concatenate([y.numpy() for _, y in taught.pipelines("val", None, 16, (0, 1))])
    assert set(val.ravel().tolist()) == {0.0, 1.0}
    assert list(taught.train_ids()) == list(plain.train_ids())  # each text counted once


def test_fits_side_by_side_give_the_scores_of_fits_one_after_another(monkeypatch) -> None:
    texts, targets = _reviews(200, seed=5)
    unlabelled, _ = _reviews(40, seed=6)
    monkeypatch.setattr(ngram_teacher, "ITERATIONS", 30)
    monkeypatch.setattr(ngram_teacher, "available_cores", lambda: 1)
    one = ngram_teacher.teach(texts, targets, seed=3, unlabelled=unlabelled)
    monkeypatch.setattr(ngram_teacher, "available_cores", lambda: 4)
    several = ngram_teacher.teach(texts, targets, seed=3, unlabelled=unlabelled)
    assert all(np.array_equal(a, b) for a, b in zip(one, several))


def test_unlabelled_texts_are_scored_by_a_teacher_of_every_labelled_text() -> None:
    texts, targets = _reviews(300, seed=1)
    unlabelled, hidden = _reviews(80, seed=2)
    out_of_fold, scores = ngram_teacher.teach(texts, targets, seed=3, unlabelled=unlabelled)
    assert scores.shape == hidden.shape and np.allclose(scores.sum(axis=1), 1.0, atol=1e-5)
    assert (scores.argmax(axis=1) == hidden.argmax(axis=1)).mean() > 0.9
    assert out_of_fold.shape == targets.shape
    assert (out_of_fold.argmax(axis=1) == targets.argmax(axis=1)).mean() > 0.9


def test_the_ngram_teacher_scores_unlabelled_rows_only_when_it_is_on() -> None:
    rows = synthetic_reviews(80, seed=4)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings({"val_split": 0.0, "seq_len": 64, "vocab_size": 500})
    extra = [t for _, t in synthetic_reviews(30, seed=5)]
    unlabelled = Unlabelled.for_ngram_teacher(extra)
    taught = prepare(examples, spec.with_settings({"ngram_teacher": True}), unlabelled=unlabelled)
    assert taught.unlabelled_rows == 80 + 30 and taught.train_rows == 2 * 80 + 30
    assert len(list(taught.train_ids())) == 80 + 30  # each text once for the word vectors
    labels = np.eye(2)[[taught.labels.index(label) for label, _ in rows]]
    scores, others = ngram_teacher.teach(examples.texts, labels, spec.training.seed, extra)
    expected = np.concatenate([labels, others, scores])
    targets = np.concatenate([y.numpy() for _, y in taught.pipelines("train", None, 16, (0, 1))])
    np.testing.assert_allclose(np.sort(targets[:, 0]), np.sort(expected[:, 0]), atol=1e-6)
    with pytest.raises(SentigruError, match="--ngram-teacher"):
        prepare(examples, spec, unlabelled=unlabelled)


def test_ctrl_c_stops_the_fits_at_their_next_step() -> None:
    """The fits run in a thread pool, which waited for every fit before Ctrl-C or SIGTERM
    got through: 69 s on 2,700 reviews, many minutes on a large set. The fits now stop
    at their next step (here fits that would take minutes, stopped within seconds)."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import signal, sys, threading, time
        sys.path.insert(0, TESTS)
        import numpy as np
        from conftest import synthetic_reviews
        from sentigru import ngram_teacher

        ngram_teacher.ITERATIONS = 10**7  # fits that would run for hours
        rows = synthetic_reviews(200, seed=1)
        targets = np.eye(2)[[int(label == "positive") for label, _ in rows]]
        main = threading.main_thread().ident
        threading.Timer(1.0, signal.pthread_kill, (main, signal.SIGINT)).start()
        started = time.monotonic()
        try:
            ngram_teacher.teach([text for _, text in rows], targets, 7)
        except KeyboardInterrupt:
            print(f"stopped {time.monotonic() - started:.1f}")
        """
    )
    script = script.replace("TESTS", repr(str(Path(__file__).parent)))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.startswith("stopped"), done.stderr[-2000:]
    assert float(done.stdout.split()[1]) < 30
