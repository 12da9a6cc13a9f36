"""Ids and labels as a ``tf.data`` pipeline: shuffled, batched by length, prefetched.

Batching by length matters for speed: a batch of short phrases is padded only to its own
longest phrase, not to ``seq_len``; the mask makes the result the same either way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf


def _boundaries(seq_len: int) -> list[int]:
    bounds, edge = [], 16
    while edge < seq_len:
        bounds.append(edge + 1)
        edge *= 2
    return bounds


def make_dataset(
    rows: Sequence[Sequence[int]],
    targets: np.ndarray,
    *,
    batch_size: int,
    seq_len: int,
    shuffle: bool,
    seed: int,
) -> tf.data.Dataset:
    """``rows`` are unpadded id lists (``<START>`` first), ``targets`` one-hot labels."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int32, count=len(rows))
    padded = np.zeros((len(rows), max(1, int(lengths.max(initial=1)))), dtype=np.int32)
    for i, row in enumerate(rows):
        padded[i, : len(row)] = row
    dataset = tf.data.Dataset.from_tensor_slices((padded, lengths, targets.astype(np.float32)))
    if shuffle:
        dataset = dataset.shuffle(len(rows), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.map(lambda ids, n, y: (ids[:n], y), num_parallel_calls=tf.data.AUTOTUNE)
    bounds = _boundaries(seq_len)
    dataset = dataset.bucket_by_sequence_length(
        element_length_func=lambda ids, _: tf.shape(ids)[0],
        bucket_boundaries=bounds,
        bucket_batch_sizes=[batch_size] * (len(bounds) + 1),
        padded_shapes=([None], [targets.shape[1]]),
        padding_values=(0, 0.0),
    )
    return dataset.prefetch(tf.data.AUTOTUNE)
