"""Keras callbacks of a training run: the guards, the clocks and what a resumed run needs.

Each is made by a function that imports Keras when called, so importing this module
stays cheap.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

from sentigru.errors import SentigruError

DIVERGED = "training diverged (loss is NaN); lower --learning-rate and retry"


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


def history_log(path: Path, earlier: dict[str, list[float]]) -> Any:
    """A callback that keeps the per-epoch metrics beside the checkpoint, so that a
    resumed run's history.json still covers every epoch."""
    import keras

    class HistoryLog(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            for key, value in (logs or {}).items():
                earlier.setdefault(key, []).append(float(value))
            path.write_text(json.dumps(earlier), "utf-8")

    return HistoryLog()


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


def resume_state(path: Path, stopping: Any, recent: RecentWeights | None = None) -> Any:
    """Saves, after each epoch, and restores, at the start of a resumed run, what Keras'
    BackupAndRestore leaves out: random-generator states, early stopping's state and the
    recent weights being averaged."""
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
            arrays.update(recent.arrays() if recent else {})
            save_arrays(path, arrays)

        def on_train_begin(self, logs: dict | None = None) -> None:
            if not path.exists():
                return
            with np.load(path) as saved:
                for i, variable in enumerate(self._generators()):
                    variable.assign(saved[f"seed{i}"])
                stopping.best_weights = numbered(saved, "best") or None
                wait, best_value, best_epoch = saved["scalars"]
                stopping.wait, stopping.best = int(wait), float(best_value)
                stopping.best_epoch = int(best_epoch)
                if recent is not None:
                    recent.load(saved)

    return ResumeState()
