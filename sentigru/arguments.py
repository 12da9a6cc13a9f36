"""Checks of what a Python caller hands the API, shared by loading, training and
exporting: the CLI's types and ranges check its options, Python passes values as they
come (``force="no"`` is true, ``top_k=2.5`` is no count), so each is named here before
any work."""

from __future__ import annotations

import glob
import numbers
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sentigru.errors import SentigruError, refuse_nul
from sentigru.spec import INT_MAX

Log = Callable[[str], None]
"""Where a run's own lines go (``print``, or stderr by default)."""


def whole_number(value: Any, name: str, least: int = 1, most: int | None = None) -> int:
    """``value`` as an int, refused when not a whole number from ``least`` to ``most``
    (:data:`spec.INT_MAX` unless given: ``chunk_size=10**30`` failed in ``islice``; bools
    refused, NumPy's integers are whole numbers)."""
    most = INT_MAX if most is None else most
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < least:
        raise SentigruError(f"{name} must be a whole number of {least} or more, got {value!r}")
    if int(value) > most:
        raise SentigruError(f"{name} must be at most {most}, got {value!r}")
    return int(value)


def stderr_line(line: str) -> None:
    """The default log: a line on stderr, flushed (progress shows as it happens)."""
    print(line, file=sys.stderr, flush=True)


def check_switches(verbose: Any = None, **switches: Any) -> None:
    """``force="no"`` is true in Python, and would replace a folder: yes or no only;
    ``verbose`` is one of Keras' three levels."""
    import numpy as np

    for name, value in switches.items():
        if not isinstance(value, (bool, np.bool_)):
            raise SentigruError(f"{name} is True or False, not {value!r:.60}")
    if verbose is not None and (
        isinstance(verbose, bool)
        or not isinstance(verbose, numbers.Integral)
        or verbose not in (0, 1, 2)
    ):
        raise SentigruError(f"verbose is 0, 1, 2 or None, not {verbose!r:.60}")


def check_not_package(target: Path) -> None:
    """The installed package, the bundled model's folder in it, is no place for a model
    or an export (the bundled model's own phone file included): it writes elsewhere."""
    refuse_nul(target, "out")
    package = Path(__file__).resolve().parent
    from sentigru.outputs import resolved

    where = resolved(target)  # a loop of links: one line
    if where == package or package in where.parents:
        raise SentigruError(
            f"{target}: inside the installed sentigru package, where the bundled model's "
            "files are; give --out elsewhere"
        )


LABELLED = "for texts in memory give them with their labels, as a pair (texts, labels)"
"""How labelled texts are handed over in Python, for :func:`check_not_texts`."""


def check_not_texts(items: Any, name: str, fix: str) -> None:
    """Refuse texts given where files are read: a list of reviews failed on its first as
    "no such file" (or, holding ``?``, as a glob that "matches no file"); ``fix`` says
    how to give them. Only where nothing given looks like a path: mistyped file names
    keep the reader's "no such file", with its note on ``~``. An open file (or a
    ``StringIO``) was read line by line as file names, its first line the error."""
    if hasattr(items, "read") and hasattr(items, "readline"):
        named = getattr(items, "name", None)
        path = f" ({os.fspath(named)!r})" if isinstance(named, (str, os.PathLike)) else ""
        raise SentigruError(f"{name} is an open file: give its path{path}, not the file object")
    if type(items).__module__ == "numpy" and getattr(items, "ndim", 0) == 1:
        items = items.tolist()  # an array of texts, as a list of them
    if not isinstance(items, (list, tuple)) or len(items) < 2:
        return
    if not all(isinstance(item, str) for item in items):
        return
    if any(_looks_like_a_path(item) for item in items):
        return
    raise SentigruError(
        f"{name} takes files (paths or globs), and none of the {len(items)} given is one "
        f"({items[0]!r:.40}…): {fix}"
    )


def _looks_like_a_path(item: str) -> bool:
    """A file, a glob that matches one, or a name with a folder, ``~`` or a suffix;
    ``os.path.exists`` as a review longer than a file name may be is no error."""
    if os.path.exists(item) or (glob.has_magic(item) and glob.glob(item)):
        return True
    suffix = os.path.splitext(item)[1]
    return (
        "/" in item
        or os.sep in item
        or item.startswith("~")
        or (1 < len(suffix) <= 8 and suffix[1:].isalnum())
    )
