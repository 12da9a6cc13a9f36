"""Readers for the user's own files: TSV, CSV, JSON Lines (each optionally ``.gz``) and a
folder with one sub-folder of ``.txt`` files per label (the aclImdb layout).

Every problem is raised as :class:`SentigruError` naming the file and, where there is
one, the line, so the CLI can print one clear line instead of a traceback.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import json
import numbers
import os
import re
import reprlib
import shlex
import stat
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, cast

from sentigru.data.encodings import (
    archive,
    decodes_as_utf8,
    is_utf8,
    undecodable,
    wide_unicode,
)
from sentigru.data.examples import Examples
from sentigru.errors import SentigruError, UsageError, missing
from sentigru.limits import note

FORMATS = ("tsv", "csv", "jsonl", "folder")
LINE_LIMIT = 8 << 20
"""Bytes of one line (or one .txt file) that are read. A model reads at most seq_len words,
which in real text come long before 8 MiB; capping what is held keeps memory bounded
whatever the input (a log file with no newline, say)."""
csv.field_size_limit(max(csv.field_size_limit(), LINE_LIMIT))  # a field may fill a line
UNLABELLED_FOLDER = "unsup"
"""aclImdb's folder of unlabelled reviews, beside ``pos`` and ``neg``: not a label."""
_WORKBOOKS = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")
_SUFFIXES = {
    ".tsv": "tsv",
    ".tab": "tsv",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",  # JSON Lines named .json (as Hugging Face's to_json writes); arrays refused
}
_ARCHIVES = {
    ".zip": "unzip",
    ".bz2": "bunzip2 -k",
    ".xz": "unxz -k",
    ".zst": "unzstd",
    ".7z": "7z x",
    ".rar": "unrar x",
    ".tar": "tar xf",
    ".tgz": "tar xzf",
}
"""Compressed files that are not read as they are, and the command that unpacks each."""
_QUOTE_CLOSED_EARLY = "expected after '\"'"
"""What the csv module says, strictly read, of a quote with more text after it."""


