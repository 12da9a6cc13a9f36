"""Training: prepared data in, a trained model with its vocabulary, labels and history out.

Adam and early stopping on the validation loss (the saved weights are the mean of the
last epochs run, ``average_epochs``; with 0, the best epoch's), under a
``tf.distribute`` strategy (:mod:`sentigru.distribute`): ``keras.Model.fit`` on one
device, and :mod:`sentigru.worker_loop` under ``MirroredStrategy`` and
``MultiWorkerMirroredStrategy``, where Keras 3's ``fit`` fails (see there). A seed fixes
the vocabulary order, the split, the shuffling and the initial weights, so the same
command trains the same model.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sentigru import callbacks as cb
from sentigru.bundle import FINISHED_FILE
from sentigru.callbacks import TIMING_KEYS, load_weights, weights_h5
from sentigru.contract import token_unit
from sentigru.data.examples import Examples
from sentigru.data.stream import StreamSource
from sentigru.errors import SentigruError
from sentigru.pieces import Pieces
from sentigru.spec import Spec
from sentigru.tokenizer import Vocabulary
from sentigru.train_data import Prepared, prepare
from sentigru.training_notes import warn_averaging

__all__ = ["TIMING_KEYS", "Trained", "train"]


@dataclass
class Trained:
    """What a training run produces; :mod:`sentigru.bundle` writes it as a model folder."""

    model: Any  # keras.Model; typed loosely so this module's import stays cheap to read
    vocab: Vocabulary | Pieces
    """The regex tokenizer's vocabulary, or the SentencePiece model."""
    labels: list[str]
    spec: Spec
    history: dict[str, list[float]]
    metrics: dict[str, float] = field(default_factory=dict)
    data_fingerprint: str = ""
    train_seconds: float = 0.0
    placement: dict[str, Any] = field(default_factory=dict)
    """The strategy, replicas and workers the run used (recorded in the manifest)."""
    ran: Spec | None = None
    """The spec as run, where it differs from ``spec``: more epochs and patience where
    ``min_steps`` asked them (:func:`sized_for`)."""


MAX_EPOCHS = 200
"""The most epochs ``min_steps`` raises a run to (a few dozen rows would ask for more)."""


def _steps(spec: Spec, rows: int) -> int:
    return max(1, math.ceil(rows / spec.training.batch_size))


def sized_for(spec: Spec, epoch_steps: int) -> Spec:
    """The spec a run of ``epoch_steps`` steps an epoch follows: with fewer than
    ``min_steps`` steps in ``epochs`` epochs, more epochs (at most :data:`MAX_EPOCHS`), and patience
    raised in proportion, so that the learning-rate schedule and early stopping keep
    their shape. The recipe's settings were measured on 92,000 rows, where five epochs
    are 6,500 steps; a few hundred rows give a few steps an epoch. Weight averaging keeps
    its count, the mean of the last few epochs, which may come after the best one: on the
    quickstart rows with ``--min-steps 280`` (seeds 7-9, 920 held-out texts) averaging as
    many more epochs as patience gained read them worse (accuracy 72.5 % against 73.6 %,
    log loss 0.547 against 0.508)."""
    training = spec.training
    epochs = min(MAX_EPOCHS, math.ceil(training.min_steps / epoch_steps))
    if epochs <= training.epochs:
        return spec
    patience = math.ceil(training.patience * epochs / training.epochs)
    return spec.replace(training={"epochs": epochs, "patience": patience})


def _learning_rate(spec: Spec, epoch_steps: int) -> Any:
    import keras

    rate = spec.training.learning_rate
    if spec.training.lr_schedule == "constant":
        return rate
    steps = spec.training.epochs * epoch_steps
    return keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps, alpha=0.1)


def _epoch_steps(prepared: Prepared, spec: Spec, strategy: str) -> int:
    """The optimizer steps of an epoch, over which the schedule decays: the batches the
    length buckets make, each ending in a partial one (480 rows took 9 steps an epoch,
    not the 7 of rows / batch, and the rate sat at its floor for the last fifth of the
    run). A stream's, or rows a cluster's workers share out, are not known up front:
    rows / batch."""
    if prepared.train_batches is not None and strategy == "one":
        return prepared.train_batches(spec.training.batch_size)
    return _steps(spec, prepared.train_rows)


