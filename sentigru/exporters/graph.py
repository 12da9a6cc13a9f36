"""The phone graph: the trained network rewritten for builtin ops, one subgraph.

MediaPipe Tasks accepts a classifier with a single subgraph only, so the recurrence is
unrolled, which costs one set of operators per time step of a chunk. This module writes
that unrolled graph by hand from the Keras weights, as lean as the arithmetic allows:

* every internal shape follows from the input: the ids ``[B, L]`` are read as
  ``[B, L / chunk, chunk]`` by strided slices (``ids[:, t::chunk]``), never by a reshape
  with sizes written in, so LiteRT's ``resize_tensor_input`` turns the one phone file
  into a graph for any batch ``B`` and any ``L`` that is a whole number of chunks, with
  the same weights and the same answers (``sentigru.bulk`` runs each text in the
  smallest such graph that holds it; the file itself keeps its fixed ``[1, L]`` input);
* the input projection of every time step is one matmul per gate group before the
  loop, so a step does only the recurrent matmuls and the gate arithmetic;
* the first step starts from a zero state, so it has no recurrent matmul at all;
* padding is at the end of a row (the tokenizer's contract), so the forward direction
  needs no masking: its outputs on padding are left out by the pooling. The backward
  direction meets the padding first, where Keras' masking keeps its state at zero; here
  the update gate of those steps gets a large bias before the loop, so it is exactly 1
  and the state exactly stays zero (an LSTM's input gate gets it, exactly 0), with no
  per-step multiply;
* the backward direction reads the steps in reverse by index: no reverse operators;
* for dynamic-range files the word table goes in as int8 rows with a scale each
  (:class:`RowInt8`), which the converter leaves alone: its own quantization would give
  the looked-up table one scale for all rows.

With a SentencePiece tokenizer the graph takes MediaPipe's three inputs (ids, mask,
segment ids, all ``int32 [B, L]``) and reads ``ids * mask + 0 * segment_ids``: the same
ids on every row the phone feeds, and every input kept in the converted graph (MediaPipe
looks for all three).

``runtime="litert"`` keeps a ``WHILE`` loop at fixed shapes instead (a smaller file for
apps that call the LiteRT interpreter themselves, which MediaPipe refuses).

The scores then pass :func:`sentigru.model.answer_gate`: a row with no id the model
learnt gets 1/n for every label, the one way an app that cannot count known words can
tell that the model read nothing.

The result equals the Keras model with that gate on any row the tokenizer makes (tested
to 1e-5; with :class:`RowInt8`, the Keras model holding the table's dequantized values).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sentigru.contract import SENTENCEPIECE_INPUTS, KnownIds
from sentigru.model import answer_gate
from sentigru.tf_quiet import import_tensorflow

if TYPE_CHECKING:  # TensorFlow's names in annotations (it has no type hints of its own)
    import tensorflow as tf
else:  # sentigru's settings (oneDNN off, quiet logs) wherever TF loads first
    tf = import_tensorflow()


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


ROW_SCALES = 256
"""Distinct row scales of an int8 embedding table: the codebook stays under the
converter's 1,024-element threshold, so it is never quantized itself."""


@dataclass
class RowInt8:
    """An embedding table in int8 with a scale per row, looked up by ids on the phone.

    The converter's dynamic-range quantization gives a gathered table one scale for all
    its rows, set by the largest weight: rows of small weights keep few levels. Measured
    on the bundled model, that one scale caused almost every label the phone file read
    differently from Keras. Here each row gets its own scale, drawn from a geometric
    codebook of :data:`ROW_SCALES` values and rounded up, so every weight still fits in
    int8; a row costs one int8 code more. Every constant is int8 or smaller than the
    converter's threshold, so the converter leaves them as they are.
    """

    table: np.ndarray  # int8 [rows, dim]
    codes: np.ndarray  # int8 [rows, 1]: index into book, minus 128
    book: np.ndarray  # float32 [ROW_SCALES], increasing

    @classmethod
    def of(cls, weights: np.ndarray) -> RowInt8:
        weights = np.asarray(weights, np.float32)
        needed = np.abs(weights).max(axis=1) / 127.0
        positive = needed[needed > 0]
        low, high = (positive.min(), positive.max()) if positive.size else (1.0, 1.0)
        book = np.geomspace(low, high, ROW_SCALES).astype(np.float32)
        book[-1] = max(book[-1], np.float32(high))  # geomspace may round the end down
        index = np.minimum(np.searchsorted(book, needed.astype(np.float32)), ROW_SCALES - 1)
        table = np.clip(np.round(weights / book[index][:, None]), -127, 127).astype(np.int8)
        codes = (index.astype(np.int16) - 128).astype(np.int8)[:, None]
        return cls(table, codes, book)

    def dequantized(self) -> np.ndarray:
        """The float table the phone computes, for tests and reports."""
        scales = self.book[self.codes[:, 0].astype(np.int32) + 128]
        return self.table.astype(np.float32) * scales[:, None]

    @property
    def shape(self) -> tuple[int, ...]:
        return self.table.shape


