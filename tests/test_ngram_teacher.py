"""The character n-gram teacher (``--ngram-teacher``): TF-IDF rows as the usual
definition has them, a linear model that learns labels carried by characters of any
script, scores that are truly out-of-fold, and training rows that gain its scores
while validation keeps its labels."""

from __future__ import annotations

import random

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


def test_unlabelled_texts_are_scored_by_a_teacher_of_every_labelled_text() -> None:
    texts, targets = _reviews(300, seed=1)
    unlabelled, hidden = _reviews(80, seed=2)
    out_of_fold, scores, _ = ngram_teacher.teach(texts, targets, seed=3, unlabelled=unlabelled)
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
    scores, others, _ = ngram_teacher.teach(examples.texts, labels, spec.training.seed, extra)
    expected = np.concatenate([labels, others, scores])
    targets = np.concatenate([y.numpy() for _, y in taught.pipelines("train", None, 16, (0, 1))])
    np.testing.assert_allclose(np.sort(targets[:, 0]), np.sort(expected[:, 0]), atol=1e-6)
    with pytest.raises(SentigruError, match="--ngram-teacher"):
        prepare(examples, spec, unlabelled=unlabelled)


def test_crops_are_parts_of_their_text_and_keep_whole_words_where_there_are_spaces() -> None:
    texts = [t for _, t in synthetic_reviews(60, seed=6)] + _reviews(60, seed=6)[0] + ["x", ""]
    parts, parents = ngram_teacher.crops(texts, 2, seed=5)
    assert len(parts) == 2 * 120 and set(parents.tolist()) == set(range(120))
    for part, parent in zip(parts, parents):
        text = texts[parent]
        assert part and part in text and len(part) < len(text) + 1
        if " " in text:
            assert set(part.split()) <= set(text.split())  # no word cut in two
    shorter = sum(len(p) < len(texts[i]) for p, i in zip(parts, parents))
    assert shorter > 0.9 * len(parts)
    again, _ = ngram_teacher.crops(texts, 2, seed=5)
    assert again == parts and ngram_teacher.crops(texts, 2, seed=6)[0] != parts


def test_a_crop_is_scored_by_the_teacher_that_did_not_see_its_text() -> None:
    texts, targets = _reviews(120, seed=2)
    parents = np.arange(len(texts))
    taught = ngram_teacher.teach(texts, targets, 3, (), texts, parents)
    np.testing.assert_allclose(taught.crop_scores, taught.scores, atol=1e-6)
    parts, parents = ngram_teacher.crops(texts, 1, seed=3)
    before = ngram_teacher.teach(texts, targets, 3, (), parts, parents).crop_scores
    flipped = targets.copy()
    flipped[7] = flipped[7][::-1]
    after = ngram_teacher.teach(texts, flipped, 3, (), parts, parents).crop_scores
    own = parents == 7
    np.testing.assert_array_equal(before[own], after[own])
    assert not np.array_equal(before[~own], after[~own])


def test_crops_join_the_training_rows_with_the_teachers_scores() -> None:
    rows = synthetic_reviews(80, seed=4)
    examples = Examples([t for _, t in rows], [label for label, _ in rows])
    spec = Spec().with_settings(
        {"val_split": 0.0, "seq_len": 64, "vocab_size": 500, "ngram_teacher": True}
    )
    plain = prepare(examples, spec)
    cropped = prepare(examples, spec.with_settings({"ngram_teacher_crops": 2}))
    assert cropped.train_rows == 4 * 80 and cropped.unlabelled_rows == 3 * 80
    assert list(cropped.train_ids()) == list(plain.train_ids())  # crops are not new text
    targets = np.concatenate([y.numpy() for _, y in cropped.pipelines("train", None, 16, (0, 1))])
    labels = np.eye(2)[[cropped.labels.index(label) for label, _ in rows]]
    parts, parents = ngram_teacher.crops(examples.texts, 2, spec.training.seed)
    taught = ngram_teacher.teach(examples.texts, labels, spec.training.seed, (), parts, parents)
    expected = np.concatenate([labels, taught.scores, taught.crop_scores])
    np.testing.assert_allclose(np.sort(targets[:, 0]), np.sort(expected[:, 0]), atol=1e-6)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ngram_teacher_crops": 1}, "add --ngram-teacher"),
        ({"ngram_teacher": True, "ngram_teacher_crops": 9}, "must be in"),
        ({"ngram_teacher": True, "ngram_teacher_crops": -1}, "must be in"),
    ],
)
def test_crops_need_the_teacher_and_a_bounded_count(settings: dict, message: str) -> None:
    with pytest.raises(SentigruError, match=message):
        Spec().with_settings(settings)
