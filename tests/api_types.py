"""What a type-checked caller of the Python API sees: mypy checks this file (the
``files`` of ``[tool.mypy]``); pytest does not run it. A misspelt name must be an error
(not ``Any``), and the inputs the API documents must type-check."""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

import sentigru
from sentigru import Classifier, DataSource, ReadOptions


def typed_use(folder: Path) -> None:
    sentigru.lod()  # type: ignore[attr-defined]  # unused, and so an error, were it Any
    DataSource("data/reviews_test.tsv", options={"text_column": "text"})
    DataSource([folder / "a.tsv", "b.tsv"], options=ReadOptions(skip_bad_rows=True))
    DataSource(rows=(["good film", "awful"], ["positive", "negative"]))
    model = sentigru.load()
    assert_type(model, Classifier)
    sentigru.export(model, folder / "site", format="web")
