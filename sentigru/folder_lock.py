"""The lock a run holds on the folder it writes (``.NAME.lock`` beside it), so that two
runs aimed at one folder cannot interleave, and a lock a dead run left is taken over:
by pid, and by an ``flock`` that the system drops when its holder dies, which tells a
live run in another container from a stale lock whatever the pids say."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from sentigru.errors import SentigruError
from sentigru.portable import link_new, pid_alive


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``out`` so that two runs aimed at the same folder cannot
    interleave; a lock left by a process that no longer runs is taken over. The holder
    also holds an ``flock`` on the file (and says so in it), which the system drops when
    it dies: a run in another container (another PID namespace, its pid not visible
    here) is seen as live, and a lock left by a killed container's pid 1 as stale."""
    lock = lock_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    key = _held_key(lock)
    if key in _HELD:  # this process writes it already (a nested call)
        raise SentigruError(busy_message(out, os.getpid()))
    # The lock appears with its owner written (a file linked into place): one created
    # empty and filled after read as stale to a run starting in between, which took it.
    # Named past the pid: two containers on one volume may run at the same pid (1), and
    # one would remove the other's file, whose lock then read as free.
    mine = out.parent / f".{out.name}.lock-{os.getpid()}-{secrets.token_hex(4)}"
    try:  # flocked before it is linked: never seen unheld by its name
        held = _new_lock(mine)
    except OSError as exc:  # a full disk said "No space left on device" and no more
        raise SentigruError(f"cannot lock {out} ({lock}): {exc.strerror or exc}") from None
    try:
        for _ in range(3):
            try:
                link_new(mine, lock)
            except FileExistsError:
                owner = lock_holder(lock)
                if owner is not None:
                    raise SentigruError(busy_message(out, owner)) from None
                _remove_stale(lock)
                continue
            break
        else:
            raise SentigruError(f"cannot lock {out} ({lock})")
    except BaseException:
        if held is not None:
            os.close(held)
        raise
    finally:
        mine.unlink(missing_ok=True)
    _HELD.add(key)
    try:
        yield
    finally:
        _HELD.discard(key)
        # A folder made read-only meanwhile: the error on its way out (the training is
        # kept, --resume saves it) is the one to say, not this one; the lock left reads
        # as stale once its flock is dropped below.
        with contextlib.suppress(OSError):
            lock.unlink(missing_ok=True)
        if held is not None:
            os.close(held)


_HELD: set[str] = set()
"""The locks this process holds: its own checks while it writes are no other run."""


def _held_key(lock: Path) -> str:
    """One spelling of ``lock`` for all (``sub/../out``, a link to the folder, and on
    Windows ``Model`` for ``model``), as the working folder is now: a chdir inside
    changes nothing."""
    return os.path.normcase(os.path.realpath(lock))


FLOCKED = "flock"
"""Written after the pid in a lock whose holder holds its ``flock``: such a lock with its
``flock`` free is stale, whatever its pid (pid 1 runs in every container)."""


