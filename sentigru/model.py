"""The network: ids → embedding → bidirectional GRU (or LSTM) → pooling → softmax.

The model takes ``int32`` ids of any length (training batches are only as long as their
longest text) and returns one score per label. Padding is masked: the recurrent layers
skip padded steps and the pooling looks only at real steps, so a 15-word sentence padded
to 256 reads the same as the sentence alone.
"""

from __future__ import annotations

import numpy as np

from sentigru.contract import START_ID, UNKNOWN_ID, KnownIds
from sentigru.spec import ModelSpec
from sentigru.tf_quiet import import_tensorflow

import_tensorflow()  # sentigru's settings (oneDNN off, quiet logs) before Keras loads TF
import keras  # noqa: E402
from keras import layers, ops  # noqa: E402


@keras.saving.register_keras_serializable(package="sentigru")
class MaskedPooling(layers.Layer):
    """Max and/or mean over the real (unmasked) time steps.

    Keras' own global max pooling ignores the mask, so padding would leak into it.
    """

    def __init__(self, mode: str = "maxmean", **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.mode = mode
        self.supports_masking = True

    def call(self, inputs, mask=None):  # type: ignore[no-untyped-def]
        if mask is None:
            mask = ops.ones(ops.shape(inputs)[:2], dtype="bool")
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)
        pooled = []
        if "max" in self.mode:
            # Padded steps get a very low value rather than -inf, so an all-padding row
            # (which the tokenizer never makes: <START> is always there) stays finite.
            lowered = inputs * weights + (1.0 - weights) * -1e9
            pooled.append(ops.max(lowered, axis=1))
        if "mean" in self.mode:
            total = ops.sum(inputs * weights, axis=1)
            pooled.append(total / ops.maximum(ops.sum(weights, axis=1), 1.0))
        return pooled[0] if len(pooled) == 1 else ops.concatenate(pooled, axis=-1)

    def compute_mask(self, inputs, mask=None):  # type: ignore[no-untyped-def]
        return None

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="sentigru")
class Chunk(layers.Layer):
    """``[batch, steps, ...]`` → ``[batch * n, size, ...]``: the text cut into ``n``
    independent chunks (the end padded with zeros to a whole chunk)."""

    def __init__(self, size: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.size = size

    def call(self, inputs):  # type: ignore[no-untyped-def]
        steps = ops.shape(inputs)[1]
        pad = (-steps) % self.size
        widths = [[0, 0], [0, pad]] + [[0, 0]] * (len(inputs.shape) - 2)
        padded = ops.pad(inputs, widths)
        return ops.reshape(padded, (-1, self.size, *inputs.shape[2:]))

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "size": self.size}


@keras.saving.register_keras_serializable(package="sentigru")
class Unchunk(layers.Layer):
    """The inverse of :class:`Chunk`: ``[batch * n, size, d]`` → ``[batch, n * size, d]``,
    with ``batch`` read from the second input (the ids)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True  # the pooling gets its mask explicitly

    def compute_mask(self, inputs, mask=None):  # type: ignore[no-untyped-def]
        return None

    def call(self, inputs):  # type: ignore[no-untyped-def]
        chunks, ids = inputs
        return ops.reshape(chunks, (ops.shape(ids)[0], -1, chunks.shape[-1]))


@keras.saving.register_keras_serializable(package="sentigru")
class FirstStepKept(layers.Layer):
    """A chunk mask with every chunk's first step on: the mask the recurrent layers get.

    A text shorter than its batch's longest leaves chunks of padding only, and a mask
    with no step on fails the check Keras makes before it runs cuDNN on a GPU (inside a
    compiled step, where it cannot fall back: training stopped). The one step read of
    such a chunk is padding, which the pooling's own mask leaves out, so every score is
    what it was; a chunk holding text starts with a word, whose step is on anyway."""

    def call(self, mask):  # type: ignore[no-untyped-def]
        first = ops.ones_like(mask[:, :1])
        return ops.concatenate([first, mask[:, 1:]], axis=1)


@keras.saving.register_keras_serializable(package="sentigru")
class HashedBigrams(layers.Layer):
    """Mean embedding of hashed word pairs, computed from the ids inside the model.

    A pair ``(a, b)`` of neighbouring ids gets the bucket ``(a * vocab + b) mod buckets``
    (exact int32 arithmetic: the spec keeps ``vocab * vocab`` under 2**31); pairs that
    end in padding are left out of the mean.
    """

    def __init__(self, vocab_size: int, buckets: int, dim: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.vocab_size, self.buckets, self.dim = vocab_size, buckets, dim
        self.table = layers.Embedding(buckets, dim, name="bigram_embedding")

    def build(self, input_shape):  # type: ignore[no-untyped-def]
        self.table.build((None, None))
        super().build(input_shape)

    def call(self, ids):  # type: ignore[no-untyped-def]
        first, second = ids[:, :-1], ids[:, 1:]
        codes = ops.mod(first * self.vocab_size + second, self.buckets)
        weights = ops.expand_dims(ops.cast(ops.not_equal(second, 0), "float32"), -1)
        total = ops.sum(self.table(codes) * weights, axis=1)
        return total / ops.maximum(ops.sum(weights, axis=1), 1.0)

    def get_config(self) -> dict[str, object]:
        config = {"vocab_size": self.vocab_size, "buckets": self.buckets, "dim": self.dim}
        return {**super().get_config(), **config}


@keras.saving.register_keras_serializable(package="sentigru")
class UnknownDropout(layers.Layer):
    """In training, each word id becomes ``<UNKNOWN>`` with probability ``rate``.

    A user's typo, a capitalisation the vocabulary lacks or a word it never kept reaches
    the model as ``<UNKNOWN>``, and a model that rarely saw ``<UNKNOWN>`` stand where a
    judgement stood answers *The pacing is incredibly bda* from what is left. Word
    dropout of this kind is meant to teach it how little the rest tells; on the bundled
    recipe, 0.1 left it about as sure of misspelt judgements and cost accuracy
    (``benchmarks/held_out.md``, candidate Cd), so it is off by default. ``<PAD>`` and
    ``<START>`` are never replaced; at inference the layer passes the ids through, so
    the phone graph has no trace of it.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, ids, training=None):  # type: ignore[no-untyped-def]
        if not training or not self.rate:
            return ids
        draw = keras.random.uniform(ops.shape(ids), seed=self.generator)
        hidden = ops.logical_and(draw < self.rate, ops.greater(ids, START_ID))
        return ops.where(hidden, ops.full_like(ids, UNKNOWN_ID), ids)

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


