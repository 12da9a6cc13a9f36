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


# -- model files: the parsers sentigru runs before LiteRT ------------------------------------

VOCAB_LINES = st.lists(
    st.one_of(
        st.sampled_from(["<PAD> 0", "<START> 1", "<UNKNOWN> 2", "a 3", "A 3", "b 4", ""]),
        st.text(alphabet="ab <>\r\t0123456789٣", max_size=12),
    ),
    max_size=10,
)


@settings(max_examples=300, deadline=None)
@given(VOCAB_LINES)
def test_random_vocabulary_files(lines: list[str]) -> None:
    from sentigru import contract

    try:
        tokens, aliases = contract.parse_vocab("\n".join(lines), "v.txt")
    except contract.ContractError as exc:
        assert str(exc).startswith("v.txt") and "\n" not in str(exc)
        return
    assert tuple(tokens[:3]) == contract.SPECIAL_TOKENS
    assert all(3 <= i < len(tokens) for _, i in aliases)
    assert contract.parse_vocab(contract.format_vocab(tokens, aliases)) == (tokens, aliases)


WRITTEN_VOCABS = st.tuples(
    st.permutations(["<PAD> 0", "<START> 1", "<UNKNOWN> 2", "a 3", "b 4"]),
    st.lists(
        st.one_of(
            st.sampled_from(["A 3", "B 4", "a 3", "c 5", "a\tb 4", "x 2", "y 9", "d 03"]),
            st.text(alphabet="ab <>\t0123456789٣", max_size=8),
        ),
        max_size=4,
    ),
).map(lambda parts: [*parts[0], *parts[1]])
"""Vocabulary files near the ones sentigru writes: a whole vocabulary in any order, and
a few more lines, good or bad."""


@settings(max_examples=300, deadline=None)
@given(WRITTEN_VOCABS)
def test_the_one_pass_vocabulary_reader_reads_what_the_line_reader_reads(
    lines: list[str],
) -> None:
    """The fast reader of files as sentigru writes them (every line ended) either declines
    or returns exactly what the line-by-line reader, the phone's behaviour, returns."""
    from sentigru import contract

    text = "".join(f"{line}\n" for line in lines)
    fast = contract._parse_plain_vocab(text)
    if fast is not None:
        assert fast == contract._parse_vocab_lines(text, "v.txt")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_random_model_bytes(content: bytes) -> None:
    from sentigru.modelfile import check_model

    for data in (content, content[:4] + b"TFL3" + content[8:]):
        try:
            check_model(data)
        except SentigruError as exc:
            assert "\n" not in str(exc)
        else:  # pragma: no cover - random bytes are never a sentigru model
            raise AssertionError("random bytes passed")


def _bundled() -> tuple[bytes, int]:
    """The bundled phone file, and where its flatbuffer ends (its packed files start)."""
    import io
    import zipfile

    from sentigru.presets import MODELS

    content = (MODELS / "default" / "model.tflite").read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return content, min(info.header_offset for info in archive.infolist())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), min_size=1, max_size=6))
def test_bundled_model_with_bytes_changed(changes: list[tuple[float, int]]) -> None:
    """In-process: the checks and the metadata reader fail only with the project's own
    one-line error, whatever bytes of the flatbuffer change (LiteRT is not involved)."""
    from sentigru.modelfile import check_model

    content, head = _bundled()
    data = bytearray(content)
    for where, flip in changes:
        data[int(where * (head - 1))] ^= flip
    try:
        check_model(bytes(data))
    except SentigruError as exc:
        assert "\n" not in str(exc)
