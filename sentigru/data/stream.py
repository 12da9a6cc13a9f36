"""Labelled files read as a stream, for corpora larger than memory.

Nothing here holds the corpus: one pass (:meth:`StreamSource.scan`) counts the labels,
the words (in a bounded :class:`~sentigru.tokenizer.WordCounter`) and the fingerprint;
training then re-reads the files once per epoch through :meth:`StreamSource.rows`, a
generator that ``tf.data`` pulls from. Only bounded buffers live in memory: the shuffle
buffer, the word counter and what ``tf.data`` prefetches.

Rows go to validation by a seeded hash of their text, not by position, so the split needs
no pass over the data, does not depend on the order of files or workers, and keeps
repeated texts on one side.
"""

from __future__ import annotations

import glob
import hashlib
import os
import random
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sentigru.data.apostrophes import typed_on_phones
from sentigru.data.examples import (
    Examples,
    Fingerprint,
    ValidationCopies,
    check_known_labels,
    check_label_sets,
    check_label_spellings,
    check_two_labels,
    label_order,
)
from sentigru.data.files import ReadOptions, ReadResult, iter_rows
from sentigru.errors import SentigruError, UsageError, with_home_note
from sentigru.limits import note
from sentigru.outputs import file_identity
from sentigru.tokenizer import WordCounter

_GLOB_CHARS = frozenset("*?[")

VALIDATION_KEYS_HELD = 200_000
"""Most ``--val-data`` rows a streamed run holds (as 16-byte hashes, some 30 MB) to find
them among its training rows; beyond, it does not look."""


def expand_paths(patterns: Sequence[Path | str]) -> list[Path]:
    """Each pattern as itself, or, when it holds ``*``, ``?`` or ``[`` and names no file
    as written, as the sorted files it matches (``'reviews-*.tsv.gz'``); a pattern that
    matches nothing is an error, and so is a file named twice (by two patterns, a
    pattern and its name, or a link), which would count its rows twice without saying so."""
    named: list[tuple[Path, str]] = []  # each file with the pattern that named it
    for pattern in patterns:
        text = str(pattern)
        if text == "-" and not os.path.exists(text):
            raise UsageError("-: data is read from files, not from stdin; save it to a file")
        if _GLOB_CHARS.isdisjoint(text) or os.path.exists(text):
            named.append((Path(text), text))
            continue
        matches = sorted(glob.glob(text))
        if not matches:
            raise SentigruError(with_home_note(f"{text}: matches no file", text))
        named.extend((Path(m), text) for m in matches)
    _refuse_repeats(named)
    return [path for path, _ in named]


def same_file_key(path: Path) -> tuple[int, int] | str:
    """What two names of one file share: device and inode where it exists (links and
    other spellings alike), else its resolved path."""
    return file_identity(path) or os.path.realpath(path)


def _refuse_repeats(named: list[tuple[Path, str]]) -> None:
    seen: dict[tuple[int, int] | str, tuple[Path, str]] = {}
    for path, pattern in named:
        key = same_file_key(path)
        if key in seen:
            first, by = seen[key]
            where = f" (matched by {by})" if by != str(first) else ""
            said = "named twice" if first == path else f"the same file as {first}"
            raise SentigruError(f"{path}: {said}{where}; its rows would be read twice")
        seen[key] = (path, pattern)


def in_validation(text: str, seed: int, fraction: float) -> bool:
    """Whether ``text`` is held out: a seeded hash of it, read as a number in [0, 1),
    falls below ``fraction``."""
    if fraction <= 0:
        return False
    key = f"sentigru-val:{seed}".encode()
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, key=key)
    return int.from_bytes(digest.digest(), "little") < fraction * 2**64


INTERLEAVE = 16
"""Files read in turn while training on a stream."""


def _interleave(sources: Iterator[Iterator[tuple[str, str]]], width: int) -> Iterator:
    """Rows from up to ``width`` sources at a time, one from each in turn; a finished
    source is replaced by the next. Deterministic for a given order of sources."""
    active: deque[Iterator[tuple[str, str]]] = deque()
    for source in sources:
        active.append(source)
        if len(active) < width:
            continue
        yield from _take_turns(active, until=width - 1)
    yield from _take_turns(active, until=0)


