"""Limits on what sentigru reads from a model, and the bounded readers that hold them.

Model files travel, so nothing sentigru opens may make it read, inflate or allocate
without bound: a ``.tflite`` whose packed ``vocab.txt`` inflates to gigabytes, a
``model.keras`` zip of a million entries, a ``vocab.txt`` that is really ``/dev/zero``.
Every limit is here, in one place. They are generous: a phone model is a few MB and
the bundled model folder under 8 MB. Going over one is a one-line
:class:`~sentigru.errors.SentigruError` that names the file and the limit. The cores
this process may use are read here too, for every part that runs work side by side.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import re
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from sentigru.errors import SentigruError

MIB = 1 << 20

# -- files ----------------------------------------------------------------------------------
TFLITE_BYTES = 64 * MIB
"""A ``.tflite`` model file (the bundled one: 0.98 MB)."""
VOCAB_BYTES = 16 * MIB
"""A ``vocab.txt``, in a model folder or packed in a ``.tflite`` (the bundled one: 0.25 MB)."""
LABELS_BYTES = 1 * MIB
"""A ``labels.txt``."""
JSON_BYTES = 4 * MIB
"""``spec.json``, ``manifest.json``, ``history.json`` of a model folder (each under 4 KB)."""
PICTURE_BYTES = 16 * MIB
"""``training.png`` of a model folder (hashed, never decoded)."""
KERAS_BYTES = 256 * MIB
"""``model.keras``: the file, any one entry inflated, and all entries inflated together."""
KERAS_ENTRIES = 256
"""Entries in ``model.keras`` (Keras writes three)."""
PACKED_ENTRIES = 16
"""Files packed in a ``.tflite`` (sentigru packs two)."""
ZIP_DIRECTORY_BYTES = 1 * MIB
"""A zip's central directory, read whole by :mod:`zipfile` before any check can run."""

# -- the model graph (checked by sentigru.modelfile before LiteRT sees a file) ----------------
MAX_DIM = 1 << 20
"""Any one dimension of a tensor (the bundled model's largest: 32,768)."""
MAX_TENSOR_ELEMENTS = 1 << 26
"""Elements of any one tensor (the bundled model's largest: 352,096)."""
MAX_SEQ_LEN = 1 << 16
"""``L`` of the ``int32 [batch, L]`` input (the bundled model: 1,024)."""
MAX_GRAPH_ITEMS = 1 << 18
"""Tensors, operators or buffers in one model (the bundled model: about 2,000 each)."""
MAX_SUBGRAPHS = 64
"""Subgraphs (MediaPipe files have one; a ``--runtime litert`` file five)."""

# -- the child process that first runs a model from elsewhere (sentigru.trust) ---------------
CHILD_MEMORY_BYTES = 2 << 30
"""Address space of the child (loading the bundled model peaks near 190 MB)."""
CHILD_SECONDS = 30.0
"""Wall-clock time of the child (about half a second for the bundled model)."""


def size_text(n: int) -> str:
    """``n`` bytes for a message: ``64 MiB``, ``1.5 KiB``, ``12 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


BATCH_MAX = 65_536
"""The largest fixed batch of a phone file (bulk work in LiteRT); a larger one failed
inside the converter."""


ROOM_MARGIN = 1 << 20
"""Bytes beyond a write's own that must be free before it starts."""


def has_room(folder: Path, needed: int) -> bool:
    """Whether ``folder``'s disk has ``needed`` bytes and :data:`ROOM_MARGIN` free. Asked
    before a checkpoint is written, so that an already full disk is one clear line before
    any of its work is done (one that fills meanwhile fails the write itself)."""
    import shutil

    return shutil.disk_usage(folder).free >= needed + ROOM_MARGIN


def os_reason(exc: OSError) -> str:
    """What an OS error says, in one line: its ``strerror``, or the errno HDF5 writes
    into its own message over several lines (``errno = 28``: the disk is full)."""
    code = exc.errno or next(map(int, re.findall(r"errno = (\d+)", str(exc))), None)
    return os.strerror(code) if code else one_line(exc)


