"""``sentigru predict``'s input and output: texts from the arguments or stdin lines
(bounded in memory, decoded as asked, a bad byte noted), one answer line per text
(plain or JSON), and the notes on texts the model could not read."""

from __future__ import annotations

import codecs
import functools
import itertools
import json
import re
import shlex
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from sentigru.console import echo_err, one_line
from sentigru.contract import cut_at_nul, token_unit
from sentigru.errors import SentigruError

LINE_LIMIT = 1 << 20
"""Bytes of one stdin line that are kept. The model reads at most ``seq_len`` words,
which in any real text come long before a mebibyte; the rest of a longer line is read
and dropped, so a huge line without a newline costs bounded memory."""


UNREAD_NOTES = 3
"""Texts without a known word, and texts read only in part (a third or more of their
words unknown or unread: :func:`sentigru.tokenizer.reads_part`), that get a note of
their own on stderr; more are counted."""


def given_texts(
    args: Sequence[str], cut: set[int] | None = None, encoding: str = "utf-8"
) -> Iterator[str]:
    """Texts from the arguments; none, or ``-`` alone, reads one text per line from
    stdin, in ``encoding``. The index of each line kept only in part (:data:`LINE_LIMIT`)
    goes into ``cut``, so that its answer says so."""
    if args and list(args) != ["-"]:
        if "-" in args:
            raise click.UsageError("'-' reads the texts from stdin; give it alone")
        if _names_a_model(args[0]):  # `predict MODEL "text"`, or a model alone
            echo_err(
                f"note: {args[0]!r} is classified as a text; to classify texts with "
                f"that model: sentigru predict --model {shlex.quote(args[0])} TEXT..."
            )
        elif len(args) == 1 and _names_a_file(args[0]):
            how = (
                f"the texts of that file: sentigru predict --data {shlex.quote(args[0])}"
                if _names_data_file(args[0])
                else f"the lines of that file: sentigru predict - < {shlex.quote(args[0])}"
            )
            echo_err(f"note: {args[0]!r} is classified as a text; to classify {how}")
        yield from args
        return
    from sentigru.data.encodings import decodes_as_utf8, wide_unicode
    from sentigru.data.files import drain_line

    stream = sys.stdin.buffer
    noted = False
    told = names_utf8(encoding)  # UTF-8 read in another encoding: said once
    for index in itertools.count():
        line = stream.readline(LINE_LIMIT)
        if not line:
            return
        if index == 0 and (wide := wide_unicode(line)):  # --encoding utf-16 is refused
            raise SentigruError(
                f"stdin looks like {wide} text (PowerShell, Notepad's Unicode); "
                f"give it as UTF-8 (iconv -f {wide.lower()} -t utf-8)"
            )
        if index == 0 and (packed := _packed(line)):  # its bytes answered as cp1252 text
            raise SentigruError(f"stdin is {packed}")
        if index == 0 and (why := _first_line_problem(line, encoding)):
            raise SentigruError(f"stdin {why}")
        if len(line) >= LINE_LIMIT and b"\0" in line[:8192]:
            # a whole read without a line's end, and NULs: /dev/zero, drained for ever
            raise SentigruError("stdin looks like binary data, not text")
        if not line.endswith(b"\n"):  # the tail of an over-long line: read, not kept
            tail = stream.readline(LINE_LIMIT)
            if tail.rstrip(b"\r\n") and cut is not None:  # more than the line's end
                cut.add(index)
            if tail and not tail.endswith(b"\n"):
                drain_line(stream)
        cut_here = len(line) >= LINE_LIMIT and not line.endswith(b"\n")  # not a last line
        text, decoded = _decoded(line, encoding, first=index == 0, cut=cut_here)
        if not decoded and index == 0:  # nothing answered yet: refused, as --data's file is
            raise SentigruError(f"line 1 of stdin is {_why_not(line, encoding)}")
        if not decoded and not noted:  # a cp1252 file piped in: accents lost without a word
            noted = True
            echo_err(
                f"note: line {index + 1} of stdin is not {encoding}: its bad bytes read as "
                f"'\ufffd' (give the stdin's encoding: --encoding {_likely(line, encoding)})"
            )
        if decoded and not told and not line.isascii() and decodes_as_utf8(line):
            told = True  # as a --data file's: real cp1252 text is almost never UTF-8
            echo_err(
                f"note: line {index + 1} of stdin is valid UTF-8, read as {encoding} (its "
                "letters beyond ASCII become others); drop --encoding if it is UTF-8"
            )
        yield text.rstrip("\r\n")


