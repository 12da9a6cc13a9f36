"""Training's guards: a diverging loss stops with a clear error."""

from __future__ import annotations

import errno
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sentigru.errors import Interrupted, SentigruError

pytest.importorskip("keras")


@pytest.mark.parametrize("loss", [math.nan, math.inf])
def test_nan_loss_stops_training_with_a_clear_error(loss: float) -> None:
    from sentigru.callbacks import nan_guard

    guard = nan_guard()
    guard.on_train_batch_end(0, {"loss": 0.5})  # a finite loss passes
    with pytest.raises(SentigruError, match="diverged.*--learning-rate"):
        guard.on_train_batch_end(1, {"loss": loss})


def test_weight_averaging_keeps_the_mean_of_the_last_epochs(tmp_path: Path) -> None:
    import keras
    import numpy as np

    from sentigru.callbacks import RecentWeights, weight_averager

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    seen = []

    class Capture(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            seen.append([w.copy() for w in self.model.get_weights()])

    recent = RecentWeights(2)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = keras.utils.to_categorical((x[:, 0] > 0).astype(int), 2)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[Capture(), weight_averager(recent)])
    for got, a, b in zip(model.get_weights(), seen[-2], seen[-1], strict=True):
        np.testing.assert_allclose(got, (a + b) / 2, rtol=1e-6)
    assert not np.allclose(seen[-1][0], model.get_weights()[0])  # not just the last epoch

    # What a checkpoint keeps is what a resumed run reads back.
    np.savez(tmp_path / "state.npz", **recent.arrays())
    again = RecentWeights(2)
    with np.load(tmp_path / "state.npz") as saved:
        again.load(saved)
    for mine, theirs in zip(again.mean(), recent.mean(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_a_run_stopped_while_it_is_saved_resumes_to_the_same_model(
    synthetic_files: tuple[Path, Path], tmp_path: Path, monkeypatch
) -> None:
    """Ctrl-C while the phone file is made (after the last epoch) keeps the checkpoint,
    as the message says, and --resume saves the model an unbroken run saves, without
    training again."""
    import numpy as np

    import sentigru
    from sentigru import train_api

    small = {"epochs": 2, "units": 8, "embed_dim": 8, "seq_len": 64, "bigram_buckets": 0}
    quiet = {"verbose": 0, "log": lambda _: None, **small}
    whole = sentigru.train(synthetic_files[0], tmp_path / "whole", **quiet)

    def stopped(*_: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(train_api, "_phone_file", stopped)
        with pytest.raises(Interrupted, match="run the same command with --resume"):
            sentigru.train(synthetic_files[0], tmp_path / "cut", **quiet)
    assert (tmp_path / ".cut.checkpoint" / "finished.json").is_file()
    lines: list[str] = []
    resumed = sentigru.train(synthetic_files[0], tmp_path / "cut", resume=True, verbose=1,
                             log=lines.append, **small)  # fmt: skip
    texts = ["superb and lovely", "awful , boring", "fine"]
    assert np.allclose(resumed.scores(texts), whole.scores(texts), atol=1e-6)
    assert not (tmp_path / ".cut.checkpoint").exists()


def test_an_epoch_the_checkpoint_could_not_keep_leaves_the_one_before_whole(
    synthetic_files: tuple[Path, Path], tmp_path: Path, monkeypatch
) -> None:
    """The disk full while the second epoch was kept: its weights were written, its
    state and history not, and --resume went on from that mix to another model, its
    history short of an epoch. An epoch is now kept whole or not at all, the error is
    one line naming the checkpoint, and the resumed run ends where an unbroken one does."""
    import errno
    import json

    import numpy as np

    import sentigru

    small = {"epochs": 3, "units": 8, "embed_dim": 8, "seq_len": 64, "bigram_buckets": 0}
    quiet = {"verbose": 0, "log": lambda _: None, "phone_file": False, **small}
    whole = sentigru.train(synthetic_files[0], tmp_path / "whole", **quiet)
    real_savez, calls = np.savez, []

    def full_at_the_second(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_savez(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(np, "savez", full_at_the_second)
        with pytest.raises(SentigruError) as failed:
            sentigru.train(synthetic_files[0], tmp_path / "cut", **quiet)
    message = str(failed.value)
    assert "cannot keep the epoch in the checkpoint" in message and "\n" not in message
    assert "No space left on device" in message and "--resume" in message
    kept = tmp_path / ".cut.checkpoint" / "epoch"
    assert json.loads((kept / "epoch.json").read_text()) == {"epoch": 1}
    assert len(json.loads((kept / "history.json").read_text())["loss"]) == 1
    assert sorted(p.name for p in kept.parent.iterdir()) == ["epoch", "sentigru-run.json"]
    resumed = sentigru.train(synthetic_files[0], tmp_path / "cut", resume=True, **quiet)
    texts = ["superb and lovely", "awful , boring", "fine"]
    assert np.allclose(resumed.scores(texts), whole.scores(texts), atol=1e-6)
    history = json.loads((tmp_path / "cut" / "history.json").read_text())
    assert len(history["loss"]) == 3


def test_a_user_with_no_home_gets_no_tilde_folder(tmp_path: Path) -> None:
    """With no home (a UID with no passwd entry, HOME unset), Keras made ``./~/.keras``
    in the user's folder; its settings now go to a folder of the process's own, removed
    at exit."""
    code = (
        "import os, sys\n"
        "os.path.expanduser = lambda path: path  # as Python does with no home\n"
        "os.environ.pop('KERAS_HOME', None)\n"
        "from sentigru.tf_quiet import import_tensorflow\n"
        "import_tensorflow()\n"
        "import keras\n"
        "keras.config.set_floatx('float32')\n"
        "print(os.environ['KERAS_HOME'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []
    assert not Path(proc.stdout.strip()).exists()  # removed at exit


def test_a_run_that_stopped_early_resumes_without_another_epoch(
    synthetic_files: tuple[Path, Path], tmp_path: Path, monkeypatch
) -> None:
    """Interrupted after early stopping ended it, a resumed run trained one epoch more
    (the checkpoint kept the patience used, not that it had stopped) and ended with
    another model; with no epoch left, its history.json came out empty."""
    import json

    import numpy as np

    import sentigru
    from sentigru import training

    small = {"epochs": 6, "patience": 1, "learning_rate": 0.3, "lr_schedule": "constant"}
    small |= {"average_epochs": 0}
    small |= {"units": 8, "embed_dim": 8, "seq_len": 64, "bigram_buckets": 0}
    quiet = {"verbose": 0, "log": lambda _: None, "phone_file": False, **small}
    whole = sentigru.train(synthetic_files[0], tmp_path / "whole", **quiet)
    ran = len(json.loads((tmp_path / "whole" / "history.json").read_text())["loss"])
    assert ran < 6, "early stopping must end the run for this test"

    def stopped(*_: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(training, "_mark_finished", stopped)
        with pytest.raises(KeyboardInterrupt):
            sentigru.train(synthetic_files[0], tmp_path / "cut", **quiet)
    resumed = sentigru.train(synthetic_files[0], tmp_path / "cut", resume=True, **quiet)
    history = json.loads((tmp_path / "cut" / "history.json").read_text())
    assert len(history["loss"]) == ran
    texts = ["superb and lovely", "awful , boring", "fine"]
    assert np.allclose(resumed.scores(texts), whole.scores(texts), atol=1e-6)


def test_a_checkpoint_of_an_earlier_version_is_still_read(tmp_path: Path) -> None:
    """Before epochs were kept as one folder, Keras' backup and sentigru's state lay side
    by side in the checkpoint: a run interrupted before an upgrade resumes from them."""
    import json

    from sentigru.callbacks import checkpoint_files, earlier_history

    assert checkpoint_files(tmp_path) is None and earlier_history(tmp_path) == {}
    (tmp_path / "training_metadata.json").write_text('{"epoch": 2, "batch": 0}')
    (tmp_path / "history.json").write_text(json.dumps({"loss": [0.9, 0.7, 0.6]}))
    files = checkpoint_files(tmp_path)
    assert files is not None and files["weights"] == tmp_path / "latest.weights.h5"
    assert earlier_history(tmp_path) == {"loss": [0.9, 0.7]}  # a third epoch never kept


def test_an_epoch_the_disk_has_no_room_for_is_refused_before_it_is_written(
    tmp_path: Path, monkeypatch
) -> None:
    """HDF5 cut short by a full disk left objects that crashed the process at exit (a
    segfault after the error line): the room is checked before anything is written."""
    import shutil
    from collections import namedtuple

    import numpy as np

    from sentigru import callbacks

    model = type("M", (), {"get_weights": lambda self: [np.zeros(1000, np.float32)]})()
    callbacks._check_room(tmp_path, model)  # room enough here
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 5000, 5000))
    with pytest.raises(SentigruError, match="No space left on device; no epoch was kept"):
        callbacks._check_room(tmp_path, model)


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, 1),
        (True, {"NO_COLOR": "1"}, 2),
        (True, {"TERM": "dumb"}, 2),
        (False, {}, 2),
    ],
)
def test_the_live_bar_only_where_it_can_be_shown(
    monkeypatch: pytest.MonkeyPatch, tty: bool, env: dict[str, str], expected: int
) -> None:
    """Keras' bar is colours, backspaces and carriage returns: NO_COLOR and TERM=dumb
    terminals got it as at any other terminal."""
    from sentigru.training import progress_verbosity

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    assert progress_verbosity() == expected


def test_a_terminal_in_an_ascii_locale_gets_a_line_an_epoch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bar's box-drawing characters came out as six-character escapes there."""
    import io

    from sentigru.training import progress_verbosity

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for encoding, expected in (("ascii", 2), ("utf-8", 1)):
        terminal = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
        monkeypatch.setattr(terminal, "isatty", lambda: True, raising=False)
        monkeypatch.setattr(sys, "stderr", terminal)
        assert progress_verbosity() == expected


@pytest.mark.parametrize("stream", [False, True])
def test_a_min_count_no_word_reaches_is_refused(
    synthetic_files: tuple[Path, Path], tmp_path: Path, stream: bool
) -> None:
    """It trained a model of the special tokens alone, which read nothing, and said the
    training text gave no more words."""
    import sentigru

    with pytest.raises(SentigruError, match="reaches --min-count 1000000: .*lower --min-count"):
        sentigru.train(
            synthetic_files[0], tmp_path / "m", min_count=10**6, stream=stream, log=lambda _: None
        )
    assert not (tmp_path / "m").exists()


def test_memory_running_out_is_one_line_naming_the_settings() -> None:
    """A table too large failed with TensorFlow's ResourceExhaustedError and its page."""
    import tensorflow as tf

    from sentigru.training import _pipeline_errors

    oom = tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")
    with (
        pytest.raises(SentigruError, match="out of memory: .*smaller --batch-size"),
        _pipeline_errors(tf),
    ):
        raise oom


def _importing_tensorflow_after(setup: str) -> subprocess.CompletedProcess:
    """A fresh Python that runs ``setup``, then asks for TensorFlow as export does and
    prints the one line it is refused with."""
    code = setup + (
        "from sentigru.errors import SentigruError\n"
        "from sentigru.tf_quiet import import_tensorflow\n"
        "try:\n"
        "    import_tensorflow('export')\n"
        "except SentigruError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "export needs TensorFlow, which could not be loaded" in done.stdout, done.stderr
    assert "Traceback" not in done.stderr
    return done


LINUX_LIMITS = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a Linux address-space limit"
)


@LINUX_LIMITS
def test_tensorflow_that_cannot_load_under_a_memory_limit_is_one_line() -> None:
    """``ulimit -v`` of 1 GB: TensorFlow's libraries fail to map, and the ImportError
    came out as a page of traceback."""
    limit = "import resource\nresource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
    assert "ulimit -v" in _importing_tensorflow_after(limit).stdout


@LINUX_LIMITS
@pytest.mark.parametrize("limited", [True, False])
def test_tensorflow_failing_to_load_with_a_system_error_is_one_line(limited: bool) -> None:
    """Under a memory limit TensorFlow's import failed with a SystemError on one run (a C
    extension out of memory that said nothing), a traceback; without a limit the same
    error is a broken install, and no limit is blamed."""
    setup = (
        "import resource, sys\n"
        + ("resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))\n" if limited else "")
        + "class Broken:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'tensorflow':\n"
        "            raise SystemError('error return without exception set')\n"
        "sys.meta_path.insert(0, Broken())\n"
    )
    assert ("ulimit -v" in _importing_tensorflow_after(setup).stdout) == limited


@LINUX_LIMITS
def test_tensorflow_lite_failing_to_map_a_library_is_one_line_naming_it() -> None:
    """Under ``ulimit -v`` of 1.3 GB TensorFlow Lite's wrapper raised a RuntimeError that
    lists every import path tried, the library that failed to map among them: a traceback."""
    message = (
        "('Could not import original test/binary location, import paths tried: "
        "['litert.python._wrapper', 'tensorflow._wrapper']. Previous exceptions: "
        "['libpywrap_tflite_common.so: failed to map segment from shared object'])"
    )
    setup = (
        "import sys\n"
        "class Unmapped:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'tensorflow':\n"
        f"            raise RuntimeError({message!r})\n"
        "sys.meta_path.insert(0, Unmapped())\n"
    )
    said = _importing_tensorflow_after(setup).stdout
    assert "(libpywrap_tflite_common.so: failed to map segment from shared object)" in said
    assert "ulimit -v" in said


@LINUX_LIMITS
def test_a_library_that_exits_the_process_as_numpy_loads_is_heard() -> None:
    """At ``ulimit -v`` of 1.1 GB NumPy's OpenBLAS, loaded by TensorFlow's import with
    stderr muted, could not allocate its buffers, said so on stderr and exited: exit 1 and
    no word. NumPy loads first, where what it says is heard."""
    code = (
        "import os, sys\n"
        "class Exits:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'numpy':\n"
        "            os.write(2, b'OpenBLAS error: Memory allocation still failed\\n')\n"
        "            os._exit(1)\n"
        "sys.meta_path.insert(0, Exits())\n"
        "from sentigru.tf_quiet import import_tensorflow\n"
        "import_tensorflow('export')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "OpenBLAS error: Memory allocation still failed" in done.stderr


def test_a_full_disk_when_the_finished_training_is_kept_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HDF5's two-line message named its buffers and a hidden file, and left the file cut."""
    import shutil
    from collections import namedtuple

    import numpy as np

    from sentigru import training

    class Model:
        def get_weights(self) -> list:
            return [np.zeros(1000, np.float32)]

        def save_weights(self, path: Path) -> None:
            raise AssertionError("written without room")

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10, 10, 100))
    with pytest.raises(SentigruError, match="cannot keep the finished training .*--resume"):
        training._mark_finished(Model(), tmp_path, {}, {})
    assert not (tmp_path / training.FINISHED_WEIGHTS).exists()
    assert not (tmp_path / training.FINISHED_FILE).exists()

    class Whole(Model):  # HDF5 writes into memory: a disk that fills meanwhile crashed it
        def save_weights(self, buffer: Any) -> None:
            buffer.write(b"\x89HDF" + bytes(4000))

    real_write = Path.write_bytes

    def cut_short(path: Path, data: bytes) -> int:  # room said yes; the disk filled
        real_write(path, data[:100])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10, 10, 1 << 40))
    monkeypatch.setattr(Path, "write_bytes", cut_short)
    with pytest.raises(SentigruError, match="finished training .*: No space left on device;"):
        training._mark_finished(Whole(), tmp_path, {}, {})
    assert not (tmp_path / training.FINISHED_WEIGHTS).exists()


