"""One entry point for "the data the user named": files, a tfds dataset, or both."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentigru.data.examples import Examples, check_label_sets, check_label_spellings
from sentigru.data.files import ReadOptions, ReadResult, read_examples, read_rows
from sentigru.data.stream import expand_paths
from sentigru.errors import SentigruError, UsageError, empty_path, refuse_nul, refuse_table


@dataclass(frozen=True)
class DataSource:
    """Labelled data as the user names it: files (a glob stands for the files it
    matches), a prepared tensorflow-datasets set, texts and labels held in memory, or
    several of these, and how to read them."""

    paths: tuple[Path, ...] = ()
    dataset: str | None = None
    split: str | None = None
    """The tfds split; None: ``train`` for training, ``test`` for evaluation."""
    data_dir: Path | None = None
    options: ReadOptions = field(default_factory=ReadOptions)
    rows: Examples | None = field(default=None, repr=False)
    """Texts and labels in memory, given as a pair ``(texts, labels)`` (lists, arrays, a
    DataFrame's two columns) and checked when the source is made, as a file's rows are
    when it is read (``options``: ``label_map``, ``skip_bad_rows``)."""

    if TYPE_CHECKING:  # what a caller may give, which __post_init__ makes the fields above

        def __init__(
            self,
            paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] = (),
            dataset: str | None = None,
            split: str | None = None,
            data_dir: str | os.PathLike[str] | None = None,
            options: ReadOptions | Mapping[str, Any] | None = None,
            rows: Examples | tuple[Any, Any] | list[Any] | None = None,
        ) -> None: ...

    def __post_init__(self) -> None:
        if isinstance(self.paths, (str, os.PathLike)):  # one path, not its characters
            object.__setattr__(self, "paths", (Path(self.paths),))
        else:  # a list, a glob's generator: a tuple of paths, as annotated
            paths = _paths_in(self.paths)
            if paths is None:
                raise SentigruError(f"paths are a path or a list of paths, not {self.paths!r:.60}")
            object.__setattr__(self, "paths", tuple(paths))
        for name in ("dataset", "split"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise SentigruError(f"{name} is a name, not {value!r:.60}")
        self._check_tfds_fields()
        if self.options is None:  # the defaults
            object.__setattr__(self, "options", ReadOptions())
        if isinstance(self.options, dict):  # ReadOptions' fields, as a Python caller may
            try:
                object.__setattr__(self, "options", ReadOptions(**self.options))
            except TypeError as exc:
                raise SentigruError(f"options: {exc}") from None
        if not isinstance(self.options, ReadOptions):
            raise SentigruError(
                f"options is a ReadOptions (or a dict of its fields), not {self.options!r:.60}"
            )
        if self.rows is not None and not isinstance(self.rows, Examples):
            if not is_rows(self.rows):
                raise SentigruError(
                    f"rows is a pair (texts, labels) of two lists, not {self.rows!r:.60}"
                )
            result = read_rows(*self.rows, self.options)
            result.report_skipped(Path("rows"), self.options.label_map)
            object.__setattr__(self, "rows", result.examples)

    @classmethod
    def of(cls, data: Any, **fields: Any) -> DataSource:
        """A source from what a Python caller passes: a source, one path, several, or a
        pair ``(texts, labels)``; ``fields`` are the source's own (``dataset``, ``split``,
        ``data_dir``, ``options``) and, by name, :class:`ReadOptions`' (``label_map``,
        ``text_column`` …)."""
        kw = _source_fields(fields)
        if isinstance(data, DataSource):
            if kw:
                raise SentigruError(
                    f"give {', '.join(sorted(fields))} in the DataSource, not beside it"
                )
            return data
        refuse_table(data, "data", TWO_COLUMNS)
        if is_rows(data):
            return cls(rows=data, **kw)
        if data is None:
            paths: tuple[Path, ...] = ()
        elif isinstance(data, (str, os.PathLike)):
            paths = (_path(data),)
        else:
            items = _paths_in(data)
            if items is None:
                raise SentigruError(
                    f"data is a path, a list of paths, a pair (texts, labels) or a "
                    f"DataSource, not {type(data).__name__} {data!r:.60}"
                )
            paths = tuple(items)
        return cls(paths, **kw)

    def _check_tfds_fields(self) -> None:
        """``split`` and ``data_dir`` choose from a tfds set: beside files alone they
        were ignored without a word (the CLI refused them; Python did not)."""
        if self.data_dir is not None:
            if not isinstance(self.data_dir, (str, os.PathLike)) or not str(self.data_dir):
                raise SentigruError(f"data_dir is a folder's path, not {self.data_dir!r:.60}")
            refuse_nul(self.data_dir, "data_dir")
            object.__setattr__(self, "data_dir", Path(self.data_dir))
        if not self.dataset and (self.split is not None or self.data_dir is not None):
            given = "split (--split)" if self.split is not None else "data_dir (--data-dir)"
            raise UsageError(f"{given} chooses from a tensorflow-datasets set: give dataset")
        if self.split is not None and not self.split.strip():
            raise UsageError("split is empty: give a split such as train or test[:10%]")

    @property
    def empty(self) -> bool:
        return not self.paths and not self.dataset and self.rows is None

    def load(self, default_split: str = "train", known: Sequence[str] = ()) -> Examples:
        """The examples; ``known``: a model's labels, which a label spelt two ways is
        merged into (evaluation), rather than into its commonest spelling."""
        return load_sources(
            self.paths,
            dataset=self.dataset,
            split=self.split or default_split,
            data_dir=self.data_dir,
            options=self.options,
            rows=self.rows,
            known=known,
        )


TWO_COLUMNS = "its two columns as a pair, (df['text'], df['label'])"
"""What to give in place of a table (:func:`sentigru.errors.refuse_table`)."""
SOURCE_FIELDS = ("dataset", "split", "data_dir", "options")
"""What a Python caller may give beside ``data`` (with :class:`ReadOptions`' fields)."""
READ_FIELDS = frozenset([*SOURCE_FIELDS, *(f.name for f in dataclasses.fields(ReadOptions))])
"""Every keyword that says how to read data: the source's and the reading options'."""


def _source_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as :class:`DataSource`'s own, :class:`ReadOptions`' gathered into
    ``options``; anything else is refused, naming what is taken."""
    reading = READ_FIELDS - set(SOURCE_FIELDS)
    unknown = sorted(set(fields) - READ_FIELDS)
    if unknown:
        raise SentigruError(
            f"data is read with {', '.join(SOURCE_FIELDS)} and {', '.join(sorted(reading))}, "
            f"not {', '.join(unknown)}"
        )
    kw = {name: value for name, value in fields.items() if name in SOURCE_FIELDS}
    options = {name: value for name, value in fields.items() if name in reading}
    if options:
        if kw.get("options") is not None:
            raise SentigruError(f"give {', '.join(sorted(options))} in options, not beside it")
        kw["options"] = ReadOptions(**options)
    return kw


def is_rows(data: object) -> bool:
    """Whether ``data`` is a pair ``(texts, labels)``: two collections that are neither
    paths nor strings (a pair of paths is two files)."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        return False
    return all(
        isinstance(part, Iterable)
        and not isinstance(part, (str, bytes, bytearray, os.PathLike, Mapping))
        for part in data
    )


def load_sources(
    paths: Sequence[Path] = (),
    *,
    dataset: str | None = None,
    split: str = "train",
    data_dir: Path | None = None,
    options: ReadOptions | None = None,
    rows: Examples | None = None,
    known: Sequence[str] = (),
) -> Examples:
    """Read every named file (in order; a glob stands for the files it matches), then
    take the ``rows`` held in memory and the tfds dataset, if any (``known``: see
    :meth:`DataSource.load`)."""
    if not paths and not dataset and rows is None:
        raise UsageError(
            "no data: give --data FILE (data=), one or more, or --dataset NAME (dataset=)"
        )
    examples = Examples()
    label_sets: dict[str, set[str]] = {}
    mapping = options.label_map if options else {}
    read: list[tuple[Path | str, ReadResult]] = []
    for path in expand_paths(paths):
        result = read_examples(Path(path), options)
        read.append((path, result))
        examples.extend(result.examples)
        label_sets[str(path)] = set(result.examples.labels)
    if rows is not None:
        examples.extend(rows)
        label_sets["rows"] = set(rows.labels)
    if dataset:
        from sentigru.data.tfds_source import load_tfds

        columns = (options.text_column, options.label_column) if options else ("text", "label")
        loaded = load_tfds(dataset, split, data_dir, *columns)
        renamed = sum(label in mapping for label in loaded.labels)
        read.append((dataset, ReadResult(loaded, labels=set(loaded.labels), renamed=renamed)))
        loaded.labels = [mapping.get(label, label) for label in loaded.labels]
        examples.extend(loaded)
        label_sets[dataset] = set(loaded.labels)
    renamed_any = any(result.renamed for _, result in read)
    for where, result in read:  # a map that renames one source's labels is no typo
        whose = "the dataset's" if where == dataset and dataset else "the file's"
        result.report_skipped(where, mapping, whose=whose, renamed_elsewhere=renamed_any)
    check_label_sets(label_sets)
    check_label_spellings(examples.counts(), options.label_map if options else None, known)
    return examples


def _path(name: str | os.PathLike[str]) -> Path:
    """A data path; an empty one is refused, as the CLI refuses it: ``Path("")`` is the
    working folder, read as a folder of label sub-folders (an unset variable)."""
    if not os.fspath(name):
        raise empty_path("data")
    refuse_nul(name, "data")
    return Path(name)


def _paths_in(data: object) -> list[Path] | None:
    """The paths of any iterable of paths (a list, a glob's generator; a set sorted, so
    that its rows come in the same order in every run), or None for what is not one (a
    number, bytes, a dict, an iterable of anything else)."""
    if isinstance(data, (bytes, bytearray, Mapping)) or not isinstance(data, Iterable):
        return None
    items = list(data)
    if not all(isinstance(p, (str, os.PathLike)) for p in items):
        return None
    paths = [_path(p) for p in items]
    return sorted(paths) if isinstance(data, (set, frozenset)) else paths


FILE_READING = {
    "rows": ("text_column", "label_column", "encoding"),
    "dataset": ("encoding", "skip_bad_rows"),
}
"""The reading options that read files only: texts and labels in memory have no columns
or bytes; a tfds set is decoded and checked by tfds."""


def refuse_unused_reading(source: DataSource, files_too: bool = False) -> None:
    """Refuse reading options given (:meth:`ReadOptions.given`) that nothing would read:
    taken, they did nothing. ``files_too``: files are read beside the source (validation
    files, which take every option)."""
    if source.paths or files_too:
        return
    kind = "dataset" if source.dataset else "rows" if source.rows is not None else None
    read = FILE_READING.get(kind, ()) if kind is not None else ()
    unused = [name for name in source.options.given() if name in read]
    if not unused:
        return
    options = " and ".join(f"--{name.replace('_', '-')} ({name}=)" for name in unused)
    if kind == "dataset":
        raise SentigruError(
            f"--dataset reads a tensorflow-datasets set, decoded and checked by tfds: "
            f"drop {options}"
        )
    them = "it" if len(unused) == 1 else "them"
    raise SentigruError(
        f"{options} read{'s' if len(unused) == 1 else ''} files; texts and labels given in "
        f"memory have none: drop {them}"
    )