def _first_line_problem(line: bytes, encoding: str) -> str:
    """What the first line of stdin shows is wrong with all of it, as a file's first line
    would: UTF-8's byte-order mark under another encoding, or lines ended by a lone
    carriage return (old Mac programs), which answered the whole input as one text."""
    if line.startswith(codecs.BOM_UTF8) and not names_utf8(encoding):
        return f"starts with UTF-8's byte-order mark: it is UTF-8, not {encoding}; drop --encoding"
    if not line.endswith(b"\n") and b"\r" in line.rstrip(b"\r"):
        return (
            "has lines ended by a lone carriage return (as old Mac programs save them): "
            "convert them (tr '\\r' '\\n')"
        )
    return ""


def _why_not(line: bytes, encoding: str) -> str:
    """Why the first line of stdin does not decode, with the ``--encoding`` to give: a
    Japanese file piped from Windows (cp932) was answered line by line as mojibake."""
    from sentigru.data.encodings import undecodable

    if b"\0" in line:  # an executable, an image: no encoding makes it text
        return "binary data, not text"
    why = undecodable(line, encoding, utf8_before=False, skip_hint=None)
    if re.search(r"--encoding \w", why) or "drop --encoding" in why:  # names the fix
        return why.removesuffix(", or mend it")
    return f"not {encoding}: give its encoding with --encoding {_likely(line, encoding)}"


def _packed(line: bytes) -> str:
    """What a first line of stdin shows it is when it is a compressed file, else "": the
    encoding advice for its bytes (cp1252) made sentigru answer the archive as text."""
    from sentigru.data.encodings import archive

    kind = archive(line)
    if kind == "gzip":
        return "gzip-compressed: decompress it as it is piped (zcat FILE | sentigru predict -)"
    return "a zip file (a spreadsheet workbook?): save the sheet as CSV UTF-8" if kind else ""


def _likely(line: bytes, encoding: str) -> str:
    """The encoding a line that is not ``encoding`` likely has: the code page that
    extends it (cp932 for shift_jis), else as a file's (cp1252 where none fits)."""
    from sentigru.data.encodings import extended_encoding, likely_encoding

    try:
        line.decode("utf-8")
        return "utf-8"  # UTF-8 piped with another encoding named: the default reads it
    except UnicodeDecodeError:
        return extended_encoding(line, encoding) or likely_encoding(line) or "cp1252"


def _decoded(line: bytes, encoding: str, first: bool, cut: bool = False) -> tuple[str, bool]:
    """A stdin line as text, and whether it decoded: bytes that do not decode read as
    U+FFFD; a byte-order mark is dropped from the ``first``. A line ``cut`` at the line
    limit may end inside a character, which is dropped, not taken for bad bytes."""
    try:
        if cut:  # its last character may be cut in two: left out
            text, decoded = codecs.getincrementaldecoder(encoding)().decode(line, False), True
        else:
            text, decoded = line.decode(encoding), True
    except UnicodeError:
        text, decoded = line.decode(encoding, "replace"), False
    return (text.removeprefix("\ufeff") if first else text), decoded


def stdin_encoding(encoding: str) -> str:
    """``--encoding`` for stdin, checked as a file's is (an unknown one is bad usage)."""
    from sentigru.data.files import ReadOptions

    ReadOptions(encoding=encoding)
    return encoding


def names_utf8(encoding: str) -> bool:
    """:func:`sentigru.data.encodings.is_utf8`, without loading the data readers (predicting
    arguments needs none of them)."""
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def _names_a_model(text: str) -> bool:
    """Whether a text given to ``predict`` names a model (a ``.tflite`` file, or a folder
    with a ``manifest.json``), as if ``--model`` had been left out."""
    return _names(text, _is_model)


def _is_model(path: Path) -> bool:
    return (path.suffix == ".tflite" and path.is_file()) or (path / "manifest.json").is_file()


def _names_a_file(text: str) -> bool:
    """Whether a text given to ``predict`` is the name of a file (as fastText's
    ``predict`` takes one), not a sentence."""
    return _names(text, Path.is_file)


def _names_data_file(text: str) -> bool:
    """Whether the file ``text`` names is a table (.csv, .tsv, .jsonl), whose rows are
    texts in a column, not lines to classify whole."""
    from sentigru.data.files import detect_format

    try:
        return detect_format(Path(text)) in ("csv", "tsv", "jsonl")
    except SentigruError:
        return False


def _names(text: str, test: Callable[[Path], bool]) -> bool:
    """``test`` of the path ``text`` spells, for a text short and on one line enough to
    be a path (a sentence or a huge line is not asked of the file system)."""
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return test(Path(text))
    except (OSError, ValueError):
        return False


