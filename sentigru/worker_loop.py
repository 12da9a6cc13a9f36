"""Training under ``MirroredStrategy`` and ``MultiWorkerMirroredStrategy``: a loop of our
own, not ``model.fit``.

Keras 3.15's ``fit`` cannot run under the multi-worker strategy (a known TensorFlow bug,
reported and closed unfixed), for two reasons found in
``keras/src/backend/tensorflow/trainer.py`` (the first also breaks ``MirroredStrategy``
when a batch does not split evenly over the replicas):

* before the first step, ``_maybe_symbolic_build`` takes one input batch and reduces it
  across workers with ``strategy.reduce("MEAN", batch, axis=None)``, a collective over the
  int32 ids that fails when the batch is a per-replica value;
* after every step, ``reduce_per_replica`` reduces each logged metric, in multi-worker
  mode only, with ``strategy.reduce("MEAN", value, axis=0)``; the metrics are scalars,
  so this fails with "Invalid reduction dimension 0 for input with 0 dimensions".

Patching private Keras code would break with the next release, and the legacy tf-keras
would be a second Keras. The loop below uses only public ``tf.distribute`` APIs (the path
TensorFlow's multi-worker guide documents for custom loops) with the same model,
optimizer, loss, early stopping and history as ``fit``. Each worker reads its own shard;
the optimizer sums gradients over workers; the loss is divided by the global number of
examples in the step, so the result is the mean over the global batch.

Checkpoints: after each epoch the chief writes the whole state (model and optimizer
variables, random-generator states, early stopping, history) to one ``.npz`` in the
checkpoint folder, written aside and renamed; the other workers write nothing. On
``--resume`` every worker reads the chief's file, so the folder must be on storage that
every worker sees.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sentigru.callbacks import DIVERGED, RecentWeights, another_model, numbered, save_arrays
from sentigru.errors import SentigruError

STATE_FILE = "worker-state.npz"


@dataclass
class _Stopping:
    """Early stopping on the validation loss, best weights kept (as Keras does it)."""

    patience: int
    best: float = math.inf
    wait: int = 0
    best_weights: list[np.ndarray] = field(default_factory=list)

    def update(self, loss: float, weights: list[np.ndarray]) -> bool:
        """Record an epoch's loss; True when training should stop."""
        if loss < self.best:
            self.best, self.wait, self.best_weights = loss, 0, weights
            return False
        self.wait += 1
        return self.wait >= self.patience


def _steps(model: Any, optimizer: Any, loss_fn: Any, strategy: Any) -> tuple[Any, Any]:
    """The distributed train and evaluation steps; each returns global sums
    (loss, correct, examples) over the step's batches on every replica."""
    import tensorflow as tf

    sum_ = tf.distribute.ReduceOp.SUM

    def counts(targets: Any, scores: Any, losses: Any) -> tuple[Any, Any, Any]:
        hits = tf.equal(tf.argmax(targets, -1), tf.argmax(scores, -1))
        n = tf.cast(tf.shape(targets)[0], tf.float32)
        return tf.reduce_sum(losses), tf.reduce_sum(tf.cast(hits, tf.float32)), n

    def train_replica(ids: Any, targets: Any, weights: Any = None) -> tuple[Any, Any, Any]:
        context = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            scores = model(ids, training=True)
            losses = loss_fn(targets, scores)
            if weights is not None:  # --class-weight: each row's weight in the loss
                losses = losses * weights
            n = tf.cast(tf.shape(targets)[0], tf.float32)
            total = context.all_reduce(sum_, n)  # batches by length differ in size
            loss = tf.reduce_sum(losses) / tf.maximum(total, 1.0)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return counts(targets, scores, losses)

    def eval_replica(ids: Any, targets: Any, weights: Any = None) -> tuple[Any, Any, Any]:
        # A worker whose shard is used up gets empty batches until all are (tf.distribute
        # keeps the workers in step); the network is not run on those.
        def real() -> tuple[Any, Any, Any]:
            scores = model(ids, training=False)
            losses = loss_fn(targets, scores)
            return counts(targets, scores, losses if weights is None else losses * weights)

        zero = tf.constant(0.0)
        return tf.cond(tf.shape(targets)[0] > 0, real, lambda: (zero, zero, zero))

    def reduced(replica_fn: Any) -> Any:
        def step(batch: Any) -> list[Any]:
            parts = strategy.run(replica_fn, args=batch)
            return [strategy.reduce(sum_, part, axis=None) for part in parts]

        return step

    return reduced(train_replica), reduced(eval_replica)


def _run_steps(step: Any, batches: Any, guard_nan: bool) -> dict[str, float]:
    totals = np.zeros(3)
    for batch in batches:
        values = np.array([float(v) for v in step(batch)])
        if guard_nan and not math.isfinite(values[0]):
            raise SentigruError(DIVERGED)
        totals += values
    loss, correct, n = totals
    return {"loss": loss / max(n, 1.0), "accuracy": correct / max(n, 1.0)}