def test_the_learning_rate_decays_over_the_steps_an_epoch_really_takes(synthetic_files) -> None:
    """Each length bucket ends in a partial batch: 600 rows of 3 to 60 words took more
    steps an epoch than rows / batch, and the cosine schedule reached its floor before
    the run's last epoch."""
    from sentigru.data import read_examples
    from sentigru.spec import Spec
    from sentigru.train_data import prepare
    from sentigru.training import _epoch_steps, _learning_rate

    spec = Spec().replace(tokenizer={"seq_len": 64}, training={"batch_size": 32, "epochs": 4})
    prepared = prepare(read_examples(synthetic_files[0]).examples, spec)
    taken = int(prepared.pipelines("train", None, 32, (0, 1)).cardinality())
    assert _epoch_steps(prepared, spec, "one") == taken > math.ceil(prepared.train_rows / 32)
    schedule = _learning_rate(spec, taken)
    assert schedule.decay_steps == 4 * taken
    assert float(schedule(4 * taken - 1)) > float(schedule(4 * taken))  # still coming down


def test_a_training_counts_the_steps_its_epochs_take(synthetic_files, tmp_path, monkeypatch):
    """The schedule a run builds and --min-steps' extra epochs both count the steps the
    length buckets make (they counted rows / batch, short of them)."""
    import sentigru
    from sentigru import training

    asked: list[int] = []
    real = training._learning_rate
    monkeypatch.setattr(
        training, "_learning_rate", lambda spec, n: asked.append(n) or real(spec, n)
    )
    lines: list[str] = []
    settings = {"units": 4, "embed_dim": 4, "seq_len": 64, "bigram_buckets": 0, "epochs": 1}
    sentigru.train(synthetic_files[0], tmp_path / "m", phone_file=False, log=lines.append,
                   batch_size=32, min_steps=60, verbose=0, **settings)  # fmt: skip
    rows = 540  # 600 less the 10 % held out
    assert asked[0] > math.ceil(rows / 32)  # the buckets' partial batches counted
    epochs = math.ceil(60 / asked[0])
    said = next(line for line in lines if "steps an epoch" in line)  # verbose 0: still said
    assert said.startswith(f"{rows} training rows make {asked[0]} steps an epoch: {epochs} epochs")


