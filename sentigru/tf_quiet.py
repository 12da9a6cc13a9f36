"""Keep TensorFlow's and LiteRT's C++ chatter off the user's terminal.

TensorFlow prints lines about CUDA, oneDNN and CPU features while it is imported, the
converter logs every pass, and LiteRT announces its CPU delegate: all on file descriptor
2, below Python's logging, before any setting applies. A command-line user sees them as
noise around the one line that matters, so they are muted where they are made
(``SENTIGRU_DEBUG=1`` shows them). Python exceptions are unaffected: they carry their
own messages and are reported after the descriptor is restored.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from types import ModuleType

from sentigru.portable import at_fork_in_child, stops_deferred

_MUTED = {"depth": 0, "saved": -1}
_MUTING = threading.Lock()


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration, unless debugging. Threads
    share one muting: the first in saves the real descriptor, the last out restores it
    (two threads each saving what the other had muted left stderr silent for good).
    The descriptor is the process's: in a program with threads of its own (a service
    that logs to stderr) it stays as it is, since muting it for an export's seconds lost
    the other threads' lines; there TensorFlow's import may print a few lines (absl's
    "All log messages before absl::InitializeLog()", "Could not find cuda drivers") and
    LiteRT its delegate line, once each."""
    if os.environ.get("SENTIGRU_DEBUG") or not _stderr_open() or not _may_mute():
        yield  # closed (2>&-, a daemon): nothing to mute, and no descriptor to save
        return
    with _MUTING:
        if _MUTED["depth"] == 0:
            _flush_stderr()
            _MUTED["saved"] = os.dup(2)
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 2)
        _MUTED["depth"] += 1
    try:
        yield
    finally:
        with _MUTING:
            if _MUTED["depth"] > 0:  # 0: a forked child, unmuted already
                _MUTED["depth"] -= 1
                if _MUTED["depth"] == 0:
                    _flush_stderr()
                    os.dup2(_MUTED["saved"], 2)
                    os.close(_MUTED["saved"])


_OWN_PROCESS: list[bool] = []
"""Not empty in the ``sentigru`` program, whose every thread is sentigru's."""


def own_process() -> None:
    """Say that this process is the ``sentigru`` program: stderr may be muted whatever
    threads run."""
    _OWN_PROCESS.append(True)


def _may_mute() -> bool:
    """Whether muting descriptor 2 hides no one else's lines: the ``sentigru`` program,
    or a program with one thread, this one (or already muted by another of sentigru's)."""
    return bool(_OWN_PROCESS) or _MUTED["depth"] > 0 or threading.active_count() == 1


