"""sentigru called many times in one long-lived process (a notebook, a server): what one
call leaves must not change the next, nor the host program."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import random
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import sentigru
from sentigru import bundle, classifier, folder_lock, tf_quiet, training
from sentigru.errors import SentigruError
from sentigru.presets import default_model


def test_trainings_from_two_threads_run_in_turn_and_leave_stdout_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each training sends stdout to stderr while it fits: two at once restored each
    other's, and a notebook's prints went to stderr for good."""
    running: list[int] = []
    most = [0]

    def fit(*args: object) -> str:
        running.append(1)
        most[0] = max(most[0], len(running))
        with contextlib.redirect_stdout(sys.stderr):
            time.sleep(0.2)
        running.pop()
        return "trained"

    monkeypatch.setattr(training, "_train", fit)
    stdout = sys.stdout
    threads = [threading.Thread(target=training.train, args=(None, None)) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert most[0] == 1 and sys.stdout is stdout


def test_the_first_training_leaves_pythons_random_where_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Importing Keras draws from ``random`` (rich): the state is kept from before."""
    real = tf_quiet.import_tensorflow

    def drawing(purpose: str = "this") -> object:
        random.random()
        return real(purpose)

    monkeypatch.setattr(tf_quiet, "import_tensorflow", drawing)
    random.seed(5)
    np.random.seed(5)
    want = random.Random(5).random(), np.random.RandomState(5).random_sample()
    with training.process_state_kept():
        random.random()
    assert (random.random(), np.random.random_sample()) == want


def test_ctrl_c_while_tensorflow_loads_comes_when_it_has_loaded() -> None:
    reached = False
    with pytest.raises(KeyboardInterrupt), tf_quiet.stops_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)
        reached = True
    assert reached
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_tensorflow_import_cut_short_earlier_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is left in ``sys.modules`` fails anew with TensorFlow's own errors."""

    def half_made(purpose: str) -> None:
        raise ValueError("Name tf.RaggedTensorSpec has already been registered")

    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setitem(sys.modules, "tensorflow.python.framework.ops", object())
    monkeypatch.setattr(tf_quiet, "_first_import", half_made)
    said = "cut short earlier.*now fails with: Name tf.RaggedTensorSpec.*restart Python"
    with pytest.raises(SentigruError, match=said):
        tf_quiet.import_tensorflow("training")


def test_notes_on_the_data_go_to_trains_log(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = tmp_path / "one_label.tsv"
    data.write_text("label\ttext\npositive\tgood\npositive\tfine\tand a third column\n")
    heard: list[str] = []
    with pytest.raises(SentigruError, match="need two labels"):
        sentigru.train(data, tmp_path / "m", skip_bad_rows=True, log=heard.append)
    assert any("skipped 1 bad row" in line for line in heard)
    assert "skipped" not in capsys.readouterr().err


def test_a_second_call_writing_the_same_folder_is_named_as_this_process(tmp_path: Path) -> None:
    out = tmp_path / "model"
    with folder_lock.output_lock(out):
        with pytest.raises(SentigruError) as caught, folder_lock.output_lock(out):
            pass
        assert folder_lock.lock_path(out).exists()
    assert "this process is already writing" in str(caught.value)
    assert "remove its lock" not in str(caught.value)


def test_a_folder_made_read_only_while_saving_says_what_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder above --out made read-only as the model was saved: the lock could not
    be removed either, and that error ("Operation not permitted: .m.lock") took the
    place of the one saying the finished training is kept for --resume."""
    out = tmp_path / "m"
    lock = folder_lock.lock_path(out)
    unlink = Path.unlink

    def refused(self: Path, missing_ok: bool = False) -> None:
        if self == lock:
            raise PermissionError(1, "Operation not permitted", str(self))
        unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    kept = "the finished training is kept"
    with pytest.raises(SentigruError, match=kept), folder_lock.output_lock(out):
        raise SentigruError(f"cannot write m: {kept}")
    monkeypatch.undo()
    with folder_lock.output_lock(out):  # the lock left behind reads as stale
        pass
    assert not lock.exists()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the bundled model's folder, to train "again" by replacing it."""
    copy = tmp_path / "models" / "mine"
    shutil.copytree(default_model().parent, copy)
    return copy


def test_a_classifier_exports_what_it_loaded_from_another_working_folder(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder.parent.parent)
    clf = sentigru.load("models/mine")
    monkeypatch.chdir(tmp_path / "models")
    clf.export(tmp_path / "site", format="web")
    assert (tmp_path / "site" / "model.tflite").read_bytes() == (
        folder / "model.tflite"
    ).read_bytes()


def test_a_folder_trained_again_since_loading_is_refused_not_used(
    folder: Path, tmp_path: Path, trained_model: Path
) -> None:
    """Refused when pickled (a process pool's worker would hang on the error) and when
    unpickled (trained again meanwhile); exporting again into the folder is no change."""
    clf = sentigru.load(folder)
    again = pickle.loads(pickle.dumps(clf))  # the same folder still: the same model
    assert again.predict("fine")[0]["score"] == clf.predict("fine")[0]["score"]
    phone = (folder / "model.tflite").read_bytes()
    bundle.add_file(folder, "model.tflite", phone, export={"quantize": "dynamic"})
    clf.export(tmp_path / "site", format="web", force=True)
    bundle.add_file(folder, "model.tflite", (trained_model / "model.tflite").read_bytes())
    with pytest.raises(SentigruError, match="has changed since this classifier loaded it"):
        pickle.dumps(clf)  # a worker would run the other phone file
    clf.export(tmp_path / "site", format="web", force=True)  # the network: unchanged
    shutil.rmtree(folder)
    shutil.copytree(trained_model, folder)  # trained again
    with pytest.raises(SentigruError, match="has changed since this classifier loaded it"):
        clf.export(tmp_path / "site", format="web", force=True)
    with pytest.raises(SentigruError, match="has changed since this classifier loaded it"):
        pickle.dumps(clf)
    with pytest.raises(SentigruError, match="has changed since this classifier was pickled"):
        classifier._load_again(folder, None, clf._state())


def test_a_folder_saved_again_while_it_loads_gives_one_model_whole(
    folder: Path, tmp_path: Path, trained_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``train --force`` renaming a new folder into place between the manifest's check and
    the phone file's read: the classifier ran the new phone file under the old manifest,
    and then called itself changed since it loaded."""
    real = bundle.read_manifest
    swapped = []

    def read_then_swap(path: Path, *args: object, **kwargs: object) -> dict:
        manifest = real(path, *args, **kwargs)
        if not swapped:
            swapped.append(folder.rename(tmp_path / "old"))
            shutil.copytree(trained_model, folder)
        return manifest

    monkeypatch.setattr(bundle, "read_manifest", read_then_swap)
    clf = sentigru.load(folder)
    assert clf.labels == sentigru.load(trained_model).labels
    assert clf.scores(["fine", "awful"]).tolist() == (
        sentigru.load(trained_model).scores(["fine", "awful"]).tolist()
    )
    pickle.loads(pickle.dumps(clf))  # its manifest is the model it runs: no change since
    looped = tmp_path / "old" / "model.tflite"
    looped.unlink()
    looped.symlink_to(looped)  # a link to itself: one line, not Python's RuntimeError
    with pytest.raises(SentigruError, match="model.tflite"):
        sentigru.load(tmp_path / "old")


def test_a_keras_folder_saved_again_while_it_loads_is_the_model_it_runs(
    tmp_path: Path, trained_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder without a phone file runs its Keras model, whose load reads the manifest
    again: one saved again between the two reads ran the new model under the old one's
    hash, and the classifier then called itself changed (a pickle refused)."""

    def keras_only(source: Path, target: Path) -> Path:
        shutil.copytree(source, target)
        (target / "model.tflite").unlink()
        manifest = json.loads((target / "manifest.json").read_text("utf-8"))
        del manifest["files"]["model.tflite"]
        (target / "manifest.json").write_text(json.dumps(manifest), "utf-8")
        return target

    folder = keras_only(trained_model, tmp_path / "mine")
    other = keras_only(default_model().parent, tmp_path / "other")
    real = classifier._manifest_and_phone

    def read_then_swap(path: Path) -> tuple:
        found = real(path)
        folder.rename(tmp_path / "old")
        other.rename(folder)
        return found

    monkeypatch.setattr(classifier, "_manifest_and_phone", read_then_swap)
    clf = sentigru.load(folder)
    runs = json.loads((folder / "manifest.json").read_text("utf-8"))["files"]["model.keras"]
    assert clf._state()[0] == runs["sha256"]
    monkeypatch.undo()
    texts = ["fine", "awful", "The battery lasts all day."]
    assert clf.scores(texts).tolist() == sentigru.load(folder).scores(texts).tolist()
    assert clf.scores(texts).tolist() != sentigru.load(tmp_path / "old").scores(texts).tolist()
    assert pickle.loads(pickle.dumps(clf))._state() == clf._state()  # no change since


def test_the_imports_failure_comes_out_where_no_memory_is_left_for_the_handlers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under ``ulimit -v`` TensorFlow's failed import can leave no memory to put the signal
    handlers back: the MemoryError of that hid the one-line error on its way out."""
    stops = (signal.SIGINT, signal.SIGTERM)
    originals, real = {stop: signal.getsignal(stop) for stop in stops}, signal.signal
    failing: list[int] = []  # the handlers put back once the block has run

    def short_of_memory(signum: int, handler: object) -> object:
        if failing:
            failing.append(signum)
            raise MemoryError
        return real(signum, handler)

    monkeypatch.setattr(signal, "signal", short_of_memory)
    try:
        with (
            pytest.raises(SentigruError, match="could not be loaded"),
            tf_quiet.stops_deferred(),
        ):
            failing.append(0)
            raise SentigruError("export needs TensorFlow, which could not be loaded")
    finally:
        monkeypatch.undo()
        for stop, handler in originals.items():
            signal.signal(stop, handler)
    assert len(failing) > 1  # it did try to put them back


def test_ctrl_c_pressed_again_while_tensorflow_loads_comes_at_once() -> None:
    after = []
    with pytest.raises(KeyboardInterrupt), tf_quiet.stops_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)
        after.append("the import went on")
    assert after == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