def _take_turns(active: deque, until: int) -> Iterator[tuple[str, str]]:
    """Take rows in turn until only ``until`` sources are left."""
    while len(active) > until:
        source = active.popleft()
        row = next(source, None)
        if row is not None:
            yield row
            active.append(source)


def shuffled(rows: Iterable[tuple[str, str]], buffer: int, rng: random.Random) -> Iterator:
    """Rows in a random order drawn with a buffer of ``buffer`` rows (the ``tf.data``
    shuffle, done here so that the order depends only on ``rng``'s seed)."""
    pool: list[tuple[str, str]] = []
    for row in rows:
        if len(pool) < buffer:
            pool.append(row)
            continue
        i = rng.randrange(buffer)
        yield pool[i]
        pool[i] = row
    rng.shuffle(pool)
    yield from pool


class _Runs:
    """The longest run of one label in a sequence of labels."""

    def __init__(self) -> None:
        self.label: str | None = None
        self.length = self.longest = 0

    def add(self, label: str) -> None:
        self.length = self.length + 1 if label == self.label else 1
        self.label = label
        self.longest = max(self.longest, self.length)


@dataclass
class Scan:
    """What one pass over the files found."""

    labels: Counter[str] = field(default_factory=Counter)
    val_labels: Counter[str] = field(default_factory=Counter)
    words: WordCounter = field(default_factory=WordCounter)
    fingerprint: str = ""
    """Of the training files' rows (the share held out of them included)."""
    val_fingerprint: str = ""
    """Of the ``--val-data`` files' rows."""

    @property
    def train_rows(self) -> int:
        return sum(self.labels.values())

    @property
    def val_rows(self) -> int:
        return sum(self.val_labels.values())


