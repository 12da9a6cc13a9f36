"""The network: ids → embedding → bidirectional GRU (or LSTM) → pooling → softmax.

The model takes ``int32`` ids of any length (training batches are only as long as their
longest text) and returns one score per label. Padding is masked: the recurrent layers
skip padded steps and the pooling looks only at real steps, so a 15-word sentence padded
to 256 reads the same as the sentence alone.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from sentigru.spec import ModelSpec


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


def build_model(spec: ModelSpec, vocab_size: int, num_labels: int) -> keras.Model:
    """A new, untrained model; ``vocab_size`` counts the special tokens."""
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = layers.Embedding(vocab_size, spec.embed_dim, mask_zero=True, name="embedding")(ids)
    if spec.dropout:
        x = layers.SpatialDropout1D(spec.dropout, name="embedding_dropout")(x)
    cell = layers.GRU if spec.cell == "gru" else layers.LSTM
    for i in range(spec.layers):
        x = layers.Bidirectional(
            cell(spec.units, return_sequences=True), name=f"bi_{spec.cell}_{i}"
        )(x)
    x = MaskedPooling(spec.pooling, name="pooling")(x)
    if spec.dropout:
        x = layers.Dropout(spec.dropout, name="dropout")(x)
    scores = layers.Dense(num_labels, activation="softmax", name="scores")(x)
    return keras.Model(ids, scores, name="sentigru")