def test_counting_validation_answers_traces_once_whatever_the_batch_lengths(
    synthetic_files, caplog
):
    """Each length bucket traced the counting function anew, and a notebook training
    its third model got TensorFlow's page of advice on retracing (seen in a loop of
    ``sentigru.train`` calls): one trace per model, nothing logged."""
    import logging

    from sentigru.data import read_examples
    from sentigru.model import build_model
    from sentigru.spec import Spec
    from sentigru.train_data import prepare
    from sentigru.training import validation_answers

    spec = Spec().replace(tokenizer={"seq_len": 64}, model={"units": 8, "embed_dim": 8})
    prepared = prepare(read_examples(synthetic_files[0]).examples, spec)
    caplog.set_level(logging.WARNING, logger="tensorflow")
    for _ in range(6):  # TensorFlow warns from the fifth trace in a row on
        model = build_model(spec.model, len(prepared.vocab), len(prepared.labels))
        table = validation_answers(model, prepared, 8)  # batches of many lengths
        assert table.sum() == prepared.val_rows > 0
    # one batch a model, as a notebook's small trainings have: every call a trace, which
    # TensorFlow counts by the function's code, across models (it warned from the fifth)
    for _ in range(6):
        model = build_model(spec.model, len(prepared.vocab), len(prepared.labels))
        assert validation_answers(model, prepared, 64).sum() == prepared.val_rows <= 64
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