_FILE_SYSTEM_ERRORS = ("ENOSPC", "EFBIG", "EDQUOT", "EROFS", "EACCES", "EIO")


def os_reason_in(message: str) -> str:
    """The file system's reason in a message from elsewhere (TensorFlow's: ``{{function_node
    …}} PATH; No space left on device [Op:SaveV2]``), without the graph's names and a
    temporary path already removed; the message itself, in one line, where it names none."""
    import errno

    for name in _FILE_SYSTEM_ERRORS:
        code = getattr(errno, name, None)
        if code is not None and os.strerror(code) in message:
            return os.strerror(code)
    return one_line(message)


def one_line(text: object, limit: int = 300) -> str:
    """A message from elsewhere (LiteRT, zipfile) as one line of at most ``limit`` chars."""
    parts = [part.strip() for part in str(text).splitlines() if part.strip()]
    line = "; ".join(parts) or "no detail"
    return line if len(line) <= limit else line[: limit - 3] + "..."


def too_big(source: str, limit: int, what: str = "size") -> SentigruError:
    return SentigruError(f"{source} is over the {size_text(limit)} limit on its {what}")


def _at(source: str, text: str) -> str:
    """``text`` about ``source``; ``source`` may be empty where the caller names the file."""
    return f"{source}: {text}" if source else text


def _opened(path: Path) -> BinaryIO:
    """``path`` opened to read without waiting for a writer: a named pipe (FIFO) put in a
    model folder blocked ``open`` for good, where Ctrl-C did nothing (it is refused once
    open). Reads block as usual."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with contextlib.suppress(AttributeError, OSError):  # Windows before 3.12: none was set
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def head_of(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular file; b"" for anything else (none, a named
    pipe, a device). For checks made before writing, on files anyone may have put in a
    folder above an output: a pipe named ``manifest.json`` hung them, a sparse file of
    gigabytes filled memory."""
    try:
        with _opened(path) as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return b""
            return stream.read(size)
    except OSError:
        return b""


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, refusing (before reading) a file larger than ``limit``.

    The size is checked on the open file, then at most ``limit + 1`` bytes are read, so
    a file that grows meanwhile or a device without a size (``/dev/zero``) is refused
    too. Errors are one line naming ``path``.
    """
    try:
        with _opened(path) as stream:
            info = os.fstat(stream.fileno())
            if stat.S_ISFIFO(info.st_mode):  # a model file is never streamed in
                raise SentigruError(f"cannot read {path}: a named pipe, not a file")
            regular = stat.S_ISREG(info.st_mode)
            if regular and info.st_size > limit:
                raise too_big(str(path), limit)
            # Asked for limit + 1 bytes at once, Python reserves them first: 64 MiB for a
            # 1 MB phone file, more than a process under `ulimit -v` may have.
            want = info.st_size + 1 if regular else 1 << 20
            parts, count = [], 0
            while count <= limit and (part := stream.read(min(want, limit + 1 - count))):
                parts.append(part)
                count += len(part)
                want = 1 << 20
            data = b"".join(parts)
    except OSError as exc:
        raise SentigruError(f"cannot read {path}: {exc.strerror or exc}") from None
    except MemoryError:
        raise SentigruError(f"cannot read {path}: not enough memory") from None
    if len(data) > limit:
        raise too_big(str(path), limit)
    return data


def check_file_size(path: Path, limit: int) -> None:
    """Refuse ``path`` when it is larger than ``limit`` (or not a regular file)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise SentigruError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SentigruError(f"{path} is not a regular file")
    if info.st_size > limit:
        raise too_big(str(path), limit)


# -- zip archives -----------------------------------------------------------------------------

_END = struct.Struct("<4s4H2LH")  # end of central directory record (APPNOTE 4.3.16)
_END_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    ValueError,
    KeyError,
    OverflowError,
    UnicodeDecodeError,
    IndexError,
)
"""What :mod:`zipfile` raises on a damaged archive."""


