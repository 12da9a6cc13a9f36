"""sentigru: bidirectional-GRU sentiment models that run the same in Python and on a phone.

``sentigru.load()``, ``sentigru.train(...)``, ``sentigru.export(...)`` and
``sentigru.compare(...)`` are the Python API (:mod:`sentigru.api`,
:mod:`sentigru.comparison`). Importing the package is cheap: nothing here imports
TensorFlow, so predicting with a ``.tflite`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names below are, for type checkers; imported on first use
    from sentigru.api import Classifier, export, load, train
    from sentigru.comparison import compare
    from sentigru.data.files import ReadOptions
    from sentigru.data.sources import DataSource
    from sentigru.errors import SentigruError
    from sentigru.spec import Spec

__version__ = "0.3.4.dev0"
__all__ = [
    "Classifier",
    "DataSource",
    "ReadOptions",
    "SentigruError",
    "Spec",
    "compare",
    "export",
    "load",
    "train",
]


if not TYPE_CHECKING:  # hidden from type checkers, which would take any name as real

    def __getattr__(name: str) -> Any:
        """The API's names, imported on first use so that ``sentigru --help`` stays fast."""
        if name in ("Classifier", "load"):  # predict's path: no training or export code
            from sentigru import classifier

            return getattr(classifier, name)
        if name in ("export", "train"):
            from sentigru import api

            return getattr(api, name)
        if name == "compare":
            from sentigru.comparison import compare

            return compare
        if name == "DataSource":
            from sentigru.data.sources import DataSource

            return DataSource
        if name == "ReadOptions":
            from sentigru.data.files import ReadOptions

            return ReadOptions
        if name == "SentigruError":
            from sentigru.errors import SentigruError

            return SentigruError
        if name == "Spec":
            from sentigru.spec import Spec

            return Spec
        raise AttributeError(f"module 'sentigru' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