def _lookup(table: np.ndarray | RowInt8) -> Callable[[tf.Tensor], tf.Tensor]:
    """``ids → rows`` of ``table`` as float32, for either form of the table."""
    if not isinstance(table, RowInt8):
        constant = tf.constant(table)
        return lambda ids: tf.gather(constant, ids)
    rows, codes, book = (tf.constant(a) for a in (table.table, table.codes, table.book))

    def lookup(ids: tf.Tensor) -> tf.Tensor:
        scale = tf.gather(book, tf.cast(tf.gather(codes, ids), tf.int32) + 128)  # [..., 1]
        return tf.cast(tf.gather(rows, ids), tf.float32) * scale

    return lookup


@dataclass
class PhoneWeights:
    """Everything the phone graph needs, read once from a Keras model."""

    embedding: np.ndarray | RowInt8
    layers: list[tuple[_Direction, _Direction]]
    pooling: str
    dense_kernel: np.ndarray
    dense_bias: np.ndarray
    known: KnownIds  # the ids the answer gate looks for: the tokenizer's, never assumed
    chunk_len: int = 0
    bigram_table: np.ndarray | None = None

    @classmethod
    def from_keras(
        cls, model: Any, spec: Any, known: KnownIds, row_int8: bool = False
    ) -> PhoneWeights:
        """``spec`` is the model's :class:`~sentigru.spec.ModelSpec`; ``known`` its
        tokenizer's :meth:`~sentigru.tokenizer.Tokenizer.known_ids` (the answer gate's:
        a row with none of them gets no answer); ``row_int8`` stores the word embedding
        as :class:`RowInt8` (for dynamic-range phone files)."""
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
        embedding = np.asarray(model.get_layer("embedding").embeddings.numpy())
        return cls(
            RowInt8.of(embedding) if row_int8 else embedding,
            layers,
            spec.pooling,
            np.asarray(dense.kernel.numpy()),
            np.asarray(dense.bias.numpy()),
            known,
            spec.chunk_len,
            bigrams,
        )


PAD_GATE = 1e4
"""Added to the update (GRU) or input (LSTM) gate on padding steps of the backward
direction: the sigmoid of it is exactly 1 (0 for the input gate) in float32."""


def _dense(inputs: tf.Tensor, kernel: np.ndarray, bias: np.ndarray | None = None) -> tf.Tensor:
    """``inputs @ kernel (+ bias)`` over the last axis, whatever the leading axes: one
    FULLY_CONNECTED that keeps them, so no shape is written into the graph."""
    out = tf.matmul(inputs, tf.constant(kernel))
    return out if bias is None else out + tf.constant(bias)


def _chunked_ids(ids: tf.Tensor, chunk: int) -> tf.Tensor:
    """``[B, L]`` → ``[B, L / chunk, chunk]``: row ``c`` holds ids ``c*chunk ...``.

    Written as one strided slice per position in the chunk and a stack, which LiteRT
    sizes from the input when it is resized (a reshape would carry ``L`` as a constant).
    """
    return tf.stack([ids[:, t::chunk] for t in range(chunk)], axis=2)


