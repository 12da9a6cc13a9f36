"""One entry point for "the data the user named": files, a tfds dataset, or both."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sentigru.data.examples import Examples
from sentigru.data.files import ReadOptions, read_examples
from sentigru.data.stream import expand_paths
from sentigru.errors import SentigruError


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
    for path in expand_paths(paths):
        result = read_examples(Path(path), options)
        result.report_skipped(path)
        examples.extend(result.examples)
    if dataset:
        from sentigru.data.tfds_source import load_tfds

        loaded = load_tfds(dataset, split, data_dir)
        mapping = options.label_map if options else {}
        loaded.labels = [mapping.get(label, label) for label in loaded.labels]
        examples.extend(loaded)
    return examples
