"""Keras callbacks of a training run: the guards, the clocks and what a resumed run needs.

Each is made by a function that imports Keras when called, so importing this module
stays cheap.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import math
import os
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sentigru.errors import SentigruError
from sentigru.limits import has_room

DIVERGED = (  # --force: the run's checkpoint is in the way of the next
    "training diverged (loss is NaN); lower --learning-rate and train again with --force "
    "(force=True)"
)


def nan_guard() -> Any:
    """A callback that stops training with a clear error when the loss is NaN or infinite
    (Keras' TerminateOnNaN stops silently and keeps the broken weights)."""
    import keras

    class NanGuard(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            loss = (logs or {}).get("loss")
            if loss is not None and not math.isfinite(float(loss)):
                raise SentigruError(DIVERGED)

    return NanGuard()


TIMING_KEYS = ("epoch_seconds",)
"""History entries that are wall-clock measurements, not results: they differ between
two runs that are otherwise bit-identical."""


def epoch_timer() -> Any:
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


def epoch_counter(epoch: Any) -> Any:
    import keras

    class EpochCounter(keras.callbacks.Callback):
        def on_epoch_begin(self, index: int, logs: dict | None = None) -> None:
            epoch.assign(index)

    return EpochCounter()


class RecentWeights:
    """The weights at the end of the last ``count`` epochs, and their mean: averaging the
    last epochs of a run whose learning rate has come down (stochastic weight averaging)
    lands nearer the middle of the minimum than any one epoch does."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.kept: list[list[Any]] = []

    def add(self, weights: list[Any]) -> None:
        self.kept = [*self.kept, [w.copy() for w in weights]][-self.count :]

    def mean(self) -> list[Any]:
        import numpy as np

        return [np.mean(group, axis=0).astype(group[0].dtype) for group in zip(*self.kept)]

    def arrays(self) -> dict[str, Any]:
        """The kept weights as named arrays, for a checkpoint."""
        return {f"recent{e}_{i}": w for e, ws in enumerate(self.kept) for i, w in enumerate(ws)}

    def load(self, saved: Any) -> None:
        """Read back what :meth:`arrays` wrote (from an ``np.load`` result)."""
        names = [k for k in saved.files if k.startswith("recent")]
        epochs = sorted({int(k[6:].split("_")[0]) for k in names})
        self.kept = [
            [
                saved[k]
                for k in sorted(
                    (k for k in names if k.startswith(f"recent{e}_")),
                    key=lambda k: int(k.split("_")[1]),
                )
            ]
            for e in epochs
        ]


def weight_averager(recent: RecentWeights) -> Any:
    """A callback that keeps each epoch's weights in ``recent`` and, when training ends,
    puts their mean in the model."""
    import keras

    class WeightAverager(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            recent.add(self.model.get_weights())

        def on_train_end(self, logs: dict | None = None) -> None:
            if recent.kept:
                self.model.set_weights(recent.mean())

    return WeightAverager()


def save_arrays(path: Path, arrays: dict[str, Any]) -> None:
    """Write a checkpoint's arrays as one ``.npz``: staged beside it, then renamed, so a
    crash mid-write leaves the previous checkpoint whole."""
    import numpy as np

    staged = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(staged, **arrays)
    os.replace(staged, path)


def numbered(saved: Any, prefix: str) -> list[Any]:
    """The arrays ``prefix0``, ``prefix1``, … of an ``np.load`` result, in order."""
    names = (k for k in saved.files if k.startswith(prefix) and k[len(prefix) :].isdigit())
    return [saved[k] for k in sorted(names, key=lambda k: int(k[len(prefix) :]))]


EPOCH_FOLDER = "epoch"
"""The checkpoint's last completed epoch: weights and optimizer, the state below, the
history and the epoch count, replaced as one folder after each epoch."""

LEGACY_FILES = {
    "weights": "latest.weights.h5",
    "epoch": "training_metadata.json",
    "state": "sentigru-state.npz",
    "history": "history.json",
}
"""Where earlier versions kept these, side by side in the checkpoint (Keras'
``BackupAndRestore`` wrote the first two): read, so that a run interrupted before an
upgrade resumes."""

OWN_FILES = {
    "weights": "weights.weights.h5",
    "epoch": "epoch.json",
    "state": "state.npz",
    "history": "history.json",
}


def another_model(checkpoint: Path) -> SentigruError:
    """A checkpoint whose weights do not fit the model this run builds from the same
    data and settings: the vocabulary is learnt again on resuming, and another sentigru
    version may learn another (a change to how a tokenizer learns that no setting
    records); Keras said so in a page of arrays."""
    return SentigruError(
        f"{checkpoint} holds another model's weights (another vocabulary or network than "
        "this run builds, as from an earlier sentigru version): --force without --resume "
        "trains from the start"
    )


@contextlib.contextmanager
def readable(checkpoint: Path) -> Iterator[None]:
    """Reading a checkpoint's files: one damaged (cut short by a full disk, edited) is
    the line a damaged stamp gets, not NumPy's, json's or HDF5's traceback."""
    try:
        yield
    except PermissionError:  # not damage: --force would throw the epochs away
        raise
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        raise SentigruError(
            f"the checkpoint in {checkpoint} cannot be read (a file of it is damaged); "
            "--force without --resume starts over"
        ) from None


class _WeightsInMemory(io.BytesIO):
    """An in-memory ``.weights.h5`` (Keras takes any object its name says is one)."""

    def __str__(self) -> str:
        return "in-memory.weights.h5"


def weights_h5(model: Any) -> bytes:
    """``model.save_weights``' file, made in memory: HDF5 writing to a disk that filled
    meanwhile printed a traceback from h5py's cleanup and then crashed the process
    (a segfault after the error line); written as bytes, a full disk is an OSError."""
    buffer = _WeightsInMemory()
    model.save_weights(buffer)
    return buffer.getvalue()


def load_weights(model: Any, weights: Path, checkpoint: Path) -> None:
    """``model.load_weights(weights)``, or :func:`another_model` where they do not fit."""
    try:
        model.load_weights(weights)
    except ValueError:  # Keras: shapes, or objects it could not load
        raise another_model(checkpoint) from None


def checkpoint_files(checkpoint: Path) -> dict[str, Path] | None:
    """The files of ``checkpoint``'s last completed epoch, or None before the first."""
    folder = checkpoint / EPOCH_FOLDER
    if (folder / OWN_FILES["epoch"]).is_file():
        return {key: folder / name for key, name in OWN_FILES.items()}
    if (checkpoint / LEGACY_FILES["epoch"]).is_file():
        return {key: checkpoint / name for key, name in LEGACY_FILES.items()}
    return None


def earlier_history(checkpoint: Path) -> dict[str, list[float]]:
    """The metrics of the epochs a checkpoint holds (none: an empty history)."""
    files = checkpoint_files(checkpoint)
    if files is None or not files["history"].is_file():
        return {}
    with readable(checkpoint):
        history = json.loads(files["history"].read_text("utf-8"))
        epochs = json.loads(files["epoch"].read_text("utf-8"))["epoch"]
        return {key: list(values)[:epochs] for key, values in history.items()}


def epoch_checkpoint(
    checkpoint: Path,
    stopping: Any,
    recent: RecentWeights | None,
    history: dict[str, list[float]],
) -> Any:
    """Keeps, after each epoch, everything a resumed run needs to go on as if never
    stopped, and restores it when a run resumes: the weights and optimizer, the dropout
    generators' states, early stopping's memory (best loss, its weights, patience
    used), the weights being averaged, the history and the epoch count. They are
    written to a staging folder that then replaces the last epoch's in one step: a run
    killed, or out of disk, while they were written (one after another, as Keras' own
    backup writes) resumed from one epoch's weights and another's state, to another
    model, without a word."""
    import keras
    import numpy as np

    from sentigru.atomic import replace_path, staging_folder

    class EpochCheckpoint(keras.callbacks.Callback):
        def _generators(self) -> list[Any]:
            return [v for v in self.model.variables if "seed_generator_state" in v.path]

        def on_epoch_end(self, index: int, logs: dict | None = None) -> None:
            for key, value in (logs or {}).items():
                history.setdefault(key, []).append(float(value))
            arrays = {f"seed{i}": v.numpy() for i, v in enumerate(self._generators())}
            for i, weight in enumerate(stopping.best_weights or []):
                arrays[f"best{i}"] = np.asarray(weight)
            arrays["scalars"] = np.array(
                [stopping.wait, stopping.best, stopping.best_epoch], dtype=np.float64
            )
            arrays.update(recent.arrays() if recent else {})
            arrays["stopped"] = np.array(bool(self.model.stop_training))  # early stopping
            target = checkpoint / EPOCH_FOLDER
            _check_room(checkpoint, self.model)
            staged = staging_folder(target)
            try:
                (staged / OWN_FILES["weights"]).write_bytes(weights_h5(self.model))
                np.savez(staged / OWN_FILES["state"], **arrays)
                epoch = json.dumps({"epoch": index + 1})
                for name, text in (("history", json.dumps(history)), ("epoch", epoch)):
                    (staged / OWN_FILES[name]).write_text(text, "utf-8", newline="\n")
                replace_path(staged, target, force=True)
            except BaseException as exc:
                shutil.rmtree(staged, ignore_errors=True)
                if isinstance(exc, OSError):
                    raise _unsaved(checkpoint, exc) from None
                raise

        def on_train_begin(self, logs: dict | None = None) -> None:
            files = checkpoint_files(checkpoint)
            if files is None:
                return
            optimizer = self.model.optimizer
            if optimizer is not None and not optimizer.built:  # its variables, to load
                optimizer.build(self.model.trainable_variables)
            with readable(checkpoint):
                self._resume(files)

        def _resume(self, files: dict[str, Path]) -> None:
            load_weights(self.model, files["weights"], checkpoint)
            epoch = json.loads(files["epoch"].read_text("utf-8"))["epoch"]
            self.model._initial_epoch = epoch  # as Keras' BackupAndRestore resumes
            if not files["state"].is_file():
                return
            with np.load(files["state"]) as saved:
                for i, variable in enumerate(self._generators()):
                    variable.assign(saved[f"seed{i}"])
                stopping.best_weights = numbered(saved, "best") or None
                wait, best_value, best_epoch = saved["scalars"]
                stopping.wait, stopping.best = int(wait), float(best_value)
                stopping.best_epoch = int(best_epoch)
                if recent is not None:
                    recent.load(saved)
                if "stopped" in saved.files and bool(saved["stopped"]):
                    # it had stopped early: no epoch is left (one more ran, to another model)
                    self.model._initial_epoch = self.params["epochs"]

    return EpochCheckpoint()


def _check_room(checkpoint: Path, model: Any) -> None:
    """Refuse to write an epoch the disk has no room for, before it is made
    (:func:`limits.has_room`). The room an epoch takes is the last one's, or, for the
    first, the weights three times over (Adam keeps two more of each)."""
    last = checkpoint / EPOCH_FOLDER
    if last.is_dir():
        needed = sum(f.stat().st_size for f in last.iterdir() if f.is_file())
    else:
        needed = 3 * sum(int(w.nbytes) for w in model.get_weights())
    if not has_room(checkpoint, needed):
        raise _unsaved(checkpoint, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))


def _unsaved(checkpoint: Path, exc: OSError) -> Exception:
    """One line naming where the epoch could not be kept (the disk full, say; HDF5's
    own message runs over lines), and what a resumed run can go on from."""
    from sentigru.limits import os_reason

    kept = (
        "the epoch before is kept: once there is room, run the same command with --resume"
        if checkpoint_files(checkpoint) is not None
        else "no epoch was kept"
    )
    return SentigruError(
        f"cannot keep the epoch in the checkpoint {checkpoint}: {os_reason(exc)}; {kept}"
    )
