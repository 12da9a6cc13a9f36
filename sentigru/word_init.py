"""Word vectors from the training text's own co-occurrences (PPMI + truncated SVD)."""

from __future__ import annotations

import numpy as np


def ppmi_table(rows, vocab_size: int, dim: int, norm: float, seed: int, window: int = 5):
    flat = np.concatenate([np.append(np.asarray(r[1:], dtype=np.int64), -1) for r in rows])
    counts = np.zeros(vocab_size * vocab_size, dtype=np.float64)
    for d in range(1, window + 1):
        a, b = flat[:-d], flat[d:]
        ok = (a > 2) & (b > 2)
        counts += np.bincount(a[ok] * vocab_size + b[ok], minlength=vocab_size**2) / d
    c = counts.reshape(vocab_size, vocab_size)
    c = c + c.T
    total = c.sum()
    row = c.sum(1)
    ctx = row**0.75
    ctx = ctx / ctx.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(c / total / (row[:, None] / total) / ctx[None, :])
    p = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    rng = np.random.default_rng(seed)
    q = np.linalg.qr(p @ rng.standard_normal((vocab_size, dim + 32)))[0]
    for _ in range(2):
        q = np.linalg.qr(p @ (p.T @ q))[0]
    u, s, _ = np.linalg.svd(q.T @ p, full_matrices=False)
    e = (q @ u[:, :dim]) * np.sqrt(s[:dim])
    n = np.linalg.norm(e[3:], axis=1)
    return (e * (norm / np.median(n[n > 0]))).astype(np.float32)