def _reads_text(encoding: str) -> bool:
    """Whether ``encoding`` decodes bytes to text, bad bytes replaced, as files and stdin
    are read (``rot13`` and ``base64`` are codecs of other kinds; ``idna`` and
    ``punycode`` cannot replace a bad byte)."""
    try:
        if not getattr(codecs.lookup(encoding), "_is_text_encoding", True):
            return False
        b"text \xff\n".decode(encoding, "replace")
        codecs.getincrementaldecoder(encoding)("replace").decode(b"text \xff\n", False)
    except (LookupError, UnicodeError, TypeError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: which columns hold the text and the label, the encoding, and
    whether a malformed row stops everything (the default) or is skipped and counted."""

    text_column: str = "text"
    label_column: str = "label"
    encoding: str = "utf-8"
    skip_bad_rows: bool = False
    label_map: dict[str, str] = field(default_factory=dict)
    """Labels renamed as they are read (``{"0": "negative"}``); others are kept."""

    def __post_init__(self) -> None:
        if isinstance(self.label_map, str):  # as the CLI spells it: "0=negative,1=positive"
            object.__setattr__(self, "label_map", parse_label_map(self.label_map))
        if isinstance(self.label_map, dict) and all(
            isinstance(k, (str, int)) and not isinstance(k, bool) for k in self.label_map
        ):  # {0: "negative"}: labels read from a file are strings, in NFC
            object.__setattr__(self, "label_map", _named_map(self.label_map.items()))
        for name in ("text_column", "label_column", "encoding"):
            if not isinstance(getattr(self, name), str):
                raise SentigruError(f"{name} must be a string, got {getattr(self, name)!r}")
        if not isinstance(self.skip_bad_rows, bool):  # "no" would count as yes
            raise SentigruError(f"skip_bad_rows must be True or False, got {self.skip_bad_rows!r}")
        if not isinstance(self.label_map, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.label_map.items()
        ):
            raise SentigruError(
                f"label_map must be a dict of label strings ({{'0': 'negative'}}), "
                f"got {self.label_map!r:.60}"
            )
        try:
            name = codecs.lookup(self.encoding).name
        except (LookupError, ValueError):  # ValueError: a NUL in the name
            raise UsageError(f"unknown encoding {self.encoding!r}") from None
        if name.startswith(("utf-16", "utf-32")):
            iconv = name.replace("-le", "le").replace("-be", "be")  # iconv's spelling
            raise UsageError(
                f"--encoding {self.encoding}: files are read line by line, which UTF-16 and "
                f"UTF-32 do not allow; convert it to UTF-8 first (iconv -f {iconv} -t utf-8)"
            )
        if not _reads_text(self.encoding):  # rot13, base64, idna: codecs, not encodings
            raise UsageError(f"--encoding {self.encoding}: not an encoding of text files")
        if not self.text_column:  # predict reads no label: '' was taken for both columns
            raise UsageError("--text-column (text_column=) is empty: name the texts' column")
        if self.text_column == self.label_column:
            raise SentigruError(
                f"the text and the label are both read from column {self.text_column!r}: "
                "a model would learn the label from itself; give two columns"
            )

    def given(self) -> list[str]:
        """The fields set away from their defaults, in field order (UTF-8 however spelt,
        an empty label map: the defaults): what a source with no file to read would take
        and not use."""
        default = ReadOptions()
        return [
            field.name
            for field in dataclasses.fields(self)
            if (
                not is_utf8(self.encoding)
                if field.name == "encoding"
                else getattr(self, field.name) != getattr(default, field.name)
            )
        ]


LABELS_KEPT = 64
"""How many of a file's own labels a read keeps, to name them in a note."""


@dataclass
class ReadResult:
    examples: Examples
    skipped: int = 0
    labels: set[str] = field(default_factory=set)
    """The labels as the file writes them, before ``label_map`` (the first few)."""
    renamed: int = 0
    """Rows whose label ``label_map`` renamed."""
    headers: int = 0
    """Rows that repeat the header (files joined with ``cat``), skipped."""
    first_bad: str = ""
    """Where the first skipped row is and why: when no row is good, the only clue."""

    def nothing_found(self, path: Path | str, what: str) -> SentigruError:
        """The error for a read that found no row: with the skipped rows and the first
        one's reason, without which "none found" hides that every row was bad."""
        message = f"{path}: no {what} found"
        if self.skipped:
            message += f" ({self.skipped} bad row(s) skipped; the first, {self.first_bad})"
        return SentigruError(message)

    def report_skipped(
        self,
        path: Path | str,
        label_map: dict[str, str] | None = None,
        *,
        whose: str = "the file's",
        renamed_elsewhere: bool = False,
    ) -> None:
        """A note (:func:`~sentigru.limits.note`) when rows were skipped
        (``--skip-bad-rows``) or repeated the header, and one when a ``label_map`` renamed
        no label of the file (a typo in it, or the wrong file) but where it renamed
        another source's (``renamed_elsewhere``: a file read with a tfds set whose labels
        the map names); ``whose`` labels the notes name."""
        if self.skipped:
            note(f"{path}: skipped {self.skipped} bad row(s)")
        if self.headers:
            note(
                f"{path}: note: skipped {self.headers} line(s) repeating the header (files joined?)"
            )
        if label_map and self.labels and not self.renamed:
            found = ", ".join(sorted(self.labels)[:6])
            if not renamed_elsewhere:
                note(f"{path}: note: --label-map renamed no label ({whose} labels: {found})")
            return
        if label_map and (kept := sorted(self.labels - set(label_map) - set(label_map.values()))):
            note(
                f"{path}: note: --label-map leaves {', '.join(kept[:6])} as written: a label "
                "of its own"
            )
        if label_map and self.labels and (unused := sorted(set(label_map) - self.labels)):
            found = ", ".join(sorted(self.labels)[:6])
            note(
                f"{path}: note: --label-map names {', '.join(unused[:6])}, which no row has "
                f"({whose} labels: {found})"
            )


def _suffix(path: Path) -> str:
    """The suffix that names the format (``.gz`` looked through), lowercase; "" if none."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _format_of(path: Path) -> str | None:
    """The format of ``path`` from its name (``.gz`` looked through) or its being a folder;
    None for another name. A compressed archive and a JSON array, which no reader takes,
    are refused here, before a reader would call them binary or not JSON."""
    if path.is_dir():
        return "folder"
    suffix = _suffix(path)
    if suffix in _ARCHIVES:
        raise SentigruError(
            f"{path}: compressed as {suffix}, which is not read; unpack it first "
            f"({_ARCHIVES[suffix]} {_shell_path(path)}) and give the file inside"
            + ("" if path.suffix.lower() == ".gz" else " (.gz is read as it is)")
        )
    kind = _SUFFIXES.get(suffix)
    if kind == "jsonl" and _json_array_head(_head(path), suffix == ".json"):
        raise _json_array(path)
    return kind


def _head(path: Path) -> bytes:
    """A file's first bytes past blanks and a byte-order mark; b"" where none can be read
    (the reader then says why). A pipe is not read: its bytes would be lost."""
    if not path.is_file():
        return b""
    try:
        with gzip.open(path) if path.suffix.lower() == ".gz" else path.open("rb") as stream:
            head = stream.read(4096)
    except (OSError, EOFError, zlib.error):
        return b""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _json_array_head(head: bytes, json_name: bool) -> bool:
    """Whether a file that begins with ``head`` holds one JSON array: any ``[`` in a .json
    file; in JSON Lines, a ``[`` alone on its line (printed over lines) or before ``{``
    (an array of objects on one line), not a line that is an array (``["a", 1]``)."""
    if not head.startswith(b"["):
        return False
    rest = head[1:].lstrip(b" \t")
    return json_name or rest[:1] in (b"{", b"\n", b"\r", b"")


def _shell_path(path: Path) -> str:
    """``path`` as a command's argument to copy: quoted, and never read as an option."""
    text = str(path)
    return shlex.quote(f"./{text}" if text.startswith("-") else text)


def _json_array(path: Path) -> SentigruError:
    """The refusal of a JSON array, with the jq command that writes it as JSON Lines.
    Not read: an array is one value, held whole in memory, where lines stream."""
    name = path.name[:-3] if path.suffix.lower() == ".gz" else path.name
    stem = name.rsplit(".", 1)[0]
    candidates = (f"{stem}.jsonl", *(f"{stem}.lines{n or ''}.jsonl" for n in range(99)))
    out = next(  # never the file itself (on a disk that ignores case too), nor another
        (
            candidate
            for candidate in candidates
            if candidate.lower() != path.name.lower() and not path.with_name(candidate).exists()
        ),
        f"{stem}.lines.jsonl",
    )
    source, target = _shell_path(path), _shell_path(path.with_name(out))
    each = ".[] | {text: .}" if _head(path)[1:].lstrip().startswith(b'"') else ".[]"
    command = (  # an array of strings: texts, each made an object
        f"gzip -dc {source} | jq -c '{each}' > {target}"
        if path.suffix.lower() == ".gz"
        else f"jq -c '{each}' {source} > {target}"
    )
    return SentigruError(
        f"{path}: a JSON array; sentigru reads JSON Lines, one object a line ({command})"
    )


def detect_format(path: Path) -> str:
    """The format of ``path`` from its name (``.gz`` looked through) or its being a folder;
    any other name is refused with what to give instead."""
    kind = _format_of(path)
    if kind:
        return kind
    if _suffix(path) in _WORKBOOKS:
        raise SentigruError(f"{path}: a spreadsheet workbook; save the sheet as CSV UTF-8")
    if path.exists() and stat.S_ISFIFO(path.stat().st_mode):  # <(zcat f.tsv.gz)
        raise SentigruError(
            f"{path}: a pipe, whose format its name cannot tell; give the file itself "
            "(.gz is read as it is), or save the text to a .tsv, .csv or .jsonl file"
        )
    raise SentigruError(
        f"{path}: unknown file type; use .tsv, .csv or .jsonl (optionally .gz), or a folder"
    )


def read_examples(path: Path, options: ReadOptions | None = None) -> ReadResult:
    """Read one file or folder of labelled texts into memory."""
    result = ReadResult(Examples())
    for text, label in iter_rows(path, options, result):
        result.examples.texts.append(text)
        result.examples.labels.append(label)
    if not result.examples.texts:
        raise result.nothing_found(path, "labelled texts")
    return result


def read_rows(texts: Iterable[Any], labels: Iterable[Any], options: ReadOptions) -> ReadResult:
    """Labelled texts a Python caller holds (lists, arrays, a DataFrame's two columns),
    checked row by row as a file's are: a text is a non-blank string, a label a string
    or an integer (NumPy's too: 0 and 1 as read from a DataFrame; a whole-number float,
    1.0 as pandas makes a column with a gap, is its integer; a bool is ``"True"`` or
    ``"False"``), ``label_map`` renames. Labels are names, as ``labels.txt`` holds them:
    ``1`` comes back from ``predict`` as ``"1"``.
    The message of a bad row names its index."""
    texts, labels = list(texts), list(labels)
    if len(texts) != len(labels):
        raise SentigruError(f"rows: {len(texts):,} texts but {len(labels):,} labels")
    result = ReadResult(Examples())
    reader = _Reader(Path("rows"), options, result)
    reader.skip_hint = "skip_bad_rows=True"
    reader.place = "row"
    for index, (text, label) in enumerate(zip(texts, labels)):
        if getattr(label, "ndim", None) == 0 and label.dtype.kind == "b":  # numpy.bool_
            label = bool(label)  # an is_positive column: read as "True" and "False"
        elif isinstance(label, numbers.Integral) and not isinstance(label, bool):
            label = int(label)  # numpy.int64 is no int
        for row in reader.row(f"{index}", text, label):
            result.examples.texts.append(str(row[0]))  # numpy.str_ as str
            result.examples.labels.append(row[1])
    if not result.examples.texts:
        raise result.nothing_found("rows", "labelled texts")
    return result


def read_texts(path: Path, options: ReadOptions | None = None) -> list[str]:
    """Read one file of unlabelled texts: the text column of a .tsv/.csv/.jsonl (a label
    column is not needed, and ignored where there is one), a folder of ``.txt`` files,
    or any other file as one text per line. The data's text column names no column of
    a file of one text a line, the unlabelled texts beside a table: it is not asked for
    there (it was refused, and no spelling of the file was then read)."""
    options = options or ReadOptions()
    if (_format_of(path) or "lines") == "lines":
        options = dataclasses.replace(options, text_column=ReadOptions().text_column)
    reader = _Reader(path, options, texts_only=True)
    texts = list(_texts_of(reader))
    reader.result.report_skipped(path)
    if not texts:
        raise reader.result.nothing_found(path, "texts")
    return texts


def iter_row_texts(path: Path, options: ReadOptions | None = None) -> Iterator[str]:
    """The text of every row of a file, in order, as read (``predict --data``): each
    row gets its answer, so a blank text or a blank row is a text (""), a row that
    repeats the header is a row, and a bad row stops the reading (skipping one would
    put every later answer against the wrong row)."""
    options = dataclasses.replace(options or ReadOptions(), skip_bad_rows=False)
    if path.is_dir():
        raise SentigruError(f"{path}: a folder; give a file, whose rows are answered in order")
    reader = _Reader(path, options, texts_only=True)
    reader.every_row = True
    reader.skip_hint = None
    yield from _texts_of(reader)


def _texts_of(reader: _Reader) -> Iterator[str]:
    """The texts ``reader`` reads from its file, by the file's kind."""
    path = reader.path
    if not path.exists():
        raise missing(path)
    kind = _format_of(path) or "lines"  # any other name: one text per line
    if kind == "lines" and reader.options.text_column != ReadOptions().text_column:
        raise SentigruError(  # else every line answered whole, its header and labels too
            f"{path}: read as one text a line (no .tsv, .csv or .jsonl name), which has no "
            "columns for --text-column (text_column=) to pick: save it under such a name"
        )
    if kind == "folder":
        rows = reader.read_text_files()
    elif kind == "jsonl":
        rows = reader.read_jsonl()
    elif kind == "lines":
        rows = reader.read_lines()
    else:
        rows = reader.read_table("\t" if kind == "tsv" else ",")
    try:
        for number, (text, _) in enumerate(rows):
            if not number and kind == "lines":
                _note_header(path, text)
            yield text
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SentigruError(f"{path}: cannot read: {_reason(exc, path)}") from None


def _note_header(path: Path, first: str) -> None:
    """A file read one text a line whose first line names a text column (``label<TAB>
    text``, ``a .tsv`` piped as ``--data <(zcat …)``): its header and labels are read as
    texts, which is said."""
    for mark, kind in (("\t", ".tsv"), (",", ".csv")):
        if mark in first and "text" in (field.strip().lower() for field in first.split(mark)):
            note(
                f"note: {path}: read as one text a line (no .tsv, .csv or .jsonl name), yet "
                f"its first line looks like a header of columns ({first!r:.40}): saved as a "
                f"{kind} file, its text column alone is read"
            )
            return


def _noting_last(lines: Iterable[str], last: list[str]) -> Iterator[str]:
    """``lines``, and once they are all read, the last of them in ``last``."""
    line = ""
    for line in lines:
        yield line
    last.append(line)


def iter_rows(
    path: Path,
    options: ReadOptions | None = None,
    counts: ReadResult | None = None,
    noted: bool = True,
) -> Iterator[tuple[str, str]]:
    """Yield one file's or folder's ``(text, label)`` rows as they are read, so that a
    corpus larger than memory can be streamed; skipped rows are counted in ``counts``.
    Every problem is the same :class:`SentigruError` that :func:`read_examples` raises;
    notes on what was read are given only when ``noted``."""
    options = options or ReadOptions()
    if not path.exists():
        raise missing(path)
    kind = detect_format(path)
    reader = _Reader(path, options, counts, noted=noted)
    if kind == "folder":
        rows = reader.read_folder()
    elif kind == "jsonl":
        rows = reader.read_jsonl()
    else:
        rows = reader.read_table("\t" if kind == "tsv" else ",")
    try:
        yield from rows
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SentigruError(f"{path}: cannot read: {_reason(exc, path)}") from None


def _opens_quote(row: list[str]) -> bool:
    """Whether a TSV row begins or ends a quoted text that spans lines: a field that
    begins or ends with ``"`` and holds an odd number of them (``""`` escapes one, as CSV
    writers quote)."""
    return any(f.count('"') % 2 == 1 and (f[:1] == '"' or f[-1:] == '"') for f in row)


def _names(row: list[str]) -> list[str]:
    """A header's column names as compared: stripped, and without a byte-order mark (a
    second file's, where files were joined)."""
    return [name.lstrip("\ufeff").strip() for name in row]


def drain_line(stream: IO[bytes]) -> int:
    """Read and drop the rest of an over-long line; return how many bytes that was."""
    dropped = 0
    while piece := stream.readline(LINE_LIMIT):
        dropped += len(piece)
        if piece.endswith(b"\n"):
            break
    return dropped


def _decode_prefix(data: bytes, encoding: str, limit: int) -> str:
    """Decode ``data``; when it is a cut prefix (``limit`` bytes), a character split by
    the cut is dropped rather than reported as an error."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if len(data) == limit and exc.reason == "unexpected end of data":
            return data[: exc.start].decode(encoding)
        raise


_LONE_CR = "new-line character seen in unquoted field"
LONE_CR_LINES = (
    "lines end in a lone carriage return (as old Mac programs save them); save the file "
    "with Unix or Windows line ends"
)


def _lone_cr(quoting: int) -> str:
    """A carriage return inside a row: a CSV field may hold one quoted; TSV has no quotes."""
    return "a carriage return inside a field; " + (
        "remove it (TSV is read without quotes)"
        if quoting == csv.QUOTE_NONE
        else "quote the field or remove it"
    )


def nfc_name(name: str) -> str:
    """A column name or key as compared: in NFC (Excel on macOS writes é decomposed)."""
    return unicodedata.normalize("NFC", name)


def nfc_keys(record: Any) -> Any:
    """A JSON object with its keys in NFC, as column names are compared."""
    if not isinstance(record, dict) or all(key.isascii() for key in record):
        return record
    return {nfc_name(key): value for key, value in record.items()}


def _whole_number(label: object) -> object:
    """A label that is a float of a whole number (``1.0``, as pandas writes an integer
    column with a gap) as that integer, so that it is the label ``1`` is; others as given."""
    if isinstance(label, numbers.Real) and not isinstance(label, numbers.Integral):
        value = float(label)
        if value.is_integer() and abs(value) < 2**53:  # 1e300 is no class number
            return int(value)
    return label


def _utf8(options: ReadOptions) -> bool:
    return is_utf8(options.encoding)


def _reason(exc: BaseException, path: Path) -> str:
    if isinstance(exc, EOFError):
        return "the compressed file is truncated"
    if isinstance(exc, OSError) and exc.strerror:  # the path read is named before it
        inside = exc.filename is not None and os.fspath(exc.filename) != os.fspath(path)
        return f"{exc.filename}: {exc.strerror}" if inside else exc.strerror  # a folder's file
    return str(exc) or type(exc).__name__


class _Reader:
    """One pass over one source, collecting examples and counting skipped rows."""

    def __init__(
        self,
        path: Path,
        options: ReadOptions,
        result: ReadResult | None = None,
        texts_only: bool = False,
        noted: bool = True,
    ) -> None:
        self.path = path
        self.options = options
        self.result = result or ReadResult(Examples())
        self.texts_only = texts_only
        """Unlabelled text: no label column or key is needed; rows come as (text, "")."""
        self.noted = noted
        """Whether this pass notes what it finds (a streamed run's later passes do not:
        their first pass said it, and each epoch repeated it)."""

    def _note(self, line: str) -> None:
        if self.noted:
            note(line)

    skip_hint: str | None = "--skip-bad-rows"
    """How a user skips bad rows; None where none may be (every row answered)."""
    every_row = False
    """Texts alone, a blank one kept: see :func:`read_texts`."""
    place = "line"
    """What a number ``where`` counts: lines of a file, rows a caller holds."""

    def bad(self, where: str, message: str) -> None:
        if not self.options.skip_bad_rows or self.skip_hint is None:
            how = f" (use {self.skip_hint} to skip)" if self.skip_hint else ""
            raise SentigruError(f"{self.path}:{where}: {message}{how}")
        self.skip(where, message)

    def skip(self, where: str, message: str) -> None:
        """Count a skipped row, keeping the first one's place and reason: when every row
        is bad, they say why nothing was read."""
        if not self.result.skipped:
            place = f"{self.place} {where}" if where.isdigit() else where
            self.result.first_bad = f"{place}: {message}"[:200]
        self.result.skipped += 1

    def row(self, where: str, text: object, label: object) -> Iterator[tuple[str, str]]:
        """The checked ``(text, label)`` row, or nothing when it is bad and skipped."""
        if not isinstance(text, str):
            self.bad(where, f"text must be a string, got {reprlib.repr(text)}")
            return
        if not text.strip() and not (self.every_row and self.texts_only):
            self.bad(where, "empty text")
            return
        if self.texts_only:
            yield text, ""
            return
        if isinstance(label, bool):  # an is_positive column, JSON's true: named as printed
            label = str(label)
        label = _whole_number(label)
        if not isinstance(label, (str, int)):
            self.bad(where, f"label must be a string or an integer, got {reprlib.repr(label)}")
            return
        if isinstance(label, int) and abs(label) >= 2**53:  # no class is numbered so
            self.bad(where, f"label of {label.bit_length()} bits: too large to name a class")
            return
        label = label_name(str(label))
        if not label:
            self.bad(where, "empty label")
            return
        if label in MISSING_LABELS and label not in self.options.label_map:
            self.bad(
                where,
                f"label {label!r} marks a missing value (--label-map {label}=NAME keeps it "
                "as a label)",
            )
            return
        if len(self.result.labels) < LABELS_KEPT:
            self.result.labels.add(label)
        if label in self.options.label_map:
            self.result.renamed += 1
        yield text, self.options.label_map.get(label, label)

    def _check_first_line(self, raw: bytes) -> None:
        """What the first line shows a file is, when it is not text to read: UTF-16, gzip
        or zip named, any other NUL a binary file."""
        if wide := wide_unicode(raw):
            raise SentigruError(f"{self.path}: looks like {wide} text; save it as UTF-8")
        kind = archive(raw)
        if kind == "gzip":
            how = (  # a pipe (/dev/stdin, <(...)) cannot be renamed
                f"give it a name ending in .gz ({self.path.name}.gz)"
                if self.path.is_file()
                else "decompress it as it is piped (gzip -dc)"
            )
            raise SentigruError(f"{self.path}: is gzip-compressed; {how}")
        if kind == "zip":
            raise SentigruError(
                f"{self.path}: is a zip file (an Excel or other spreadsheet workbook?); "
                "save the sheet as CSV UTF-8"
            )
        if b"\0" in raw[:8192]:
            raise SentigruError(f"{self.path}: looks like a binary file, not text")

    def lines(self, stream: IO[bytes]) -> Iterator[str]:
        """Decoded lines, with the line and byte offset of any byte that does not decode.

        A line longer than :data:`LINE_LIMIT` is never held whole: it is read in pieces
        and refused (or, with ``skip_bad_rows``, counted and replaced by a blank line so
        that later line numbers stay right)."""
        offset = 0
        number = 0
        utf8_before = False  # a line before held text beyond ASCII, and decoded
        told = _utf8(self.options)  # UTF-8 read in another encoding: said once
        while raw := stream.readline(LINE_LIMIT + 1):
            number += 1
            if number == 1:  # before a long line is drained: /dev/zero has no end
                self._check_first_line(raw)
            if len(raw) > LINE_LIMIT:
                offset += len(raw) + drain_line(stream)
                self.bad(str(number), f"line longer than {LINE_LIMIT >> 20} MiB")
                yield "\n"
                continue
            if number == 1 and raw.startswith(codecs.BOM_UTF8) and not _utf8(self.options):
                raise SentigruError(  # read as cp1252, its text would be "TrÃ¨s bon"
                    f"{self.path}: starts with UTF-8's byte-order mark: it is UTF-8, not "
                    f"{self.options.encoding}; drop --encoding"
                )
            try:
                line = raw.decode(self.options.encoding)
                if not told and not raw.isascii() and decodes_as_utf8(raw):
                    told = True  # real cp1252 or Latin-1 text is almost never valid UTF-8
                    self._note(
                        f"{self.path}:{number}: note: valid UTF-8, read as "
                        f"{self.options.encoding} (its letters beyond ASCII become others); "
                        "drop --encoding (encoding=) if the file is UTF-8"
                    )
                utf8_before = utf8_before or not raw.isascii()
                yield line.removeprefix("\ufeff") if number == 1 else line  # a byte-order mark
            except UnicodeDecodeError as exc:
                byte = f"byte {offset + exc.start} of the file"
                if not self.options.skip_bad_rows:
                    before = utf8_before or not raw[: exc.start].isascii()
                    why = undecodable(raw, self.options.encoding, before, "line", self.skip_hint)
                    raise SentigruError(f"{self.path}:{number}: {byte} is {why}") from None
                self.skip(str(number), f"{byte} is not valid {self.options.encoding}")
                yield "\n"  # a blank line keeps later line numbers right
            except LookupError:
                raise SentigruError(f"unknown encoding {self.options.encoding!r}") from None
            offset += len(raw)

    def open(self) -> IO[bytes]:
        if self.path.suffix.lower() == ".gz":
            return cast(IO[bytes], gzip.open(self.path, "rb"))
        return self.path.open("rb")

    def read_table(self, delimiter: str) -> Iterator[tuple[str, str]]:
        quoting: Literal[0, 3] = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        with self.open() as stream:
            records = self.records(stream, delimiter)
            header = next(records, (0, None))[1]
            if header is None:
                raise SentigruError(f"{self.path}: empty file")
            text_at, label_at = self._columns(header)
            names = _names(header)
            for line, row in records:
                where = str(line)
                if not any(field.strip() for field in row):
                    if self.every_row:
                        yield "", ""
                    continue  # a blank line, or a spreadsheet's empty row (",,")
                if not self.every_row and len(row) == len(header) and _names(row) == names:
                    self.result.headers += 1  # files joined: cat jan.csv feb.csv
                    continue
                if len(row) != len(header):
                    self.bad(where, self._width_problem(row, len(header), quoting))
                    continue
                yield from self.row(where, row[text_at], row[label_at])

    def records(self, stream: IO[bytes], delimiter: str) -> Iterator[tuple[int, list[str]]]:
        """The header and each record of a CSV or TSV file, with the line it ends on.
        TSV has no quoting (texts may hold '"'); CSV quoting follows the csv module,
        strictly: a quote that closes a field with more text after it is an error, not
        text read on (a quote left open swallowed the rows after it into one text)."""
        quoting: Literal[0, 3] = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        last: list[str] = []  # the file's last line, once it is read
        rows = csv.reader(
            _noting_last(self.lines(stream), last),
            delimiter=delimiter,
            quoting=quoting,
            strict=quoting != csv.QUOTE_NONE,
        )
        start = 1  # the line the record being read began on
        try:
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if _LONE_CR in str(exc) and rows.line_num > 1:  # a row's own fault
                        self.bad(str(rows.line_num), _lone_cr(quoting))
                    elif _QUOTE_CLOSED_EARLY not in str(exc) or start == 1:
                        raise
                    else:
                        self._quote_closed_early(start, rows.line_num)
                    start = rows.line_num + 1
                    continue
                if quoting != csv.QUOTE_NONE and last and rows.line_num > start:
                    self._check_closed(start, last[0])  # a record over several lines
                line, start = rows.line_num, rows.line_num + 1
                yield line, row
        except csv.Error as exc:
            raise self._csv_error(exc, start, rows.line_num, quoting) from None

    def _quote_closed_early(self, start: int, line: int) -> None:
        """A quoted field whose closing quote has more text after it. Within one line, a
        bad row (``"5" screen``: quote it whole, doubling the quote inside). Over several,
        a quote left open that swallowed the lines after it, rows among them, and closed
        on a later field's opening quote: refused even when bad rows are skipped, as
        skipping it would lose every row it swallowed."""
        fix = "quote the whole field, and double each quote inside it"
        if line == start:
            self.bad(str(line), f"a quote closes the field with text after it: {fix}")
            return
        raise SentigruError(
            f"{self.path}:{start}: the quote that opens here closes only on line {line}, "
            "with text after it: a closing quote missing? (the lines between would be "
            f"read as one text; {fix})"
        )

    def _csv_error(self, exc: csv.Error, start: int, line: int, quoting: int) -> SentigruError:
        """The csv module's error as one line naming the line and the likely cause."""
        if quoting != csv.QUOTE_NONE and "field larger than field limit" in str(exc):
            return SentigruError(
                f"{self.path}:{start}: a field opens here and runs on for more than "
                f"{LINE_LIMIT >> 20} MiB: a quote never closed?"
            )
        if "unexpected end of data" in str(exc):  # strictly read: a quote never closed
            return SentigruError(
                f"{self.path}:{start}: a quoted field opens here and is never closed: every "
                "later line would be read into its text"
            )
        if _LONE_CR in str(exc):  # on the first line: every line ends so
            return SentigruError(f"{self.path}:{line}: {LONE_CR_LINES} (CSV UTF-8)")
        return SentigruError(f"{self.path}:{line}: {exc}")

    @staticmethod
    def _width_problem(row: list[str], width: int, quoting: int) -> str:
        """Why a row has the wrong number of fields; in TSV with fewer, a quote that opens
        or closes a text suggests a quoted text over several lines, which TSV cannot hold
        (the lines between are read as texts of their own)."""
        problem = f"expected {width} fields, found {len(row)}"
        if quoting == csv.QUOTE_NONE and len(row) < width and _opens_quote(row):
            problem += (
                ": a quoted text over several lines? TSV is read without quotes; save such "
                "a file as CSV"
            )
        return problem

    def _check_closed(self, start: int, last_line: str) -> None:
        """A record of several lines read to the end of the file, whose last line does
        not close a quote, began with a quote that is never closed: the csv module
        reads every later row into its text. Refused, with the line it opened on."""
        if not last_line.rstrip("\r\n").endswith('"'):
            raise SentigruError(
                f"{self.path}:{start}: a quoted field opens here and is never closed: every "
                "later line would be read into its text"
            )

    def _columns(self, header: list[str]) -> tuple[int, int]:
        names = [nfc_name(name.strip()) for name in header]  # é typed or decomposed alike
        wanted = (nfc_name(self.options.text_column), nfc_name(self.options.label_column))
        needed = wanted[:1] if self.texts_only else wanted
        missing = [name for name in needed if name not in names]
        if missing:
            found = ", ".join(repr(n) for n in names[:10]) or "none"
            if len(names) == 1 and any(mark in names[0] for mark in ";|"):
                mark = ";" if ";" in names[0] else "|"
                raise SentigruError(
                    f"{self.path}: the header {names[0]!r:.60} is one column: columns "
                    f"separated by {mark!r}? Save the file as CSV with commas, or as TSV"
                )
            if names and names[0].casefold().startswith("sep="):
                raise SentigruError(
                    f"{self.path}: the first line is Excel's 'sep=' line, not a header: "
                    "delete it (Excel's 'CSV UTF-8' writes none)"
                )
            raise SentigruError(
                f"{self.path}: no column {' or '.join(repr(m) for m in missing)} in the header "
                f"(found {found}; {_columns_hint(names, wanted, missing, self.texts_only)})"
            )
        text_at = names.index(wanted[0])
        return text_at, names.index(wanted[1]) if wanted[1] in names else text_at

    def read_jsonl(self) -> Iterator[tuple[str, str]]:
        text_key, label_key = (
            nfc_name(self.options.text_column),
            nfc_name(self.options.label_column),
        )
        with self.open() as stream:
            for number, line in enumerate(self.lines(stream), start=1):
                if not line.strip():
                    if self.every_row:
                        yield "", ""
                    continue
                where = str(number)
                try:  # a byte-order mark inside: files that each had one, joined by cat
                    record = nfc_keys(json.loads(line.removeprefix("\ufeff")))
                except (json.JSONDecodeError, RecursionError) as exc:
                    spread = number == 1 and line.strip() == "{"  # one object over lines
                    fix = f": JSON over lines? One object a line: jq -c . {_shell_path(self.path)}"
                    why = getattr(exc, "msg", "nested too deeply")  # '[' thousands deep
                    self.bad(where, f"not JSON ({why})" + (fix if spread else ""))
                    continue
                if not isinstance(record, dict):
                    self.bad(where, "each line must be a JSON object")
                    continue
                needed = (text_key,) if self.texts_only else (text_key, label_key)
                if missing := [key for key in needed if key not in record]:
                    self.bad(where, self._missing_keys(missing, record))
                    continue
                yield from self.row(where, record[text_key], record.get(label_key))

    def _missing_keys(self, missing: list[str], record: dict[str, Any]) -> str:
        """Which keys an object lacks and which it has, as the header's message says."""
        keys = [f"{key!r:.30}" for key in list(record)[:6]]
        found = ", ".join(keys) + (", …" if len(record) > 6 else "") or "none"
        options = "--text-column" if self.texts_only else "--text-column / --label-column"
        return (
            f"no key {' or '.join(repr(key) for key in missing)} in the object (found "
            f"{found}; choose with {options})"
        )

    def read_folder(self) -> Iterator[tuple[str, str]]:
        folders = sorted(p for p in self.path.iterdir() if p.is_dir())
        if not folders:
            raise SentigruError(
                f"{self.path}: a data folder needs one sub-folder per label holding .txt files"
                + self._files_hint()
            )
        for folder in folders:
            if folder.name == UNLABELLED_FOLDER and not self.options.label_map.get(folder.name):
                self._note(
                    f"{folder}: skipped: aclImdb's unlabelled reviews (give the folder to "
                    "--unlabelled)"
                )
                continue
            for file in sorted(folder.glob("*.txt")):
                text = self._text_file(file)
                if text is not None:
                    yield from self.row(f"{folder.name}/{file.name}", text, folder.name)

    def _files_hint(self) -> str:
        """For a folder of data files: the globs that give them (``--data 'd/*.csv'``)."""
        globs = Counter(
            "*" + "".join(file.suffixes[-2 if file.suffix.lower() == ".gz" else -1 :])
            for file in self.path.iterdir()
            if file.is_file() and _suffix(file) in _SUFFIXES
        )
        if not globs:
            return ""
        given = " ".join(
            f"--data {shlex.quote(str(self.path / glob))}" for glob, _ in globs.most_common(3)
        )
        return f"; to read the files it holds, give them: {given}"

    def read_lines(self) -> Iterator[tuple[str, str]]:
        """One text per line; blank lines are skipped (kept: :func:`read_texts`)."""
        with self.open() as stream:
            for number, line in enumerate(self.lines(stream), start=1):
                if number == 1 and not line.endswith("\n") and "\r" in line.rstrip("\r"):
                    # else every line is one text, answered once
                    raise SentigruError(f"{self.path}: {LONE_CR_LINES}")
                if line.strip() or self.every_row:
                    yield from self.row(str(number), line.rstrip("\r\n"), "")

    def read_text_files(self) -> Iterator[tuple[str, str]]:
        """Every ``.txt`` file of a folder, one text each (aclImdb's ``unsup/``)."""
        files = sorted(self.path.glob("*.txt"))
        if not files:
            raise SentigruError(f"{self.path}: a folder of unlabelled texts needs .txt files")
        for file in files:
            text = self._text_file(file)
            if text is not None:
                yield from self.row(file.name, text, "")

    def _text_file(self, file: Path) -> str | None:
        """The file's text; None when it does not decode and bad rows are skipped."""
        with file.open("rb") as stream:
            data = stream.read(LINE_LIMIT)  # the model never reads further
        if wide := wide_unicode(data[:8192]):  # read on, it is one letter in every two
            raise SentigruError(f"{file}: looks like {wide} text; save it as UTF-8")
        if _utf8(self.options):
            data = data.removeprefix(codecs.BOM_UTF8)
        try:
            return _decode_prefix(data, self.options.encoding, LINE_LIMIT)
        except UnicodeDecodeError as exc:
            if self.options.skip_bad_rows:
                self.skip(f"{file.parent.name}/{file.name}", f"byte {exc.start} does not decode")
                return None
            before = not data[: exc.start].isascii()
            why = undecodable(data, self.options.encoding, before, "file", self.skip_hint)
            raise SentigruError(f"{file}: byte {exc.start} is {why}") from None


def label_name(label: str) -> str:
    """A label as sentigru names it: stripped, in composed form (NFC). Folder names from
    macOS come decomposed (NFD): their Korean labels looked like the model's and were
    refused as unknown."""
    return unicodedata.normalize("NFC", label.strip())


def _named_map(pairs: Iterable[tuple[Any, Any]], shown: str = "label map") -> dict[str, Any]:
    """``(old, new)`` pairs as a map, its labels named as labels are read
    (:func:`label_name`); two pairs that rename one label two ways (``0`` and ``"0"``, a
    label and its decomposed form, or a repeat in ``--label-map``) are refused: the
    first was dropped without a word."""
    named: dict[str, Any] = {}
    for old, new in pairs:
        key = label_name(str(old))
        new = label_name(new) if isinstance(new, str) else new
        if named.setdefault(key, new) != new:
            raise SentigruError(f"{shown}: {key} is renamed twice ({named[key]}, {new})")
    return named


MISSING_LABELS = frozenset(
    {"nan", "NaN", "NAN", "NA", "N/A", "n/a", "#N/A", "None", "null", "NULL"}
)
"""What pandas, R, Excel, JSON and SQL write for a missing value, refused as a label as an
empty one is (5 % of rows marked ``nan`` trained a third label): a label map naming one
keeps it. Lower-case ``none`` stays a label (a class of its own in some sets)."""


def _columns_hint(
    names: list[str], wanted: tuple[str, str], missing: list[str], texts_only: bool
) -> str:
    """How to name the columns: the header's own spelling where it differs only in case
    (``Text``, ``Label``, as spreadsheets write them); a note where the first line looks
    like a row of data (a file without a header); else the options."""
    options = ("--text-column", "--label-column")
    spelt = {name.casefold(): name for name in names}
    if all(m.casefold() in spelt for m in missing):
        given = [  # quoted for the shell: a header may hold spaces ("Review Text")
            f"{option} {shlex.quote(spelt[m.casefold()])}"
            for option, m in zip(options, wanted)
            if m in missing
        ]
        return f"give {' '.join(given)} (text_column=, label_column=)"
    choose = "--text-column" if texts_only else "--text-column / --label-column"
    if any(_reads_as_text(name) for name in names):
        return f"choose with {choose}; if that line is a row of text, add a header line"
    return f"choose with {choose}"


def _reads_as_text(name: str) -> bool:
    """Whether a header cell reads as a row of text (or a form's question) more than a
    column's name: four words or more, or ten characters or more of a script written
    without spaces (Japanese, Chinese: wide; Thai, Lao, Khmer, Myanmar)."""
    unspaced = sum(
        unicodedata.east_asian_width(char) in "WF"
        or "\u0e00" <= char <= "\u0eff"
        or "\u1000" <= char <= "\u109f"
        or "\u1780" <= char <= "\u17ff"
        for char in name
    )
    return len(name.split()) >= 4 or unspaced >= 10


def parse_label_map(text: str | dict[str, str] | None) -> dict[str, str]:
    """``"0=negative,1=positive"`` → ``{"0": "negative", "1": "positive"}`` (a dict passes
    through); a malformed pair is a one-line error. Names in NFC, as labels are read."""
    if not text:
        return {}
    if isinstance(text, dict):
        return {k: str(v) for k, v in _named_map(text.items()).items()}
    text = unicodedata.normalize("NFC", text)
    items = [item.replace("\\,", ",") for item in re.split(r"(?<!\\),", text)]
    pairs = [item.split("=", 1) for item in items if item.strip()]
    if any(len(pair) != 2 or not pair[0].strip() or not pair[1].strip() for pair in pairs):
        comma = any(len(pair) == 1 for pair in pairs[1:])  # "1=meh, so-so": a name's comma
        raise SentigruError(
            f"label map {text!r}: use OLD=NEW pairs separated by commas, e.g. 0=negative,1=positive"
            + (" (a comma inside a name is written \\,: '1=meh\\, so-so')" if comma else "")
        )
    for _, new in pairs:
        if "=" in new:  # 0=부정，1=긍정: a full-width comma, typed by CJK input methods
            raise SentigruError(
                f"label map {text!r}: the new name {new.strip()!r} holds '=': separate pairs "
                "with an ASCII comma (,)"
            )
    return _named_map(((old, new) for old, new in pairs), f"label map {text!r}")
