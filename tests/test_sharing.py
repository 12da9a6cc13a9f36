"""A classifier as services use it: shared by threads, inherited by forked workers,
pickled into process pools, closed when done. Each gives the answers one caller alone
gets."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from texts import varied_texts

import sentigru
from sentigru import bulk

TEXTS = varied_texts(120, seed=11)


@pytest.fixture(scope="module")
def clf() -> sentigru.Classifier:
    return sentigru.load(jobs=2)


def _alone(texts: list[str]) -> np.ndarray:
    return sentigru.load(jobs=1).scores(texts)


def test_threads_sharing_a_classifier_get_their_own_answers(clf) -> None:
    """A few texts run on the file's one interpreter; threads calling it at once used to
    get each other's scores (or LiteRT's "reference to internal data" error)."""
    want = _alone(TEXTS)
    calls = [TEXTS[i : i + 1 + i % 3] for i in range(0, 90)]  # 1 to 3 texts a call

    def call(i: int) -> tuple[int, np.ndarray]:
        return i, clf.scores(calls[i])

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, [i for _ in range(4) for i in range(len(calls))]))
    for i, scores in results:
        np.testing.assert_array_equal(scores, want[i : i + len(calls[i])])


def _fork_context():
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("this platform has no fork")
    return multiprocessing.get_context("fork")


def _in_forked_child(work: Callable[[], Any]) -> Any:
    """What ``work`` returns in a forked child, or the SentigruError it raises as text;
    fails when the child does not answer within a minute (it hung)."""
    ctx = _fork_context()
    parent, child = ctx.Pipe()

    def run() -> None:
        try:
            child.send(work())
        except sentigru.SentigruError as exc:
            child.send(str(exc))

    process = ctx.Process(target=run)
    process.start()
    try:
        assert parent.poll(60), "the forked child did not answer"
        return parent.recv()
    finally:
        if process.is_alive():
            process.kill()
        process.join()


def test_a_process_forked_after_bulk_prediction_predicts(clf) -> None:
    """A forked child inherits the bulk pool without its threads: work given to it waited
    forever (gunicorn --preload, celery prefork after a warm-up call)."""
    assert len(TEXTS) >= bulk.MIN_TEXTS
    want = clf.scores(TEXTS)  # the parent's pool and interpreters are running now
    np.testing.assert_array_equal(_in_forked_child(lambda: clf.scores(TEXTS)), want)
    np.testing.assert_array_equal(clf.scores(TEXTS), want)  # the parent's still work


def test_a_process_forked_while_a_thread_predicts_predicts() -> None:
    """A thread's call into the file's interpreter, running as the process forks, stays
    in the child for good: LiteRT then refused every call there ("There is at least 1
    reference to internal data"). A view of the interpreter's output, held across the
    fork, stands for that call here: the child makes its interpreter again."""
    mine = sentigru.load(jobs=1)
    want = mine.scores(TEXTS[:1])
    predictor = mine._predictor  # the file's own interpreter, which a few texts use
    held = predictor.interpreter.tensor(predictor._output)()  # as a running call holds it
    try:
        got = _in_forked_child(lambda: mine.scores(TEXTS[:1]))
    finally:
        del held
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(mine.scores(TEXTS[:1]), want)


def test_a_server_of_one_text_a_call_moves_to_the_texts_own_lengths() -> None:
    """One text at the file's 1,024 ids took three times as long as at its own length:
    after :data:`bulk.MIN_TEXTS` texts, one at a time, the bulk runner takes them too,
    with the same answers."""
    mine = sentigru.load(jobs=1)
    want = _alone(TEXTS[: bulk.MIN_TEXTS + 5])
    first = [mine.predict(text)[0]["score"] for text in TEXTS[: bulk.MIN_TEXTS - 1]]
    assert mine._predictor._bulk is None and len(first) == bulk.MIN_TEXTS - 1  # counted once
    got = [mine.scores([text])[0] for text in TEXTS[: bulk.MIN_TEXTS + 5]]
    assert mine._predictor._bulk is not None
    np.testing.assert_array_equal(np.stack(got), want)
    mine.close()


def test_request_threads_share_the_interpreters_jobs_allows() -> None:
    """With ``jobs=1`` each caller scored in its own thread and made an interpreter of
    every length it met: a server's 8 request threads held 55 interpreters (531 MB).
    At most ``jobs`` calls run at once now, with the answers they got alone."""
    mine = sentigru.load(jobs=1)
    want = _alone(TEXTS)
    calls = [TEXTS[i : i + 40] for i in range(0, 80, 5)]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(mine.scores, calls))
    for i, scores in enumerate(got):
        np.testing.assert_array_equal(scores, want[i * 5 : i * 5 + 40])
    idle = mine._predictor._bulk._engine._idle
    assert all(len(graphs) == 1 for graphs in idle.values()), {k: len(v) for k, v in idle.items()}
    mine.close()


def test_only_the_first_interpreter_of_a_process_mutes_stderr(monkeypatch) -> None:
    """LiteRT announces its CPU delegate once a process; muting descriptor 2 silences
    every thread's stderr, so a server's log lines were lost at each new interpreter."""
    sentigru.load(jobs=1).scores(TEXTS[:1])  # this process has made one
    muted: list[int] = []
    real = os.dup2

    def recording(fd: int, fd2: int, *args: Any) -> int:
        muted.append(fd2)
        return real(fd, fd2, *args)

    monkeypatch.setattr(os, "dup2", recording)
    with sentigru.load(jobs=1) as again:
        again.scores(TEXTS)  # the bulk runner's interpreters too
    assert 2 not in muted


def _bulk_threads() -> int:
    return sum(t.name.startswith("sentigru-bulk") for t in threading.enumerate())


def test_close_frees_the_bulk_workers_and_the_classifier_still_works() -> None:
    before = _bulk_threads()
    with sentigru.load(jobs=2) as mine:
        want = mine.scores(TEXTS)
        assert _bulk_threads() > before
    assert _bulk_threads() == before
    np.testing.assert_array_equal(mine.scores(TEXTS), want)  # started again
    mine.close()
    assert _bulk_threads() == before


def test_a_classifier_pickles_as_what_it_was_loaded_from(clf, tmp_path: Path) -> None:
    from sentigru.presets import default_model

    again = pickle.loads(pickle.dumps(clf))
    assert again.labels == clf.labels and again.folder == clf.folder
    np.testing.assert_array_equal(again.scores(TEXTS[:5]), clf.scores(TEXTS[:5]))

    class Where(os.PathLike):  # any os.PathLike names a model, as train takes
        def __fspath__(self) -> str:
            return str(default_model())

    from_file = pickle.loads(pickle.dumps(sentigru.load(Where(), jobs=np.int64(1))))
    assert from_file.path == default_model() and from_file.folder is None
    np.testing.assert_array_equal(from_file.scores(TEXTS[:5]), clf.scores(TEXTS[:5]))


def test_text_after_a_nul_is_not_read_and_the_result_says_so(clf) -> None:
    """Phones stop at a NUL (a C string): what follows is not read, in Python either, and
    ``truncated`` says the score reads only the beginning."""
    cut, whole, blank = clf.predict(
        ["good\0terrible awful", "good", "good\0 \n\0"], top_k=np.int64(2)
    )
    assert cut["scores"] == whole["scores"] and len(cut["scores"]) == 2
    assert cut["truncated"] and not whole["truncated"] and not blank["truncated"]
    many = clf.predict(["good\0terrible awful", "good"] * bulk.MIN_TEXTS)  # the bulk path
    assert [r["truncated"] for r in many[:2]] == [True, False]


def test_type_checkers_see_every_name_the_package_offers() -> None:
    """The package imports its API on first use; a ``TYPE_CHECKING`` block tells type
    checkers what each name is (else ``sentigru.load`` is ``Any`` despite ``py.typed``)."""
    import ast

    tree = ast.parse(Path(sentigru.__file__).read_text("utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    )
    names = {alias.name for node in block.body for alias in node.names}
    assert names == set(sentigru.__all__)
    for name in names:
        assert getattr(sentigru, name) is not None


def test_close_while_another_thread_predicts_many_texts() -> None:
    """``close`` shuts the bulk pool a running call has taken: that call finishes on the
    interpreters it began with (it raised "cannot schedule new futures after shutdown")."""
    mine = sentigru.load(jobs=2)
    texts = TEXTS * 20
    want = _alone(texts)
    stop = threading.Event()

    def closer() -> None:
        while not stop.is_set():
            mine.close()
            time.sleep(0.005)

    thread = threading.Thread(target=closer)
    thread.start()
    try:
        for _ in range(3):
            np.testing.assert_array_equal(mine.scores(texts), want)
    finally:
        stop.set()
        thread.join()
    mine.close()


def test_a_pickle_of_a_relative_path_loads_from_another_folder(tmp_path: Path, monkeypatch) -> None:
    from sentigru.presets import default_model

    (tmp_path / "m.tflite").write_bytes(default_model().read_bytes())
    monkeypatch.chdir(tmp_path)
    blob = pickle.dumps(sentigru.load("m.tflite"))
    monkeypatch.chdir(tmp_path.parent)
    assert pickle.loads(blob).predict("a great film")[0]["label"] == "positive"


def test_threads_loading_at_once_leave_stderr_as_it_was(tmp_path: Path) -> None:
    """LiteRT's notices are muted around each load by pointing stderr elsewhere; threads
    doing so at once each restored what the other had muted, and stderr stayed silent."""
    import subprocess
    import sys

    code = (
        "import sys, threading, sentigru\n"
        "threads = [threading.Thread(target=lambda: sentigru.load(jobs=2).scores(['a'] * 64))"
        " for _ in range(4)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "import os; os.write(2, b'still heard')\n"
    )
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
        assert done.returncode == 0 and done.stderr.endswith(b"still heard"), done.stderr


def test_a_keras_model_in_a_forked_child_is_refused_in_one_line(trained_model: Path) -> None:
    """TensorFlow's threads stay in the parent, so a forked child hung on a model folder
    without its phone file; it now says what to do."""
    from sentigru.predictor import KerasPredictor

    keras = KerasPredictor.load(trained_model)
    assert keras.scores(["a great film"]).shape == (1, 2)
    said = _in_forked_child(lambda: keras.scores(["a great film"]))
    assert isinstance(said, str) and "a forked process cannot use" in said


def test_settings_from_numpy_are_the_numbers_they_hold() -> None:
    """A grid search hands NumPy scalars (``epochs=np.int64(3)``): taken, and saved as
    plain numbers in spec.json."""
    import json

    from sentigru.api import build_spec

    spec = build_spec(epochs=np.int64(3), learning_rate=np.float64(0.002), units=np.int32(16))
    saved = json.loads(spec.to_json())
    assert saved["training"]["epochs"] == 3 and saved["model"]["units"] == 16
    assert type(spec.training.epochs) is int and spec.training.learning_rate == 0.002