def answer_gate(scores, ids, known: KnownIds):  # type: ignore[no-untyped-def]
    """``scores`` ``[B, labels]`` where row ``b`` of ``ids`` ``[B, L]`` holds an id the
    model ``known``s, else 1/n for every label.

    A row with no such id is ``<START>`` (``[CLS]``, ``[SEP]``) and unknown ids alone: the
    network's scores for it are only its bias (the bundled model said positive 0.66 to
    Japanese, emoji and empty text alike). Every runtime applies this after the network:
    the phone graph (where the app cannot count known words), the Keras predictor and the
    SavedModel; training does not. Written in arithmetic on 0/1 floats, so a row that is
    read keeps its scores exactly (``s * 1 + 0``), with operators the phone graph has
    anyway (no operator a sentigru file of an earlier version lacks)."""
    dtype = scores.dtype
    if known.never:  # a table of 0/1 by id (int8: a byte per piece in a phone file)
        flags = np.array(known.flags(), np.int8)  # tf.gather: keras' take adds a SELECT
        hits = ops.cast(import_tensorflow().gather(flags, ids), dtype)
        read = ops.max(hits, axis=1, keepdims=True)  # [B, 1]: 1 where anything was read
    else:  # one pass over the ids: the largest is a word's or none is
        read = 1.0 - ops.cast(ops.less(ops.max(ids, axis=1, keepdims=True), known.first), dtype)
    ones = scores * 0.0 + 1.0  # 1/n divided out at run time, not stored: a float16 file
    uniform = ones / ops.sum(ones, axis=-1, keepdims=True)  # held 1/3 as 0.33325
    return scores * read + (1.0 - read) * uniform


def with_current_graph(model: keras.Model, spec: ModelSpec) -> keras.Model:
    """``model`` as :func:`build_model` builds it today, with its weights: a model saved
    before :class:`FirstStepKept` gives its recurrent layers the chunk mask, which fails
    Keras' cuDNN check on a GPU (a weightless layer: the weights are the same list)."""
    names = {layer.name for layer in model.layers}
    if not spec.chunk_len or "rnn_mask" in names:
        return model
    vocab_size = model.get_layer("embedding").input_dim
    rebuilt = build_model(spec, vocab_size, model.output_shape[-1])
    rebuilt.set_weights(model.get_weights())
    return rebuilt


def build_model(spec: ModelSpec, vocab_size: int, num_labels: int) -> keras.Model:
    """A new, untrained model; ``vocab_size`` counts the special tokens."""
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    mask = ops.not_equal(ids, 0)
    words = ids
    if spec.unknown_rate:
        words = UnknownDropout(spec.unknown_rate, name="unknown_dropout")(ids)
    x = layers.Embedding(vocab_size, spec.embed_dim, name="embedding")(words)
    if spec.dropout:
        x = layers.SpatialDropout1D(spec.dropout, name="embedding_dropout")(x)
    step_mask = rnn_mask = mask  # unchunked, every text starts with <START>
    if spec.chunk_len:
        x = Chunk(spec.chunk_len, name="chunk")(x)
        step_mask = Chunk(spec.chunk_len, name="chunk_mask")(mask)
        rnn_mask = FirstStepKept(name="rnn_mask")(step_mask)
    cell = layers.GRU if spec.cell == "gru" else layers.LSTM
    for i in range(spec.layers):
        x = layers.Bidirectional(
            cell(spec.units, return_sequences=True), name=f"bi_{spec.cell}_{i}"
        )(x, mask=rnn_mask)
    if spec.chunk_len:
        x = Unchunk(name="unchunk")([x, ids])
        step_mask = Unchunk(name="unchunk_mask")([ops.expand_dims(step_mask, -1), ids])[..., 0]
    x = MaskedPooling(spec.pooling, name="pooling")(x, mask=step_mask)
    # One dropout before the output; with word pairs it drops the joined features.
    if spec.dropout and not spec.bigram_buckets:
        x = layers.Dropout(spec.dropout, name="dropout")(x)
    if spec.bigram_buckets:
        bigrams = HashedBigrams(vocab_size, spec.bigram_buckets, spec.bigram_dim, name="bigrams")(
            words
        )
        x = layers.Concatenate(name="features")([x, bigrams])
        if spec.dropout:
            x = layers.Dropout(spec.dropout, name="dropout")(x)
    scores = layers.Dense(num_labels, activation="softmax", name="scores")(x)
    return keras.Model(ids, scores, name="sentigru")