def _callbacks(
    spec: Spec, monitor: str, checkpoint: Path | None, epoch: Any
) -> tuple[list[Any], dict[str, list[float]]]:
    """Early stopping, the NaN guard, the epoch counter the shuffling reads, the weight
    averaging when the spec asks for it and, with a checkpoint folder, backup-and-restore
    of everything a resumed run needs to go on as if never stopped; also the metrics of
    epochs run before an interruption."""
    import keras

    average = spec.training.average_epochs
    stopping = keras.callbacks.EarlyStopping(
        monitor=monitor, patience=spec.training.patience, restore_best_weights=not average
    )
    callbacks = [cb.epoch_timer(), stopping, cb.nan_guard(), cb.epoch_counter(epoch)]
    recent = cb.RecentWeights(average) if average else None
    if recent is not None:
        callbacks.append(cb.weight_averager(recent))
    earlier: dict[str, list[float]] = {}
    if checkpoint is not None:
        # Kept until the model folder is saved (bundle.training_run removes it), so an
        # interruption while the phone file is made loses no epoch.
        earlier = cb.earlier_history(checkpoint)
        history = {key: list(values) for key, values in earlier.items()}
        callbacks.append(cb.epoch_checkpoint(checkpoint, stopping, recent, history))
    return callbacks, earlier


