"""Every reader, the formats' corners, and the one-line errors for bad files."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from sentigru.data import Examples, ReadOptions, label_order, load_sources, read_examples
from sentigru.data.files import LINE_LIMIT, read_texts
from sentigru.errors import SentigruError, UsageError


def _read(path: Path, **options) -> Examples:
    return read_examples(path, ReadOptions(**options)).examples


def test_tsv_keeps_quotes_and_reads_gzip(tmp_path: Path) -> None:
    content = 'label\ttext\npos\tsaid "wow" twice\nneg\tmeh\n'
    plain = tmp_path / "a.tsv"
    plain.write_text(content)
    zipped = tmp_path / "a.tsv.gz"
    zipped.write_bytes(gzip.compress(content.encode()))
    for path in (plain, zipped):
        examples = _read(path)
        assert examples.texts == ['said "wow" twice', "meh"]
        assert examples.labels == ["pos", "neg"]


def test_csv_quoting_and_chosen_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id,review,stars\n1,"good, really ""good""",5\n2,"two\nlines",1\n')
    examples = _read(path, text_column="review", label_column="stars")
    assert examples.texts == ['good, really "good"', "two\nlines"]
    assert examples.labels == ["5", "1"]
    path.write_text('stars,review\n5,"two\nlines, last, no newline"')  # closed at the end
    assert _read(path, text_column="review", label_column="stars").texts == [
        "two\nlines, last, no newline"
    ]


def test_jsonl_with_integer_labels(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"text": "fine", "label": 1})
        + "\n\n"
        + json.dumps({"text": "bad", "label": 0})
        + "\n"
    )
    examples = _read(path)
    assert examples.texts == ["fine", "bad"]
    assert examples.labels == ["1", "0"]


def test_folder_of_label_subfolders(tmp_path: Path) -> None:
    for label, texts in {"neg": ["bad one"], "pos": ["good one", "good two"]}.items():
        (tmp_path / label).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / label / f"{i}_7.txt").write_text(text)
    examples = _read(tmp_path)
    assert sorted(zip(examples.labels, examples.texts)) == [
        ("neg", "bad one"),
        ("pos", "good one"),
        ("pos", "good two"),
    ]


def test_several_files_combine(tmp_path: Path) -> None:
    a = tmp_path / "a.tsv"
    a.write_text("label\ttext\nx\tone\n")
    b = tmp_path / "b.jsonl"
    b.write_text('{"text": "two", "label": "y"}\n')
    assert load_sources([a, b]).texts == ["one", "two"]


