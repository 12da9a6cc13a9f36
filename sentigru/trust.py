"""Which model files sentigru runs in its own process, and how it proves the others first.

LiteRT is C++: a file crafted (or damaged) to pass every check sentigru can make in
Python may still crash it, and a crash inside ``allocate_tensors`` or ``invoke`` kills
the whole process with a signal, not an exception. So a ``.tflite`` from elsewhere is
first run once in a child process: the same Python, an address-space limit
(:data:`limits.CHILD_MEMORY_BYTES`, where the system enforces one: Linux) and a time
limit (:data:`limits.CHILD_SECONDS`).
The child builds the interpreter, allocates the tensors and runs one row of ids (and,
for a file that bulk prediction may resize, every shape it would run at); a
signal death, a timeout or an error there becomes a one-line
:class:`~sentigru.errors.SentigruError`, and sentigru itself never loads the file.

A file that passes is remembered by its sha256 in a per-user cache
(``$XDG_CACHE_HOME/sentigru/verified``, one hash a line, rewritten atomically), so it
pays once. Trusted without a child:

* the bundled model, inside the installed package (whoever can change it can change
  sentigru's code too);
* files sentigru built itself on this machine: the exporter records their hash in the
  same cache (:func:`remember`), after LiteRT has already loaded them in-process.

Model files are checked structurally either way (:func:`sentigru.modelfile.check_model`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sentigru import limits, portable
from sentigru.errors import SentigruError
from sentigru.portable import user_id

if TYPE_CHECKING:  # loaded where a probe runs, not to predict
    import numpy as np

CACHE_LINES = 4096
"""Hashes kept in the cache; the oldest go first."""
_CACHE_BYTES = 1 << 20  # a cache file larger than this is ignored (and rewritten)
_OK = "ok"
_HASH = re.compile(r"[0-9a-f]{64}")


def cache_file() -> Path | None:
    """``$XDG_CACHE_HOME/sentigru/verified`` (``~/.cache`` when the variable is unset);
    None for a user with no home (``docker run --user 12345``, ``env -i``): the check
    then runs once per process (:data:`_CHECKED`)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):  # no HOME and no passwd entry
            return None
    return Path(base) / "sentigru" / "verified"


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _cached() -> list[str]:
    """The hashes in the cache, oldest first; none when it is missing or unreadable, or
    when another user could have written it (a shared ``XDG_CACHE_HOME``: a hash put
    there would skip the check)."""
    path = cache_file()
    if path is None:
        return []
    try:
        with open(path, "rb") as stream:
            if not _own(os.fstat(stream.fileno())) or not _own(os.stat(path.parent)):
                return []
            data = stream.read(_CACHE_BYTES + 1)
    except OSError:
        return []
    if len(data) > _CACHE_BYTES:
        return []
    lines = data.decode("ascii", "replace").splitlines()  # a cache written with CRLF too
    return [line for line in lines if _HASH.fullmatch(line)]


def _own(status: os.stat_result) -> bool:
    """Owned by this user and writable by no one else; where files carry no owner
    (Windows), the cache is in the user's own profile, private by its access list."""
    user = user_id()
    return user is None or (status.st_uid == user and not status.st_mode & 0o022)


def is_verified(content: bytes) -> bool:
    """True when ``content``'s hash is in the cache."""
    return digest(content) in set(_cached())


