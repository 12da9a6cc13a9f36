"""Word vectors from the training text: the counts are the pairs within the window of
one text, words used alike end up alike, and ``--word-init ppmi`` starts training from
them."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import NEGATIVE, POSITIVE, synthetic_reviews, write_tsv

from sentigru.spec import ModelSpec, Spec, TrainingSpec
from sentigru.word_vectors import FIRST_WORD, ROW_NORM, cooccurrences, word_vectors


def _brute_force(rows: list[list[int]], window: int) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        for i, a in enumerate(row):
            for j in range(i + 1, min(i + window + 1, len(row))):
                b = row[j]
                if a >= FIRST_WORD and b >= FIRST_WORD:
                    counts[a, b] += 1 / (j - i)
                    counts[b, a] += 1 / (j - i)
    return counts


def _as_counter(matrix: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Counter:
    return Counter({(int(i), int(j)): float(v) for i, j, v in zip(*matrix, strict=True)})


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_counts_are_the_pairs_within_the_window_of_one_text(chunk: int) -> None:
    rng = random.Random(0)
    # <START>=1 and <UNKNOWN>=2 occur, and short rows sit next to each other, so pairs
    # that reach across two texts or touch a special id would show.
    rows = [[1] + [rng.randrange(2, 9) for _ in range(rng.randint(0, 8))] for _ in range(40)]
    got = _as_counter(cooccurrences(rows, 9, window=3, chunk=chunk))
    want = _brute_force(rows, window=3)
    assert got.keys() == want.keys()
    for pair, value in want.items():
        assert got[pair] == pytest.approx(value)


@pytest.mark.parametrize("chunk", [1, 5, 10_000])
def test_beyond_the_cap_the_heaviest_pairs_are_kept_both_ways(chunk: int) -> None:
    """A streamed corpus of any size is counted in bounded memory: over ``cap``
    distinct pairs, the lightest go, never one order of a pair without the other."""
    rng = random.Random(1)
    rows = [[1] + [rng.randrange(3, 40) for _ in range(rng.randint(2, 12))] for _ in range(300)]
    want = _brute_force(rows, window=3)
    cap = 60
    got = _as_counter(cooccurrences(rows, 40, window=3, chunk=chunk, cap=cap))
    assert 0 < len(got) < cap < len(want)
    assert all(got[j, i] == got[i, j] for i, j in got)  # symmetric
    lightest_kept = min(got.values())
    dropped = [value for pair, value in want.items() if pair not in got]
    if chunk == 10_000:  # one chunk: exactly the heaviest
        assert max(dropped) <= lightest_kept + 1e-9
        assert all(got[pair] == pytest.approx(want[pair]) for pair in got)


def _corpus(n: int, seed: int = 0) -> tuple[list[list[int]], dict[str, int]]:
    """Texts where the positive cue words share their neighbours, and so do the
    negative ones: ids follow the conftest word lists."""
    words = POSITIVE + NEGATIVE + ["the", "film", "was", "plot", "felt", "so", "ending"]
    ids = {word: FIRST_WORD + i for i, word in enumerate(words)}
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        if rng.random() < 0.5:
            text = ["the", "film", "was", rng.choice(POSITIVE)]
        else:
            text = ["the", "plot", "felt", "so", rng.choice(NEGATIVE), "ending"]
        rows.append([1] + [ids[w] for w in text])
    return rows, ids


def test_words_used_alike_get_alike_vectors() -> None:
    rows, ids = _corpus(400)
    size = max(ids.values()) + 2  # the last id never occurs
    vectors = word_vectors(rows, size, dim=4, seed=0)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    good, great, awful = (unit[ids[w]] for w in ("great", "superb", "awful"))
    assert good @ great > 0.9 and good @ awful < 0.5
    lengths = np.linalg.norm(vectors, axis=1)
    assert not lengths[:FIRST_WORD].any() and lengths[-1] == 0  # specials, unseen word
    assert np.median(lengths[lengths > 0]) == pytest.approx(ROW_NORM, rel=1e-5)
    again = word_vectors(rows, size, dim=4, seed=0)
    np.testing.assert_array_equal(vectors, again)  # the seed fixes the SVD


def test_texts_without_word_pairs_give_no_vectors() -> None:
    """One-word texts and special ids only: nothing to learn from, so every row stays
    zero (training then keeps its random start) instead of failing or dividing by 0."""
    vectors = word_vectors([[1], [1, 5], [1, 2, 6], []], 8, dim=4, seed=0)
    assert vectors.shape == (8, 4) and not vectors.any()


def test_training_starts_from_the_word_vectors(tmp_path: Path) -> None:
    """With a learning rate too small to move anything, the trained word table is the
    start: the vectors where a word has neighbours, the random start elsewhere."""
    pytest.importorskip("keras")
    from sentigru.data import read_examples
    from sentigru.train_data import prepare
    from sentigru.training import train

    examples = read_examples(write_tsv(tmp_path / "t.tsv", synthetic_reviews(200))).examples
    tables = {}
    for init in ("random", "ppmi"):
        spec = Spec(
            model=ModelSpec(embed_dim=8, units=8, bigram_buckets=0, dropout=0.0),
            training=TrainingSpec(
                epochs=1, min_steps=0, seed=3, learning_rate=1e-12, word_init=init
            ),
        ).replace(tokenizer={"vocab_size": 60, "seq_len": 32}, model={"chunk_len": 0})
        trained = train(examples, spec, verbose=0, strategy="one")
        tables[init] = trained.model.get_layer("embedding").embeddings.numpy()
    prepared = prepare(examples, spec)
    vectors = word_vectors(prepared.train_ids(), *tables["ppmi"].shape, seed=3)
    found = np.linalg.norm(vectors, axis=1) > 0
    assert found[FIRST_WORD:].all()  # every kept word has a neighbour here
    np.testing.assert_allclose(tables["ppmi"][found], vectors[found], atol=1e-6)
    np.testing.assert_allclose(tables["ppmi"][~found], tables["random"][~found], atol=1e-6)


def test_streamed_training_rows_leave_the_validation_rows_out(tmp_path: Path) -> None:
    from sentigru.data.stream import StreamSource
    from sentigru.train_data import prepare

    path = write_tsv(tmp_path / "t.tsv", synthetic_reviews(300, seed=4))
    source = StreamSource([path], val_fraction=0.2, seed=5)
    spec = Spec(training=TrainingSpec(stream=True, seed=5))
    prepared = prepare(source, spec)
    rows = list(prepared.train_ids())
    assert len(rows) == prepared.train_rows < 300
    assert len(list(prepared.train_ids())) == len(rows)  # each call is a new pass


def test_an_unknown_word_init_is_refused() -> None:
    from sentigru.errors import SentigruError

    with pytest.raises(SentigruError, match="word_init must be one of random, ppmi"):
        TrainingSpec(word_init="glove")
