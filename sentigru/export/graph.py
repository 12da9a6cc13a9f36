"""The phone graph: the trained network rewritten for a fixed shape and builtin ops.

MediaPipe Tasks accepts a classifier with a single subgraph only, so the recurrence is
unrolled, which costs one set of operators per time step. This module writes that
unrolled graph by hand from the Keras weights, as lean as the arithmetic allows:

* the input projection of every time step is one matmul before the loop, so a step
  does only the recurrent matmul and the gate arithmetic (Keras' cell does both);
* padding is at the end of a row (the tokenizer's contract), so the forward direction
  needs no per-step masking at all: its outputs on padding are left out by the pooling;
  the backward direction meets the padding first and is held at zero there by one
  multiply per step, which is exactly what Keras' masking computes;
* no per-step slicing: the projections are unstacked once.

``runtime="litert"`` keeps a ``WHILE`` loop instead (a smaller file for apps that call
the LiteRT interpreter themselves, which MediaPipe refuses).

The result equals the Keras model on any row the tokenizer makes (tested to 1e-5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf


@dataclass
class _Direction:
    kernel: np.ndarray  # [in, gates * units]
    recurrent: np.ndarray  # [units, gates * units]
    input_bias: np.ndarray  # [gates * units]
    recurrent_bias: np.ndarray  # [gates * units] (GRU reset_after); zeros for LSTM
    cell: str
    backward: bool

    @property
    def units(self) -> int:
        return self.recurrent.shape[0]


def _direction(layer: Any, cell: str) -> _Direction:
    weights = {w.path.rsplit("/", 1)[-1]: np.asarray(w.numpy()) for w in layer.weights}
    bias = weights["bias"]
    if cell == "gru":
        if bias.ndim != 2 or not layer.cell.reset_after:
            raise ValueError("only GRU cells with reset_after=True are supported")
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros_like(bias)
    return _Direction(
        weights["kernel"],
        weights["recurrent_kernel"],
        input_bias,
        recurrent_bias,
        cell,
        bool(layer.go_backwards),
    )


@dataclass
class PhoneWeights:
    """Everything the phone graph needs, read once from a Keras model."""

    embedding: np.ndarray
    layers: list[tuple[_Direction, _Direction]]
    pooling: str
    dense_kernel: np.ndarray
    dense_bias: np.ndarray
    chunk_len: int = 0
    bigram_table: np.ndarray | None = None

    @classmethod
    def from_keras(cls, model: Any, spec: Any) -> PhoneWeights:
        """``spec`` is the model's :class:`~sentigru.spec.ModelSpec`."""
        layers = []
        for layer in model.layers:
            if layer.name.startswith("bi_"):
                layers.append(
                    (
                        _direction(layer.forward_layer, spec.cell),
                        _direction(layer.backward_layer, spec.cell),
                    )
                )
        dense = model.get_layer("scores")
        bigrams = None
        if spec.bigram_buckets:
            bigrams = np.asarray(model.get_layer("bigrams").table.embeddings.numpy())
        return cls(
            np.asarray(model.get_layer("embedding").embeddings.numpy()),
            layers,
            spec.pooling,
            np.asarray(dense.kernel.numpy()),
            np.asarray(dense.bias.numpy()),
            spec.chunk_len,
            bigrams,
        )


def _project(inputs: tf.Tensor, kernel: np.ndarray, bias: np.ndarray) -> tf.Tensor:
    """``inputs @ kernel + bias`` for every time step at once: ``[batch, steps, out]``."""
    batch, steps = inputs.shape[0], inputs.shape[1]
    flat = tf.reshape(inputs, [batch * steps, inputs.shape[-1]])
    out = tf.matmul(flat, tf.constant(kernel)) + tf.constant(bias)
    return tf.reshape(out, [batch, steps, kernel.shape[1]])


def _scan(
    step: Callable[..., tuple[tf.Tensor, tf.Tensor]],
    sequences: list[tf.Tensor],
    state: tuple[tf.Tensor, tf.Tensor],
    unroll: bool,
) -> tf.Tensor:
    """Run ``step(*inputs_t, h, c)`` over time; ``[batch, steps, units]`` of every h."""
    steps = sequences[0].shape[1]
    if unroll:
        per_step = [tf.unstack(seq, axis=1) for seq in sequences]  # one UNPACK op each
        h, c = state
        outputs = []
        for inputs_t in zip(*per_step):
            h, c = step(*inputs_t, h, c)
            outputs.append(h)
        return tf.stack(outputs, axis=1)
    time_major = [tf.transpose(seq, [1, 0, 2]) for seq in sequences]
    units = state[0].shape[-1]

    def body(t, h, c, out):  # type: ignore[no-untyped-def]
        h, c = step(*(seq[t] for seq in time_major), h, c)
        return t + 1, h, c, tf.tensor_scatter_nd_update(out, [[t]], h[None])

    # Zeros made from an input at run time: a TensorArray (or tf.zeros) of static shape
    # is folded by the converter into a constant of steps x batch x units floats.
    out = time_major[0][..., :units] * 0.0
    _, _, _, out = tf.while_loop(
        lambda t, *_: t < steps, body, [tf.constant(0), *state, out], maximum_iterations=steps
    )
    return tf.transpose(out, [1, 0, 2])


