"""Writing files so that a failure never leaves half of one.

Every file sentigru writes for a user (model folders, phone files, pictures, reports) is
written beside its target under a temporary name and renamed into place: the target is
either the old file or the complete new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sentigru.portable import link_new, pid_alive, same_group, stops_deferred, sync_file


def current_umask() -> int:
    """The process umask: read from ``/proc`` where Linux gives it, else by setting it
    and putting it back at once, a moment in which another thread's new file gets mode
    0666 (a service writing files beside a training in a thread)."""
    status = "/proc/self/status"
    with contextlib.suppress(OSError, ValueError), open(status, errors="replace") as lines:
        for line in lines:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(
    out: Path, content: bytes, replace: bool = True, make_parent: bool = False
) -> None:
    """Write ``content`` to a temporary file beside ``out``, flush it to disk, and rename
    it to ``out``; with ``replace`` False, link it there instead, which fails if ``out``
    exists by then (another run's file, or one the user made meanwhile). ``make_parent``
    makes its folder if need be (a user's ``--out dist/model.tflite``); a file of a
    folder that has gone (a model folder removed meanwhile) fails instead."""
    out = Path(out)
    try:
        if make_parent:
            out.parent.mkdir(parents=True, exist_ok=True)
        temp = _written_beside(out, content)
    except OSError as exc:  # name the user's file, not the temporary one
        raise _cannot_write(out, exc) from None
    try:
        if replace:
            os.replace(temp, out)
        else:
            link_new(temp, out)
    except FileExistsError:
        temp.unlink(missing_ok=True)
        from sentigru.errors import SentigruError

        raise SentigruError(f"{out} exists; use --force (force=True) to replace it") from None
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _cannot_write(out, exc) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomic_together(files: dict[Path, bytes]) -> None:
    """:func:`write_atomic` for files that go together (a folder's phone file and the
    manifest vouching for it): every one written and flushed beside its place first,
    then all renamed with Ctrl-C and SIGTERM held, so that a full disk or a signal
    leaves the old set, not a new file beside an old manifest (a folder that then
    failed its own check)."""
    staged: dict[Path, Path] = {}
    out = next(iter(files))
    try:
        for out, content in files.items():
            staged[out] = _written_beside(out, content)
        with _signals_held():
            for out, temp in staged.items():
                os.replace(temp, out)
    except OSError as exc:
        raise _cannot_write(out, exc) from None
    finally:
        for temp in staged.values():
            temp.unlink(missing_ok=True)


def _written_beside(out: Path, content: bytes) -> Path:
    """``content`` in a new temporary file beside ``out``, on disk, mode as the umask
    allows, or as the file it replaces has (its mode and group: a private file stays
    private, a file shared with a group stays shared); it is removed if writing fails."""
    _sweep_leftovers(out)
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if out.is_file() and not out.is_symlink():
            shutil.copymode(out, temp)
            same_group(out, temp)
        else:
            os.chmod(temp, 0o666 & ~current_umask())  # mkstemp makes 0600; files are shared
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _cannot_write(out: Path, exc: OSError) -> Exception:
    from sentigru.errors import SentigruError

    return SentigruError(f"cannot write {out}: {exc.strerror or exc}")


def staging_folder(out: Path) -> Path:
    """A new, empty folder beside ``out`` (its parent made if need be), open as the
    umask allows (mkdtemp makes 0700; models and sites are for sharing), where a folder
    is written before it is renamed to ``out``."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _sweep_leftovers(out)
        staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:  # name the user's folder, not the temporary one
        raise _cannot_write(out, exc) from None
    try:  # a Ctrl-C here left an empty hidden folder for an hour
        # setgid kept where the parent has it, so what is written inside takes the
        # folder's group, as in any shared group folder (chmod dropped it)
        staged.chmod((0o777 & ~current_umask()) | (out.parent.stat().st_mode & stat.S_ISGID))
    except BaseException as exc:
        shutil.rmtree(staged, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _cannot_write(out, exc) from None
        raise
    return staged


LEFTOVER_AGE = 3600.0
"""Seconds after which a staging or replaced folder beside an output is a leftover: a
write takes seconds, so one this old was cut short (``kill -9``, power loss)."""


def _sweep_leftovers(out: Path) -> None:
    """Remove what a write of ``out`` cut short left beside it (a folder ``.NAME.tmp-*``
    or file ``.NAME.*.tmp`` being written, ``.NAME.old-PID`` being replaced), once it
    is older than ``LEFTOVER_AGE``: each may be a whole copy of a model or site, hidden,
    and they would pile up. A younger one may be another run's, writing now, and is
    left; a name sentigru does not write is never touched. A replaced ``out`` whose
    replacement never came (killed between two renames, where they cannot be swapped
    in one step) is put back as ``out``."""
    now = time.time()
    made = r"(tmp-[a-z0-9_]{8}|old-[0-9]+|[a-z0-9_]{8}\.tmp)"  # mkdtemp, replace_path, mkstemp
    ours = re.compile(rf"\.{re.escape(out.name)}\.{made}")
    for path in out.parent.glob(f".{glob.escape(out.name)}.*"):
        with contextlib.suppress(OSError):
            if not ours.fullmatch(path.name):
                continue
            stat = path.lstat()  # a rename sets ctime: an old folder just replaced is young
            old = now - max(stat.st_mtime, stat.st_ctime) >= LEFTOVER_AGE
            if _orphaned(path, out, old):  # the user's only copy: put back, never removed
                os.replace(path, out)
            elif old and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif old:  # a file, or a link (a link given as --out, swapped out): not its target
                path.unlink()


def _orphaned(path: Path, out: Path, old: bool) -> bool:
    """Whether ``path`` is ``out`` as a run moved it aside to replace it, and that run
    (its pid in the name) is gone with ``out`` still missing; or, ``old``, moved aside
    longer ago than any run takes (its pid since taken by another process: pid 1 in a
    container is always alive)."""
    owner = re.fullmatch(r"\..+\.old-([0-9]+)", path.name)
    if owner is None or os.path.lexists(out):
        return False
    if old:
        return True
    pid = int(owner.group(1))
    return pid != os.getpid() and not pid_alive(pid)


def occupied(path: Path) -> bool:
    """Whether writing ``path`` would replace something: anything there but an empty
    folder (``mkdir model && sentigru train --out model`` loses nothing, so it needs no
    ``--force``). A link counts, even to an empty folder: it is the user's."""
    path = Path(path)
    if path.is_symlink():
        return True
    if not path.exists():
        return False
    if not path.is_dir():
        return True
    try:
        return any(path.iterdir())
    except OSError:  # unreadable: not known to be empty
        return True


def _keep_access(folder: Path, staged: Path) -> None:
    """Give ``staged`` the access of the folder it replaces: its mode (setgid too), ACL
    and, where allowed, group. A folder the user made private (``mkdir -m 700``) or
    shared with a group stays so."""
    shutil.copystat(folder, staged)
    same_group(folder, staged)


def replace_path(staged: Path, target: Path, force: bool) -> None:
    """Move ``staged`` to ``target``; an existing target is replaced only with ``force``
    (an empty folder without). ``target`` is always whole, the old or the new: on disk
    before the move (a power cut must not leave empty files where the old model was),
    swapped in one step where the system can (Linux), else put back if the move fails;
    the old one is removed only after."""
    from sentigru.errors import SentigruError

    if occupied(target) and not force:
        raise SentigruError(f"{target} exists; use --force (force=True) to replace it")
    if target.is_dir() and not target.is_symlink():
        _keep_access(target, staged)
    _sync_tree(staged)
    if os.path.lexists(target) and _exchange(staged, target):
        old = staged  # now holds what target held
    elif os.path.lexists(target):
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        with _signals_held():  # Ctrl-C between the two renames would leave no target
            os.replace(target, old)
            try:
                os.replace(staged, target)
            except BaseException:
                if not os.path.lexists(target):
                    os.replace(old, target)
                raise
    else:
        old = None
        os.replace(staged, target)
    _sync_dir(target.parent)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends, in this thread's mask (where masks
    can be set: not on Windows) and for Python's handlers; they come then, the work done."""
    masks = hasattr(signal, "pthread_sigmask")  # not on Windows
    held = {signal.SIGINT, signal.SIGTERM}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held) if masks else None
    try:  # the mask holds this thread's; Python's handlers run here for any thread's
        with stops_deferred():
            yield
    finally:
        if before is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)


RENAME_EXCHANGE = 2
"""``renameat2``'s flag that swaps two paths atomically (Linux 3.15+, glibc 2.28+)."""


def _exchange(new: Path, target: Path) -> bool:
    """Swap ``new`` and ``target`` in one step, so that no moment finds ``target``
    missing (a signal between two renames lost a user's model); False where the system
    or file system cannot, and the caller renames."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    here = -100  # AT_FDCWD: paths relative to the working folder
    if renameat2(here, os.fsencode(new), here, os.fsencode(target), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EPERM):
        return False  # not supported here: rename instead
    raise OSError(code, os.strerror(code), str(target))


def _sync_tree(folder: Path) -> None:
    """Flush a staged file or folder (its files and folders) to disk before it replaces
    what the user had."""
    if folder.is_file():
        _sync_file(folder)
        return
    for root, _, names in os.walk(folder):
        for name in names:
            _sync_file(Path(root, name))
        _sync_dir(Path(root))


def _sync_file(file: Path) -> None:
    if file.is_symlink() or not file.is_file():
        return
    sync_file(file)


def _sync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename into it); where folders cannot be opened for
    that (Windows), renames are as durable as the system makes them."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