def _gru_steps(
    xs_zr: list[tf.Tensor], xs_h: list[tf.Tensor], d: _Direction, order: range
) -> list[tf.Tensor]:
    """The GRU state after each step (reset_after, as Keras), listed by position."""
    split = 2 * d.units
    u_zr, u_h = d.recurrent[:, :split], d.recurrent[:, split:]
    b_h = d.recurrent_bias[split:]
    outputs: list[Any] = [None] * len(xs_zr)
    h = None
    for t in order:
        if h is None:  # zero state: h @ u is 0, the candidate's recurrent term is b_h
            z, r = tf.split(tf.sigmoid(xs_zr[t]), 2, axis=-1)
            candidate = tf.tanh(xs_h[t] + r * tf.constant(b_h))
            h = candidate - z * candidate
        else:
            z, r = tf.split(tf.sigmoid(xs_zr[t] + _dense(h, u_zr)), 2, axis=-1)
            candidate = tf.tanh(xs_h[t] + r * _dense(h, u_h, b_h))
            h = candidate + z * (h - candidate)
        outputs[t] = h
    return outputs


def _lstm_steps(xs: list[tf.Tensor], d: _Direction, order: range) -> list[tf.Tensor]:
    """The LSTM output after each step, listed by position."""
    outputs: list[Any] = [None] * len(xs)
    h = c = None
    for t in order:
        gates = xs[t] if h is None else xs[t] + _dense(h, d.recurrent)
        i, f, g, o = tf.split(gates, 4, axis=-1)
        new = tf.sigmoid(i) * tf.tanh(g)
        c = new if c is None else tf.sigmoid(f) * c + new
        h = tf.sigmoid(o) * tf.tanh(c)
        outputs[t] = h
    return outputs


def _unrolled_direction(x: tf.Tensor, padding: tf.Tensor, d: _Direction) -> tf.Tensor:
    """Outputs ``[B, C, chunk, units]`` of one direction over chunked inputs
    ``[B, C, chunk, features]``; ``padding`` is 1 on padding steps, ``[B, C, chunk, 1]``."""
    chunk = x.shape[2]
    order = range(chunk - 1, -1, -1) if d.backward else range(chunk)
    units = d.units
    if d.cell == "gru":
        split = 2 * units
        x_zr = _dense(x, d.kernel[:, :split], d.input_bias[:split] + d.recurrent_bias[:split])
        x_h = _dense(x, d.kernel[:, split:], d.input_bias[split:])
        if d.backward:  # update gate 1 on padding: the state stays exactly zero
            x_zr = x_zr + padding * tf.constant(_gate_bias(units, 2, 0, PAD_GATE))
        steps = _gru_steps(tf.unstack(x_zr, axis=2), tf.unstack(x_h, axis=2), d, order)
    else:
        gates = _dense(x, d.kernel, d.input_bias)
        if d.backward:  # input gate 0 on padding: the cell stays exactly zero
            gates = gates + padding * tf.constant(_gate_bias(units, 4, 0, -PAD_GATE))
        steps = _lstm_steps(tf.unstack(gates, axis=2), d, order)
    return tf.stack(steps, axis=2)


def _gate_bias(units: int, gates: int, which: int, value: float) -> np.ndarray:
    """``value`` on the columns of gate ``which`` of ``gates``, zero elsewhere."""
    bias = np.zeros(gates * units, np.float32)
    bias[which * units : (which + 1) * units] = value
    return bias