class _State:
    """Everything a resumed run needs, saved by the chief as one ``.npz``."""

    def __init__(self, model: Any, optimizer: Any) -> None:
        self.model, self.optimizer = model, optimizer

    def _variables(self) -> list[Any]:
        return list(self.model.variables) + list(self.optimizer.variables)

    def save(
        self, path: Path, epoch: int, stopping: _Stopping, history: dict, recent: RecentWeights
    ) -> None:
        arrays = {f"var{i}": np.asarray(v.numpy()) for i, v in enumerate(self._variables())}
        arrays.update({f"best{i}": w for i, w in enumerate(stopping.best_weights)})
        arrays.update(recent.arrays())
        arrays["scalars"] = np.array([epoch, stopping.best, stopping.wait], np.float64)
        arrays["history_keys"] = np.array(sorted(history))
        for key in sorted(history):
            arrays[f"history_{key}"] = np.array(history[key], np.float64)
        save_arrays(path, arrays)

    def restore(self, path: Path, stopping: _Stopping, history: dict, recent: RecentWeights) -> int:
        """Load ``path`` into the model, optimizer, ``stopping`` and ``history``;
        return the number of epochs already done."""
        with np.load(path) as saved:
            variables = self._variables()
            if sum(k.startswith("var") for k in saved.files) != len(variables):
                raise another_model(path.parent)
            values = [saved[f"var{i}"] for i in range(len(variables))]  # each read once
            if any(tuple(v.shape) != a.shape for v, a in zip(variables, values)):
                raise another_model(path.parent)
            for variable, value in zip(variables, values):
                variable.assign(value)
            stopping.best_weights = numbered(saved, "best")
            done, stopping.best, wait = saved["scalars"]
            stopping.wait = int(wait)
            for key in saved["history_keys"]:
                history[str(key)] = saved[f"history_{key}"].tolist()
            recent.load(saved)
        return int(done)


def fit_workers(
    model: Any,
    optimizer: Any,
    loss_fn: Any,
    strategy: Any,
    pipelines: Any,
    *,
    has_val: bool,
    train_rows: int,
    epochs: int,
    batch_size: int,
    patience: int,
    average: int,
    epoch_var: Any,
    checkpoint: Path | None,
    is_chief: bool,
    log: Any,
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Train ``model`` for up to ``epochs``; return the history and the validation
    metrics of the weights kept (empty without validation data): the mean of the last
    ``average`` epochs' weights, or with ``average`` 0 the best epoch's.

    ``loss_fn`` must return one loss per example. ``pipelines(part, epoch, batch, shard)``
    builds one worker's dataset of that part; ``batch_size`` is the global batch. An epoch is
    ``ceil(train_rows / batch_size)`` steps."""
    import tensorflow as tf

    with strategy.scope():
        optimizer.build(model.trainable_variables)

    def datasets(part: str, repeat: bool) -> Any:
        def one_pipeline(context: tf.distribute.InputContext) -> Any:
            shard = (context.input_pipeline_id, context.num_input_pipelines)
            batch = context.get_per_replica_batch_size(batch_size)
            if not repeat:
                return pipelines(part, epoch_var, batch, shard)
            # Passes over the data, each shuffled by its own number, without end: every
            # replica always has a batch, and an epoch is a fixed number of steps.
            passes = tf.data.Dataset.range(1 << 40)

            @tf.autograph.experimental.do_not_convert  # builds datasets; nothing to convert
            def one_pass(number: tf.Tensor) -> tf.data.Dataset:
                return pipelines(part, number, batch, shard)

            return passes.flat_map(one_pass)

        return strategy.distribute_datasets_from_function(one_pipeline)

    train_batches = iter(datasets("train", repeat=True))
    val_data = datasets("val", repeat=False) if has_val else None
    train_step, eval_step = _steps(model, optimizer, loss_fn, strategy)
    train_step = tf.function(train_step, input_signature=[train_batches.element_spec])
    if val_data is not None:
        eval_step = tf.function(eval_step, input_signature=[val_data.element_spec])
    steps = max(1, math.ceil(train_rows / batch_size))

    stopping, history = _Stopping(patience), dict[str, list[float]]()
    recent = RecentWeights(max(average, 1))  # RecentWeights(0) would keep every epoch
    state = _State(model, optimizer)
    path = checkpoint / STATE_FILE if checkpoint is not None else None
    start = state.restore(path, stopping, history, recent) if path and path.exists() else 0
    # The stream starts again at its first pass: the batches the done epochs took are
    # passed over, or a resumed run trained on the first epoch's order again and ended
    # with other weights than an unbroken one.
    for _ in range(start * steps):
        next(train_batches)
    for epoch in range(start, epochs):
        began = time.perf_counter()
        logs = _run_steps(train_step, (next(train_batches) for _ in range(steps)), True)
        if val_data is not None:
            logs.update({f"val_{k}": v for k, v in _run_steps(eval_step, val_data, False).items()})
        logs["epoch_seconds"] = time.perf_counter() - began
        for key, value in logs.items():
            history.setdefault(key, []).append(float(value))
        if is_chief:
            log(f"epoch {epoch + 1}/{epochs} " + " ".join(f"{k} {v:.4f}" for k, v in logs.items()))
        monitor = logs.get("val_loss", logs["loss"])
        weights = [np.asarray(w) for w in model.get_weights()]
        # Averaged runs keep the mean of the last epochs, never the best epoch's weights.
        stop = stopping.update(monitor, [] if average else weights)
        if average:
            recent.add(weights)
        if path is not None and is_chief:
            state.save(path, epoch + 1, stopping, history, recent)
        if stop:
            break
    if average and recent.kept:
        model.set_weights(recent.mean())
    elif stopping.best_weights:
        model.set_weights(stopping.best_weights)
    if val_data is None:
        return history, {}
    final = _run_steps(eval_step, val_data, False)
    return history, {"val_loss": final["loss"], "val_accuracy": final["accuracy"]}
