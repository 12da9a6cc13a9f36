"""What the operating system offers sentigru's files and processes, in one place.

sentigru is built and tested on Linux. Windows lacks several POSIX calls (``fork``,
``chown``, ``getuid``, ``pathconf``, ``SIGPIPE``), and one it has means something else
there: ``os.kill(pid, 0)``, the POSIX way to ask whether a process runs, *terminates*
it on Windows. The calls that differ and that several modules make go through here, so
that they read one way on every system (``fcntl``'s locks, signal masks and ``resource``
are tried where used, each with its fallback); :data:`WINDOWS` is what tests set to walk
the other path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

WINDOWS = os.name == "nt"
"""Whether processes and files follow Windows' rules (a module value: tests set it)."""

SIGPIPE = getattr(signal, "SIGPIPE", 13)
"""The signal a closed pipe sends on POSIX; its number for the exit code elsewhere."""

NAME_MAX = 255
"""Units of one file name where the system cannot say: bytes on most file systems,
UTF-16 code units on Windows' (NTFS; see :func:`name_size`)."""

_STILL_ACTIVE = 259  # GetExitCodeProcess's code for a process that has not ended
_ACCESS_DENIED = 5  # OpenProcess on another user's (or a protected) process
_QUERY_LIMITED = 0x1000  # PROCESS_QUERY_LIMITED_INFORMATION


def at_fork_in_child(reset: Callable[[], None]) -> None:
    """Run ``reset`` in a child forked from this process (locks and threads it does not
    have). Windows does not fork: its children start afresh, with nothing to reset."""
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=reset)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (another user's counts). Never ``os.kill`` on
    Windows, where it ends the process instead of asking. A pid no system gives (a lock
    file's garbage) runs nowhere."""
    if not 0 < pid <= 0x7FFFFFFF:
        return False
    if WINDOWS:
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, another user's
        return True
    return True


def _kernel32() -> object:
    """Windows' kernel32, its three calls typed (a HANDLE is pointer-sized)."""
    import ctypes

    kernel = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel.OpenProcess.restype = ctypes.c_void_p
    kernel.OpenProcess.argtypes = [ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
    kernel.GetExitCodeProcess.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong)]
    kernel.CloseHandle.argtypes = [ctypes.c_void_p]
    return kernel


def _last_error() -> int:
    import ctypes

    return ctypes.get_last_error()  # type: ignore[attr-defined]


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    kernel = _kernel32()
    handle = kernel.OpenProcess(_QUERY_LIMITED, False, pid)  # type: ignore[attr-defined]
    if not handle:  # no such process (87), or one we may not open: it exists
        return _last_error() == _ACCESS_DENIED
    try:
        code = ctypes.c_ulong()
        if not kernel.GetExitCodeProcess(handle, ctypes.byref(code)):  # type: ignore[attr-defined]
            return True
        return code.value == _STILL_ACTIVE
    finally:
        kernel.CloseHandle(handle)  # type: ignore[attr-defined]


def name_size(name: str) -> int:
    """A file name's size as :func:`name_max` counts it: UTF-16 units on Windows (a
    Japanese name of 84 characters is 252 bytes of UTF-8 but 84 units there), else bytes."""
    return (
        len(name.encode("utf-16-le", "surrogatepass")) // 2 if WINDOWS else len(os.fsencode(name))
    )


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, that ``folder``'s file system takes."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):  # no pathconf (Windows), or no answer
        return NAME_MAX


def same_group(folder: Path, path: Path) -> None:
    """Give ``path`` the group of ``folder`` where the system has groups and allows it."""
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            os.chown(path, -1, folder.stat().st_gid)


def sync_file(file: Path) -> None:
    """Flush a written file to disk. Windows flushes only a handle open for writing (a
    read-only one is refused, EBADF); a file it will not open so is left as written."""
    if not WINDOWS:
        with open(file, "rb") as stream:
            os.fsync(stream.fileno())
        return
    try:
        handle = os.open(file, os.O_RDWR)
    except PermissionError:  # read-only: nothing of ours is still being written to it
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def user_id() -> int | None:
    """This user's id, or None where files carry none (Windows: the profile folder is
    the user's own by its access list)."""
    return os.getuid() if hasattr(os, "getuid") else None


NO_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL)
"""What ``os.link`` raises on file systems without hard links (FAT and exFAT memory
cards and sticks, some network shares)."""


def link_new(source: Path, target: Path) -> None:
    """Make ``target`` hold what ``source`` holds, failing with FileExistsError if
    ``target`` exists: a hard link, so that ``target`` appears whole. Where the file
    system has no hard links, ``target`` is created empty first (which fails as the link
    would) and ``source`` renamed over it: for a moment it is empty, never half written.
    ``source`` is gone either way."""
    try:
        os.link(source, target)
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno not in NO_LINKS:
            raise
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        try:
            os.replace(source, target)
        except BaseException:  # the empty file claimed is ours: no file is left there
            Path(target).unlink(missing_ok=True)
            raise
        return
    os.unlink(source)


def end_by_signal(signum: int) -> None:
    """End this process by ``signum``, as a program killed by it: a shell stops a loop
    after a child killed by SIGINT, and runs on after one that exited 130. POSIX only:
    on Windows ``os.kill`` ends a process with the number as its exit code (2, which
    reads as bad usage), so it returns and the caller exits as it would have."""
    if WINDOWS:
        return
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def stops_deferred() -> Iterator[None]:
    """Ctrl-C (and a SIGTERM that Python handles) come when the block ends, where
    signals can be held (the main thread): Python runs its handlers there whichever
    thread the system gave the signal to, so blocking it for this thread alone held
    nothing once TensorFlow's or LiteRT's threads ran. A second one comes at once, whatever
    it costs the block (TensorFlow's import; a command line exits anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    kept: dict[int, Any] = {}
    caught: list[int] = []

    def put_back() -> None:
        for signum, handler in kept.items():
            signal.signal(signum, handler)

    def held(number: int, frame: Any) -> None:
        caught.append(number)
        if len(caught) > 1:  # the first one asked (SIGTERM, then Ctrl-C: terminated)
            put_back()
            kept[caught[0]](caught[0], frame)

    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if callable(handler):  # not SIG_DFL or SIG_IGN: those need no Python
            kept[signum] = handler
            signal.signal(signum, held)
    try:
        yield
    except BaseException:
        # the import's own failure goes out as it is: under ulimit -v, putting the
        # handlers back may find no memory left, and its MemoryError hid the one line
        with contextlib.suppress(MemoryError):
            put_back()
        _deliver(kept, caught)
        raise
    put_back()
    _deliver(kept, caught)


def _deliver(kept: dict[int, Any], caught: list[int]) -> None:
    """The one signal held while the block ran, to its own handler (a second one was
    delivered as it came)."""
    if len(caught) == 1:
        kept[caught[0]](caught[0], None)