def _unrolled_function(weights: PhoneWeights, seq_len: int) -> Callable[[tf.Tensor], tf.Tensor]:
    embed = _lookup(weights.embedding)
    chunk = weights.chunk_len or seq_len
    vocab_size = weights.embedding.shape[0]
    # Indexing [[0], [1]] with a 0/1 tensor adds the trailing axis of size 1 that the
    # masks need, without a reshape that would carry the input's size as a constant.
    zero_one = tf.constant([[0.0], [1.0]])

    def scores(ids: tf.Tensor) -> tf.Tensor:
        chunked = _chunked_ids(ids, chunk)
        mask = tf.gather(zero_one, tf.cast(tf.not_equal(chunked, 0), tf.int32))
        padding = 1.0 - mask
        x = embed(chunked)  # [B, C, chunk, embed]
        for forward, backward in weights.layers:
            x = tf.concat([_unrolled_direction(x, padding, d) for d in (forward, backward)], -1)
        pooled = []
        if "max" in weights.pooling:
            pooled.append(tf.reduce_max(x * mask + padding * -1e9, axis=[1, 2]))
        if "mean" in weights.pooling:
            count = tf.maximum(tf.reduce_sum(mask, axis=[1, 2]), 1.0)
            pooled.append(tf.reduce_sum(x * mask, axis=[1, 2]) / count)
        if weights.bigram_table is not None:
            first, second = ids[:, :-1], ids[:, 1:]
            codes = tf.math.floormod(first * vocab_size + second, weights.bigram_table.shape[0])
            kept = tf.gather(zero_one, tf.cast(tf.not_equal(second, 0), tf.int32))
            total = tf.reduce_sum(tf.gather(tf.constant(weights.bigram_table), codes) * kept, 1)
            pooled.append(total / tf.maximum(tf.reduce_sum(kept, axis=1), 1.0))
        features = tf.concat(pooled, axis=-1) if len(pooled) > 1 else pooled[0]
        logits = tf.matmul(features, tf.constant(weights.dense_kernel)) + weights.dense_bias
        return answer_gate(tf.nn.softmax(logits), ids, weights.known)

    return scores


INPUT_NAMES = {1: SENTENCEPIECE_INPUTS[:1], 3: SENTENCEPIECE_INPUTS}
"""The phone file's inputs: ids (regex tokenizer), or MediaPipe's three (SentencePiece)."""


def _concrete(
    body: Callable[[tf.Tensor], tf.Tensor], batch: int, seq_len: int, inputs: int
) -> tf.types.experimental.ConcreteFunction:
    specs = [tf.TensorSpec([batch, seq_len], tf.int32, name=n) for n in INPUT_NAMES[inputs]]
    if inputs == 1:
        return tf.function(body, input_signature=specs).get_concrete_function()

    @tf.function(input_signature=specs)
    def three(ids: tf.Tensor, mask: tf.Tensor, segment_ids: tf.Tensor) -> tf.Tensor:
        return body(ids * mask + 0 * segment_ids)

    return three.get_concrete_function()


def phone_function(
    weights: PhoneWeights, batch: int, seq_len: int, unroll: bool = True, inputs: int = 1
) -> tf.types.experimental.ConcreteFunction:
    """A concrete function ``ids [batch, seq_len] int32 → scores [batch, labels] float32``
    (with ``inputs=3``: ids, mask and segment ids, as MediaPipe feeds a SentencePiece
    model).

    Unrolled (the MediaPipe graph), it also runs at any other ``[B, L]`` with ``L`` a
    multiple of the chunk length once LiteRT resizes its inputs."""
    if weights.chunk_len and seq_len % weights.chunk_len:
        raise ValueError(f"seq_len {seq_len} is not a multiple of chunk_len {weights.chunk_len}")
    if inputs not in INPUT_NAMES:
        raise ValueError(f"a phone graph has 1 or 3 inputs, not {inputs}")
    if unroll:
        body = _unrolled_function(weights, seq_len)
    else:
        body = _loop_function(weights, batch, seq_len)
    return _concrete(body, batch, seq_len, inputs)


# The WHILE graph (runtime="litert"): fixed shapes, the recurrence a loop over time.


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
) -> tf.Tensor:
    """Run ``step(*inputs_t, h, c)`` over time in a ``WHILE`` loop; ``[batch, steps,
    units]`` of every h."""
    steps = sequences[0].shape[1]
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


