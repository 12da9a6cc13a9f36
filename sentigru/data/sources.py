"""One entry point for "the data the user named": files, a tfds dataset, or both."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sentigru.data.examples import Examples, check_label_sets, check_label_spellings
from sentigru.data.files import ReadOptions, read_examples
from sentigru.data.stream import expand_paths
from sentigru.errors import SentigruError


@dataclass(frozen=True)
class DataSource:
    """Labelled data as the user names it: files (a glob stands for the files it
    matches), a prepared tensorflow-datasets set, or both, and how to read them."""

    paths: tuple[Path, ...] = ()
    dataset: str | None = None
    split: str | None = None
    """The tfds split; None: ``train`` for training, ``test`` for evaluation."""
    data_dir: Path | None = None
    options: ReadOptions = field(default_factory=ReadOptions)

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

    @classmethod
    def of(cls, data: DataSource | str | Path | Sequence[str | Path] | None, **kw) -> DataSource:
        """A source from what a Python caller passes: a source, one path, or several."""
        if isinstance(data, DataSource):
            return data
        if data is None:
            paths: tuple[Path, ...] = ()
        elif isinstance(data, (str, os.PathLike)):
            paths = (Path(data),)
        else:
            items = _paths_in(data)
            if items is None:
                raise SentigruError(
                    f"data is a path, a list of paths or a DataSource, not "
                    f"{type(data).__name__} {data!r:.60}"
                )
            paths = tuple(items)
        return cls(paths, **kw)

    @property
    def empty(self) -> bool:
        return not self.paths and not self.dataset

    def load(self, default_split: str = "train") -> Examples:
        return load_sources(
            self.paths,
            dataset=self.dataset,
            split=self.split or default_split,
            data_dir=self.data_dir,
            options=self.options,
        )


def load_sources(
    paths: Sequence[Path] = (),
    *,
    dataset: str | None = None,
    split: str = "train",
    data_dir: Path | None = None,
    options: ReadOptions | None = None,
) -> Examples:
    """Read every named file (in order; a glob stands for the files it matches) and
    then the tfds dataset, if any."""
    if not paths and not dataset:
        raise SentigruError("no data: give --data FILE (one or more) or --dataset NAME")
    examples = Examples()
    label_sets: dict[str, set[str]] = {}
    for path in expand_paths(paths):
        result = read_examples(Path(path), options)
        result.report_skipped(path, options.label_map if options else None)
        examples.extend(result.examples)
        label_sets[str(path)] = set(result.examples.labels)
    if dataset:
        from sentigru.data.tfds_source import load_tfds

        loaded = load_tfds(dataset, split, data_dir)
        mapping = options.label_map if options else {}
        loaded.labels = [mapping.get(label, label) for label in loaded.labels]
        examples.extend(loaded)
        label_sets[dataset] = set(loaded.labels)
    check_label_sets(label_sets)
    check_label_spellings(examples.counts(), options.label_map if options else None)
    return examples


def _paths_in(data: object) -> list[Path] | None:
    """The paths of any iterable of paths (a list, a glob's generator; a set sorted, so
    that its rows come in the same order in every run), or None for what is not one (a
    number, bytes, a dict, an iterable of anything else)."""
    if isinstance(data, (bytes, bytearray, Mapping)) or not isinstance(data, Iterable):
        return None
    items = list(data)
    if not all(isinstance(p, (str, os.PathLike)) for p in items):
        return None
    paths = [Path(p) for p in items]
    return sorted(paths) if isinstance(data, (set, frozenset)) else paths
