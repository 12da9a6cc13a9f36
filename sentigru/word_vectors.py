"""Word vectors from the training text alone: positive PMI of nearby words, reduced by SVD.

Why: the word table is learned from the labels only, so a word whose labels say little
(a rare word, or one mostly seen in neutral phrases) stays near its random start. How
the same training text uses the word (which words surround it) places it near words
used alike, with no outside data: nothing to download, and nothing changes on the
phone, only the weights training starts from. Positive PMI reduced by a truncated SVD
is the count-based counterpart of skip-gram (Levy and Goldberg, NeurIPS 2014).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from sentigru.tokenizer import UNKNOWN_ID

WINDOW = 5
"""Words up to this far apart count as neighbours, each pair weighted 1 / distance."""
CONTEXT_POWER = 0.75
"""Context counts are raised to this power, which keeps rare contexts from dominating
PMI (the smoothing skip-gram's negative sampling does)."""
ROW_NORM = 1.0
"""Median length the word rows are scaled to, so Adam's steps move them at a known pace:
1.0 read other domains better than 0.5 by more than the seed spread on the bundled rows,
the rest within it (candidate Cm, benchmarks/held_out.md)."""
CHUNK_IDS = 2**19
"""Word ids counted at once (half a million: some 5 million pair keys before they are
summed). Counted by ids, not texts: 4,096 texts of 1,024 ids made 42 million keys at
once, and the count of a streamed corpus peaked at 2 to 4 GB."""
FIRST_WORD = UNKNOWN_ID + 1
MAX_PAIRS = 2**24
"""Distinct word pairs kept (16.8 million, 0.27 GB of keys and weights; twice that while
a chunk is added in). Beyond it each chunk drops the pairs of least weight, so a
streamed corpus of any size is counted in bounded memory; the bundled model's rows hold
7.8 million, so its word vectors are those of every pair."""


Sparse = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(row ids, column ids, values) of a sparse square matrix."""


def cooccurrences(
    rows: Iterable[Sequence[int]],
    vocab_size: int,
    window: int = WINDOW,
    chunk: int = CHUNK_IDS,
    cap: int = MAX_PAIRS,
) -> Sparse:
    """Symmetric neighbour counts of word ids within each row (special ids skipped), of
    at most ``cap`` distinct pairs: the heaviest, both orders of a pair kept alike.
    Rows are counted ``chunk`` ids at a time, each chunk's pairs summed and added into
    the sorted pairs counted so far (:func:`_fold`)."""
    counted = [np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)]  # keys, weights
    batch: list[Sequence[int]] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += len(row)
        if size >= chunk:
            _fold(counted, *_count(batch, vocab_size, window), cap=cap)
            batch, size = [], 0
    if batch:
        _fold(counted, *_count(batch, vocab_size, window), cap=cap)
    keys, weights = counted
    return keys // vocab_size, keys % vocab_size, weights


def _count(
    rows: list[Sequence[int]], vocab_size: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    gap = np.full(window, -1, dtype=np.int64)  # no pair reaches across two texts
    flat = np.concatenate([part for row in rows for part in (np.asarray(row, np.int64), gap)])
    keys, weights = [], []
    for distance in range(1, window + 1):
        left, right = flat[:-distance], flat[distance:]
        both = (left >= FIRST_WORD) & (right >= FIRST_WORD)
        left, right = left[both], right[both]
        keys += [left * vocab_size + right, right * vocab_size + left]
        weights.append(np.full(2 * len(left), 1.0 / distance))
    return np.concatenate(keys), np.concatenate(weights)


def _fold(counted: list[np.ndarray], new: np.ndarray, added: np.ndarray, cap: int) -> None:
    """Add a chunk's pairs to ``counted``, the sorted distinct pair keys and their
    weights, in place: the chunk's are summed first, then those already counted add to
    their weight and the others are inserted in order, with no sort of all the pairs
    again (memory: the pairs twice, not four times over; ``counted`` is emptied while
    it is rebuilt, so the old arrays go as soon as each is replaced). Over ``cap``
    pairs, those strictly heavier than the cap-th are kept: a and b, b and a weigh
    alike."""
    keys, weights = counted
    counted.clear()
    new, where = np.unique(new, return_inverse=True)
    added = np.bincount(where, weights=added, minlength=len(new))
    del where
    at = np.searchsorted(keys, new)
    seen = at < len(keys)
    seen[seen] = keys[at[seen]] == new[seen]
    weights[at[seen]] += added[seen]  # a key occurs once in ``new``: no add is lost
    unseen = ~seen
    keys = np.insert(keys, at[unseen], new[unseen])
    weights = np.insert(weights, at[unseen], added[unseen])
    del new, added, at, seen, unseen
    if len(keys) > cap:
        keep = weights > np.partition(weights, len(weights) - cap)[len(weights) - cap]
        keys = keys[keep]
        weights = weights[keep]
    counted += [keys, weights]


def positive_pmi(counts: Sparse, vocab_size: int) -> Sparse:
    """PMI of each counted pair against smoothed context counts, kept where positive."""
    i, j, n = counts
    word = np.bincount(i, weights=n, minlength=vocab_size)
    context = word**CONTEXT_POWER
    context /= max(context.sum(), 1e-12)
    pmi = np.log(n / (word[i] * context[j]))
    keep = pmi > 0
    return i[keep], j[keep], pmi[keep]


def _times(matrix: Sparse, dense: np.ndarray, size: int, transpose: bool = False) -> np.ndarray:
    i, j, v = matrix
    out_ids, in_ids = (j, i) if transpose else (i, j)
    return np.stack(
        [
            np.bincount(out_ids, weights=v * dense[in_ids, c], minlength=size)
            for c in range(dense.shape[1])
        ],
        axis=1,
    )


def svd_vectors(
    matrix: Sparse, size: int, dim: int, seed: int, oversample: int = 16, passes: int = 2
) -> np.ndarray:
    """``U_k sqrt(S_k)`` of a randomized truncated SVD (Halko et al., 2011)."""
    width = min(size, dim + oversample)
    q = np.linalg.qr(
        _times(matrix, np.random.default_rng(seed).standard_normal((size, width)), size)
    )[0]
    for _ in range(passes):
        q = np.linalg.qr(_times(matrix, _times(matrix, q, size, transpose=True), size))[0]
    u, s, _ = np.linalg.svd(_times(matrix, q, size, transpose=True).T, full_matrices=False)
    k = min(dim, len(s))
    vectors = np.zeros((size, dim))
    vectors[:, :k] = (q @ u[:, :k]) * np.sqrt(s[:k])
    return vectors


def word_vectors(rows: Iterable[Sequence[int]], vocab_size: int, dim: int, seed: int) -> np.ndarray:
    """A ``[vocab_size, dim]`` table, rows scaled to median length ``ROW_NORM``; rows of
    the special ids, and of words with no neighbour, are zero."""
    matrix = positive_pmi(cooccurrences(rows, vocab_size), vocab_size)
    vectors = svd_vectors(matrix, vocab_size, dim, seed)
    vectors[np.bincount(matrix[0], minlength=vocab_size) == 0] = 0.0  # not round-off
    lengths = np.linalg.norm(vectors, axis=1)
    if not lengths.any():
        return vectors.astype(np.float32)
    return (vectors * (ROW_NORM / np.median(lengths[lengths > 0]))).astype(np.float32)
