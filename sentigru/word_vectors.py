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
CHUNK_ROWS = 4096
"""Texts counted at once. Their pairs wait until they outnumber the distinct pairs
counted so far and are then merged in: memory follows the number of distinct pairs, not
the size of the data, and each pair is sorted a bounded number of times (merging every
chunk would sort all distinct pairs again per chunk, slow on a large streamed corpus)."""
FIRST_WORD = UNKNOWN_ID + 1
MAX_PAIRS = 2**24
"""Distinct word pairs kept (16.8 million, 0.27 GB of keys and weights; some four times
that while merging). Beyond it each merge drops the pairs of least weight, so a
streamed corpus of any size is counted in bounded memory; the bundled model's rows hold
7.8 million, so its word vectors are those of every pair."""


Sparse = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(row ids, column ids, values) of a sparse square matrix."""


def cooccurrences(
    rows: Iterable[Sequence[int]],
    vocab_size: int,
    window: int = WINDOW,
    chunk: int = CHUNK_ROWS,
    cap: int = MAX_PAIRS,
) -> Sparse:
    """Symmetric neighbour counts of word ids within each row (special ids skipped), of
    at most ``cap`` distinct pairs: the heaviest, both orders of a pair kept alike."""
    merged: list[np.ndarray] = [np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)]
    pending: list[np.ndarray] = []  # keys and weights of counted chunks, in order
    batch: list[Sequence[int]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            pending += _count(batch, vocab_size, window)
            batch = []
            if sum(len(keys) for keys in pending[0::2]) >= len(merged[0]):
                merged, pending = list(_merge(*merged, *pending, cap=cap)), []
    if batch:
        pending += _count(batch, vocab_size, window)
    keys, weights = _merge(*merged, *pending, cap=cap)
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


def _merge(*parts: np.ndarray, cap: int = MAX_PAIRS) -> tuple[np.ndarray, np.ndarray]:
    keys = np.concatenate(parts[0::2])
    unique, where = np.unique(keys, return_inverse=True)
    weights = np.bincount(where, weights=np.concatenate(parts[1::2]), minlength=len(unique))
    if len(unique) > cap:  # strictly heavier than the cap-th: a and b, b and a weigh alike
        keep = weights > np.partition(weights, len(weights) - cap)[len(weights) - cap]
        unique, weights = unique[keep], weights[keep]
    return unique, weights


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
