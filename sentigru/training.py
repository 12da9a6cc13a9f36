"""Training: examples in, a trained model with its vocabulary, labels and history out.

``keras.Model.fit`` with Adam and early stopping on the validation loss (best weights
restored). A seed fixes the vocabulary order, the split, the shuffling and the initial
weights, so the same command trains the same model.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sentigru.data.examples import Examples, label_order
from sentigru.errors import SentigruError
from sentigru.spec import Spec
from sentigru.tokenizer import Tokenizer, Vocabulary


@dataclass
class Trained:
    """What a training run produces; :mod:`sentigru.bundle` writes it as a model folder."""

    model: Any  # keras.Model; typed loosely so this module's import stays cheap to read
    vocab: Vocabulary
    labels: list[str]
    spec: Spec
    history: dict[str, list[float]]
    metrics: dict[str, float] = field(default_factory=dict)
    data_fingerprint: str = ""
    train_seconds: float = 0.0


def split_validation(
    train: Examples, val: Examples | None, spec: Spec
) -> tuple[Examples, Examples | None]:
    """Use the given validation data, or hold out ``val_split`` of the training data."""
    if val is not None and len(val):
        return train, val
    if spec.training.val_split > 0:
        return train.stratified_split(spec.training.val_split, spec.training.seed)
    return train, None


def _targets(examples: Examples, labels: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    unknown = sorted(set(examples.labels) - set(index))
    if unknown:
        raise SentigruError(
            f"validation data has label(s) not in the training data: {', '.join(unknown[:5])}"
        )
    out = np.zeros((len(examples), len(labels)), dtype=np.float32)
    out[np.arange(len(examples)), [index[label] for label in examples.labels]] = 1.0
    return out


def _nan_guard() -> Any:
    """A callback that stops training with a clear error when the loss is NaN or infinite
    (Keras' TerminateOnNaN stops silently and keeps the broken weights)."""
    import keras

    class NanGuard(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            loss = (logs or {}).get("loss")
            if loss is not None and not math.isfinite(float(loss)):
                raise SentigruError(
                    "training diverged (loss is NaN); lower --learning-rate and retry"
                )

    return NanGuard()


TIMING_KEYS = ("epoch_seconds",)
"""History entries that are wall-clock measurements, not results: they differ between
two runs that are otherwise bit-identical."""


def _epoch_timer() -> Any:
    """A callback that adds ``epoch_seconds`` (training and validation of the epoch) to
    each epoch's logs, so the history, and so ``history.json``, keeps it."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if logs is not None:
                logs["epoch_seconds"] = time.perf_counter() - self.start

    return EpochTimer()


def _history_log(path: Path, earlier: dict[str, list[float]]) -> Any:
    """A callback that keeps the per-epoch metrics beside the checkpoint, so that a
    resumed run's history.json still covers every epoch."""
    import keras

    class HistoryLog(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            for key, value in (logs or {}).items():
                earlier.setdefault(key, []).append(float(value))
            path.write_text(json.dumps(earlier), "utf-8")

    return HistoryLog()


def _learning_rate(spec: Spec, examples: int) -> Any:
    import keras

    rate = spec.training.learning_rate
    if spec.training.lr_schedule == "constant":
        return rate
    steps = spec.training.epochs * math.ceil(examples / spec.training.batch_size)
    return keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps, alpha=0.1)


def _datasets(
    train_set: Examples,
    val_set: Examples | None,
    tokenizer: Tokenizer,
    labels: list[str],
    spec: Spec,
    epoch: Any,
) -> tuple[Any, Any]:
    """The training pipeline, shuffled by (seed, ``epoch``), and the validation pipeline
    (or None)."""
    from sentigru.pipeline import make_dataset

    common = {
        "batch_size": spec.training.batch_size,
        "seq_len": spec.tokenizer.seq_len,
        "seed": spec.training.seed,
    }
    train_data = make_dataset(
        [tokenizer.ids(t) for t in train_set.texts],
        _targets(train_set, labels),
        epoch=epoch,
        **common,
    )
    if val_set is None:
        return train_data, None
    val_data = make_dataset(
        [tokenizer.ids(t) for t in val_set.texts],
        _targets(val_set, labels),
        **common,
    )
    return train_data, val_data


def _callbacks(
    spec: Spec, monitor: str, checkpoint: Path | None, epoch: Any
) -> tuple[list[Any], dict[str, list[float]]]:
    """Early stopping, the NaN guard, the epoch counter the shuffling reads and, with a
    checkpoint folder, backup-and-restore of everything a resumed run needs to go on as
    if never stopped; also the metrics of epochs run before an interruption."""
    import keras

    stopping = keras.callbacks.EarlyStopping(
        monitor=monitor, patience=spec.training.patience, restore_best_weights=True
    )
    callbacks = [_epoch_timer(), stopping, _nan_guard(), _epoch_counter(epoch)]
    earlier: dict[str, list[float]] = {}
    if checkpoint is not None:
        # Keras restores weights and optimizer; the dropout generators' states and early
        # stopping's memory (best loss, its weights, patience used) are kept beside them.
        callbacks.append(keras.callbacks.BackupAndRestore(str(checkpoint)))
        callbacks.append(_resume_state(checkpoint / "sentigru-state.npz", stopping))
        log = checkpoint / "history.json"
        earlier = json.loads(log.read_text("utf-8")) if log.exists() else {}
        callbacks.append(_history_log(log, {key: list(v) for key, v in earlier.items()}))
    return callbacks, earlier


def _epoch_counter(epoch: Any) -> Any:
    import keras

    class EpochCounter(keras.callbacks.Callback):
        def on_epoch_begin(self, index: int, logs: dict | None = None) -> None:
            epoch.assign(index)

    return EpochCounter()


def _resume_state(path: Path, stopping: Any) -> Any:
    """Saves, after each epoch, and restores, at the start of a resumed run, what Keras'
    BackupAndRestore leaves out: random-generator states and early stopping's state."""
    import keras
    import numpy as np

    class ResumeState(keras.callbacks.Callback):
        def _generators(self) -> list[Any]:
            return [v for v in self.model.variables if "seed_generator_state" in v.path]

        def on_epoch_end(self, index: int, logs: dict | None = None) -> None:
            arrays = {f"seed{i}": v.numpy() for i, v in enumerate(self._generators())}
            for i, weight in enumerate(stopping.best_weights or []):
                arrays[f"best{i}"] = np.asarray(weight)
            arrays["scalars"] = np.array(
                [stopping.wait, stopping.best, stopping.best_epoch], dtype=np.float64
            )
            staged = path.with_name(path.stem + ".tmp.npz")
            np.savez(staged, **arrays)
            os.replace(staged, path)

        def on_train_begin(self, logs: dict | None = None) -> None:
            if not path.exists():
                return
            with np.load(path) as saved:
                for i, variable in enumerate(self._generators()):
                    variable.assign(saved[f"seed{i}"])
                best = sorted(
                    (k for k in saved.files if k.startswith("best")), key=lambda k: int(k[4:])
                )
                stopping.best_weights = [saved[k] for k in best] or None
                wait, best_value, best_epoch = saved["scalars"]
                stopping.wait, stopping.best = int(wait), float(best_value)
                stopping.best_epoch = int(best_epoch)

    return ResumeState()


def train(
    examples: Examples,
    spec: Spec,
    val_examples: Examples | None = None,
    verbose: int | None = None,
    checkpoint: Path | None = None,
) -> Trained:
    """Train a model from ``examples`` with the settings in ``spec``.

    With ``checkpoint`` (a folder), the model and optimizer are saved there after every
    epoch, and a run that finds one resumes after its last completed epoch (Keras'
    ``BackupAndRestore``); the folder is removed when training ends normally."""
    from sentigru.tf_quiet import import_tensorflow

    tf = import_tensorflow()
    import keras

    from sentigru.model import build_model

    examples.check_trainable("training data")
    fingerprint = examples.fingerprint()
    train_set, val_set = split_validation(examples, val_examples, spec)
    labels = label_order(train_set.labels)
    if len(labels) < 2:
        raise SentigruError("training data after the validation split has only one label")

    keras.utils.set_random_seed(spec.training.seed)
    tf.config.experimental.enable_op_determinism()

    vocab = Vocabulary.build(train_set.texts, spec.tokenizer.vocab_size, spec.tokenizer.min_count)
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False)  # read by the shuffling
    train_data, val_data = _datasets(
        train_set, val_set, Tokenizer(vocab, spec.tokenizer.seq_len), labels, spec, epoch
    )

    model = build_model(spec.model, len(vocab), len(labels))
    model.compile(
        optimizer=keras.optimizers.Adam(_learning_rate(spec, len(train_set))),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=spec.training.label_smoothing),
        metrics=["accuracy"],
    )
    callbacks, earlier = _callbacks(
        spec, "val_loss" if val_data is not None else "loss", checkpoint, epoch
    )
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    # Keras warns at the end of each first epoch when a dataset's length is unknown.
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    start = time.perf_counter()
    fit = model.fit(
        train_data,
        validation_data=val_data,
        epochs=spec.training.epochs,
        callbacks=callbacks,
        verbose=verbose,
        shuffle=False,  # the pipeline shuffles; Keras would only warn
    )
    seconds = time.perf_counter() - start
    history = {
        key: earlier.get(key, []) + [float(v) for v in values]
        for key, values in fit.history.items()
    }
    metrics: dict[str, float] = {"train_examples": float(len(train_set))}
    if val_data is not None:
        loss, accuracy = model.evaluate(val_data, verbose=0)
        metrics.update(
            val_loss=float(loss), val_accuracy=float(accuracy), val_examples=float(len(val_set))
        )
    return Trained(model, vocab, labels, spec, history, metrics, fingerprint, seconds)