def plain_line(text: str, result: dict[str, Any]) -> str:
    """``label<TAB>score`` for each label shown, then the text. A text with no known word
    gets ``?`` and no score in each pair: its score means nothing, and a label there
    would read as an answer (the web page shows none; apps are told to show none).
    ``--json`` keeps them, with ``"read": "none"``."""
    if result["read"] == "none":
        pairs = "\t".join("?\t" for _ in result["scores"])
    else:
        pairs = "\t".join(f"{one_line(r['label'])}\t{r['score']:.4f}" for r in result["scores"])
    return f"{pairs}\t{one_line(text)}"


def json_line(result: dict[str, Any]) -> str:
    """One result as JSON on one line, its text as written where stdout takes UTF-8
    (but for the characters some readers take as line breaks); escaped where
    it does not (a cp1252 pipe, a latin-1 locale), where a label such as *bon😀* was
    written as ``bon\\U0001f600``, which is no JSON."""
    utf8 = _is_utf8(getattr(sys.stdout, "encoding", None) or "ascii")
    line = json.dumps(result, ensure_ascii=not utf8)
    # Valid JSON raw, but line breaks to str.splitlines() and JavaScript before ES2019,
    # and C1 controls (U+009B starts a terminal escape) to a terminal
    return line.translate(_ESCAPED_RAW) if utf8 else line


@functools.lru_cache(maxsize=8)
def _is_utf8(encoding: str) -> bool:
    """Looked up once per encoding, not once per line of a million-line stdin."""
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


_ESCAPED_RAW = {c: f"\\u{c:04x}" for c in (*range(0x7F, 0xA0), 0x2028, 0x2029)}


class ReadingNotes:
    """predict's notes on stderr: texts with no known word, texts read only in part and
    texts cut, the first :data:`UNREAD_NOTES` of each on their own and the rest counted
    (``every``: each on its own), and, for a model of ASCII words, once, the tokenizer
    that reads the accented or other-script words it missed."""

    def __init__(self, tokenizer: str = "regex", every: bool = False) -> None:
        self.unread = self.partly = self.cut = 0
        self.every = every
        self.unit = token_unit(tokenizer)
        self.hint = tokenizer == "regex"  # still to give

    def _own(self, count: int) -> bool:
        return self.every or count <= UNREAD_NOTES

    def add(self, text: str, result: dict[str, Any], line_cut: bool) -> None:
        known, unknown = result["known_tokens"], result["unknown_tokens"] + result["unread_words"]
        if result["truncated"]:
            self.cut += 1
            if self._own(self.cut):
                where = (
                    f"is longer than a line predict reads ({LINE_LIMIT:,} bytes)"
                    if line_cut
                    else "has a NUL character"
                    if cut_at_nul(text)
                    else "is longer than the model reads"
                )
                same = "" if line_cut else " (the phone cuts it at the same place)"
                echo_err(
                    f"note: {text[:40]!r}… {where}; its score reads at most what comes before{same}"
                )
        if result["read"] == "none":
            self.unread += 1
            if self._own(self.unread):
                echo_err(
                    f"note: the model knows no {self.unit} of {text[:40]!r}: no answer "
                    "(its score would mean nothing)"
                )
        elif result["read"] == "part":
            self.partly += 1
            if self._own(self.partly):
                echo_err(
                    f"note: the model knows {known} of the {known + unknown} {self.unit}s of "
                    f"{text[:40]!r}; its score reads only those"
                )
        else:
            return
        from sentigru.tokenizer import has_unread_letters  # numpy: not for --help

        if self.hint and has_unread_letters(text):
            self.hint = False
            echo_err(
                "note: this model reads ASCII words only (accented letters and other scripts "
                "are cut or unread); a model trained with --preset sentencepiece reads any "
                "language"
            )

    def close(self) -> None:
        if self.unread > UNREAD_NOTES and not self.every:
            echo_err(
                f"note: {self.unread} texts in all had no {self.unit} the model knows "
                '(--json: "read": "none" on each)'
            )
        if self.partly > UNREAD_NOTES and not self.every:
            echo_err(
                f"note: {self.partly} texts in all had a third or more of their {self.unit}s "
                'unknown or unread (--json: "read": "part" on each)'
            )
        if self.cut > UNREAD_NOTES and not self.every:
            echo_err(
                f"note: {self.cut} texts in all were cut (at the model's length, a NUL or "
                "the line limit)"
            )