def _end_record(stream: BinaryIO) -> tuple[int, int, int] | None:
    """``(position, entries, central directory size)`` of the archive's end record, found
    where :mod:`zipfile` looks for it: the file's last 22 bytes, else the last
    occurrence of its signature in the last 64 KiB + 22 bytes. None if there is none."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    if size < _END.size:
        return None
    tail_size = min(size, _END.size + 0xFFFF)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    last = tail[-_END.size :]
    if last[:4] == _END_SIGNATURE and last[-2:] == b"\0\0":
        at = tail_size - _END.size
    else:
        at = tail.rfind(_END_SIGNATURE)
        if at < 0 or at + _END.size > tail_size:
            return None
    fields = _END.unpack_from(tail, at)
    position = size - tail_size + at
    if position >= 20:
        stream.seek(position - 20)
        if stream.read(4) == _ZIP64_LOCATOR:
            return position, 0xFFFF, 0xFFFFFFFF  # zip64: refused by the caller
    return position, fields[4], fields[5]


def open_zip(stream: BinaryIO, source: str, max_entries: int) -> zipfile.ZipFile:
    """Open a zip archive whose directory is bounded: at most ``max_entries`` entries and
    :data:`ZIP_DIRECTORY_BYTES` of directory, no zip64, nothing encrypted, only stored
    or deflated entries. A damaged archive is a one-line error naming ``source``."""
    end = _end_record(stream)
    if end is None:
        raise SentigruError(_at(source, "no zip archive found"))
    _, entries, directory = end
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        raise SentigruError(_at(source, "zip64 archives are not supported"))
    if entries > max_entries:
        raise SentigruError(_at(source, f"{entries} zip entries, over the limit of {max_entries}"))
    if directory > ZIP_DIRECTORY_BYTES:
        raise too_big(_at(source, "the zip directory"), ZIP_DIRECTORY_BYTES)
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except _ZIP_ERRORS as exc:
        raise SentigruError(_at(source, f"damaged zip archive: {one_line(exc)}")) from None
    problem = _entry_problem(archive.infolist(), max_entries)
    if problem:
        archive.close()
        raise SentigruError(_at(source, problem))
    return archive


def _entry_problem(infos: list[zipfile.ZipInfo], max_entries: int) -> str | None:
    if len(infos) > max_entries:
        return f"{len(infos)} zip entries, over the limit of {max_entries}"
    names = [info.filename for info in infos]
    if len(set(names)) < len(names):  # readers differ on which copy they take
        twice = next(name for name in names if names.count(name) > 1)
        return f"{twice!r} is packed twice"
    for info in infos:
        if info.flag_bits & 0x1:
            return f"{info.filename!r} is encrypted"
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return (
                f"{info.filename!r} uses zip compression method {info.compress_type}; "
                "only stored and deflated are read"
            )
    return None


def read_entry(archive: zipfile.ZipFile, name: str, limit: int, source: str) -> bytes:
    """Entry ``name`` of ``archive``, refused when its declared size is over ``limit``
    and read through a bounded stream, so a header that lies cannot inflate more."""
    label = _at(source, f"packed {name}")
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise SentigruError(_at(source, f"no packed file {name!r}")) from None
    if info.file_size > limit:
        raise too_big(label, limit, "inflated size")
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)
    except _ZIP_ERRORS as exc:
        raise SentigruError(f"{label} is damaged: {one_line(exc)}") from None
    if len(data) > limit:
        raise too_big(label, limit, "inflated size")
    return data


def inflated_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, source: str) -> int:
    """Bytes entry ``info`` really inflates to, counted through a bounded stream (nothing
    kept); refused past ``budget``."""
    label = _at(source, info.filename)
    if info.file_size > budget:
        raise too_big(label, budget, "inflated size")
    total = 0
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(min(MIB, budget + 1 - total)):
                total += len(chunk)
                if total > budget:
                    raise too_big(label, budget, "inflated size")
    except _ZIP_ERRORS as exc:
        raise SentigruError(f"{label} is damaged: {one_line(exc)}") from None
    return total


def check_keras_zip(path: Path, source: str) -> None:
    """Refuse a ``model.keras`` that would make Keras read without bound: larger than
    :data:`KERAS_BYTES`, more than :data:`KERAS_ENTRIES` entries, or entries that inflate
    (declared, then counted) past :data:`KERAS_BYTES` together. Messages start with
    ``source``."""
    check_file_size(path, KERAS_BYTES)
    try:
        with open(path, "rb") as stream:
            _check_archive(stream, source)
    except OSError as exc:
        raise SentigruError(f"cannot read {path}: {exc.strerror or exc}") from None


def _check_archive(stream: BinaryIO, source: str) -> None:
    with open_zip(stream, source, KERAS_ENTRIES) as archive:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > KERAS_BYTES:
            raise SentigruError(
                _at(
                    source,
                    f"its entries inflate to {size_text(declared)}, over the "
                    f"{size_text(KERAS_BYTES)} limit",
                )
            )
        budget = KERAS_BYTES
        for info in infos:
            budget -= inflated_size(archive, info, budget, source)


# -- this machine ---------------------------------------------------------------------------


def available_cores() -> int:
    """Cores this process may run on: its CPU affinity where the system says, and no
    more than a container's CPU quota (``docker run --cpus 2`` on a 64-core host kept
    all 64 in the affinity, and bulk prediction started 64 interpreters)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = cpu_quota()
    return max(1, min(cores, math.ceil(quota))) if quota else cores


