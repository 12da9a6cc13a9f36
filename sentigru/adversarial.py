"""Adversarial training on the embedding tables (after Miyato et al., 2017).

Each step takes the usual gradient, then moves the word and word-pair tables a small
step ``epsilon`` (L2 norm over each table) in the direction that raises the loss most,
takes the gradient again there, and moves the tables back before Adam applies the sum of
both gradients. The model learns to keep its answer when the words' vectors shift a
little, which is what a rare or unseen wording does to them.

Only training changes: the network, its weights' names and the exported graph are those
of :func:`sentigru.model.build_model`, so the wrapper is dropped after ``fit``. A step
costs about two ordinary steps.
"""

from __future__ import annotations

from typing import Any

import keras

TABLE_SUFFIX = "embeddings"
"""The variables perturbed: every ``Embedding`` table (words, and word pairs if any)."""


class AdversarialTables(keras.Model):
    """Trains ``inner`` with the perturbed-tables loss added to the clean loss; evaluation
    and prediction are ``inner``'s own."""

    def __init__(self, inner: keras.Model, epsilon: float, **kwargs: Any) -> None:
        super().__init__(name=f"{inner.name}_adversarial", **kwargs)
        self.inner = inner
        self.epsilon = epsilon
        self.built = True  # its weights are inner's, built already

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        return self.inner(inputs, training=training)

    def _loss(self, x: Any, y: Any, weight: Any) -> tuple[Any, Any]:
        scores = self(x, training=True)
        return self.compute_loss(x=x, y=y, y_pred=scores, sample_weight=weight), scores

    def train_step(self, data: Any) -> dict[str, Any]:
        import tensorflow as tf

        x, y, weight = keras.utils.unpack_x_y_sample_weight(data)
        variables = self.trainable_variables
        with tf.GradientTape() as tape:
            loss, scores = self._loss(x, y, weight)
        # Dense once: a table's gradient arrives as IndexedSlices, and is used twice.
        clean = [_dense(grad) for grad in tape.gradient(loss, variables)]
        shifts = []
        for variable, grad in zip(variables, clean):
            if grad is not None and variable.path.endswith(TABLE_SUFFIX):
                shift = self.epsilon * grad / (tf.norm(grad) + 1e-12)
                variable.assign_add(shift)
                shifts.append((variable, shift))
        with tf.GradientTape() as tape:
            perturbed_loss, _ = self._loss(x, y, weight)
        perturbed = tape.gradient(perturbed_loss, variables)
        for variable, shift in shifts:
            variable.assign_sub(shift)
        total = [None if a is None else a + _dense(b) for a, b in zip(clean, perturbed)]
        self.optimizer.apply_gradients(zip(total, variables))
        # As Keras' own TensorFlow train_step reports it: the clean loss, per example.
        self._loss_tracker.update_state(loss, sample_weight=tf.shape(x)[0])
        return self.compute_metrics(x, y, scores, sample_weight=weight)


def _dense(grad: Any) -> Any:
    """A gradient as a dense tensor (``None`` for a variable the loss does not reach: the
    same variables in both passes)."""
    import tensorflow as tf

    return None if grad is None else tf.convert_to_tensor(grad)


def wrap(model: keras.Model, epsilon: float) -> keras.Model:
    """The model ``fit`` should train: ``model`` itself, or its adversarial wrapper."""
    return AdversarialTables(model, epsilon) if epsilon > 0 else model