def _flush_stderr() -> None:
    """What Python holds for stderr, out before the descriptor moves. A caller's own
    ``sys.stderr`` (a log writer with ``write`` alone, or closed) is no reason to fail a
    load: it raised AttributeError, or blamed an intact model file."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()


def _stderr_open() -> bool:
    if sys.stderr is None:
        return False
    try:
        os.fstat(2)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def quiet_litert() -> Iterator[None]:
    """Around making and allocating a LiteRT interpreter: LiteRT announces its CPU
    delegate on stderr once a process, when the first one is allocated; only that one is
    made with stderr muted. Muting points descriptor 2 away for every thread, so a server
    whose threads log to stderr lost lines at each new interpreter."""
    if _LITERT_SPOKE:
        yield
        return
    with quiet_stderr():
        yield
    _LITERT_SPOKE.append(True)


_LITERT_SPOKE: list[bool] = []
"""Not empty once this process (or the one it was forked from) has allocated one."""


def _unmute_in_child() -> None:
    """A child forked while a thread had stderr muted gets it back (that thread, and its
    way out of the block, stay in the parent)."""
    global _MUTING
    _MUTING = threading.Lock()
    if _MUTED["depth"]:
        os.dup2(_MUTED["saved"], 2)
        os.close(_MUTED["saved"])
        _MUTED["depth"] = 0


at_fork_in_child(_unmute_in_child)


@contextlib.contextmanager
def logging_kept() -> Iterator[None]:
    """Leave Python's logging as it was found, around an export and its check: TensorFlow's
    converter gives the root logger a handler (after which TensorFlow's warnings print
    twice, and a notebook's own logging starts to print), and each check of a model
    against its phone file traces a new function, which TensorFlow advises against from
    the fifth in a process on: advice for the user's own code, not this. Saving a model
    for the converter sets absl's logger to WARNING (TensorFlow silences it while it
    lists a model's parts, then puts back WARNING, not the level it found), after which
    a program's own ``absl.logging.info`` lines went unseen: its level is put back too.
    Only what absl's ``logging.basicConfig()`` call adds is taken away: a handler or level
    that another thread of the program sets meanwhile stays (a service's log file lost its
    handler at the end of each export)."""
    root, absl = logging.getLogger(), logging.getLogger("absl")
    handlers, absl_level = list(root.handlers), absl.level
    try:
        with no_retracing_note():
            yield
    finally:
        for handler in root.handlers[:]:  # absl.logging.log's basicConfig() sets no level
            if handler not in handlers and _from_basic_config(handler):
                root.removeHandler(handler)
        absl.setLevel(absl_level)


def _from_basic_config(handler: logging.Handler) -> bool:
    """Whether ``handler`` is what ``logging.basicConfig()`` makes: a plain stream
    handler with the basic format."""
    form = getattr(handler.formatter, "_fmt", None)
    return type(handler) is logging.StreamHandler and form == logging.BASIC_FORMAT


@contextlib.contextmanager
def no_retracing_note() -> Iterator[None]:
    """Without TensorFlow's retracing warning: it counts traces by a function's code, so
    that a function each model compiles for itself (its check, its validation answers)
    reads as retraced from the fifth model in a process on (a notebook's loop over
    settings), advice meant for the user's own code."""
    tf_logger, quiet = logging.getLogger("tensorflow"), _NoRetracingNote()
    tf_logger.addFilter(quiet)
    try:
        yield
    finally:
        tf_logger.removeFilter(quiet)


class _NoRetracingNote(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


ONEDNN = "0"
"""TensorFlow's oneDNN kernels stay off unless the user sets ``TF_ENABLE_ONEDNN_OPTS``:
on some x86 CPUs with AVX-512 (TensorFlow 2.21) they gave the Keras model scores that
differ from the phone graph's by up to 0.35 on padded rows, and crashed Keras
``predict`` once; with them off the two agree (``tests/test_graph.py``)."""
TRAIN_EXTRA = (
    'install sentigru with its train extra: pip install ".[train]" in its folder (installed '
    'from a wheel: pip install "sentigru[train]")'  # double quotes: cmd.exe takes no others
)
"""What a predict-only install lacks for training and export, as the user types it."""


LITERT_MISSING = (
    "running a phone file needs LiteRT (the ai-edge-litert package), which this install "
    "lacks: pip install ai-edge-litert (it publishes wheels for Linux, macOS on Apple "
    "silicon and Windows on x64)"
)


def litert(part: str = "interpreter") -> ModuleType:
    """``ai_edge_litert.<part>`` (its interpreter, or the model file's schema); where
    the package is missing (a platform it has no wheel for, an install made with
    ``--no-deps``) one line that says so, not an import traceback."""
    import importlib

    try:
        return importlib.import_module(f"ai_edge_litert.{part}")
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("ai_edge_litert"):
            raise
        from sentigru.errors import SentigruError

        raise SentigruError(LITERT_MISSING) from None


def require_tensorflow(purpose: str) -> None:
    """Fail at once, in one line, where TensorFlow is not installed: before data is read
    or files are touched (finding the package imports nothing)."""
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        from sentigru.errors import SentigruError

        raise SentigruError(f"{purpose} needs TensorFlow, which this install lacks: {TRAIN_EXTRA}")


def _private_keras_home() -> None:
    """A folder of this process's own for Keras' settings, removed at exit: a user with
    no home (``docker run --user 12345``) had a ``~`` folder made where they ran. Not a
    shared one in /tmp, where another user could put a ``keras.json`` first."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="sentigru-keras-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["KERAS_HOME"] = folder


def import_tensorflow(purpose: str = "this") -> ModuleType:
    """``import tensorflow`` quietly; later C++ logging is limited to errors that TF
    does not also raise in Python. A predict-only install (no TensorFlow) gets one line
    that says what to install. Ctrl-C waits for the import to end (seconds): cut short,
    it leaves TensorFlow half made, and no later import in the process works."""
    if "tensorflow" not in sys.modules:
        # imported before: a load that ran out of memory may leave none for an import
        from sentigru.errors import SentigruError
        from sentigru.limits import one_line

        half = any(name.startswith("tensorflow.") for name in sys.modules)
        try:
            with stops_deferred():
                _first_import(purpose)
        except Exception as exc:
            if not half or isinstance(exc, SentigruError):
                raise
            raise SentigruError(
                "TensorFlow's import failed or was cut short earlier in this process "
                f"(Ctrl-C while it loaded?), and now fails with: {one_line(exc)}; restart "
                "Python (a notebook's kernel)"
            ) from None
    import tensorflow

    return tensorflow


def _memory_limited() -> bool:
    """Whether this process runs under a limit on its address space (``ulimit -v``): a
    SystemError from TensorFlow's import is then likely memory, else likely a broken
    install (a NumPy its build does not fit)."""
    try:
        import resource
    except ImportError:  # Windows
        return False
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return soft != resource.RLIM_INFINITY


def _first_import(purpose: str) -> None:
    """The import itself, once per process: quiet, with the environment TensorFlow reads
    as it loads. What reports a failure is imported first: a load that ran out of memory
    leaves none to import it with."""
    from sentigru.errors import SentigruError
    from sentigru.limits import one_line

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", ONEDNN)
    home = os.path.expanduser("~")
    try:
        if "KERAS_HOME" not in os.environ and not (
            os.path.isabs(home) and os.access(home, os.W_OK)
        ):  # no home (Keras made ./~/.keras) or none writable (Keras took /tmp's)
            _private_keras_home()
        # NumPy first, heard: its BLAS, out of memory under ulimit -v, says so on stderr
        # and exits the process, which muted it ended in silence (exit 1, no word)
        import numpy  # noqa: F401

        with quiet_stderr():
            import tensorflow  # noqa: F401 (loaded for the caller)
    except FileNotFoundError as exc:  # tempfile's, from absl: no folder to write in
        if "temporary directory" not in str(exc):
            raise
        raise SentigruError(
            f"{purpose} needs TensorFlow, which needs a writable temporary folder ({exc}): "
            "set TMPDIR to one"
        ) from None
    except ModuleNotFoundError as exc:
        if exc.name not in ("tensorflow", "keras"):
            raise
        raise SentigruError(
            f"{purpose} needs TensorFlow, which this install lacks: {TRAIN_EXTRA}"
        ) from None
    except (ImportError, OSError, MemoryError, SystemError, RuntimeError) as exc:
        # libraries not loaded. SystemError: a C extension that failed without saying
        # why, as one whose memory ran out under ulimit -v does on some runs (ImportError
        # on others); RuntimeError: TensorFlow Lite's wrappers, naming every path tried
        # and, among them, the library that "failed to map"
        whole = str(exc)
        unmapped = re.search(r"[\w.+-]+: failed to map segment from shared object", whole)
        if isinstance(exc, RuntimeError) and unmapped is None:
            raise
        said = unmapped.group(0) if unmapped else one_line(exc)
        short = (
            isinstance(exc, MemoryError)
            or (isinstance(exc, (SystemError, RuntimeError)) and _memory_limited())
            or re.search(r"map|memory|allocate", whole, re.I)
        )
        hint = "; under a memory limit (ulimit -v), raise it" if short else ""
        raise SentigruError(
            f"{purpose} needs TensorFlow, which could not be loaded ({said}){hint}"
        ) from None
