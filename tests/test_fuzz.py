"""Fuzzing: whatever bytes a user feeds the readers, the only failure is the project's
own one-line error, never a crash."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentigru.data import ReadOptions, read_examples
from sentigru.errors import SentigruError

SUFFIXES = [".tsv", ".csv", ".jsonl", ".tsv.gz", ".jsonl.gz"]


def _read(content: bytes, suffix: str, **options) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"data{suffix}"
        path.write_bytes(gzip.compress(content) if suffix.endswith(".gz") else content)
        try:
            result = read_examples(path, ReadOptions(**options))
        except SentigruError as exc:
            assert "\n" not in str(exc)  # one line
            return
        for text, label in zip(result.examples.texts, result.examples.labels):
            assert text.strip() and label


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(SUFFIXES), st.booleans())
def test_random_bytes(content: bytes, suffix: str, skip: bool) -> None:
    _read(content, suffix, skip_bad_rows=skip)


ROWS = st.lists(st.tuples(st.text(max_size=30), st.text(max_size=10)), min_size=0, max_size=8)


@settings(max_examples=150, deadline=None)
@given(ROWS, st.sampled_from(["\t", ",", '"']), st.booleans())
def test_random_text_tables(rows, delimiter: str, skip: bool) -> None:
    body = "".join(f"{label}{delimiter}{text}\n" for text, label in rows)
    for suffix in (".tsv", ".csv"):
        _read(
            ("label\ttext\n" if suffix == ".tsv" else "label,text\n").encode()
            + body.encode("utf-8", "surrogatepass"),
            suffix,
            skip_bad_rows=skip,
        )


VALUES = st.one_of(
    st.text(max_size=10),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
RECORDS = st.one_of(
    st.dictionaries(st.sampled_from(["text", "label", "x"]), VALUES),
    st.integers(),
    st.text(max_size=5),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(RECORDS, max_size=6))
def test_random_json_lines(records) -> None:
    import json

    _read("\n".join(json.dumps(r) for r in records).encode(), ".jsonl", skip_bad_rows=True)
    _read("\n".join(json.dumps(r) for r in records).encode(), ".jsonl")


NAMES = st.text(alphabet="abcXYZ019_-. ", min_size=1, max_size=8).filter(
    lambda n: n.strip(" .") == n and n not in {".", ".."}
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(NAMES, st.lists(st.binary(max_size=60), max_size=3), max_size=3))
def test_random_label_folders(layout: dict[str, list[bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "data"
        root.mkdir()
        for label, files in layout.items():
            (root / label).mkdir()
            for i, content in enumerate(files):
                (root / label / f"{i}.txt").write_bytes(content)
        try:
            result = read_examples(root, ReadOptions(skip_bad_rows=True))
        except SentigruError as exc:
            assert "\n" not in str(exc)
            return
        assert set(result.examples.labels) <= {label.strip() for label in layout}