def _loop_direction(inputs: tf.Tensor, mask: tf.Tensor, d: _Direction) -> tf.Tensor:
    """Per-step outputs ``[batch, steps, units]`` of one direction, in input order."""
    units = d.units
    zeros = tf.zeros([inputs.shape[0], units], tf.float32)
    if d.backward:
        inputs, mask = tf.reverse(inputs, axis=[1]), tf.reverse(mask, axis=[1])
    if d.cell == "gru":
        split = 2 * units
        u_zr, u_h = tf.constant(d.recurrent[:, :split]), tf.constant(d.recurrent[:, split:])
        b_zr, b_h = d.recurrent_bias[:split], d.recurrent_bias[split:]
        sequences = [
            _project(inputs, d.kernel[:, :split], d.input_bias[:split] + b_zr),
            _project(inputs, d.kernel[:, split:], d.input_bias[split:]),
        ]

        def step(*args: Any) -> tuple[Any, Any]:  # both projections, the mask, the state
            x_zr, x_h, *m, h, c = args
            z, r = tf.split(tf.sigmoid(x_zr + tf.matmul(h, u_zr)), 2, axis=-1)
            candidate = tf.tanh(x_h + r * (tf.matmul(h, u_h) + b_h))
            h = candidate + z * (h - candidate)
            return (h * m[0] if m else h), c
    else:
        u = tf.constant(d.recurrent)
        sequences = [_project(inputs, d.kernel, d.input_bias)]

        def step(*args: Any) -> tuple[Any, Any]:  # the projection, the mask, the state
            x, *m, h, c = args
            i, f, g, o = tf.split(x + tf.matmul(h, u), 4, axis=-1)
            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
            h = tf.sigmoid(o) * tf.tanh(c)
            return (h * m[0], c * m[0]) if m else (h, c)

    if d.backward:  # padding comes first: hold the state at zero through it
        sequences.append(mask)
    outputs = _scan(step, sequences, (zeros, zeros))
    return tf.reverse(outputs, axis=[1]) if d.backward else outputs


def _pool(x: tf.Tensor, mask: tf.Tensor, mode: str) -> tf.Tensor:
    pooled = []
    if "max" in mode:
        pooled.append(tf.reduce_max(x * mask + (1.0 - mask) * -1e9, axis=1))
    if "mean" in mode:
        count = tf.maximum(tf.reduce_sum(mask, axis=1), 1.0)
        pooled.append(tf.reduce_sum(x * mask, axis=1) / count)
    return pooled[0] if len(pooled) == 1 else tf.concat(pooled, axis=-1)


def _loop_function(
    weights: PhoneWeights, batch: int, seq_len: int
) -> Callable[[tf.Tensor], tf.Tensor]:
    embed = _lookup(weights.embedding)
    chunk = weights.chunk_len or seq_len
    vocab_size = weights.embedding.shape[0]

    def scores(ids: tf.Tensor) -> tf.Tensor:
        mask = tf.expand_dims(tf.cast(tf.not_equal(ids, 0), tf.float32), -1)
        x = embed(ids)
        # Chunks run side by side as a batch: the loop covers one chunk.
        x = tf.reshape(x, [batch * (seq_len // chunk), chunk, x.shape[-1]])
        chunk_mask = tf.reshape(mask, [batch * (seq_len // chunk), chunk, 1])
        for forward, backward in weights.layers:
            directions = (forward, backward)
            x = tf.concat([_loop_direction(x, chunk_mask, d) for d in directions], axis=-1)
        x = tf.reshape(x, [batch, seq_len, x.shape[-1]])
        features = [_pool(x, mask, weights.pooling)]
        if weights.bigram_table is not None:
            features.append(_bigrams(ids, weights.bigram_table, vocab_size))
        pooled = tf.concat(features, axis=-1) if len(features) > 1 else features[0]
        logits = tf.matmul(pooled, tf.constant(weights.dense_kernel)) + weights.dense_bias
        return answer_gate(tf.nn.softmax(logits), ids, weights.known)

    return scores


def _bigrams(ids: tf.Tensor, table: np.ndarray, vocab_size: int) -> tf.Tensor:
    """The mean hashed-pair embedding, as :class:`sentigru.model.HashedBigrams` computes it."""
    first, second = ids[:, :-1], ids[:, 1:]
    codes = tf.math.floormod(first * vocab_size + second, table.shape[0])
    weights = tf.expand_dims(tf.cast(tf.not_equal(second, 0), tf.float32), -1)
    total = tf.reduce_sum(tf.gather(tf.constant(table), codes) * weights, axis=1)
    return total / tf.maximum(tf.reduce_sum(weights, axis=1), 1.0)