CGROUP = Path("/sys/fs/cgroup")


def cpu_quota(root: Path = CGROUP) -> float | None:
    """The cgroup's CPU quota in cores (v2's ``cpu.max``, else v1's CFS files), or None
    where there is none or it cannot be read."""
    for quota_file, period_file in (
        ("cpu.max", None),
        ("cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us"),
        ("cpu,cpuacct/cpu.cfs_quota_us", "cpu,cpuacct/cpu.cfs_period_us"),
    ):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (root / quota_file).read_text().split()  # v2: "quota period"
            quota = fields[0]
            period = fields[1] if period_file is None else (root / period_file).read_text()
            if quota in ("max", "-1"):
                return None
            return int(quota) / int(period) if int(quota) > 0 and int(period) > 0 else None
    return None


_HIDDEN = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
"""Controls, line separators and the bidirectional embeddings, overrides and isolates
(U+202E shows ``dab yllaer`` as "really bad"); the marks U+200E/U+200F are shown."""
_UNSHOWN = re.compile(f"[{_HIDDEN}]")
_UNSHOWN_OR_BACKSLASH = re.compile(f"[{_HIDDEN}\\\\]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def shown(line: str, backslash: bool = False) -> str:
    """A message as one line that a terminal shows as written: control characters in
    the names or data it quotes (a file named with an escape sequence that clears the
    screen or sets the window title) escaped. With ``backslash``, the backslash too, so
    that each escape in the line means one character (a result a script reads)."""
    pattern = _UNSHOWN_OR_BACKSLASH if backslash else _UNSHOWN
    return pattern.sub(lambda m: _ESCAPES.get(m[0], _code(m[0])), line)


def _code(char: str) -> str:
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


_HEARD: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar(
    "sentigru_notes", default=None
)


def note(line: str) -> None:
    """What reading data tells the user, as :func:`shown`: to the ``log`` of the call
    reading it (:func:`notes_to`), else on stderr."""
    heard = _HEARD.get()
    if heard is None:
        print(shown(line), file=sys.stderr)
    else:
        heard(shown(line))


@contextlib.contextmanager
def notes_to(log: Callable[[str], None]) -> Iterator[None]:
    """Send this thread's notes to ``log`` in the block (a Python caller's ``train(log=)``
    hears what the data said, as it hears the run's other lines)."""
    token = _HEARD.set(log)
    try:
        yield
    finally:
        _HEARD.reset(token)