def test_a_checkpoint_of_another_vocabulary_is_one_line_not_a_page(tmp_path) -> None:
    """A resumed run learns its vocabulary again; where another sentigru version learns
    another one, Keras refused the weights in a page of arrays (seen with a SentencePiece
    checkpoint), and the two-worker loop in a traceback: one line, naming --force."""
    import keras

    from sentigru.callbacks import RecentWeights, load_weights
    from sentigru.model import build_model
    from sentigru.spec import ModelSpec
    from sentigru.worker_loop import _State, _Stopping

    spec = ModelSpec(units=8, embed_dim=8)
    earlier, now = build_model(spec, 300, 2), build_model(spec, 250, 2)
    checkpoint = tmp_path / ".out.checkpoint"
    checkpoint.mkdir()
    earlier.save_weights(checkpoint / "weights.weights.h5")
    load_weights(build_model(spec, 300, 2), checkpoint / "weights.weights.h5", checkpoint)
    with pytest.raises(SentigruError, match=r"holds another model's weights .* --force"):
        load_weights(now, checkpoint / "weights.weights.h5", checkpoint)

    def state(model):  # type: ignore[no-untyped-def]
        optimizer = keras.optimizers.Adam()
        optimizer.build(model.trainable_variables)
        return _State(model, optimizer)

    recent = RecentWeights(1)
    state(earlier).save(checkpoint / "state.npz", 1, _Stopping(2), {}, recent)
    with pytest.raises(SentigruError, match=r"holds another model's weights"):
        state(now).restore(checkpoint / "state.npz", _Stopping(2), {}, recent)


