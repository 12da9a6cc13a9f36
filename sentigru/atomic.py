"""Writing files so that a failure never leaves half of one.

Every file sentigru writes for a user (model folders, phone files, pictures, reports) is
written beside its target under a temporary name and renamed into place: the target is
either the old file or the complete new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def current_umask() -> int:
    """The process umask (reading it means setting it; it is put back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(out: Path, content: bytes) -> None:
    """Write ``content`` to a temporary file beside ``out``, flush it to disk, and rename
    it to ``out``."""
    out = Path(out)
    handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o666 & ~current_umask())  # mkstemp makes 0600; files are for sharing
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def replace_path(staged: Path, target: Path, force: bool) -> None:
    """Move ``staged`` to ``target``; an existing target is replaced only with ``force``,
    and is removed only after the new one is in place."""
    from sentigru.errors import SentigruError

    if target.exists() and not force:
        raise SentigruError(f"{target} exists; use --force to replace it")
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(staged, target)
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
