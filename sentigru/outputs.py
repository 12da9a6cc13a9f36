"""Where a command may write: never over what it reads, never over a folder of the
user's, and over an existing file or folder only when told to (``--force``).

Every check runs before data is read or TensorFlow is imported, so a refused command
costs nothing and a run is never lost to an output it could not have written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from sentigru import limits
from sentigru.atomic import occupied
from sentigru.errors import SentigruError, home_note, refuse_nul
from sentigru.portable import WINDOWS, name_max, name_size


def resolved(path: Path | str) -> Path:
    """``path`` made absolute, links followed; a loop of links is one line (Python before
    3.13 raises RuntimeError for it: the API's callers and the CLI got a traceback)."""
    try:
        return Path(path).resolve()
    except RuntimeError:
        raise SentigruError(f"{path}: a loop of symbolic links") from None


def _resolved(path: Path) -> Path:
    return resolved(Path(path).expanduser())


def check_not_input(out: Path, inputs: Iterable[Path | str | None], option: str = "--out") -> None:
    """Refuse an output that is, holds, or lies inside a path the command reads (a file
    written into a model folder would make its manifest disown it)."""
    target = _resolved(out)
    for path in inputs:
        if path is None:
            continue
        source = _resolved(Path(path))
        if _within(source, target):
            where = "would replace"
        elif _within(target, source):
            where = "lies inside"
        else:
            continue
        raise SentigruError(
            f"{option} {out} {where} {path}, which this command reads; choose another {option}"
        )


def file_identity(path: Path | str) -> tuple[int, int] | None:
    """What the file system knows a path by (device, file): two names of one file share
    it (links, and on a disk that ignores case, ``A`` and ``a``); None where it is not."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found.st_dev, found.st_ino


def _within(inner: Path, outer: Path) -> bool:
    """Whether ``inner`` is ``outer`` or lies inside it, by name or by the file system's
    identity: a disk that ignores case (macOS's default) reads ``models/A`` as
    ``models/a``, which their names alone never equal."""
    key = file_identity(outer)
    return any(
        part == outer or (key is not None and file_identity(part) == key)
        for part in (inner, *inner.parents)
    )


def same_path(one: Path, other: Path) -> bool:
    """Whether two paths name one entry of one folder, there or yet to be: the same
    folder (by identity) and the same name, or a name the disk takes as the same (its
    case) for the same file. A hard link elsewhere is another entry: writing one does not
    write the other."""
    one, other = _resolved(one), _resolved(other)
    if one == other:
        return True
    folder = file_identity(one.parent)
    if folder is None or folder != file_identity(other.parent):
        return False
    if one.name == other.name:
        return True
    key = file_identity(one)
    return (
        one.name.casefold() == other.name.casefold()
        and key is not None
        and key == file_identity(other)
    )


def check_not_in_model_folder(out: Path, option: str = "--out") -> None:
    """Refuse an output inside a sentigru model folder: its manifest vouches for each of
    its files, so a phone file written over one there makes the folder refuse to load
    (and an extra file makes ``train --force`` refuse to replace it)."""
    for folder in _resolved(out).parents:
        if has_sentigru_manifest(folder):
            raise SentigruError(
                f"{option} {out} lies inside the model folder {folder}, whose manifest "
                f"vouches for its files; choose another {option}"
            )


def check_not_working_folder(out: Path, option: str = "--out") -> None:
    """Refuse the current folder or one that holds it: replacing it would take the
    user's other files with it."""
    check_not_quoted_home(out)  # first: resolved, ~ reads as the home folder
    target, here = _resolved(out), Path.cwd().resolve()
    if target == here or target in here.parents:
        raise SentigruError(
            f"{option} {out} is the current folder or holds it; give the name of a new folder"
        )


def check_replaceable(
    out: Path, force: bool, ours: Callable[[Path], bool], what: str, option: str = "--out"
) -> None:
    """An existing ``out`` is replaced only with ``force`` (an empty folder without), and
    only if ``ours`` says it is ``what`` sentigru writes there (so that a mistyped path
    cannot wipe a project)."""
    out = Path(out)
    _check_no_file_above(out)
    if not out.exists() and not out.is_symlink():
        return
    # "." cannot be renamed ("busy"); another name for it, or a folder holding it, leaves
    # the shell in a folder that was removed
    if out.is_dir() and _holds_working_folder(out):
        raise SentigruError(
            f"{out} is the folder this command runs in, or holds it, and cannot be "
            f"replaced from inside: run it from another folder, or choose another {option}"
        )
    if not ours(out):  # said first: --force would not help
        raise SentigruError(
            f"{out} exists and is not {what}; remove it yourself or choose another {option}"
        )
    if not force and occupied(out):  # an empty folder is taken as it is
        raise SentigruError(f"{out} exists; use --force (force=True) to replace it")


def _holds_working_folder(out: Path) -> bool:
    try:
        here, target = Path.cwd().resolve(), out.resolve()
    except OSError:  # the working folder was removed: it is in nothing
        return False
    return here == target or target in here.parents


def _check_no_file_above(out: Path) -> None:
    """Refuse ``x.html/site`` where ``x.html`` is a file: the folder cannot be made, and
    the system's reason ("File exists", "Not a directory") names neither."""
    for above in Path(out).parents:
        if above.exists() or above.is_symlink():
            if not above.is_dir():
                raise SentigruError(f"cannot write {out}: {above} is a file, not a folder")
            return


NAME_ROOM = 24
"""Bytes sentigru adds to an output's name for the files it writes beside it first
(``.NAME.tmp-XXXXXXXX``, ``.NAME.old-PID``, and the longest, ``.NAME.lock-PID-XXXXXXXX``:
23 bytes with a 7-digit pid)."""


def check_name_fits(out: Path) -> None:
    """:func:`_check_name_room` before anything looks beside ``out`` (a name too long
    for the checkpoint's or the lock's was a raw "File name too long" after the data
    was read), judged on the nearest folder that exists."""
    folder = out.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    _check_name_room(out, folder)


def _check_name_room(out: Path, parent: Path) -> None:
    """Refuse, before any work, a name that fits the file system but not with the
    temporary names beside it: a training ran to its end and then could not be saved."""
    limit = name_max(parent)
    size = name_size(out.name)
    unit = "characters" if WINDOWS else "bytes"
    if size + NAME_ROOM > limit:
        raise SentigruError(
            f"cannot write {out.name[:32]}…: a name of {size} {unit}, and sentigru first "
            f"writes beside it under names {NAME_ROOM} {unit} longer; this file system allows "
            f"{limit}: give a name of at most {limit - NAME_ROOM} {unit}"
        )


def check_not_quoted_home(out: Path) -> None:
    """Refuse ``~/x`` where no one expanded the ``~`` (quoted in the shell, or given in
    Python), before a folder named ``~`` is made here: one ``rm -rf ~`` from the user's
    home. Taken as it is where a ``~`` folder already exists."""
    note = home_note(out)
    if note:
        raise SentigruError(f"cannot write {out}: {note}, and sentigru makes no folder named ~")


def check_writable(out: Path, make_parent: bool = False) -> None:
    """Fail before any work when no file can be made beside ``out``; ``make_parent``:
    its folder may be missing (made as the output is written, a model folder's as its
    training starts), and the nearest one that exists must take a new folder. None is
    made here: a run that then failed on its data left the folders of ``--out`` behind."""
    refuse_nul(out, "out")
    check_not_quoted_home(out)
    parent = out.parent if str(out.parent) else Path(".")
    _check_no_file_above(out)
    if make_parent:
        while not parent.is_dir() and parent != parent.parent:
            parent = parent.parent
    if not parent.is_dir():
        raise SentigruError(f"cannot write {out}: folder {parent} does not exist")
    _check_name_room(out, parent)
    try:  # the real test: access() says yes to root even where writing fails
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise SentigruError(
            f"cannot write {out}: folder {parent} is not writable ({exc.strerror})"
        ) from None


def is_model_folder(path: Path, written: Collection[str]) -> bool:
    """An empty folder, or a sentigru model folder: its ``manifest.json`` names sentigru
    (a web app's ``manifest.json`` does not), and it holds only the ``written`` names
    (what sentigru writes in a model folder: ``bundle.written_names``)."""
    if not path.is_dir():
        return False
    if not any(path.iterdir()):
        return True
    return has_sentigru_manifest(path) and not foreign_entries(path, written)


def has_sentigru_manifest(folder: Path) -> bool:
    """Whether ``folder`` holds a ``manifest.json`` sentigru wrote (its versions name
    sentigru), whatever else the folder holds."""
    data = limits.head_of(folder / "manifest.json", limits.JSON_BYTES + 1)
    try:
        manifest = json.loads(data) if len(data) <= limits.JSON_BYTES else None
    except (ValueError, RecursionError):  # RecursionError: '[' nested thousands deep
        return False
    versions = manifest.get("versions") if isinstance(manifest, dict) else None
    return isinstance(versions, dict) and "sentigru" in versions


def foreign_entries(path: Path, written: Collection[str]) -> list[str]:
    """What a folder holds besides the ``written`` names (the user's notes, a copy of the
    data): replacing the folder would delete them. A file browser's own (``.DS_Store``)
    is not the user's."""
    return sorted(
        entry.name
        for entry in path.iterdir()
        if entry.name not in written and entry.name not in BROWSER_FILES
    )


BROWSER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def check_no_foreign(out: Path, written: Collection[str], option: str = "--out") -> None:
    """Refuse to replace a folder sentigru wrote once the user has put files of their own
    in it (a favicon beside a web page, notes beside a model): ``--force`` replaces
    what sentigru wrote, and never deletes what it did not."""
    foreign = foreign_entries(out, written)
    if not foreign:
        return
    shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
    them = "them" if len(foreign) > 1 else "it"
    raise SentigruError(
        f"{out} holds {shown}, which sentigru did not write there and --force would "
        f"delete: move {them} out, or choose another {option}"
    )


SAVED_MODEL_ENTRIES = frozenset(
    {"saved_model.pb", "variables", "assets", "fingerprint.pb", "keras_metadata.pb"}
)
"""What ``tf.saved_model.save`` writes; a folder with anything else holds the user's files."""


def is_saved_model(path: Path) -> bool:
    """An empty folder, or a SavedModel and nothing else."""
    if not path.is_dir():
        return False
    names = {entry.name for entry in path.iterdir()}
    return not names or ("saved_model.pb" in names and names <= SAVED_MODEL_ENTRIES)


def is_tflite(path: Path) -> bool:
    """A TFLite model file (its FlatBuffer identifier ``TFL3``): a phone file, not a
    document that happens to end in ``.tflite``."""
    return path.is_file() and limits.head_of(path, 8)[4:8] == b"TFL3"


def is_sentigru_png(path: Path) -> bool:
    """A PNG that sentigru drew: ``plots`` marks its pictures in a text chunk, which
    comes before the pixels."""
    from sentigru.plots import SOFTWARE

    head = limits.head_of(path, 4096)
    return path.is_file() and head.startswith(b"\x89PNG") and SOFTWARE_CHUNK + SOFTWARE in head


SOFTWARE_CHUNK = b"tEXtSoftware\x00"
