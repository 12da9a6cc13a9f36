"""Ids and labels as a ``tf.data`` pipeline: shuffled, batched by length, prefetched.

Batching by length matters for speed: a batch of short phrases is padded only to its own
longest phrase, not to ``seq_len``; the mask makes the result the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sentigru.tf_quiet import import_tensorflow

if TYPE_CHECKING:  # TensorFlow's names in annotations (it has no type hints of its own)
    import tensorflow as tf
else:  # sentigru's settings (oneDNN off, quiet logs) wherever TF loads first
    tf = import_tensorflow()


def epoch_value(epoch: tf.Variable | tf.Tensor) -> tf.Tensor:
    """The epoch number as an int64 scalar: read from a variable each time the pipeline
    starts over (``model.fit``), or given as a tensor (an element of an outer dataset
    that repeats the pipeline)."""
    if isinstance(epoch, tf.Variable):
        return epoch.read_value()
    return tf.cast(epoch, tf.int64)


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
    epoch: tf.Variable | tf.Tensor | None = None,
    shard: tuple[int, int] = (0, 1),
    class_weights: Sequence[float] | None = None,
) -> tf.data.Dataset:
    """``rows`` are unpadded id lists (``<START>`` first), ``targets`` one-hot labels.

    With ``epoch`` (an int64 variable the trainer sets as each epoch begins), the rows
    come in an order drawn from ``(seed, epoch)`` alone, so a run resumed at epoch k
    sees exactly the order an uninterrupted run sees at epoch k. Without it, the order
    is the input order (for validation). ``shard`` (index, count) keeps every
    count-th row of that order, so the workers of a cluster read disjoint rows. With
    ``class_weights`` (one per label), each row also carries a weight for the loss: its
    target's mean of them (a one-hot label's own; a teacher's soft scores, the mean by
    its scores)."""
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
            seeds = tf.concat([key, tf.reshape(epoch_value(epoch), [1])], axis=0)  # [2]
            return tf.random.experimental.index_shuffle(i, seeds, count - 1)

        order = order.map(shuffled)
    if shard[1] > 1:
        order = order.shard(shard[1], shard[0])

    def row(i: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return flat[offsets_t[i] : offsets_t[i] + lengths_t[i]], targets_t[i]

    dataset = order.map(row, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    dataset = _weighted(dataset, class_weights)
    batched = _batched(dataset, batch_size, seq_len, int(targets.shape[1]))
    if shard[1] > 1:  # a shard's rows per bucket change with each epoch's order
        return batched
    return batched.apply(
        tf.data.experimental.assert_cardinality(batch_count(lengths, batch_size, seq_len))
    )


def batch_count(lengths: np.ndarray, batch_size: int, seq_len: int) -> int:
    """How many batches the length buckets make of rows of these lengths: each bucket
    ends in one partial batch. Known up front, Keras shows a real progress bar from the
    first epoch on (not ``1/Unknown``)."""
    buckets = np.searchsorted(_boundaries(seq_len), lengths, side="right")
    sizes = np.bincount(buckets)
    return int(sum(-(-int(n) // batch_size) for n in sizes if n))


def _weighted(dataset: tf.data.Dataset, class_weights: Sequence[float] | None) -> Any:
    """``(ids, target)`` rows as ``(ids, target, weight)``, which Keras' ``fit`` and the
    workers' loop read as each row's weight in the loss."""
    if class_weights is None:
        return dataset
    weights = tf.constant(np.asarray(class_weights, np.float32))
    return dataset.map(lambda ids, y: (ids, y, tf.reduce_sum(y * weights)))


def _batched(dataset: tf.data.Dataset, batch_size: int, seq_len: int, labels: int) -> Any:
    bounds = _boundaries(seq_len)
    weighted = len(dataset.element_spec) == 3
    dataset = dataset.bucket_by_sequence_length(
        element_length_func=lambda ids, *_: tf.shape(ids)[0],
        bucket_boundaries=bounds,
        bucket_batch_sizes=[batch_size] * (len(bounds) + 1),
        padded_shapes=([None], [labels], []) if weighted else ([None], [labels]),
        padding_values=(0, 0.0, 0.0) if weighted else (0, 0.0),
    )
    return dataset.prefetch(tf.data.AUTOTUNE)


def stream_dataset(
    rows: Callable[[int], Iterator[tuple[list[int], int]]],
    *,
    labels: int,
    batch_size: int,
    seq_len: int,
    epoch: tf.Variable | tf.Tensor | None = None,
    class_weights: Sequence[float] | None = None,
) -> tf.data.Dataset:
    """A pipeline pulling ``(ids, label index)`` rows from ``rows(epoch)``, a generator
    the caller makes (it reads, shuffles and tokenizes files), batched like
    :func:`make_dataset`. ``epoch`` is read each time the pipeline is iterated anew, so
    the generator can draw each epoch's order from (seed, epoch)."""
    signature = (tf.TensorSpec([None], tf.int32), tf.TensorSpec([], tf.int32))

    def generate(index: Any) -> Iterator[tuple[np.ndarray, int]]:
        for ids, label in rows(int(index)):
            yield np.asarray(ids, np.int32), label

    def from_epoch(index: tf.Tensor) -> tf.data.Dataset:
        return tf.data.Dataset.from_generator(generate, args=(index,), output_signature=signature)

    if epoch is None:
        dataset = from_epoch(tf.constant(0, tf.int64))
    else:
        dataset = tf.data.Dataset.range(1).flat_map(lambda _: from_epoch(epoch_value(epoch)))
    dataset = dataset.map(lambda ids, y: (ids, tf.one_hot(y, labels)))
    return _batched(_weighted(dataset, class_weights), batch_size, seq_len, labels)