@dataclass
class StreamSource:
    """Labelled files read row by row; validation rows are either ``val_paths`` or, when
    there are none, the ``val_fraction`` of rows chosen by :func:`in_validation`."""

    paths: list[Path]
    options: ReadOptions = field(default_factory=ReadOptions)
    val_paths: list[Path] = field(default_factory=list)
    val_fraction: float = 0.0
    seed: int = 0
    split_seed: int | None = None
    """The seed of the validation hash, where it is not ``seed`` (a run from a model
    holds out that model's rows)."""
    curly_share: float = 0.0
    """Share of training texts with a contraction read as phones type them
    (:func:`~sentigru.data.apostrophes.typed_on_phones`); validation rows stay as written."""
    _stamps: dict[Path, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)
    """Each file's size and modification time when it was scanned."""

    def __post_init__(self) -> None:
        if not self.paths:
            raise UsageError("no data: give --data FILE (data=), one or more, or a glob")

    def _files(self, part: str) -> list[Path]:
        return self.val_paths if part == "val" and self.val_paths else self.paths

    def _held_out(self, text: str) -> bool:
        return not self.val_paths and in_validation(text, self.held_out_seed(), self.val_fraction)

    def held_out_seed(self) -> int:
        """The seed of the validation hash."""
        return self.seed if self.split_seed is None else self.split_seed

    def rows(
        self,
        part: str = "train",
        shard: tuple[int, int] = (0, 1),
        order: random.Random | None = None,
    ) -> Iterator[tuple[str, str]]:
        """The ``(text, label)`` rows of ``part`` ("train", "val" or "all") that belong to
        worker ``shard[0]`` of ``shard[1]``: whole files when there are at least as many
        files as workers, else every ``shard[1]``-th row.

        With ``order`` (the same generator state on every worker), the files come in an
        order drawn from it, and up to :data:`INTERLEAVE` files are read in turn, a row
        from each, so that files holding one label each still mix."""
        index, count = shard
        files = list(self._files(part))
        if order is not None:
            order.shuffle(files)
        by_file = count > 1 and len(files) >= count
        if by_file:
            files = files[index::count]
        # the scan's pass noted what the files hold; each epoch would say it again
        readers = (iter_rows(self._unchanged(path), self.options, noted=False) for path in files)
        rows = _interleave(readers, INTERLEAVE if order is not None else 1)
        if count > 1 and not by_file:
            rows = islice(rows, index, None, count)
        if part == "all" or self.val_paths:
            # the files are all of one side
            yield from self._taught(rows) if part == "train" else rows
            return
        kept = ((text, label) for text, label in rows if (part == "val") == self._held_out(text))
        yield from self._taught(kept) if part == "train" else kept

    def _unchanged(self, path: Path) -> Path:
        """``path``, refused if it changed since the scan: rows appended between epochs
        were trained on unseen by the scan's counts and the manifest's fingerprint."""
        stamp = self._stamps.get(path)
        if stamp is not None and _stamp(path) != stamp:
            raise SentigruError(
                f"{path} changed during training (written to since it was scanned): the "
                "model would learn from rows its manifest does not name; restore it and "
                "--resume, or train again"
            )
        return path

    def _taught(self, rows: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
        """Training rows as the model is taught them."""
        for text, label in rows:
            yield typed_on_phones(text, self.curly_share, self.seed), label

    def scan(
        self,
        word_capacity: int | None = None,
        shuffle_buffer: int | None = None,
        per_text: bool = False,
    ) -> Scan:
        """One pass over every file: label counts per side, the words of the training
        side (in at most ``word_capacity`` counters), and the fingerprint of all rows.
        Warns when a file holds one label in a run longer than ``shuffle_buffer`` rows,
        which a buffer that size cannot mix. ``per_text``: words count once per text."""
        scan = Scan(words=WordCounter(word_capacity, per_text))
        fingerprint = Fingerprint()
        label_sets: dict[str, set[str]] = {}
        for path in [*self.paths, *self.val_paths]:
            self._stamps[path] = _stamp(path)
        val_fingerprint = Fingerprint()
        copies: ValidationCopies | None = ValidationCopies() if self.val_paths else None
        for path in self.val_paths:  # first: their texts are looked for in the training rows
            for text, label in iter_rows(path, self.options):
                scan.val_labels[label] += 1
                val_fingerprint.add(text, label)
                if copies is not None and len(copies.val) < VALIDATION_KEYS_HELD:
                    copies.hold(text, label)
                else:  # too many to hold: not looked for
                    copies = None
        for path in self.paths:
            counts = ReadResult(Examples())
            runs = _Runs()
            seen = label_sets.setdefault(str(path), set())
            for text, label in iter_rows(path, self.options, counts):
                runs.add(label)
                seen.add(label)
                fingerprint.add(text, label)
                if self._held_out(text):
                    scan.val_labels[label] += 1
                else:
                    scan.labels[label] += 1
                    scan.words.add(typed_on_phones(text, self.curly_share, self.seed))
                    if copies is not None:
                        copies.add(text, label)
            counts.report_skipped(path, self.options.label_map)
            if not seen:  # as a file read whole is refused: an empty folder, a header
                skipped = f" ({counts.skipped} bad row(s) skipped)" if counts.skipped else ""
                raise SentigruError(f"{path}: no labelled texts found{skipped}")
            if shuffle_buffer and runs.longest > shuffle_buffer:
                note(
                    f"{path}: warning: {runs.longest} rows in a row have one label, more than "
                    f"the shuffle buffer holds ({shuffle_buffer}); shuffle the file, split it, "
                    "or raise --shuffle-buffer"
                )
        scan.fingerprint = fingerprint.hexdigest()
        scan.val_fingerprint = val_fingerprint.hexdigest()
        if copies is not None:
            copies.note(given=True)
        check_label_sets(label_sets)
        check_label_spellings(scan.labels + scan.val_labels, self.options.label_map)
        self._check(scan)
        return scan

    def _check(self, scan: Scan) -> None:
        if not scan.train_rows:
            raise SentigruError("no labelled texts found in the training files")
        check_two_labels(scan.labels, "training data")
        if self.val_paths and not scan.val_rows:
            raise SentigruError(
                "--val-data holds no labelled rows: training would validate on nothing"
            )
        if self.val_fraction > 0 and not self.val_paths and not scan.val_rows:
            raise SentigruError(  # as the in-memory split refuses: no early stopping blind
                f"too few examples to hold out a validation split: none of the "
                f"{scan.train_rows} rows fell in the --val-split share ({self.val_fraction:g}); "
                "give --val-data FILE, more rows, or --val-split 0"
            )
        named = list(self.options.label_map.values())  # the model's order, as in memory
        order = label_order(scan.labels, named)
        check_known_labels(scan.val_labels, order, self.options.label_map)


def _stamp(path: Path) -> tuple[int, int]:
    """A file's size and modification time (a folder's own: its files are not
    followed), or (-1, -1) where it cannot be read."""
    try:
        stat = os.stat(path)
    except OSError:
        return -1, -1
    return stat.st_size, stat.st_mtime_ns
