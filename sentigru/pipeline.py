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
    seed: int,
    epoch: tf.Variable | None = None,
) -> tf.data.Dataset:
    """``rows`` are unpadded id lists (``<START>`` first), ``targets`` one-hot labels.

    With ``epoch`` (an int64 variable the trainer sets as each epoch begins), the rows
    come in an order drawn from ``(seed, epoch)`` alone, so a run resumed at epoch k
    sees exactly the order an uninterrupted run sees at epoch k. Without it, the order
    is the input order (for validation)."""
    count = len(rows)
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=count)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    flat = tf.constant(np.fromiter((i for r in rows for i in r), np.int32, int(lengths.sum())))
    lengths_t, offsets_t = tf.constant(lengths), tf.constant(offsets)
    targets_t = tf.constant(targets.astype(np.float32))

    order = tf.data.Dataset.range(count)
    if epoch is not None:
        key = tf.constant([seed], tf.int64)

        def shuffled(i: tf.Tensor) -> tf.Tensor:
            seeds = tf.concat([key, tf.reshape(epoch.read_value(), [1])], axis=0)  # [2]
            return tf.random.experimental.index_shuffle(i, seeds, count - 1)

        order = order.map(shuffled)

    def row(i: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return flat[offsets_t[i] : offsets_t[i] + lengths_t[i]], targets_t[i]

    dataset = order.map(row, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    bounds = _boundaries(seq_len)
    dataset = dataset.bucket_by_sequence_length(
        element_length_func=lambda ids, _: tf.shape(ids)[0],
        bucket_boundaries=bounds,
        bucket_batch_sizes=[batch_size] * (len(bounds) + 1),
        padded_shapes=([None], [targets.shape[1]]),
        padding_values=(0, 0.0),
    )
    return dataset.prefetch(tf.data.AUTOTUNE)