def remember(content: bytes) -> None:
    """Record ``content`` as safe to load in-process. Best effort: a cache that cannot be
    written (read-only home) only means the check runs again next time."""
    import tempfile

    entry = digest(content)
    target = cache_file()
    if target is None:
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.parent.stat().st_uid == user_id():  # one made under umask 002 too
            os.chmod(target.parent, 0o700)
        with _locked(target.with_name(".verified.lock")):  # processes loading at once
            lines = [*[line for line in _cached() if line != entry], entry][-CACHE_LINES:]
            handle, temp = tempfile.mkstemp(prefix=".verified.", dir=target.parent)
            try:
                with os.fdopen(handle, "w", encoding="ascii", newline="\n") as stream:
                    stream.write("".join(f"{line}\n" for line in lines))
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
    except OSError:
        return


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` while the cache is read and written again: without
    it, processes that each verified a file at once kept only the last writer's line."""
    with open(path, "a", encoding="ascii") as lock:
        try:
            import fcntl
        except ImportError:  # Windows: no lock; a lost line only costs a check again
            yield
            return
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


BUNDLED_MODELS = Path(__file__).resolve().parent / "models"
"""The installed package's models (``presets.MODELS``, not imported: it loads the spec)."""


def trusted_location(path: Path) -> bool:
    """True for a file inside the installed package's bundled models."""
    try:
        return Path(path).resolve().is_relative_to(BUNDLED_MODELS)
    except (OSError, RuntimeError):  # a symlink loop, an unreadable folder
        return False


_CHECKED: set[str] = set()
"""The hashes this process found safe: where the cache cannot be written (a read-only
home, ``docker --user``), every load and every unpickled classifier ran the check child
again, half a second each."""


def ensure_safe(content: bytes, source: str, vocab_size: int) -> None:
    """Return when ``content`` may be loaded in-process: this process found it safe, its
    hash is in the cache, or it survives :func:`verify` (and is then remembered).
    Raises :class:`SentigruError`."""
    entry = digest(content)
    if entry in _CHECKED:
        return
    if not is_verified(content):
        verify(content, source, vocab_size)
        remember(content)
    _CHECKED.add(entry)


def verify(content: bytes, source: str, vocab_size: int) -> None:
    """Load and run ``content`` once in a child process; a one-line error if that fails,
    crashes, runs out of memory or time."""
    import subprocess

    from sentigru.tf_quiet import litert

    litert()  # missing, it is named here: the child would fail on it
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    try:
        child = subprocess.run(
            _child_command(vocab_size),
            input=content,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=package_root,  # not the user's folder, whose numpy.py -m would import
            timeout=limits.CHILD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SentigruError(
            f"{source}: LiteRT did not load and run it within {limits.CHILD_SECONDS:.0f} s; "
            "the file is damaged or hostile"
        ) from None
    except OSError as exc:
        raise SentigruError(f"{source}: cannot start the check of this file: {exc}") from None
    verdict = child.stdout.decode("utf-8", "replace").strip()
    if child.returncode == 0 and verdict == _OK:
        return
    if child.returncode < 0 or (portable.WINDOWS and child.returncode >= 0xC0000000):
        # a signal's number, or a Windows exception code (0xC0000005: access violation)
        name = _signal_name(-child.returncode) if child.returncode < 0 else hex(child.returncode)
        raise SentigruError(
            f"{source}: LiteRT crashed on this file ({name}); the file is damaged or hostile"
        )
    if not verdict:  # the child died before it could say why (it prints nothing else)
        verdict = f"the check of this file failed (exit {child.returncode})"
    raise SentigruError(f"{source}: {limits.one_line(verdict)}")


def _child_command(vocab_size: int) -> list[str]:
    """This Python running this module, with the vocabulary size for the probe ids."""
    return [python_executable(), *SAFE_PATH, "-m", "sentigru.trust", str(max(1, vocab_size))]


SAFE_PATH = ["-P"]
"""Python's option that keeps the current folder off a child's import path: a
``numpy.py`` where the user stands must not be what a child imports."""


def python_executable() -> str:
    """The Python interpreter of this environment. In a server that embeds Python
    (uWSGI, mod_wsgi) ``sys.executable`` is the server's own binary, which cannot run
    ``-m``; the environment's ``bin/python3.X`` can."""
    from pathlib import Path

    own = Path(sys.executable or "")
    if own.name.startswith(("python", "pypy")):
        return str(own)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for folder in (Path(sys.exec_prefix) / "bin", Path(sys.base_exec_prefix) / "bin"):
        for name in (f"python{version}", f"python{sys.version_info.major}", "python"):
            if (folder / name).is_file():
                return str(folder / name)
    return str(own)


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# -- the child --------------------------------------------------------------------------------


def _probe_ids(shape: tuple[int, ...], vocab_size: int) -> np.ndarray:
    """One row per batch slot: ``<START>``, the highest id, then ids spread over the
    vocabulary (so an embedding smaller than the vocabulary fails here, not later)."""
    import numpy as np

    batch, length = shape
    row = (np.arange(length, dtype=np.int64) * 7919) % vocab_size
    row[0] = min(1, vocab_size - 1)
    if length > 1:
        row[1] = vocab_size - 1
    return np.tile(row.astype(np.int32), (batch, 1))


def _run_child(content: bytes, vocab_size: int) -> str:
    """Build, allocate and invoke once; ``"ok"`` or what went wrong, on one line."""
    try:
        from ai_edge_litert.interpreter import Interpreter

        from sentigru.pieces import phone_inputs

        interpreter = Interpreter(model_content=content, num_threads=1)
        interpreter.allocate_tensors()
        details = interpreter.get_input_details()
        detail = details[0]
        ids = _probe_ids(tuple(detail["shape"]), vocab_size)
        # every input: a SentencePiece file's mask and segment ids too, else they hold
        # whatever memory had, and its lookup failed on a file sentigru had just made
        for each, array in zip(details, phone_inputs(ids, len(details))):
            interpreter.set_tensor(each["index"], array)
        interpreter.invoke()
        interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
        # every shape bulk prediction would resize the file to (one input or three)
        _run_bulk_shapes(content, tuple(int(d) for d in detail["shape"]), vocab_size)
    except MemoryError:
        return f"LiteRT ran out of memory (limit {limits.size_text(limits.CHILD_MEMORY_BYTES)})"
    except Exception as exc:  # LiteRT raises RuntimeError/ValueError with multi-line text
        return f"LiteRT cannot run it: {limits.one_line(exc)}"
    return _OK


def _run_bulk_shapes(content: bytes, shape: tuple[int, ...], vocab_size: int) -> None:
    """Run the file at each shape :mod:`sentigru.bulk` would resize it to, as bulk
    finds them: a file that passes only at its fixed shape must not crash sentigru in
    bulk work."""
    from sentigru.bulk import discover

    plan, engine = discover(content, (shape[0], shape[1]), vocab_size)
    for length, batch in zip(plan.lengths, plan.batches):
        engine.run(_probe_ids((batch, length), vocab_size))
        if plan.resizable and batch != 1:  # a window's last few texts run one by one
            engine.run(_probe_ids((1, length), vocab_size))


def _limit_memory(cap: int) -> None:
    """Cap the child's address space where the system enforces it (Linux). macOS
    refuses the call ("current limit exceeds maximum limit") and Windows has no
    ``resource``: the child runs there with the time limit alone."""
    try:
        import resource
    except ImportError:  # Windows
        return
    if not sys.platform.startswith("linux"):
        return

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or soft > cap:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _child_main(argv: list[str]) -> int:
    """Entry point of the child: the model on stdin, the verdict on stdout (alone: the
    runtime's own output goes to /dev/null)."""
    _limit_memory(limits.CHILD_MEMORY_BYTES)
    verdict = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    content = sys.stdin.buffer.read(limits.TFLITE_BYTES + 1)
    result = _run_child(content, int(argv[0]) if argv else 1)
    verdict.write(result + "\n")
    verdict.flush()
    return 0 if result == _OK else 1


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