def test_weights_are_written_whole_from_memory(tmp_path: Path) -> None:
    """HDF5 writing to a disk that filled meanwhile printed h5py's traceback and crashed
    the process (exit 139): the file is made in memory, and read back as Keras' own."""
    import numpy as np

    from sentigru.callbacks import weights_h5
    from sentigru.model import build_model
    from sentigru.spec import ModelSpec

    spec = ModelSpec(units=8, embed_dim=8)
    model, other = build_model(spec, 50, 2), build_model(spec, 50, 2)
    (tmp_path / "w.weights.h5").write_bytes(weights_h5(model))
    other.load_weights(tmp_path / "w.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))


def test_a_damaged_checkpoint_is_one_line_naming_force(tmp_path: Path) -> None:
    """A history, epoch mark or state cut short by a full disk gave json's or NumPy's
    traceback on --resume; a cut HDF5 file, its own text without a path."""
    from sentigru.callbacks import earlier_history, readable

    checkpoint = tmp_path / ".out.checkpoint"
    epoch = checkpoint / "epoch"
    epoch.mkdir(parents=True)
    (epoch / "epoch.json").write_text('{"epoch": 1}')
    (epoch / "history.json").write_text("")
    message = r"checkpoint in .*\.out\.checkpoint cannot be read .*--force without --resume"
    with pytest.raises(SentigruError, match=message):
        earlier_history(checkpoint)
    for damage in (ValueError("pickled data"), OSError("truncated file"), KeyError("seed0")):
        with pytest.raises(SentigruError, match=message), readable(checkpoint):
            raise damage