def test_a_quote_left_open_in_a_big_csv_names_its_line(tmp_path: Path) -> None:
    """Past the field limit the csv module's own error named a line far below the quote."""
    path = tmp_path / "big.csv"
    body = ("x" * 100 + "\n") * (LINE_LIMIT // 100 + 10)
    path.write_text(f'label,text\npos,fine\npos,"open {body}neg,bad\n')
    with pytest.raises(SentigruError, match=r"big.csv:3: a field opens here .* never closed"):
        _read(path)


def test_star_labels_written_as_floats_get_the_map_that_names_them() -> None:
    """Training takes 1.0 and 1 for one label; so does the hint when evaluating."""
    from sentigru.data.examples import label_indices

    with pytest.raises(SentigruError, match="e.g. 1.0=1,2.0=2,3.0=3"):
        label_indices(["1.0", "2.0", "3.0"], ["1", "2", "3"])


def test_a_label_and_its_shortening_are_one_label_written_two_ways() -> None:
    """neg and negative, pos and positive in one file trained four classes without a
    word; a label that merely begins another (good, goodish; pos, pos_strong; fake,
    fake_news) is not taken for its shortening: a fixed list of sentiment shortenings is."""
    from sentigru.data.examples import check_label_spellings

    mixed = Counter({"neg": 65, "negative": 60, "pos": 77, "positive": 67})
    with pytest.raises(SentigruError, match="--label-map neg=negative,pos=positive \\("):
        check_label_spellings(mixed)
    check_label_spellings(Counter({"good": 5, "goodish": 3}))
    with pytest.raises(SentigruError, match="--label-map pos=positive "):  # not _strong's
        check_label_spellings(Counter({"pos": 5, "positive": 3, "positive_strong": 2}))
    check_label_spellings(Counter({"neg": 3, "pos": 4}))
    # labels that begin others are not their shortenings: a fixed list decides
    for labels in (("pos", "neg", "pos_strong", "neg_strong"), ("fake", "fake_news")):
        check_label_spellings(Counter(dict.fromkeys(labels, 3)))
    check_label_spellings(Counter({"pro": 3, "progressive": 3, "car": 2, "cardiology": 2}))
    # with a map given, the hint is one map to give in its place (not the merge alone,
    # which dropped the map's own renames and trained four classes)
    with pytest.raises(SentigruError, match="0=negative,1=positive,neg=negative,pos=positive"):
        check_label_spellings(
            Counter({"negative": 5, "positive": 5, "neg": 2, "pos": 2}),
            {"0": "negative", "1": "positive"},
        )


def test_digits_of_another_script_are_one_label_written_two_ways() -> None:
    from sentigru.data.examples import check_label_spellings

    with pytest.raises(SentigruError, match="'１' and '1' differ only in case, width, number"):
        check_label_spellings(Counter({"1": 5, "１": 3, "2": 4}))
    # full- and half-width letters, as Japanese input methods type them
    for wide, plain in (("ｐｏｓｉｔｉｖｅ", "positive"), ("ﾎﾟｼﾞﾃｨﾌﾞ", "ポジティブ"), ("１．０", "1")):
        with pytest.raises(SentigruError, match=f"'{wide}' and '{plain}' differ only"):
            check_label_spellings(Counter({plain: 5, wide: 3, "negative": 4}))
    with pytest.raises(SentigruError, match="ｐｏｓ=positive"):  # a shortening, full width
        check_label_spellings(Counter({"ｐｏｓ": 5, "positive": 3, "negative": 4}))
    for other, plain in (("①", "1"), ("Ⅱ", "II"), ("ㄱㅏ", "가"), ("x²", "x2")):
        check_label_spellings(Counter({other: 3, plain: 3}))  # other text, not other width


def test_files_naming_their_labels_two_ways_are_refused_until_mapped(
    tmp_path: Path, capsys
) -> None:
    """0/1 beside negative/positive would train four labels; a file of one label beside
    others (more rows of one kind) is fine, and disjoint ratings are noted."""
    words = tmp_path / "words.tsv"
    words.write_text("label\ttext\nnegative\tbad\npositive\tgood\n")
    digits = tmp_path / "digits.tsv"
    digits.write_text("label\ttext\n0\tawful\n1\tgreat\n")
    more = tmp_path / "more.tsv"
    more.write_text("label\ttext\npositive\tlovely\n")
    refused = "labels 0, 1 and .*words.tsv negative, positive, none in common"
    with pytest.raises(SentigruError, match=refused):
        load_sources([digits, words])
    mapped = load_sources(
        [words, digits], options=ReadOptions(label_map={"0": "negative", "1": "positive"})
    )
    assert mapped.labels == ["negative", "positive", "negative", "positive"]
    assert load_sources([words, more]).labels == ["negative", "positive", "positive"]
    low, high = tmp_path / "low.tsv", tmp_path / "high.tsv"  # star ratings, split by file
    low.write_text("label\ttext\n1\tawful\n2\tpoor\n")
    high.write_text("label\ttext\n4\tgood\n5\tsuperb\n")
    assert load_sources([low, high]).labels == ["1", "2", "4", "5"]
    assert "labels 1, 2 and " in capsys.readouterr().err
    from sentigru.data.stream import StreamSource

    with pytest.raises(SentigruError, match=refused):  # streamed: after its pass
        StreamSource([digits, words]).scan()


def test_label_order_is_numeric_for_integers() -> None:
    assert label_order(["10", "2", "1"]) == ["1", "2", "10"]
    assert label_order(["pos", "neg"]) == ["neg", "pos"]
    # equal values (kept apart with --label-map 1=1) in one order, whatever the hash seed
    import os
    import subprocess
    import sys

    code = "from sentigru.data import label_order; print(label_order(['2', '1', '01', '１']))"
    orders = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    assert orders == {"['01', '1', '１', '2']\n"}, orders


def test_a_label_map_that_names_every_label_keeps_its_order() -> None:
    scale = ["awful", "bad", "okay", "good", "great"]
    assert label_order(["great", "okay", "awful", "good", "bad"], scale) == scale
    # a map that names only some labels leaves the order sorted
    assert label_order(["neg", "pos", "mixed"], ["pos", "neg"]) == ["mixed", "neg", "pos"]


@pytest.mark.parametrize("stream", [False, True])
def test_training_data_keeps_the_order_of_the_label_map(tmp_path: Path, stream: bool) -> None:
    """Star ratings renamed to words: the model's labels (``labels.txt``, its outputs, the
    confusion matrix) follow the scale, not the alphabet."""
    from sentigru.data import DataSource, ReadOptions
    from sentigru.spec import Spec
    from sentigru.train_data import prepare_source

    rows = [f"{star}\treview {i} with {star} stars" for i in range(12) for star in (1, 2, 3)]
    data = tmp_path / "stars.tsv"
    data.write_text("label\ttext\n" + "\n".join(rows) + "\n")
    options = ReadOptions(label_map={"1": "poor", "2": "fair", "3": "excellent"})
    spec = Spec().replace(training={"stream": stream})
    prepared = prepare_source(DataSource.of(data, options=options), spec)
    assert prepared.labels == ["poor", "fair", "excellent"]
    # The order is part of the run: resumed with the map in another order, the
    # checkpoint's outputs would be read as other labels.
    other = ReadOptions(label_map={"3": "excellent", "2": "fair", "1": "poor"})
    turned = prepare_source(DataSource.of(data, options=other), spec)
    assert turned.labels == ["excellent", "fair", "poor"]
    assert turned.fingerprint != prepared.fingerprint
    assert turned.fingerprint == turned.data_fingerprint  # sorted: the data's, as before
    # A run from a model whose labels the data does not keep orders them by the map too.
    from sentigru.train_data import Start

    start = Start(prepared.vocab, ["negative", "positive"])
    assert start.label_order(["poor", "fair", "excellent"], ["poor", "fair", "excellent"]) == [
        "poor",
        "fair",
        "excellent",
    ]


def test_a_label_labels_txt_cannot_hold_is_refused_before_training(tmp_path: Path) -> None:
    """JSON can spell a line break in a label; ``labels.txt`` (one label a line) cannot
    hold it, and a folder saved with it had more labels than outputs."""
    with pytest.raises(SentigruError, match="line break"):
        label_order(["neg", "pos\nx"])
    from click.testing import CliRunner

    from sentigru.cli import main

    data = tmp_path / "d.jsonl"
    rows = [{"text": f"text {i}", "label": "pos\nx" if i % 2 else "neg"} for i in range(40)]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = CliRunner().invoke(main, ["train", "--data", str(data), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1 and "contains a line break" in result.output, result.output
    assert "Epoch" not in result.output and not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.tsv", None, "no such file"),
        ("empty.tsv", b"", "empty file"),
        ("header.tsv", b"label\ttext\n", "no labelled texts"),
        ("cols.tsv", b"stars\treview\n1\tok\n", "no column 'text' or 'label'.*choose with"),
        # Spreadsheets: a capitalised header, Excel's separator line, no header at all
        ("caps.csv", b"Label,Text\npos,ok\n", "give --text-column Text .*--label-column Label"),
        ("sep.csv", b"sep=,\nlabel,text\npos,ok\n", "first line is Excel's 'sep=' line"),
        ("bare.tsv", b"pos\tthe film was fine\n", "if that line is a row of text, add a header"),
        # Japanese and Chinese write a sentence without spaces
        ("bare_ja.tsv", "1\t色々な種類が楽しめて良かったです\n".encode(), "row of text"),
        ("ja_header.tsv", "評価\t本文\n1\tよい\n".encode(), r"choose with [^;]*$"),
        ("bare_th.tsv", "1\tอาหารอร่อยมากบริการดี\n".encode(), "row of text"),
        ("fields.tsv", b"label\ttext\npos\tok\npos\tone\textra\n", ":3: expected 2 fields"),
        (
            "enc.tsv",
            b"label\ttext\npos\tok\npos\tbad \xff byte\n",
            ":3: byte 26 of the file is not valid utf-8; it reads as Windows-1252 \\(Excel's "
            "plain CSV\\): --encoding cp1252, or --skip-bad-rows",
        ),
        ("enc1.tsv", b"\xfflabel\ttext\n", ":1: byte 0 of the file .*: --encoding cp1252"),
        ("bin.tsv", b"\x00\x01\x02label\x00", "binary"),
        ("notes.txt", b"hello", "unknown file type"),
        ("list.jsonl", b'["text", "label"]\n', ":1: each line must be a JSON object"),
        ("emptytext.tsv", b"label\ttext\npos\t  \n", ":2: empty text"),
        ("wide.tsv", "label\ttext\npos\tok\n".encode("utf-16"), "UTF-16 text; save it as UTF-8"),
        ("le.tsv", "label\ttext\npos\tok\n".encode("utf-16-le"), "UTF-16 text; save it as"),
        (
            "open.csv",
            b'label,text\npos,ok\npos,"never closed\nneg,bad\n',
            ":3: a quoted field opens",
        ),
        # As spreadsheets and other tools save them:
        ("sheet.tsv", gzip.compress(b"label\ttext\n"), "gzip-compressed; .*sheet.tsv.gz"),
        ("book.csv", b"PK\x03\x04\x14\x00\x06\x00", "zip file .*save the sheet as CSV"),
        ("book.xlsx", b"PK\x03\x04", "spreadsheet workbook; save the sheet as CSV"),
        ("semi.csv", b"text;label\nok;pos\n", "separated by ';'\\? Save the file as CSV"),
        ("mac.csv", b"text,label\rok,pos\rbad,neg\r", ":1: lines end in a lone carriage"),
        (
            "lines.tsv",
            b'text\tlabel\n"One ""two"".\nthree"\tpos\n',
            ":2: expected 2 fields, found 1: a quoted text over several",
        ),
        (
            "lines2.tsv",
            b'label\ttext\npos\t"One\nthree"\nneg\tok\n',
            ":3: expected 2 fields, found 1: a quoted text over",
        ),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, name, content, message) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SentigruError, match=message):
        _read(path)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(("label\ttext\n" + "pos\tgood\n" * 5000).encode())
    path = tmp_path / "cut.tsv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SentigruError, match="truncated"):
        _read(path)


def test_skip_bad_rows_counts_them(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("label\ttext\npos\tok\nbroken line\nneg\t\nneg\tfine\n")
    result = read_examples(path, ReadOptions(skip_bad_rows=True))
    assert result.examples.texts == ["ok", "fine"]
    assert result.skipped == 2


def test_encoding_option(tmp_path: Path) -> None:
    path = tmp_path / "latin.tsv"
    path.write_bytes("label\ttext\npos\tcafé\n".encode("latin-1"))
    assert _read(path, encoding="latin-1").texts == ["café"]


def test_folder_without_label_folders(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(SentigruError, match="one sub-folder per label"):
        _read(tmp_path)


def test_stratified_split_is_seeded_and_keeps_every_label() -> None:
    examples = Examples([f"t{i}" for i in range(100)], ["a"] * 90 + ["b"] * 10)
    train, val = examples.stratified_split(0.2, seed=3)
    again_train, again_val = examples.stratified_split(0.2, seed=3)
    assert val.texts == again_val.texts and train.texts == again_train.texts
    assert val.counts() == {"a": 18, "b": 2}
    assert len(train) + len(val) == 100
    assert not set(train.texts) & set(val.texts)
    assert examples.stratified_split(0.2, seed=4)[1].texts != val.texts


def test_fingerprint_changes_with_data() -> None:
    a = Examples(["x", "y"], ["1", "0"])
    assert a.fingerprint() == Examples(["x", "y"], ["1", "0"]).fingerprint()
    assert a.fingerprint() != Examples(["x", "y"], ["0", "1"]).fingerprint()


def test_label_map_renames_labels(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("label\ttext\n0\tbad\n1\tgood\n2\tso so\n")
    examples = _read(path, label_map={"0": "negative", "1": "positive"})
    assert examples.labels == ["negative", "positive", "2"]


def test_over_long_line_is_refused_or_skipped_without_losing_line_numbers(
    tmp_path: Path,
) -> None:
    from sentigru.data.files import LINE_LIMIT, _Reader

    path = tmp_path / "long.tsv"
    with path.open("wb") as stream:
        stream.write(b"label\ttext\npos\tfine\n")
        stream.write(b"pos\t" + b"word " * (LINE_LIMIT // 5 + 1000) + b"\n")
        stream.write(b"neg\tok\nbroken\n")
    with pytest.raises(SentigruError, match=r":3: line longer than 8 MiB"):
        _read(path)
    result = read_examples(path, ReadOptions(skip_bad_rows=True))
    assert result.examples.texts == ["fine", "ok"]
    assert result.skipped == 2
    # The long line becomes a blank line, so the lines after it keep their numbers.
    reader = _Reader(path, ReadOptions(skip_bad_rows=True))
    with path.open("rb") as stream:
        lines = list(reader.lines(stream))
    assert lines[2] == "\n" and lines[4] == "broken\n"


def test_huge_text_file_in_a_label_folder_is_read_as_a_prefix(tmp_path: Path) -> None:
    from sentigru.data.files import LINE_LIMIT

    (tmp_path / "pos").mkdir()
    (tmp_path / "neg").mkdir()
    (tmp_path / "neg" / "a.txt").write_text("bad")
    (tmp_path / "pos" / "big.txt").write_bytes("é".encode() * (LINE_LIMIT // 2 + 10))
    examples = _read(tmp_path)
    big = examples.texts[examples.labels.index("pos")]
    assert len(big.encode()) <= LINE_LIMIT and set(big) == {"é"}
    (tmp_path / "neg" / "e.txt").write_text(" \n")  # named with its label folder
    with pytest.raises(SentigruError, match=r":neg/e.txt: empty text"):
        _read(tmp_path)


def test_a_long_field_is_read_and_bad_bytes_are_skippable(tmp_path: Path) -> None:
    """A 200 KB review in a TSV or CSV is one row (the csv module's own limit is
    128 KiB); with --skip-bad-rows a line or a folder file that does not decode is
    skipped and counted, not the end of the read."""
    long = "great " * 34_000
    for name, sep in (("a.tsv", "\t"), ("a.csv", ",")):
        path = tmp_path / name
        path.write_text(f"label{sep}text\npos{sep}{long}\nneg{sep}dull\n")
        assert [len(t) for t in _read(path).texts] == [len(long), 4]
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"label\ttext\npos\tfine\nneg\tbroken \xff byte\nneg\tdull\n")
    with pytest.raises(SentigruError, match="bad.tsv:3: byte .* --skip-bad-rows"):
        _read(bad)
    result = read_examples(bad, ReadOptions(skip_bad_rows=True))
    assert result.examples.texts == ["fine", "dull"] and result.skipped == 1
    folder = tmp_path / "imdb"
    for label, content in (("pos", b"lovely"), ("neg", b"dull \xff")):
        (folder / label).mkdir(parents=True)
        (folder / label / "1.txt").write_bytes(content)
    assert _read(folder, skip_bad_rows=True).texts == ["lovely"]


def test_aclimdbs_unlabelled_folder_is_no_label(tmp_path: Path, capsys) -> None:
    for label in ("pos", "neg", "unsup"):
        (tmp_path / label).mkdir()
        (tmp_path / label / "0_1.txt").write_text(f"a {label} review")
    examples = _read(tmp_path)
    assert sorted(set(examples.labels)) == ["neg", "pos"]
    assert "unsup: skipped" in capsys.readouterr().err


def test_encodings_that_cannot_be_read_by_line_are_refused_at_once() -> None:
    with pytest.raises(UsageError, match=r"to UTF-8 first \(iconv -f utf-16 -t utf-8\)"):
        ReadOptions(encoding="utf-16")  # a bad option's value (exit 2), as 'klingon' is
    with pytest.raises(UsageError, match=r"\(iconv -f utf-32be -t utf-8\)"):
        ReadOptions(encoding="utf-32-be")  # iconv's name: it refuses Python's utf-32-be
    with pytest.raises(SentigruError, match="unknown encoding 'klingon'"):
        ReadOptions(encoding="klingon")
    with pytest.raises(SentigruError, match="both read from column"):
        ReadOptions(text_column="x", label_column="x")


def test_a_label_map_that_renames_nothing_is_noted(tmp_path: Path, capsys) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("label\ttext\n0\tbad\n1\tgood\n")
    load_sources([path], options=ReadOptions(label_map={"neg": "negative"}))
    assert "--label-map renamed no label (the file's labels: 0, 1)" in capsys.readouterr().err
    examples = load_sources([path], options=ReadOptions(label_map={"0": "negative"}))
    assert examples.labels == ["negative", "1"]  # half renamed: 1 stays a label of its own
    assert "--label-map leaves 1 as written" in capsys.readouterr().err
    load_sources([path], options=ReadOptions(label_map={"0": "negative", "1": "positive"}))
    assert "note" not in capsys.readouterr().err
    load_sources([path], options=ReadOptions(label_map={"0": "negative", "2": "positive"}))
    err = capsys.readouterr().err  # a typo: 2 for 1
    assert "--label-map leaves 1 as written" in err
    assert "--label-map names 2, which no row has (the file's labels: 0, 1)" in err


def test_one_label_written_two_ways_is_refused_with_the_map_that_merges_it(
    tmp_path: Path,
) -> None:
    """Case and spacing (``Positive ``), or a number as pandas writes a column with a
    gap (``1.0``), would train a label twice, each output taught half of its texts."""
    from sentigru.data.stream import StreamSource

    cased = tmp_path / "cased.tsv"
    cased.write_text("label\ttext\npositive\tgood\nPositive \tfine\nnegative\tbad\npositive\tok\n")
    floats = tmp_path / "floats.tsv"
    floats.write_text("label\ttext\n1\tgood\n1.0\tfine\n0.0\tbad\n0\tawful\n0.0\tpoor\n")
    for path, message in (
        (
            cased,
            "'Positive' and 'positive' differ only in case.*--label-map Positive=positive \\(",
        ),
        # into the whole number, though 0.0 is commoner here (0=0.0 trained a label '0.0')
        (floats, "'1.0' and '1', '0.0' and '0' differ .*--label-map 1.0=1,0.0=0 \\(label_map="),
    ):
        with pytest.raises(SentigruError, match=message):
            load_sources([path])
        with pytest.raises(SentigruError, match=message):  # streamed: after its pass
            StreamSource([path]).scan()
    merged = load_sources([cased], options=ReadOptions(label_map={"Positive": "positive"}))
    assert merged.labels == ["positive", "positive", "negative", "positive"]
    kept = load_sources([cased], options=ReadOptions(label_map={"Positive": "Positive"}))
    assert sorted(set(kept.labels)) == ["Positive", "negative", "positive"]  # X=X: apart
    halfway = ReadOptions(label_map={"0": "negative", "1": "positive"})  # 0.0, 1.0 left
    message = "renames other spellings of '1.0' as 'positive', .*add 1.0=positive,0.0=negative"
    with pytest.raises(SentigruError, match=message):
        load_sources([floats], options=halfway)
    with pytest.raises(SentigruError, match=message):
        StreamSource([floats], options=halfway).scan()


def test_labels_that_only_look_alike_are_kept_apart(tmp_path: Path) -> None:
    """Codes (``1.1``/``1.10``), ratings 1 to 10, exponents, letters that case-fold alike
    (``ß``/``ss``): distinct labels, not one written two ways. Labels the shell would split
    are quoted in the fix."""
    from sentigru.data.examples import check_label_spellings

    for labels in (["1.1", "1.10"], [str(i) for i in range(1, 11)], ["1e3", "1000"],
                   ["ß", "ss"], ["σ", "ς"], ["-", "+"]):  # fmt: skip
        check_label_spellings(Counter(labels))
    with pytest.raises(SentigruError, match="'NaN' and 'nan' differ only in case"):
        check_label_spellings(Counter({"nan": 2, "NaN": 1}))
    with pytest.raises(SentigruError, match="--label-map 'Very positive=very positive' "):
        check_label_spellings(Counter({"very positive": 3, "Very positive": 1}))


def test_rows_a_spreadsheet_leaves_empty_are_skipped_as_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"text,label\r\nok,pos\r\nbad,neg\r\n,\r\n,,\r\n\r\n")
    assert _read(path).texts == ["ok", "bad"]
    with pytest.raises(SentigruError, match="from files, not from stdin"):
        load_sources(["-"])


def test_validation_texts_that_are_training_texts_are_noted(capsys) -> None:
    """A review posted twice lands on both sides of the split; validation reads it as
    seen. Case and spacing aside: the vocabulary reads case variants alike."""
    from sentigru.data.examples import Examples
    from sentigru.spec import Spec
    from sentigru.train_data import split_validation

    texts = [f"Review number {i} of many" for i in range(200)]
    labels = ["pos", "neg"] * 100
    split_validation(Examples(texts, labels), None, Spec())
    assert capsys.readouterr().err == ""  # no copies: nothing to say
    posted_twice = texts + [f"  review NUMBER {i} of many" for i in range(100)]
    split_validation(Examples(posted_twice, labels + labels[:100]), None, Spec())
    err = capsys.readouterr().err
    assert re.search(r"note: \d+ of the 30 validation texts are training texts too", err)
    assert "copies in the data" in err
    given = Examples(texts[:10], labels[:10])
    split_validation(Examples(texts, labels), given, Spec())
    err = capsys.readouterr().err
    assert "10 of the 10 validation texts" in err and "--val-data repeats training rows" in err
    assert "run high" in err
    # the copies carry the other label: contradictions, whose figures run low, not high
    flipped = Examples(texts[:10], [{"pos": "neg", "neg": "pos"}[x] for x in labels[:10]])
    split_validation(Examples(texts, labels), flipped, Spec())
    err = capsys.readouterr().err
    assert "10 of them with another label there" in err and "run low" in err
    assert "run high" not in err
    half = Examples(texts[:10], [*flipped.labels[:5], *labels[5:10]])
    split_validation(Examples(texts, labels), half, Spec())
    assert "run high on the copies and low on the contradictions" in capsys.readouterr().err


def test_a_streamed_run_notes_validation_data_that_repeats_training_rows(
    tmp_path: Path, capsys
) -> None:
    """--stream with a --val-data file cut from the training file said nothing, where the
    run held in memory notes it: the validation texts are held as hashes, and the
    training rows checked as they pass."""
    from sentigru.data.stream import StreamSource

    rows = [(f"Review number {i} of many", ["pos", "neg"][i % 2]) for i in range(200)]
    train = tmp_path / "train.tsv"
    train.write_text("label\ttext\n" + "".join(f"{b}\t{a}\n" for a, b in rows))
    val = tmp_path / "val.tsv"
    val.write_text("label\ttext\n" + "".join(f"{b}\t{a.upper()}\n" for a, b in rows[:20]))
    StreamSource([train], val_paths=[val]).scan()
    err = capsys.readouterr().err
    assert "20 of the 20 validation texts are training texts too" in err, err
    assert "--val-data repeats training rows" in err
    other = tmp_path / "other.tsv"
    other.write_text("label\ttext\n" + "".join(f"pos\tanother text {i}\n" for i in range(20)))
    StreamSource([train], val_paths=[other]).scan()
    assert "validation texts" not in capsys.readouterr().err


def test_training_texts_given_two_labels_are_noted(capsys) -> None:
    """The same review labelled twice, each time otherwise, trained silently (the model
    taught both); plain copies beyond a share are counted as what they weigh."""
    from sentigru.data.examples import Examples, note_repeated

    texts = [f"Review number {i} of many" for i in range(100)]
    labels = ["pos", "neg"] * 50
    note_repeated(Examples(texts, labels))
    assert capsys.readouterr().err == ""
    note_repeated(Examples([*texts, "REVIEW number 3  of many"], [*labels, "pos"]))
    err = capsys.readouterr().err
    assert "1 text(s) of the training data occur with two labels" in err
    assert "'Review number 3 of many'" in err or "'REVIEW number 3  of many'" in err
    note_repeated(Examples([*texts, *texts[:5]], [*labels, *labels[:5]]))
    assert "5 of the 105 rows of the training data repeat" in capsys.readouterr().err
    note_repeated(Examples([*texts, *texts[:1]], [*labels, *labels[:1]]))  # 1 %: no note
    assert capsys.readouterr().err == ""
    from sentigru.spec import Spec
    from sentigru.train_data import prepare

    heard: list[str] = []  # and a training says it (the note is the data's, before the split)
    prepare(
        Examples([*texts, "REVIEW number 3  of many"], [*labels, "pos"]), Spec(), log=heard.append
    )
    assert "occur with two labels" in capsys.readouterr().err


def test_a_byte_order_mark_is_not_part_of_the_first_text(tmp_path: Path) -> None:
    path = tmp_path / "texts.txt"
    path.write_bytes("\ufefffirst text\nsecond\n".encode())
    assert read_texts(path) == ["first text", "second"]


def test_the_label_map_hint_maps_only_what_it_can_tell() -> None:
    """0/1 onto the model's labels in order, a label in other case onto its own; never
    a guess that would swap meanings (happy, sad), which gets a template."""
    import shlex

    from sentigru.data.examples import check_known_labels, label_indices, label_map_hint

    cases = {
        ("0", "1"): "0=negative,1=positive",
        ("negative", "Neutral", "positive"): "Neutral=neutral",
        ("happy", "sad"): "OLD=NEW,OLD=NEW",
        ("neg", "pos"): "neg=negative,pos=positive",  # imdb_reviews' own labels
        ("negative", "positive", "neutral.0"): "OLD=NEW,OLD=NEW",  # not a number
    }
    for labels, hint in cases.items():
        with pytest.raises(SentigruError, match=rf"--label-map \(label_map=\), e.g. {hint}"):
            label_indices(labels, ["negative", "neutral", "positive"][:: 2 if "0" in labels else 1])
    # quoted for the shell: a model's labels come from its folder, which may be anyone's
    hint = label_map_hint(["0", "1"], ["bad", "it's $(fine)"])
    assert shlex.split(hint) == ["0=bad,1=it's $(fine)"]
    free = ["negative", "positive"]
    assert label_map_hint(["POSITIVE"], free) == "POSITIVE=positive"
    assert free == ["negative", "positive"]  # the caller's list is left as given
    # in the model's order, not by name: Korean 긍정 (positive) sorts before 부정
    with pytest.raises(SentigruError, match="e.g. '0=부정,1=긍정'"):
        label_indices(["0", "1"], ["부정", "긍정"])
    with pytest.raises(SentigruError, match="e.g. '0=부정,1=긍정'"):
        check_known_labels(["0", "1"], ["부정", "긍정"])
    # numbers one step from the model's: the whole shift, never 0 stars onto 5
    stars = [str(n) for n in range(1, 6)]
    with pytest.raises(SentigruError, match=r"e\.g\. 0=1,1=2,2=3,3=4,4=5$"):
        label_indices([str(n) for n in range(5)], stars)
    with pytest.raises(SentigruError, match=r"e\.g\. 0=-1,1=0,2=1$"):
        check_known_labels(["0", "1", "2"], ["-1", "0", "1"])
    with pytest.raises(SentigruError, match=r"e\.g\. OLD=NEW,OLD=NEW$"):  # no one step
        label_indices(["0", "1", "2", "3"], [*stars, "6"])
    with pytest.raises(SentigruError, match=r"e\.g\. 0=-1$"):  # no one step, in its place
        label_indices(["0", "1"], ["-1", "1"])
    from sentigru.training_notes import log_start

    heard: list[str] = []  # --init from a 1-5 model on 0-4 data: the same shift
    log_start("a start", type("Start", (), {"labels": stars, "vocab": []})(), [
        str(n) for n in range(5)], heard.append)  # fmt: skip
    assert heard[-1].endswith("(to keep its own: --label-map 0=1,1=2,2=3,3=4,4=5)"), heard


def test_a_csv_quote_left_open_that_swallows_rows_is_refused_even_when_skipping(
    tmp_path: Path,
) -> None:
    """A quote left open read the rows after it into one text, labelled by the row that
    closed it (on the opening quote of a later field, with text after it): rows lost
    without a word. CSV is read strictly, so that quote is an error, over several lines
    refused even when bad rows are skipped; in one line, a bad row. Texts over lines
    as Excel writes them read, whatever their lines hold (a German 4,5 and a label)."""
    from sentigru.data.stream import StreamSource

    path = tmp_path / "s.csv"
    path.write_text(
        'text,label\n"Awful, broke,0\nLove it,1\nGreat value,1\n"Broken on arrival",0\nNice,1\n'
    )
    message = r"s.csv:2: the quote that opens here closes only on line 5, with text after it"
    for skip in (False, True):  # rows were lost either way
        with pytest.raises(SentigruError, match=message):
            _read(path, skip_bad_rows=skip)
    with pytest.raises(SentigruError, match=message):  # streamed: in its pass
        StreamSource([path]).scan()
    first = tmp_path / "first.csv"  # the label column first
    first.write_text('label,text\n0,"Awful, broke\n1,Love it\n0,"Broken"\n1,Nice\n')
    with pytest.raises(SentigruError, match=r"first.csv:2: .* closes only on line 4"):
        _read(first)
    inline = tmp_path / "inline.csv"  # one line: a bad row, skipped when asked
    inline.write_text('text,label\n"5" screen,1\nok,0\n')
    with pytest.raises(SentigruError, match=r"inline.csv:2: a quote closes the field with text"):
        _read(inline)
    assert _read(inline, skip_bad_rows=True).texts == ["ok"]
    excel = tmp_path / "excel.csv"
    excel.write_bytes(
        b'text,label\r\n"Great phone.\nBattery lasts, 2 days",1\r\n"Bad\nreally,bad",0\r\n'
        b'"ok\nfine, 1",1\r\n"Bewertung:\n4,5 Sterne? Nein.\nFazit,1",0\r\n'
        b'5" screen,1\r\n'  # a quote inside an unquoted field is text
    )
    examples = _read(excel)
    assert examples.texts == [
        "Great phone.\nBattery lasts, 2 days",
        "Bad\nreally,bad",
        "ok\nfine, 1",
        "Bewertung:\n4,5 Sterne? Nein.\nFazit,1",
        '5" screen',
    ]
    assert examples.labels == ["1", "0", "1", "0", "1"]


def test_a_header_repeated_where_files_were_joined_is_skipped_and_noted(
    tmp_path: Path, capsys
) -> None:
    """``cat jan.csv feb.csv``: the second header (with its byte-order mark) was read as
    a row labelled 'label'."""
    joined = tmp_path / "joined.csv"
    joined.write_text("text,label\nok,pos\nbad,neg\n\ufefftext,label\nnice,pos\n text , label\n")
    result = read_examples(joined)
    assert result.examples.labels == ["pos", "neg", "pos"] and result.headers == 2
    tsv = tmp_path / "joined.tsv"
    tsv.write_text("label\ttext\npos\tok\nlabel\ttext\nneg\tbad\n")
    assert load_sources([tsv]).labels == ["pos", "neg"]
    err = capsys.readouterr().err
    assert "joined.tsv: note: skipped 1 line(s) repeating the header (files joined?)" in err
    assert read_texts(joined) == ["ok", "bad", "nice"]
    named = tmp_path / "x\x1b]0;OWNED\x07\x1b[2J.tsv"  # a name that would clear the screen
    named.write_text("label\ttext\npos\tok\nlabel\ttext\nneg\tbad\n")
    load_sources([named])
    err = capsys.readouterr().err
    assert "x\\x1b]0;OWNED\\x07\\x1b[2J.tsv: note: skipped 1" in err and "\x1b" not in err


def test_an_undecodable_line_names_the_fix_that_fits(tmp_path: Path) -> None:
    """Windows-1252 (Excel's plain CSV) where no UTF-8 text came before: --encoding
    cp1252 first; a bad line after UTF-8 text: mend it; else: the file's encoding."""
    cases = {
        b"text,label\nok,pos\ncaf\xe9,neg\n": r"cp.csv:3: byte 21 of the file is not valid "
        r"utf-8; it reads as Windows-1252 \(Excel's plain CSV\): --encoding cp1252, or "
        r"--skip-bad-rows to skip such lines$",
        b"text,label\nna\xc3\xafve,pos\ncaf\xe9,neg\n": r"cp.csv:3: byte 25 of the file is not "
        r"valid utf-8, though the text before it is: mend this line, or --skip-bad-rows",
        b"text,label\nok,pos\nbad \x81,neg\n": r"cp.csv:3: byte 22 of the file is not valid "
        r"utf-8: give the file's encoding with --encoding, or --skip-bad-rows",
    }
    # Excel saves CSV in the region's code page; each also decodes as cp1252, to nonsense.
    for text, encoding in (("정말 재밌어요 ㅋㅋ", "cp949"), ("配送が早い。", "cp932")):
        cases[f"text,label\nok,pos\n{text},neg\n".encode(encoding)] = (
            rf"utf-8; it reads as \w+ in {encoding} \(as Excel saves CSV there\): "
            rf"--encoding {encoding}, or --skip-bad-rows"
        )
    cases["text,label\n质量很好，物流也快,pos\n".encode("gb18030")] = (
        r"reads as Chinese in gb18030 .*: --encoding gb18030 \(big5 for traditional"
    )
    cases["text,label\nFür den Preis völlig in Ordnung,pos\n".encode("cp1252")] = (
        r"reads as Windows-1252"  # not as the rare ideographs its bytes are in gb18030
    )
    path = tmp_path / "cp.csv"
    for content, message in cases.items():
        path.write_bytes(content)
        with pytest.raises(SentigruError, match=message):
            _read(path)
        if "Excel saves" in message:  # and the encoding named reads it
            encoding = re.search(r"--encoding (\S+),", message).group(1)
            assert "?" not in "".join(_read(path, encoding=encoding).texts)
    path.write_bytes(b"text,label\nok,pos\ncaf\xe9,neg\n")
    assert _read(path, encoding="cp1252").texts == ["ok", "café"]
    # the standard named, the file in Windows' code page that extends it: that one
    for text, named, wider in (
        ("①番目の商品", "shift_jis", "cp932"),
        ("똠방각하", "euc-kr", "cp949"),
    ):
        path.write_bytes(f"text,label\n{text},pos\nok,neg\n".encode(wider))
        with pytest.raises(SentigruError, match=rf"not valid {named}; it reads as {wider}.*: "):
            _read(path, encoding=named)
        assert _read(path, encoding=wider).texts[0] == text
    path.write_bytes("text,label\n非常喜欢这部电影,pos\n".encode())  # UTF-8, read as gbk
    with pytest.raises(SentigruError, match="not valid gbk, but valid UTF-8: drop --encoding"):
        _read(path, encoding="gbk")
    for label, content in (("pos", b"fine"), ("neg", b"caf\xe9")):
        (tmp_path / label).mkdir()
        (tmp_path / label / "1.txt").write_bytes(content)
    with pytest.raises(SentigruError, match=r"1.txt: byte 3 is .* --encoding cp1252, .*files$"):
        _read(tmp_path)


def test_when_every_row_is_skipped_the_error_says_how_many_and_why(tmp_path: Path) -> None:
    from sentigru.data.files import read_rows

    path = tmp_path / "all.csv"
    path.write_text("text,label\n" + "x,\n" * 200)
    message = r"all.csv: no labelled texts found \(200 bad row\(s\) skipped; the first, line 2: "
    with pytest.raises(SentigruError, match=message + r"empty label\)$"):
        _read(path, skip_bad_rows=True)
    with pytest.raises(SentigruError, match=r"rows: .*\(2 bad row\(s\) skipped; the first, row 0"):
        read_rows(["", " "], ["1", "0"], ReadOptions(skip_bad_rows=True))


def test_whole_number_float_labels_are_integers(tmp_path: Path) -> None:
    """pandas writes an integer column with a gap as floats: 1.0 is the label 1; 1.5, NaN
    and null are no labels (true is "True": see the bool labels' test)."""
    import numpy as np

    from sentigru.data.files import read_rows

    path = tmp_path / "f.jsonl"
    rows = [
        {"text": "good", "label": 1.0},
        {"text": "bad", "label": 0.0},
        {"text": "ok", "label": 1},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert _read(path).labels == ["1", "0", "1"]
    for label, shown in ((1.5, "1.5"), (float("nan"), "nan"), (None, "None")):
        path.write_text(json.dumps({"text": "x", "label": label}) + "\n")
        with pytest.raises(SentigruError, match=f":1: label must be a string or .*, got {shown} "):
            _read(path)
    assert read_rows(["a", "b"], [np.float64(1.0), 0.0], ReadOptions()).examples.labels == [
        "1",
        "0",
    ]


def test_bool_labels_in_memory_are_named_as_printed_and_mapped_by_that_name(
    tmp_path: Path,
) -> None:
    """An ``is_positive`` column of a DataFrame (bool, NumPy's bool) was refused row by
    row, and so was every label_map a user wrote for it."""
    import numpy as np

    from sentigru.data.files import read_rows

    labels = [True, np.bool_(False), np.array([True])[0]]
    assert read_rows(["a", "b", "c"], labels, ReadOptions()).examples.labels == [
        "True",
        "False",
        "True",
    ]
    named = ReadOptions(label_map={"True": "positive", "False": "negative"})
    assert read_rows(["a", "b"], [True, False], named).examples.labels == [
        "positive",
        "negative",
    ]
    # JSON Lines from df.to_json(lines=True) write them as true and false: the same names
    path = tmp_path / "b.jsonl"
    path.write_text('{"text": "good", "label": true}\n{"text": "bad", "label": false}\n')
    assert _read(path).labels == ["True", "False"]
    # one-hot rows (pd.get_dummies' bool columns) are no label: one line, not a traceback
    with pytest.raises(SentigruError, match="rows:0: label must be a string or an integer"):
        read_rows(["a", "b"], np.eye(2, dtype=bool), ReadOptions())


def test_a_json_lines_object_without_the_keys_names_those_it_has(tmp_path: Path) -> None:
    path = tmp_path / "k.jsonl"
    path.write_text(json.dumps({"review": "good", "stars": 5}) + "\n")
    with pytest.raises(
        SentigruError,
        match=r"k.jsonl:1: no key 'text' or 'label' in the object \(found 'review', 'stars'; "
        r"choose with --text-column / --label-column\)",
    ):
        _read(path)
    path.write_text(json.dumps({"text": "good", "stars": 5}) + "\n")
    with pytest.raises(SentigruError, match=r":1: no key 'label' in .*found 'text', 'stars';"):
        _read(path)


def test_a_json_array_is_refused_with_the_command_that_writes_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not read (one value, held whole, where lines stream): refused with jq's command,
    to a name that is not the file's own. JSON Lines named .json read; a JSON Lines file
    whose lines are arrays gets the per-line message."""
    rows = [{"text": "good", "label": 1}, {"text": "bad", "label": 0}]
    fix = r"a JSON array; sentigru reads JSON Lines, one object a line \("
    cases = {
        "a.json": (json.dumps(rows, indent=2), r"jq -c '.\[\]' \S*a.json > \S*a.jsonl\)$"),
        "p.jsonl": (json.dumps(rows, indent=2), r"jq -c '.\[\]' \S*p.jsonl > \S*p.lines.jsonl\)"),
        "one.jsonl": (json.dumps(rows), r"jq -c '.\[\]' \S*one.jsonl > \S*one.lines.jsonl\)"),
    }
    for name, (content, command) in cases.items():
        (tmp_path / name).write_text(content)
        with pytest.raises(SentigruError, match=f"{name}: {fix}{command}"):
            _read(tmp_path / name)
    with pytest.raises(SentigruError, match=f"a.json: {fix}"):  # unlabelled texts too
        read_texts(tmp_path / "a.json")
    zipped = tmp_path / "g.json.gz"
    zipped.write_bytes(gzip.compress(json.dumps(rows).encode()))
    with pytest.raises(SentigruError, match=r"gzip -dc \S*g.json.gz \| jq -c '.\[\]' > \S*g.jsonl"):
        _read(zipped)
    lines = tmp_path / "lines.json"
    lines.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert _read(lines).labels == ["1", "0"]
    # the command never writes over a file: not the input in other case (a macOS disk
    # ignores it), not one that is there; a name that starts like an option is no option
    (tmp_path / "K.JSONL").write_text(json.dumps(rows))
    (tmp_path / "keep.json").write_text(json.dumps(rows))
    (tmp_path / "keep.jsonl").write_text("mine")
    for name, target in (("K.JSONL", "K.lines.jsonl"), ("keep.json", "keep.lines.jsonl")):
        with pytest.raises(SentigruError, match=rf"> \S*/{re.escape(target)}\)$"):
            _read(tmp_path / name)
    strings = tmp_path / "s.json"  # texts alone: each made an object jq can give
    strings.write_text(json.dumps(["good", "bad"]))
    with pytest.raises(SentigruError, match=r"jq -c '.\[\] \| \{text: .\}' \S*s.json"):
        read_texts(strings)
    spread = tmp_path / "one.json"  # one object printed over lines, not an array
    spread.write_text(json.dumps(rows[0], indent=2))
    with pytest.raises(SentigruError, match=r"one.json:1: not JSON .*over lines\? .*jq -c ."):
        _read(spread)
    monkeypatch.chdir(tmp_path)
    Path("-x.json").write_text(json.dumps(rows))
    with pytest.raises(SentigruError, match=r"jq -c '.\[\]' ./-x.json > ./-x.jsonl\)$"):
        _read(Path("-x.json"))


def test_a_folder_of_data_files_names_the_globs_that_give_them(tmp_path: Path) -> None:
    for name in ("jan.csv", "feb.csv", "old.tsv.gz"):
        (tmp_path / name).write_text("x")
    with pytest.raises(
        SentigruError,
        match=r"one sub-folder per label holding .txt files; to read the files it holds, give "
        r"them: --data '\S*/\*\.csv' --data '\S*/\*\.tsv\.gz'$",
    ):
        _read(tmp_path)


def test_other_compressions_are_refused_with_the_command_that_unpacks(tmp_path: Path) -> None:
    import re

    for name, command in (
        ("a.zip", "unzip"),
        ("a.csv.bz2", "bunzip2 -k"),
        ("a.tsv.xz", "unxz -k"),
        ("a.tar.gz", "tar xf"),
    ):
        (tmp_path / name).write_bytes(b"x")
        message = rf"{re.escape(name)}: compressed as \.\w+, which is not read; unpack it first "
        with pytest.raises(SentigruError, match=rf"{message}\({command} \S*{re.escape(name)}\)"):
            _read(tmp_path / name)


def test_rows_skipped_in_validation_files_are_counted_as_in_training_files(
    tmp_path: Path, capsys
) -> None:
    """``--skip-bad-rows`` said what it skipped in ``--data``, but dropped rows of
    ``--val-data`` without a word (evaluate on the same file counted them)."""
    from sentigru.data import DataSource, ReadOptions
    from sentigru.spec import Spec
    from sentigru.train_data import prepare_source

    good = "".join(f"{label}\treview {i}\n" for i in range(20) for label in ("neg", "pos"))
    train = tmp_path / "train.tsv"
    train.write_text("label\ttext\n" + good)
    val = tmp_path / "val.tsv"
    val.write_text("label\ttext\n" + good + "pos\n\tno label\nneg\tfine\textra\n")
    source = DataSource.of(train, options=ReadOptions(skip_bad_rows=True))
    prepare_source(source, Spec(), [val])
    assert "val.tsv: skipped 3 bad row(s)" in capsys.readouterr().err


def test_utf8_read_in_another_encoding_is_told(tmp_path: Path, capsys) -> None:
    """The hint for one file (--encoding cp1252) applies to every file: a UTF-8 file read
    so trained on "TrÃ¨s bon" without a word; one with a byte-order mark said it too."""
    from sentigru.data.files import ReadOptions, read_examples

    utf8 = tmp_path / "utf8.tsv"
    utf8.write_bytes("label\ttext\npos\tTrès bon — ok\nneg\tpas bien\n".encode())
    cp1252 = ReadOptions(encoding="cp1252")
    assert read_examples(utf8, cp1252).examples.texts[0] == "TrÃ¨s bon â€” ok"
    assert "utf8.tsv:2: note: valid UTF-8, read as cp1252" in capsys.readouterr().err
    latin = tmp_path / "latin.tsv"
    latin.write_bytes("label\ttext\npos\tCafé bon\n".encode("cp1252"))
    assert read_examples(latin, cp1252).examples.texts == ["Café bon"]
    assert "note" not in capsys.readouterr().err
    bom = tmp_path / "bom.tsv"
    bom.write_bytes(b"\xef\xbb\xbf" + b"label\ttext\npos\tok\n")
    with pytest.raises(SentigruError, match="byte-order mark: it is UTF-8, not cp1252"):
        read_examples(bom, cp1252)
    ascii_only = ReadOptions(encoding="ascii")
    with pytest.raises(SentigruError, match="not valid ascii, but valid UTF-8: drop --encoding"):
        read_examples(utf8, ascii_only)


def test_utf16_is_told_by_its_mark_or_its_nuls_and_other_lines_are_not() -> None:
    from sentigru.data.encodings import looks_utf16

    for line in ("label\ttext\n".encode(c) for c in ("utf-16", "utf-16-le", "utf-16-be")):
        assert looks_utf16(line)
    for line in (
        b"a\x00bcdef\n",
        b"label\ttext\n",
        "café\n".encode(),
        b"ab",
        b"\x00" * 64,  # /dev/zero: no letters in every other byte
    ):
        assert not looks_utf16(line), line


def test_a_label_renamed_twice_in_a_label_map_is_refused() -> None:
    """``positive=negative,positive=positive`` kept the last and dropped the first."""
    from sentigru.data.files import parse_label_map

    with pytest.raises(SentigruError, match="positive is renamed twice"):
        parse_label_map("positive=negative,positive=positive")
    assert parse_label_map("0=negative,0=negative,1=positive") == {"0": "negative", "1": "positive"}


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_is_named_as_such_not_as_utf16(tmp_path: Path, codec: str) -> None:
    """A UTF-32 file's mark begins with UTF-16's, and without a mark its ASCII letters
    have a NUL in every other byte too: both were called UTF-16."""
    data = tmp_path / "u32.tsv"
    data.write_bytes("label\ttext\npositive\tgood\n".encode(codec))
    with pytest.raises(SentigruError, match="looks like UTF-32 text; save it as UTF-8"):
        read_examples(data)


def test_labels_spelt_otherwise_are_mapped_onto_the_labels_they_must_match() -> None:
    """Evaluated data spelling a label several ways was told to merge into its own
    commonest spelling, which the model does not have (a second error followed); and
    validation labels spelt otherwise than training's got no map at all."""
    from sentigru.data.examples import check_known_labels, check_label_spellings

    drift = Counter({"Positive": 10, "NEGATIVE": 8, "pos": 5, "neg": 4, "positive": 3})
    model = ("negative", "positive")
    with pytest.raises(SentigruError, match="Positive=positive,pos=positive,NEGATIVE=negative"):
        check_label_spellings(drift | Counter({"negative": 2}), None, model)
    with pytest.raises(SentigruError, match="--label-map positive=Positive,pos=Positive"):
        check_label_spellings(drift, None, ())  # training: its commonest spelling
    with pytest.raises(SentigruError, match=r"--label-map \(label_map=\), e.g. NEGATIVE=negative,"):
        check_known_labels(["NEGATIVE", "Positive", "neg", "pos", "negative"], model)
    with pytest.raises(SentigruError, match="e.g. 0=negative,1=positive"):
        check_known_labels(["0", "1"], model)
    # the map in force is kept in the hint: 0/1 read as negative/positive already
    with pytest.raises(SentigruError, match="e.g. 0=negative,1=positive,Negative=negative,"):
        check_known_labels(["Negative", "Positive"], model, {"0": "negative", "1": "positive"})
    # a model whose labels are the shortenings: the data's full words map onto them
    with pytest.raises(SentigruError, match="--label-map negative=neg,positive=pos"):
        check_label_spellings(
            Counter({"neg": 3, "negative": 4, "pos": 3, "positive": 4}), None, ("neg", "pos")
        )
    with pytest.raises(SentigruError, match="neg=negative,Neg=negative"):
        check_label_spellings(Counter({"Neg": 3, "neg": 4, "Pos": 3, "pos": 4}), None, model)


def test_training_texts_the_model_reads_nothing_of_are_noted() -> None:
    """An emoji, a URL or a number alone, labelled, trained silently: each teaches the
    model a label for text it cannot read (predict and evaluate said so, training not);
    texts reaching the model's length are counted too."""
    from conftest import synthetic_reviews

    from sentigru.data.examples import Examples
    from sentigru.spec import Spec
    from sentigru.train_data import prepare

    rows = synthetic_reviews(200, seed=4)
    texts = [t for _, t in rows] + ["😍😍", "5", "https://example.com/r", "영화짱재밋다 ㅋㅋ"]
    labels = [label for label, _ in rows] + ["positive", "negative", "positive", "positive"]
    heard: list[str] = []
    spec = Spec().replace(
        tokenizer={"seq_len": 16}, model={"chunk_len": 16}, training={"val_split": 0.0}
    )
    prepare(Examples(texts, labels), spec, log=heard.append)
    blind = [line for line in heard if "hold no word the vocabulary keeps" in line]
    assert len(blind) == 1 and blind[0].startswith("note: 4 training text(s)"), heard
    assert "e.g. '😍😍'" in blind[0]
    # each kind named: rare words, another script (a Korean row was told to be dropped as
    # emoji are), emoji alone
    assert blind[0].endswith(
        "; of them, 2 with words rarer than --min-count 3 (--min-count 1 keeps them), 1 with "
        "only letters the regex tokenizer cannot read (another script: --preset sentencepiece "
        "reads any), 1 with nothing but emoji or punctuation (drop them)"
    ), blind[0]
    assert any("training texts reach the model's length (--seq-len 16" in x for x in heard)
    # a vocabulary not learnt here (--init): words it lacks, not emoji
    from sentigru.train_data import _why_unread

    lacking = [("great film", [1, 2, 2]), ("😍", [1])]
    assert _why_unread(lacking, 1, regex=True) == (
        "; of them, 1 with words the vocabulary lacks, 1 with nothing but emoji or "
        "punctuation (drop them)"
    )
    assert _why_unread(lacking, 1, regex=False) == "; drop them"  # SentencePiece's
    heard.clear()
    prepare(Examples(texts[:200], labels[:200]), Spec(), log=heard.append)
    assert not any("no word the vocabulary" in x or "model's length" in x for x in heard)


def test_a_label_map_joined_by_a_full_width_comma_is_refused() -> None:
    """``0=부정，1=긍정`` (a CJK input method's comma) trained and shipped the label
    ``부정，1=긍정``, with a note that ``1`` was left as written."""
    from sentigru.data.files import parse_label_map

    with pytest.raises(SentigruError, match=r"holds '=': separate pairs with an ASCII comma"):
        parse_label_map("0=부정，1=긍정")
    assert parse_label_map("0=부정,1=긍정") == {"0": "부정", "1": "긍정"}


def test_a_comma_inside_a_label_name_is_written_with_a_backslash() -> None:
    """A label a CSV quotes (``"meh, so-so"``) could not be named in --label-map, and the
    error repeated the rule the user had followed; the hints sentigru composes spell it."""
    import shlex

    from sentigru.data.examples import label_map_hint
    from sentigru.data.files import parse_label_map

    assert parse_label_map(r"1=meh\, so-so,2=good") == {"1": "meh, so-so", "2": "good"}
    with pytest.raises(SentigruError, match=r"a comma inside a name is written \\,"):
        parse_label_map("1=meh, so-so")
    hint = label_map_hint(["0", "1"], ["meh, so-so", "good"])
    assert parse_label_map(shlex.split(hint)[0]) == {"0": "meh, so-so", "1": "good"}


def test_labels_are_named_in_composed_form_wherever_they_come_from(tmp_path: Path) -> None:
    """macOS writes folder names decomposed (NFD): a Korean model's labels were refused
    as unknown by a folder of its own labels, with names that printed alike."""
    import unicodedata

    from sentigru.data.examples import label_indices
    from sentigru.data.files import parse_label_map

    nfd = {label: unicodedata.normalize("NFD", label) for label in ("부정", "긍정")}
    assert all(len(nfd[label]) > len(label) for label in nfd)
    path = tmp_path / "ko.tsv"
    path.write_text(f"label\ttext\n{nfd['부정']}\t별로\n{nfd['긍정']}\t최고\n", "utf-8")
    assert _read(path).labels == ["부정", "긍정"]
    for folder_label in nfd.values():
        (tmp_path / "folders" / folder_label).mkdir(parents=True)
        (tmp_path / "folders" / folder_label / "a.txt").write_text("좋아요", "utf-8")
    assert set(read_examples(tmp_path / "folders").examples.labels) == {"부정", "긍정"}
    assert parse_label_map(f"0={nfd['부정']}") == {"0": "부정"}
    assert parse_label_map({"0": nfd["긍정"]}) == {"0": "긍정"}
    with pytest.raises(SentigruError, match="긍정 is renamed twice"):  # one label, two keys
        ReadOptions(label_map={nfd["긍정"]: "pos", "긍정": "neg"})
    assert label_indices(["긍정", "부정"], [nfd["부정"], nfd["긍정"]]) == [1, 0]  # an old folder


def test_a_validation_label_hint_follows_the_models_order_whatever_the_hash_seed(
    tmp_path: Path,
) -> None:
    """The hint for validation labels the training lacks paired ``0``/``1`` with the
    training labels in a set's order: one map or its reverse, by the process's hash seed."""
    import subprocess
    import sys

    code = (
        "import sentigru\n"
        "train = (['별로', '최고', '싫어', '좋아'], ['부정', '긍정', '부정', '긍정'])\n"
        "try:\n"
        "    sentigru.train(train, sys.argv[1], val_data=(['아', '와'], ['0', '1']))\n"
        "except sentigru.SentigruError as exc:\n"
        "    print(str(exc).rsplit('e.g. ', 1)[1])\n"
    )
    hints = set()
    for seed in range(1, 5):
        done = subprocess.run(
            [sys.executable, "-c", "import sys\n" + code, str(tmp_path / f"m{seed}")],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            timeout=120,
        )
        hints.add(done.stdout.strip())
    assert hints == {"'0=긍정,1=부정'"}  # the model's order: its labels sorted


def test_label_maps_and_teacher_columns_name_labels_in_composed_form(tmp_path: Path) -> None:
    """A dict map given in Python, and a teacher's score columns, kept decomposed names
    that matched no label read from the data (which are composed)."""
    import unicodedata

    from sentigru.data.scored import read_scored

    nfd = unicodedata.normalize("NFD", "긍정")
    assert ReadOptions(label_map={nfd: "pos", 0: nfd}).label_map == {"긍정": "pos", "0": "긍정"}
    scores = tmp_path / "scores.tsv"
    scores.write_text(f"text\t{nfd}\t부정\nfine\t0.9\t0.1\n", "utf-8")
    assert read_scored(scores, ReadOptions())[1] == ["긍정", "부정"]


def test_a_start_from_a_model_hints_its_labels_in_its_own_order() -> None:
    """Training from a Korean model (부정, 긍정) on 0/1 data: the note's map paired them
    with its labels sorted by name, 0 onto the positive one."""
    from types import SimpleNamespace

    from sentigru.training_notes import log_start

    said: list[str] = []
    base = SimpleNamespace(labels=["부정", "긍정"], vocab=[0] * 10)
    log_start("bundled", base, ["0", "1"], said.append)
    assert "--label-map '0=부정,1=긍정'" in said[-1]


@pytest.mark.parametrize("how", ["stream", "init"])
def test_a_validation_label_hint_keeps_the_map_given_streamed_or_from_a_model(
    tmp_path: Path, how: str
) -> None:
    """Streamed, or from a starting model, the hint for unknown validation labels named
    those alone (``2=negative,3=positive``): following it dropped the user's own map."""
    import sentigru

    train = tmp_path / "train.tsv"
    train.write_text("label\ttext\n" + "0\tbad film\n1\tgood film\n" * 20)
    val = tmp_path / "val.tsv"
    val.write_text("label\ttext\n2\tawful\n3\tgreat\n")
    options = {"stream": True} if how == "stream" else {"init": "bundled"}
    with pytest.raises(SentigruError, match="e.g. 0=negative,1=positive,2=negative,3=positive"):
        sentigru.train(
            train, tmp_path / "m", val_data=val, label_map="0=negative,1=positive", **options
        )


def test_a_missing_value_is_no_label(tmp_path: Path) -> None:
    """pandas writes a missing label as nan, Excel as #N/A: 5 % of rows so marked trained
    a third label. Such a row is bad as an empty label is; a label map naming the marker
    keeps it, and lower-case none stays a label."""
    from sentigru.data.files import read_rows

    path = tmp_path / "frame.csv"
    path.write_text("text,label\ngood,pos\nbad,neg\nmeh,nan\nso so,#N/A\n")
    with pytest.raises(SentigruError, match=r"frame.csv:4: label 'nan' marks a missing value"):
        _read(path)
    assert set(_read(path, skip_bad_rows=True).labels) == {"pos", "neg"}
    kept = _read(path, skip_bad_rows=True, label_map={"nan": "neutral"})
    assert Counter(kept.labels) == {"pos": 1, "neg": 1, "neutral": 1}
    rows = read_rows(["a", "b"], ["none", "pos"], ReadOptions())  # a class of its own
    assert rows.examples.labels == ["none", "pos"]
    with pytest.raises(SentigruError, match="label 'None' marks a missing value"):
        read_rows(["a", "b"], ["None", "pos"], ReadOptions())  # str(None), from Python


def test_a_label_column_of_ids_or_texts_is_refused_by_name(tmp_path: Path) -> None:
    """A label column with a value per row (an id, or the text and label columns the
    wrong way round) trained a 400-label model with a note per label."""
    from sentigru.data.examples import check_two_labels

    path = tmp_path / "rows.csv"
    path.write_text("id,text,label\n" + "".join(f"{i},text {i},{i % 2}\n" for i in range(40)))
    examples = _read(path, label_column="id")
    with pytest.raises(SentigruError, match=r"40 labels in 40 rows, 40 of them on one row only"):
        examples.check_trainable("training data")
    _read(path).check_trainable("training data")  # the right column
    many = Counter({f"topic {i}": 3 for i in range(30)})  # many labels, each with rows
    check_two_labels(many, "training data")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_files_in_a_label_folder_are_refused_as_a_line_file_is(
    tmp_path: Path, codec: str
) -> None:
    """Without a byte-order mark each text was read as its first letter (a NUL after
    it), and an evaluation answered; with one, the advice named Windows-1252."""
    (tmp_path / "pos").mkdir()
    (tmp_path / "pos" / "1.txt").write_bytes("A lovely film".encode(codec))
    with pytest.raises(SentigruError, match=r"1\.txt: looks like UTF-16 text; save it as UTF-8"):
        _read(tmp_path)


def test_a_label_folders_utf8_byte_order_mark_is_not_text(tmp_path: Path) -> None:
    (tmp_path / "pos").mkdir()
    (tmp_path / "pos" / "1.txt").write_bytes("A lovely film".encode("utf-8-sig"))
    assert _read(tmp_path).texts == ["A lovely film"]


@pytest.mark.parametrize(("name", "fix"), [("cr.tsv", r"remove it \(TSV"), ("cr.csv", "quote")])
def test_a_carriage_return_inside_a_field_is_a_bad_row(tmp_path: Path, name: str, fix: str) -> None:
    """A bad row like others: skipped with skip_bad_rows (it stopped the whole read), and
    TSV, read without quotes, is not told to quote the field."""
    sep = "\t" if name.endswith(".tsv") else ","
    path = tmp_path / name
    path.write_bytes(f"label{sep}text\npos{sep}great\rfilm\nneg{sep}awful\n".encode())
    with pytest.raises(SentigruError, match=rf"{name}:2: a carriage return inside a field; {fix}"):
        _read(path)
    assert _read(path, skip_bad_rows=True).texts == ["awful"]


def test_column_names_match_whether_accents_are_composed_or_not(tmp_path: Path) -> None:
    """Excel on macOS may write 'é' as e and a combining accent; the name typed is one
    character: the message showed two names that look the same."""
    table = tmp_path / "nfd.tsv"
    table.write_text("commentaire_e\u0301crit\tlabel\ngreat film\tpos\n", "utf-8")
    lines = tmp_path / "nfd.jsonl"
    lines.write_text('{"commentaire_e\u0301crit": "great film", "label": "pos"}\n', "utf-8")
    for path in (table, lines):
        assert _read(path, text_column="commentaire_\u00e9crit").texts == ["great film"]


def test_json_lines_files_joined_each_with_a_byte_order_mark_read(tmp_path: Path) -> None:
    one = '\ufeff{"text": "great", "label": "pos"}\n'
    path = tmp_path / "joined.jsonl"
    path.write_text(one + one, "utf-8")  # cat a.jsonl b.jsonl
    assert _read(path).texts == ["great", "great"]


def test_a_label_folders_unreadable_file_is_named(tmp_path: Path, monkeypatch) -> None:
    """The folder was named, not the file in it that could not be read."""
    (tmp_path / "pos").mkdir()
    locked = tmp_path / "pos" / "2.txt"
    locked.write_text("great")
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(SentigruError, match=r"cannot read: .*pos/2\.txt: Permission denied"):
        _read(tmp_path)
