"""Data sources: the user's files and tensorflow-datasets, read into :class:`Examples`."""

from sentigru.data.examples import Examples, label_order
from sentigru.data.files import ReadOptions, read_examples
from sentigru.data.sources import DataSource, load_sources

__all__ = ["DataSource", "Examples", "ReadOptions", "label_order", "load_sources", "read_examples"]