def _run_direction(inputs: tf.Tensor, mask: tf.Tensor, d: _Direction, unroll: bool) -> tf.Tensor:
    """Per-step outputs ``[batch, steps, units]`` of one direction, in input order."""
    units = d.units
    zeros = tf.zeros([inputs.shape[0], units], tf.float32)
    if d.backward:
        inputs, mask = tf.reverse(inputs, axis=[1]), tf.reverse(mask, axis=[1])
    if d.cell == "gru":
        # Gates z and r share one matmul, the candidate another: two FULLY_CONNECTED ops.
        split = 2 * units
        u_zr, u_h = tf.constant(d.recurrent[:, :split]), tf.constant(d.recurrent[:, split:])
        b_zr, b_h = d.recurrent_bias[:split], d.recurrent_bias[split:]
        sequences = [
            _project(inputs, d.kernel[:, :split], d.input_bias[:split] + b_zr),
            _project(inputs, d.kernel[:, split:], d.input_bias[split:]),
        ]

        def step(x_zr, x_h, *rest):  # type: ignore[no-untyped-def]
            *m, h, c = rest
            z, r = tf.split(tf.sigmoid(x_zr + tf.matmul(h, u_zr)), 2, axis=-1)
            candidate = tf.tanh(x_h + r * (tf.matmul(h, u_h) + b_h))
            h = candidate + z * (h - candidate)
            return (h * m[0] if m else h), c
    else:
        u = tf.constant(d.recurrent)
        sequences = [_project(inputs, d.kernel, d.input_bias)]

        def step(x, *rest):  # type: ignore[no-untyped-def]
            *m, h, c = rest
            i, f, g, o = tf.split(x + tf.matmul(h, u), 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h = tf.sigmoid(o) * tf.tanh(c)
            return (h * m[0], c * m[0]) if m else (h, c)

    if d.backward:  # padding comes first: hold the state at zero through it
        sequences.append(mask)
    outputs = _scan(step, sequences, (zeros, zeros), unroll)
    return tf.reverse(outputs, axis=[1]) if d.backward else outputs


def _pool(x: tf.Tensor, mask: tf.Tensor, mode: str) -> tf.Tensor:
    pooled = []
    if "max" in mode:
        pooled.append(tf.reduce_max(x * mask + (1.0 - mask) * -1e9, axis=1))
    if "mean" in mode:
        count = tf.maximum(tf.reduce_sum(mask, axis=1), 1.0)
        pooled.append(tf.reduce_sum(x * mask, axis=1) / count)
    return pooled[0] if len(pooled) == 1 else tf.concat(pooled, axis=-1)


def phone_function(
    weights: PhoneWeights, batch: int, seq_len: int, unroll: bool = True
) -> tf.types.experimental.ConcreteFunction:
    """A concrete function ``ids [batch, seq_len] int32 → scores [batch, labels] float32``."""
    embedding = tf.constant(weights.embedding)

    if weights.chunk_len and seq_len % weights.chunk_len:
        raise ValueError(f"seq_len {seq_len} is not a multiple of chunk_len {weights.chunk_len}")
    chunk = weights.chunk_len or seq_len
    vocab_size = weights.embedding.shape[0]

    @tf.function(input_signature=[tf.TensorSpec([batch, seq_len], tf.int32, name="ids")])
    def scores(ids: tf.Tensor) -> tf.Tensor:
        mask = tf.expand_dims(tf.cast(tf.not_equal(ids, 0), tf.float32), -1)
        x = tf.gather(embedding, ids)
        # Chunks run side by side as a batch: the unrolled graph covers one chunk.
        x = tf.reshape(x, [batch * (seq_len // chunk), chunk, x.shape[-1]])
        chunk_mask = tf.reshape(mask, [batch * (seq_len // chunk), chunk, 1])
        for forward, backward in weights.layers:
            directions = (forward, backward)
            x = tf.concat([_run_direction(x, chunk_mask, d, unroll) for d in directions], axis=-1)
        x = tf.reshape(x, [batch, seq_len, x.shape[-1]])
        features = [_pool(x, mask, weights.pooling)]
        if weights.bigram_table is not None:
            features.append(_bigrams(ids, weights.bigram_table, vocab_size))
        pooled = tf.concat(features, axis=-1) if len(features) > 1 else features[0]
        logits = tf.matmul(pooled, tf.constant(weights.dense_kernel)) + weights.dense_bias
        return tf.nn.softmax(logits)

    return scores.get_concrete_function()


def _bigrams(ids: tf.Tensor, table: np.ndarray, vocab_size: int) -> tf.Tensor:
    """The mean hashed-pair embedding, as :class:`sentigru.model.HashedBigrams` computes it."""
    first, second = ids[:, :-1], ids[:, 1:]
    codes = tf.math.floormod(first * vocab_size + second, table.shape[0])
    weights = tf.expand_dims(tf.cast(tf.not_equal(second, 0), tf.float32), -1)
    total = tf.reduce_sum(tf.gather(tf.constant(table), codes) * weights, axis=1)
    return total / tf.maximum(tf.reduce_sum(weights, axis=1), 1.0)
