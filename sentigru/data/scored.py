"""Texts with a teacher's scores: the file ``--teacher-scores`` reads.

Distillation needs a teacher's probabilities for unlabelled texts. ``--teacher`` runs a
sentigru model to get them; a teacher sentigru cannot run (an ensemble of models, a
large model trained elsewhere) writes them to a file instead: a TSV or CSV (optionally
``.gz``) with the text column and one column per label, named by the label, holding the
teacher's probability of that label, or JSON Lines with the same keys.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from sentigru.data.examples import Examples
from sentigru.data.files import (
    ReadOptions,
    ReadResult,
    _Reader,
    detect_format,
    label_name,
    nfc_keys,
    nfc_name,
)
from sentigru.errors import SentigruError, missing

SUM_TOLERANCE = 0.01
"""How far a row's probabilities may sum from 1 (they are written rounded)."""


def read_scored(
    path: Path, options: ReadOptions | None = None
) -> tuple[list[str], list[str], np.ndarray]:
    """The texts, the label names (renamed by ``options.label_map``, as labels are when
    data is read) and one row of probabilities per text."""
    options = options or ReadOptions()
    if not path.exists():
        raise missing(path)
    kind = detect_format(path)
    if kind == "folder":
        raise SentigruError(f"{path}: --teacher-scores takes a .tsv, .csv or .jsonl file")
    reader = _Reader(path, options, ReadResult(Examples()), texts_only=True)
    rows = _jsonl(reader) if kind == "jsonl" else _table(reader, "\t" if kind == "tsv" else ",")
    texts: list[str] = []
    scores: list[list[float]] = []
    labels: list[str] | None = None
    for where, text, found in rows:
        if labels is None:
            labels = list(found)
            if len(labels) < 2:
                raise SentigruError(
                    f"{path}: needs one score column per label beside {options.text_column!r} "
                    f"(found {', '.join(repr(x) for x in labels) or 'none'})"
                )
        row = _probabilities(found, labels)
        if isinstance(row, str):
            reader.bad(where, row)
            continue
        if not text.strip():
            reader.bad(where, "empty text")
            continue
        texts.append(text)
        scores.append(row)
    reader.result.report_skipped(path)
    if not texts or labels is None:
        raise SentigruError(f"{path}: no scored texts found")
    # Columns are named as the labels are in the data (in NFC), so --label-map renames both.
    named = [options.label_map.get(label_name(x), label_name(x)) for x in labels]
    return texts, named, np.array(scores, dtype=np.float64)


def _probabilities(found: dict[str, object], labels: list[str]) -> list[float] | str:
    """The row's scores in ``labels``' order, or why they are not probabilities."""
    if sorted(found) != sorted(labels):
        return f"expected scores for {', '.join(labels)}"
    values = [found[label] for label in labels]
    if not all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in values):
        return "a score is not a number"  # JSON's true is no probability of 1
    try:
        row = [float(v) for v in values]  # type: ignore[arg-type]
    except ValueError:
        return "a score is not a number"
    if not all(0.0 <= p <= 1.0 for p in row) or not math.isclose(
        sum(row), 1.0, abs_tol=SUM_TOLERANCE
    ):
        return "scores must be probabilities from 0 to 1 that sum to 1"
    return row


def _table(reader: _Reader, delimiter: str) -> Iterator[tuple[str, str, dict[str, object]]]:
    """Rows of a scored CSV or TSV, read as labelled files are (strictly: a quote closing
    a field with text after it made another text than the one the teacher scored)."""
    text_column = nfc_name(reader.options.text_column)
    with reader.open() as stream:
        records = reader.records(stream, delimiter)
        header = [nfc_name(name.strip().lstrip("\ufeff")) for name in next(records, (0, []))[1]]
        if text_column not in header:
            raise SentigruError(
                f"{reader.path}: no column {text_column!r} in the header (choose with "
                "--text-column)"
            )
        at = header.index(text_column)
        for line, row in records:
            if len(row) != len(header):
                if any(field.strip() for field in row):
                    reader.bad(str(line), f"expected {len(header)} fields")
                continue
            found: dict[str, object] = {name: row[i] for i, name in enumerate(header) if i != at}
            yield str(line), row[at], found


def _jsonl(reader: _Reader) -> Iterator[tuple[str, str, dict[str, object]]]:
    text_key = nfc_name(reader.options.text_column)
    with reader.open() as stream:
        for number, line in enumerate(reader.lines(stream), start=1):
            if not line.strip():
                continue
            try:  # a byte-order mark inside: files joined by cat, as labelled files are read
                record = nfc_keys(json.loads(line.removeprefix("\ufeff")))
            except (json.JSONDecodeError, RecursionError) as exc:
                reader.bad(str(number), f"not JSON ({getattr(exc, 'msg', 'nested too deeply')})")
                continue
            if not isinstance(record, dict) or not isinstance(record.get(text_key), str):
                reader.bad(str(number), f"each line must be an object with a {text_key!r} string")
                continue
            yield str(number), record[text_key], {k: v for k, v in record.items() if k != text_key}