def _new_lock(path: Path) -> int | None:
    """Make ``path`` holding this process's pid, and hold its ``flock``: the descriptor
    to keep open while the lock is held, or None where the system or file system has
    none (the pid alone then tells). Opened for writing: NFS takes an exclusive lock
    only so. Never written through a link left at ``path``."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags, 0o644)
    locked = False
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        locked = True
    except (ImportError, OSError):  # Windows; a file system without flock
        pass
    try:
        os.write(
            handle, f"{os.getpid()} {FLOCKED}".encode() if locked else str(os.getpid()).encode()
        )
    except BaseException:  # a full disk: an empty file left beside the folder for good
        os.close(handle)
        path.unlink(missing_ok=True)
        raise
    if locked:
        return handle
    os.close(handle)
    return None


def _remove_stale(lock: Path) -> None:
    """Remove a lock found stale, unless another run took it over meanwhile: two runs
    that both found it stale would each remove it, the second run's new lock with it.
    The stale file is removed only while this process holds its ``flock`` and it is
    still the file at ``lock``."""
    try:
        import fcntl
    except ImportError:
        lock.unlink(missing_ok=True)
        return
    try:  # for writing: NFS takes an exclusive flock only so
        handle = _open_lock(lock, os.O_RDWR)
    except FileNotFoundError:
        return
    except OSError:
        lock.unlink(missing_ok=True)
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # taken meanwhile: the next try finds it live
        except OSError:
            pass  # no flock here: as before
        found, now = os.fstat(handle), os.stat(lock, follow_symlinks=False)
        if (found.st_dev, found.st_ino) == (now.st_dev, now.st_ino):
            lock.unlink(missing_ok=True)
    except FileNotFoundError:
        return
    finally:
        os.close(handle)


def lock_holder(lock: Path) -> int | None:
    """The pid written in ``lock`` when a live run holds it (0 where none is written),
    else None: one holding its ``flock`` (a pid in another container's namespace is not
    visible here). A lock that says its holder held the ``flock``, and whose ``flock``
    is free, is stale whatever its pid; one that does not say so (written where flock
    fails) is live while its pid runs and is not this process's own. Locks this
    process holds are another thread's run (:func:`output_lock` refuses them first)."""
    if _held_key(lock) in _HELD:
        return os.getpid()
    owner, flocked = _lock_owner(lock)
    if owner is None and _being_claimed(lock):
        return 0
    held = _lock_held(lock)
    if held:
        return owner or 0
    if flocked and held is not None:
        return None
    alive = owner is not None and owner != os.getpid() and pid_alive(owner)
    return owner if alive else None


CLAIM_SECONDS = 5.0
"""Where a file system has no hard links, a lock is first created empty, then its
contents renamed over it (:func:`sentigru.portable.link_new`): an empty lock younger than
this is a run taking it, not a stale one."""


def _being_claimed(lock: Path) -> bool:
    try:
        status = lock.lstat()
    except OSError:
        return False
    young = time.time() - status.st_mtime < CLAIM_SECONDS
    return stat.S_ISREG(status.st_mode) and status.st_size == 0 and young


def _lock_held(lock: Path) -> bool | None:
    """Whether a process holds ``lock``'s ``flock``; None where that cannot be told."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        handle = _open_lock(lock, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # a file system without flock
        return None
    finally:
        os.close(handle)  # also lets go of the shared lock just taken
    return False


def lock_path(out: Path) -> Path:
    """``.NAME.lock`` beside ``out``: held by the run writing it (:func:`output_lock`)."""
    return out.parent / f".{out.name}.lock"


def _open_lock(lock: Path, flags: int) -> int:
    """``lock`` opened without following a link or waiting on a FIFO put in its place
    (one hung ``train`` for ever); for writing where it may be, else for reading."""
    extra = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        return os.open(lock, flags | extra)
    except PermissionError:
        return os.open(lock, os.O_RDONLY | extra)


def _lock_owner(lock: Path) -> tuple[int | None, bool]:
    """The pid a lock names (a positive one), and whether it says its holder held the
    ``flock``; read from a regular file only, its first bytes only."""
    try:
        handle = _open_lock(lock, os.O_RDONLY)
    except OSError:
        return None, False
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None, False
        words = os.read(handle, 64).decode("ascii", "replace").split()
        pid = int(words[0])
    except (OSError, ValueError, IndexError):
        return None, False
    finally:
        os.close(handle)
    return (pid, FLOCKED in words[1:]) if pid > 0 else (None, False)


def busy_message(out: Path, owner: int) -> str:
    """Who holds ``out``'s lock, and the lock file: one copied along with a folder (a
    container's pid 1 is always alive) is the user's to remove. This process's own lock
    is another call's (a thread): its file must stay. Known by the locks this process
    holds, not by the pid: two containers on one volume both run as pid 1."""
    if _held_key(lock_path(out)) in _HELD:
        return f"this process is already writing {out} (another thread or call); wait for it"
    seen = owner and owner != 1 and pid_alive(owner)  # a pid of this namespace, not init's
    who = (
        f"another sentigru (pid {owner})"
        if seen
        else f"another sentigru ({f'pid {owner} ' if owner else ''}in another container?)"
    )
    return (
        f"{who} is writing {out}; wait for it or pick another "
        f"--out (if no sentigru is running there, remove its lock file {lock_path(out)})"
    )