def _fit(
    model: Any,
    prepared: Prepared,
    spec: Spec,
    epoch: Any,
    checkpoint: Path | None,
    verbose: int,
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """``model.fit`` on one device; the history and validation metrics."""
    batch = spec.training.batch_size
    train_data = prepared.pipelines("train", epoch, batch, (0, 1))
    val_data = prepared.pipelines("val", epoch, batch, (0, 1))
    callbacks, earlier = _callbacks(
        spec, "val_loss" if val_data is not None else "loss", checkpoint, epoch
    )
    # Keras prints its progress on stdout; sentigru's stdout holds results only. The
    # redirect is the process's while fit runs: other threads' prints go to stderr too.
    with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings():
        # Keras warns at the end of each first epoch when a dataset's length is unknown;
        # the caller's own warning filters are as they were after the run.
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        fit = model.fit(
            train_data,
            validation_data=val_data,
            epochs=spec.training.epochs,
            callbacks=callbacks,
            verbose=verbose,
            shuffle=False,  # the pipeline shuffles; Keras would only warn
        )
        # a resumed run with no epoch left (it had stopped early) runs none: its history
        # is the checkpoint's
        history = {key: list(values) for key, values in earlier.items()}
        for key, values in fit.history.items():
            history[key] = earlier.get(key, []) + [float(v) for v in values]
        if val_data is None:
            return history, {}
        loss, accuracy = model.evaluate(val_data, verbose=0)
    return history, {"val_loss": float(loss), "val_accuracy": float(accuracy)}


@contextlib.contextmanager
def _pipeline_errors(tf: Any) -> Iterator[None]:
    """A streamed file that goes missing or gets a bad row mid-training raises a
    :class:`SentigruError` inside the input pipeline, which TensorFlow hands on as a
    page of graph traceback: give the user the one line it carried. Memory that runs out
    (a table or a batch too large) is one line too."""
    try:
        yield
    except (tf.errors.ResourceExhaustedError, MemoryError):
        raise SentigruError(OUT_OF_MEMORY) from None
    except tf.errors.OpError as exc:
        carried = re.findall(r"SentigruError: ([^\n]+)", exc.message or "")
        if not carried:
            raise
        raise SentigruError(carried[-1].strip()) from None


OUT_OF_MEMORY = (
    "out of memory: the model or its batches do not fit; smaller --batch-size, --units, "
    "--embed-dim, --vocab-size or --bigram-buckets make them fit"
)


def _check_same_inputs(
    tf: Any, distribution: Any, prepared: Prepared, spec: Spec, checkpoint: Path | None
) -> None:
    """Refuse, on every worker at once, a run whose workers were given other data or
    settings: each builds its own vocabulary and rows, so they trained one model on
    words that differ under the same ids, without a word, or stopped in a collective op
    with a page of traceback (rows of other counts); or ``--resume`` on some only (the
    others started again at epoch 0, and both blamed the other). The workers sum each
    byte of a hash of what they read, and of its square: all hold the same byte exactly
    where the square of the sum is the number of replicas times the sum of squares."""
    import hashlib

    from sentigru.worker_loop import STATE_FILE

    resumes = checkpoint is not None and (checkpoint / STATE_FILE).exists()
    named = _inputs_named(prepared, spec) + f"\0resumes={resumes}".encode()
    digest = hashlib.sha256(named).digest()[:16]
    local = tf.constant(np.frombuffer(digest, np.uint8).astype(np.float32))  # sums: exact

    @tf.function
    def sums() -> Any:
        each = distribution.run(lambda: tf.stack([local, local * local]))
        return distribution.reduce("SUM", each, axis=None)

    total = sums().numpy().astype(np.float64)
    if not np.array_equal(total[0] ** 2, distribution.num_replicas_in_sync * total[1]):
        raise SentigruError(
            "the workers were given other data or settings (or --resume on some only): run "
            "the same command, with the same files at the same paths, on every worker"
        )


def _inputs_named(prepared: Prepared, spec: Spec) -> bytes:
    """What a worker read, as bytes to hash: the labelled rows, the rows per label and
    part, the unlabelled texts and their teacher, the vocabulary, the labels and the
    spec. Not a teacher's scores, which each worker computes itself: other CPUs may
    round them otherwise in their last digits."""
    vocab = prepared.vocab
    table = vocab.to_bytes() if isinstance(vocab, Pieces) else "\n".join(vocab.tokens).encode()
    rows = (prepared.counts, prepared.val_rows, prepared.unlabelled_rows, prepared.unlabelled_texts)
    # the run's fingerprint names a teacher's scores too: then the labelled rows' own,
    # and the unlabelled texts and teacher without the scores
    data = prepared.data_fingerprint if prepared.unlabelled_texts else prepared.fingerprint
    unlabelled = prepared.unlabelled_identity
    named = "\n".join([data, unlabelled, repr(rows), spec.to_json(), *prepared.labels])
    return named.encode() + b"\0" + table


@contextlib.contextmanager
def _worker_errors(strategy: str) -> Iterator[None]:
    """A worker that stopped (a refusal of its own, Ctrl-C) leaves the others waiting in
    a collective op (the first is the check of the inputs) until TensorFlow gives up on
    it with a page of traceback: one line, that sends the user to that worker's output,
    with the first line of TensorFlow's. Only under the multi-worker strategy, where
    there are other workers to wait for."""
    try:
        yield
    except Exception as exc:
        if not (strategy in ("auto", "multi-worker") and _peer_lost(exc)):
            raise
        from sentigru.distribute import cluster_role

        if cluster_role().workers < 2:
            raise
        message = getattr(exc, "message", "") or ""
        tasks = sorted(set(re.findall(r"^/job:\w+/replica:\d+/task:(\d+)$", message, re.M)))
        which = f"worker {', '.join(tasks)}" if tasks else "another worker"
        first = message.strip().splitlines()[0][:160] if message.strip() else type(exc).__name__
        raise SentigruError(
            f"{which} stopped or cannot be reached (its own output may say why): {first}"
        ) from None


def _peer_lost(exc: BaseException) -> bool:
    """Whether ``exc`` is TensorFlow's word that a collective op lost a peer: it gave up
    waiting, or saw the peer restart or stop sending heartbeats."""
    if not type(exc).__module__.startswith("tensorflow"):
        return False
    name, message = type(exc).__name__, str(getattr(exc, "message", "") or "")
    if name in ("UnavailableError", "DeadlineExceededError"):
        return True
    peer = re.search(r"collective|heartbeat|/task:\d", message, re.I)
    return name in ("CancelledError", "FailedPreconditionError", "InternalError") and bool(peer)


FINISHED_WEIGHTS = "finished.weights.h5"
"""Written into the checkpoint once training ends, with the history and metrics in
:data:`~sentigru.bundle.FINISHED_FILE`, so that a run interrupted while its folder is
saved resumes to the same model without training again."""


def _mark_finished(
    model: Any, checkpoint: Path, history: dict[str, list[float]], metrics: dict[str, float]
) -> None:
    from sentigru.atomic import write_atomic
    from sentigru.limits import has_room, os_reason

    def unkept(reason: str) -> SentigruError:
        return SentigruError(
            f"cannot keep the finished training in the checkpoint {checkpoint}: {reason}; "
            "its last epoch is kept: once there is room, run the same command with --resume"
        )

    weights = checkpoint / FINISHED_WEIGHTS
    try:
        if not has_room(checkpoint, sum(int(w.nbytes) for w in model.get_weights())):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        weights.write_bytes(weights_h5(model))
    except OSError as exc:
        weights.unlink(missing_ok=True)
        raise unkept(os_reason(exc)) from None
    record = {"history": history, "metrics": metrics}
    write_atomic(checkpoint / FINISHED_FILE, json.dumps(record).encode())  # the mark, last


def progress_verbosity() -> int:
    """Keras' live bar (1) at a terminal that shows it; otherwise one line an epoch (2).
    The bar is drawn with colours, backspaces and carriage returns: a log file, a dumb
    terminal (``TERM=dumb``: Emacs shells, some CI consoles), ``NO_COLOR`` users
    (https://no-color.org) and a terminal whose encoding has no box drawing get the
    plain lines."""
    plain = os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb"
    return 1 if sys.stderr.isatty() and not plain and _draws_the_bar(sys.stderr) else 2


def _draws_the_bar(stream: Any) -> bool:
    """Whether ``stream`` can write the bar's box-drawing character: a terminal in an
    ASCII locale got each as a six-character escape."""
    try:
        "\u2501".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _finished(
    model: Any, checkpoint: Path | None
) -> tuple[dict[str, list[float]], dict[str, float]] | None:
    """The history and metrics of a finished run kept in ``checkpoint``, with ``model``
    given its final weights; None when training has not finished."""
    if checkpoint is None or not (checkpoint / FINISHED_FILE).is_file():
        return None
    with cb.readable(checkpoint):
        record = json.loads((checkpoint / FINISHED_FILE).read_text("utf-8"))
        load_weights(model, checkpoint / FINISHED_WEIGHTS, checkpoint)
        return record["history"], record["metrics"]


def _check_checkpoint_kind(checkpoint: Path | None, own_loop: bool) -> None:
    """Refuse to resume a checkpoint that the other training path wrote: ``fit``'s
    (one device) and the strategies' loop keep different files."""
    from sentigru.worker_loop import STATE_FILE

    if checkpoint is None:
        return
    fit_kept = cb.checkpoint_files(checkpoint) is not None
    if fit_kept if own_loop else (checkpoint / STATE_FILE).exists():
        raise SentigruError(
            f"the checkpoint in {checkpoint} was written under another --strategy; "
            "resume with the strategy the run started with"
        )


def _start_from_word_vectors(model: Any, prepared: Prepared, seed: int) -> int:
    """Overwrite the word table's rows with the word vectors of the training texts (the
    unlabelled ones included); the special ids, and words with no neighbour, keep their
    random start. Returns how many rows were overwritten."""
    from sentigru.word_vectors import word_vectors

    table = model.get_layer("embedding").embeddings
    start = table.numpy()
    vectors = word_vectors(prepared.train_ids(), start.shape[0], start.shape[1], seed)
    found = np.linalg.norm(vectors, axis=1) > 0
    start[found] = vectors[found]
    table.assign(start)
    return int(found.sum())


OUTPUT_LAYER = "scores"


def _start_from(model: Any, init: Any, head: bool) -> None:
    """Give ``model`` the weights of ``init``, layer by layer; the output layer's only
    with ``head`` (the same labels in the same order), else it starts new."""
    for layer in model.layers:
        if not layer.weights or (layer.name == OUTPUT_LAYER and not head):
            continue
        weights = init.get_layer(layer.name).get_weights()
        if [w.shape for w in weights] != [tuple(v.shape) for v in layer.weights]:
            raise SentigruError(
                f"the starting model's layer {layer.name} differs from the one being trained"
            )
        layer.set_weights(weights)


def train(
    data: Prepared | Examples | StreamSource,
    spec: Spec,
    val_examples: Examples | None = None,
    verbose: int | None = None,
    checkpoint: Path | None = None,
    strategy: str = "auto",
    init: Any = None,
    init_head: bool = True,
    log: Callable[[str], None] | None = None,
) -> Trained:
    """Train a model on ``data`` with the settings in ``spec``, under ``strategy``
    (see :mod:`sentigru.distribute`).

    With ``checkpoint`` (a folder), the state is saved there after every epoch, and a
    run that finds one resumes after its last completed epoch. With ``init`` (a Keras
    model of the same network and vocabulary), training starts from its weights instead
    of from random ones and the word vectors; its output layer's too with ``init_head``
    (the same labels). ``log`` hears what the run says before its epochs (stderr by
    default; nothing with ``verbose=0``). The process's random generators, Keras' dtype
    policy and TensorFlow's op determinism are as they were afterwards.

    Trainings in one process run one at a time (a call from another thread waits): each
    seeds the process's generators and sends stdout to stderr while it fits, which two at
    once would leave crossed (a notebook's prints on stderr for good)."""
    with _ONE_AT_A_TIME, process_state_kept(), _worker_errors(strategy):
        return _train(data, spec, val_examples, verbose, checkpoint, strategy, init, init_head,
                      log)  # fmt: skip


_ONE_AT_A_TIME = threading.RLock()
"""Held by a training for its whole run (re-entrant: a run may train a teacher)."""


@contextlib.contextmanager
def process_state_kept() -> Iterator[None]:
    """Seed the run and make it deterministic, in float32, and put the process back as
    it was: a notebook's own NumPy and TensorFlow draws must not follow the run's seed,
    nor its later TensorFlow code run under op determinism (which refuses some calls),
    and a global mixed-precision policy the model was not built for is set aside."""
    import random

    from sentigru.tf_quiet import import_tensorflow

    states = random.getstate(), np.random.get_state()  # importing Keras draws from random
    tf = import_tensorflow("training")
    from tensorflow.python.eager import context
    from tensorflow.python.framework import config

    tf_seed = context.global_seed()  # None unless the caller set one
    imported = sys.modules.get("keras")  # not imported here: a strategy is made first
    policy = imported.mixed_precision.global_policy() if imported else None
    deterministic = config.is_op_determinism_enabled()
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        tf.random.set_seed(tf_seed)
        if policy is not None:
            sys.modules["keras"].mixed_precision.set_global_policy(policy)
        if not deterministic:
            config.disable_op_determinism()


def _train(
    data: Prepared | Examples | StreamSource,
    spec: Spec,
    val_examples: Examples | None,
    verbose: int | None,
    checkpoint: Path | None,
    strategy: str,
    init: Any,
    init_head: bool,
    log: Callable[[str], None] | None,
) -> Trained:
    from sentigru.distribute import Role, cluster_role, make_strategy, resolve
    from sentigru.tf_quiet import import_tensorflow

    def say(line: str, progress: bool = False) -> None:
        """One of sentigru's lines; ``progress``: one that verbose 0 drops (the word
        table's)."""
        if not (progress and verbose == 0):
            (log or (lambda text: print(text, file=sys.stderr)))(line)

    prepared = data if isinstance(data, Prepared) else prepare(data, spec, val_examples)
    tf = import_tensorflow("training")
    name = resolve(strategy)
    epoch_steps = _epoch_steps(prepared, spec, name)
    asked, spec = spec, sized_for(spec, epoch_steps)
    if spec != asked:
        say(
            f"{prepared.train_rows} training rows make {epoch_steps} steps an epoch: "
            f"{spec.training.epochs} epochs instead of {asked.training.epochs} "
            f"(patience {spec.training.patience}) to train at least "
            f"{asked.training.min_steps} steps (--min-steps)"
        )
        warn_averaging(spec, say)
    distribution = make_strategy(name)  # before any other TensorFlow work
    import keras

    from sentigru.model import build_model

    _check_checkpoint_kind(checkpoint, own_loop=name != "one")
    replicas = distribution.num_replicas_in_sync
    if spec.training.batch_size % replicas:
        raise SentigruError(
            f"batch size {spec.training.batch_size} must be a multiple of the {replicas} "
            "replicas training it"
        )
    role = cluster_role() if name == "multi-worker" else Role()
    if role.workers > 1:  # before the model: its first weights are a collective already
        _check_same_inputs(tf, distribution, prepared, spec, checkpoint)
    keras.utils.set_random_seed(spec.training.seed)
    tf.config.experimental.enable_op_determinism()
    keras.mixed_precision.set_global_policy("float32")  # what the phone graph computes in
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False)  # read by the shuffling
    with distribution.scope(), _pipeline_errors(tf):  # a table too large: out of memory
        model = build_model(spec.model, len(prepared.vocab), len(prepared.labels))
        if init is not None:
            _start_from(model, init, init_head)
        elif spec.training.word_init == "ppmi":
            began = time.perf_counter()
            found = _start_from_word_vectors(model, prepared, spec.training.seed)
            unit = token_unit(spec.tokenizer.tokenizer)
            say(
                f"{unit} table: {found} of {len(prepared.vocab)} rows start from the "
                f"training texts' {unit} vectors ({time.perf_counter() - began:.0f} s)",
                progress=True,
            )
        optimizer = keras.optimizers.Adam(_learning_rate(spec, epoch_steps))
    smoothing = spec.training.label_smoothing
    if verbose is None:
        verbose = progress_verbosity()
    before = cb.earlier_history(checkpoint) if checkpoint is not None else {}
    start = time.perf_counter()
    finished = _finished(model, checkpoint)
    if finished is not None:  # interrupted after its last epoch, while being saved
        history, metrics = finished
        if verbose:
            print("training had finished before the interruption; saving it", file=sys.stderr)
    elif name == "one":
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)
        model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
        with _pipeline_errors(tf):
            history, metrics = _fit(model, prepared, spec, epoch, checkpoint, verbose)
    else:
        from sentigru.worker_loop import fit_workers

        with _pipeline_errors(tf):
            history, metrics = fit_workers(
                model,
                optimizer,
                keras.losses.CategoricalCrossentropy(label_smoothing=smoothing, reduction=None),
                distribution,
                prepared.pipelines,
                has_val=prepared.val_rows > 0,
                train_rows=prepared.train_rows,
                epochs=spec.training.epochs,
                batch_size=spec.training.batch_size,
                patience=spec.training.patience,
                average=spec.training.average_epochs,
                epoch_var=epoch,
                checkpoint=checkpoint,
                is_chief=role.is_chief,
                log=lambda line: print(line, file=sys.stderr) if verbose else None,
            )
    # a resumed run's time counts the epochs of the runs before it too, as its history does
    seconds = time.perf_counter() - start + sum(before.get("epoch_seconds", []))
    if finished is None and checkpoint is not None and role.is_chief:
        _mark_finished(model, checkpoint, history, metrics)
    metrics = {"train_examples": float(prepared.train_rows), **metrics}
    if "val_loss" in metrics:
        metrics["val_examples"] = float(prepared.val_rows)
    placement = {
        "strategy": name,
        "replicas": replicas,
        "workers": role.workers,
        "streamed": prepared.streamed,
    }
    if before.get("loss"):  # the manifest says the model came from a resumed run
        placement["resumed_after_epoch"] = len(before["loss"])
    return Trained(
        model,
        prepared.vocab,
        prepared.labels,
        asked,
        history,
        metrics,
        prepared.fingerprint,
        seconds,
        placement,
        spec if spec != asked else None,
    )


def validation_answers(model: Any, prepared: Prepared, batch_size: int) -> np.ndarray:
    """``[labels, labels]`` counts of the validation rows by true label (rows) and the
    label the trained model answers (columns): a label it never answers reads as
    learnt by accuracy alone (the commonest label's share on imbalanced data), and with
    ``--class-weight balanced`` accuracy is not even that. Empty without validation."""
    import tensorflow as tf

    from sentigru.tf_quiet import no_retracing_note

    count = len(prepared.labels)
    table = np.zeros((count, count), np.int64)
    data = prepared.pipelines("val", tf.Variable(0, dtype=tf.int64), batch_size, (0, 1))
    if data is None:
        return table
    # compiled once, as the predictor's: an eager RNN call takes about a second a batch;
    # for every batch length, or each length bucket traced it anew. Each model compiles
    # its own, which TensorFlow counts as retracing from the fifth training on
    run = tf.function(
        lambda ids: model(ids, training=False), input_signature=[data.element_spec[0]]
    )
    with no_retracing_note():
        for batch in data:
            truth = np.argmax(batch[1].numpy(), axis=-1)
            answer = np.argmax(run(batch[0]).numpy(), axis=-1)
            np.add.at(table, (truth, answer), 1)
    return table
