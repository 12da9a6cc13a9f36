"""Streaming data: globs, the hash split, sharding, the bounded word counter, and memory
that stays flat as a file grows. None of these needs TensorFlow."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import synthetic_reviews, write_tsv
from hypothesis import given, settings
from hypothesis import strategies as st

from sentigru.data import ReadOptions, read_examples
from sentigru.data.stream import StreamSource, expand_paths, in_validation, shuffled
from sentigru.errors import SentigruError
from sentigru.tokenizer import Vocabulary, WordCounter


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    rows = synthetic_reviews(300, seed=5)
    return [write_tsv(tmp_path / f"part-{i}.tsv", rows[i * 100 : (i + 1) * 100]) for i in range(3)]


def _all_rows(paths: list[Path]) -> list[tuple[str, str]]:
    rows = []
    for path in paths:
        examples = read_examples(path).examples
        rows += list(zip(examples.texts, examples.labels))
    return rows


def test_globs_expand_sorted_and_an_empty_glob_is_an_error(parts: list[Path]) -> None:
    folder = parts[0].parent
    assert expand_paths([folder / "part-*.tsv"]) == parts
    assert expand_paths([parts[1]]) == [parts[1]]  # not a glob: kept as given
    with pytest.raises(SentigruError, match="matches no file"):
        expand_paths([folder / "nothing-*.tsv"])


def test_a_file_named_twice_is_refused_not_read_twice(parts: list[Path]) -> None:
    """Its rows would count double, silently: by name twice, or by a glob and its name."""
    folder = parts[0].parent
    with pytest.raises(SentigruError, match="part-1.tsv: named twice; its rows"):
        expand_paths([parts[1], parts[1]])
    with pytest.raises(SentigruError, match=r"named twice \(matched by .*part-\*.tsv\); its"):
        expand_paths([folder / "part-*.tsv", parts[1]])
    (folder / "link.tsv").symlink_to(parts[1])
    with pytest.raises(SentigruError, match=r"link.tsv: the same file as .*part-1.tsv; its"):
        expand_paths([parts[1], folder / "link.tsv"])
    relative = Path(os.path.relpath(parts[1]))
    with pytest.raises(SentigruError, match="the same file as"):
        expand_paths([parts[1], relative])


def test_a_file_whose_name_looks_like_a_glob_is_read_as_named(tmp_path: Path) -> None:
    odd = write_tsv(tmp_path / "dev[2020].tsv", synthetic_reviews(10, seed=1))
    assert expand_paths([odd]) == [odd]


def test_validation_files_expand_and_must_not_be_training_files(parts: list[Path]) -> None:
    """--val-data takes a glob with or without --stream; a file trained on is refused."""
    from sentigru.train_data import check_files

    folder = parts[0].parent
    assert check_files([parts[0]], [folder / "part-[12].tsv"]) == parts[1:]
    with pytest.raises(SentigruError, match="part-1.tsv is both --data and --val-data"):
        check_files([folder / "part-*.tsv"], [parts[1]])


def test_an_empty_validation_file_is_refused_streamed_or_not(parts: list[Path], tmp_path) -> None:
    """Else training would fall back to nothing (streamed) or to --val-split, silently."""
    from sentigru.data.sources import DataSource
    from sentigru.spec import Spec
    from sentigru.train_data import prepare_source

    empty = tmp_path / "empty.tsv"
    empty.write_text("label\ttext\n")
    with pytest.raises(SentigruError, match="--val-data holds no labelled rows"):
        StreamSource(parts, val_paths=[empty]).scan()
    with pytest.raises(SentigruError, match="empty.tsv: no labelled texts found"):
        prepare_source(DataSource(tuple(parts)), Spec(), [empty])


def test_a_stream_too_small_for_its_validation_share_is_refused(tmp_path: Path) -> None:
    """As the in-memory split refuses it: training on with no validation row would stop
    on nothing, without a word. With --val-data or no share it trains."""
    rows = synthetic_reviews(4, seed=5)
    small = write_tsv(tmp_path / "small.tsv", rows)
    held = [in_validation(text, 0, 0.1) for _, text in rows]
    assert not any(held)  # the premise: no row of these falls in the share
    with pytest.raises(SentigruError, match="too few examples to hold out a validation split"):
        StreamSource([small], val_fraction=0.1, seed=0).scan()
    assert StreamSource([small], val_fraction=0.0).scan().train_rows == 4
    other = write_tsv(tmp_path / "val.tsv", synthetic_reviews(4, seed=6))
    assert StreamSource([small], val_paths=[other], val_fraction=0.1).scan().val_rows == 4


def test_train_and_validation_rows_partition_the_data(parts: list[Path]) -> None:
    source = StreamSource(parts, val_fraction=0.2, seed=3)
    train, val = list(source.rows("train")), list(source.rows("val"))
    assert sorted(train + val) == sorted(_all_rows(parts))
    assert 20 <= len(val) <= 100  # about a fifth of 300, by hash
    # The split is by text and seed: another seed holds out other rows.
    other = list(StreamSource(parts, val_fraction=0.2, seed=4).rows("val"))
    assert other != val


@pytest.mark.parametrize("workers", [2, 3, 5])  # by file (2, 3) and by row (5 > 3 files)
def test_shards_are_disjoint_and_cover_the_data(parts: list[Path], workers: int) -> None:
    source = StreamSource(parts)
    shards = [list(source.rows("all", (i, workers))) for i in range(workers)]
    merged = [row for shard in shards for row in shard]
    assert sorted(merged) == sorted(_all_rows(parts))
    assert all(shards)


def test_scan_matches_reading_into_memory(parts: list[Path]) -> None:
    """Same fingerprint as the in-memory reader, and (no pruning) the same vocabulary as
    Vocabulary.build on the training rows."""
    from sentigru.data import load_sources

    source = StreamSource(parts, val_fraction=0.1, seed=1)
    scan = source.scan(word_capacity=10_000)
    assert scan.fingerprint == load_sources(parts).fingerprint()
    assert scan.words.undercount == 0
    texts = [text for text, _ in source.rows("train")]
    assert Vocabulary.from_counts(scan.words.counts, 50) == Vocabulary.build(texts, 50)
    assert scan.train_rows == len(texts) and scan.val_rows == 300 - len(texts)
    per_text = source.scan(word_capacity=10_000, per_text=True)
    by_texts = Vocabulary.build(texts, 50, per_text=True)
    assert Vocabulary.from_counts(per_text.words.counts, 50) == by_texts


def test_scan_refuses_a_single_label_and_unknown_validation_labels(tmp_path: Path) -> None:
    one = write_tsv(tmp_path / "one.tsv", [("pos", "good"), ("pos", "fine")])
    with pytest.raises(SentigruError, match="every example has the label 'pos'"):
        StreamSource([one]).scan()
    two = write_tsv(tmp_path / "two.tsv", [("pos", "good"), ("neg", "bad")])
    val = write_tsv(tmp_path / "val.tsv", [("meh", "so so")])
    with pytest.raises(SentigruError, match="not in the training data: meh"):
        StreamSource([two], val_paths=[val]).scan()


def test_bad_rows_are_skipped_and_reported_when_asked(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("label\ttext\npos\tgood\nbroken\nneg\tbad\n", "utf-8")
    with pytest.raises(SentigruError, match=r"bad.tsv:3: expected 2 fields"):
        StreamSource([path]).scan()
    scan = StreamSource([path], ReadOptions(skip_bad_rows=True)).scan()
    assert scan.train_rows == 2 and "skipped 1 bad row" in capsys.readouterr().err


def test_shuffle_is_a_seeded_permutation() -> None:
    rows = [(str(i), "x") for i in range(1000)]
    one = list(shuffled(rows, 64, random.Random(1)))
    assert sorted(one) == sorted(rows) and one != rows
    assert one == list(shuffled(rows, 64, random.Random(1)))
    assert one != list(shuffled(rows, 64, random.Random(2)))


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(st.integers(0, 60), min_size=1, max_size=3000),
    capacity=st.integers(2, 40),
)
def test_bounded_counter_keeps_frequent_words_within_its_error_bound(
    words: list[int], capacity: int
) -> None:
    """The bound the docstring promises: at most ``capacity`` words held, every count
    at most 2n/capacity low, and every word above that frequency kept."""
    counter = WordCounter(capacity)
    for start in range(0, len(words), 7):
        counter.add(" ".join(f"w{w}" for w in words[start : start + 7]))
    exact = Counter(f"w{w}" for w in words)
    bound = 2 * len(words) / capacity
    assert len(counter.counts) <= capacity
    assert counter.undercount <= bound
    for word, count in exact.items():
        assert counter.counts.get(word, 0) <= count
        assert count - counter.counts.get(word, 0) <= counter.undercount
        if count > bound:
            assert word in counter.counts


_PEAK = """
import resource, sys
from pathlib import Path
from sentigru.data.stream import StreamSource
source = StreamSource([Path(sys.argv[1])], val_fraction=0.1, seed=0)
scan = source.scan(word_capacity=100_000)
rows = sum(1 for _ in source.rows("train"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, rows)
"""


def test_streaming_memory_stays_flat_as_the_file_grows(tmp_path: Path) -> None:
    """Scanning and re-reading a 10x larger file costs far less than the added text."""
    rng = random.Random(0)
    vocab = [f"word{i}" for i in range(3000)]
    peaks = {}
    for copies in (1, 10):
        path = tmp_path / f"x{copies}.tsv"
        with path.open("w", encoding="utf-8") as out:
            out.write("label\ttext\n")
            for i in range(3000 * copies):
                out.write(f"{i % 2}\t{' '.join(rng.choices(vocab, k=200))}\n")
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, check=True
        )
        peak, rows = map(int, done.stdout.split())
        assert 0.85 * 3000 * copies < rows < 3000 * copies
        peaks[copies] = (peak, path.stat().st_size / 2**20)
    grown = peaks[10][0] - peaks[1][0]
    added = peaks[10][1] - peaks[1][1]
    assert added > 40  # MiB of text added; holding it would add about as much memory
    assert grown < 10, f"peak grew {grown} MiB for {added:.0f} MiB more text"


def test_files_of_one_label_each_are_read_in_turn(tmp_path: Path) -> None:
    """Two files, one per label (the aclImdb layout): with an order, they interleave, so a
    small shuffle buffer still sees both labels; every row still comes exactly once."""
    pos = write_tsv(tmp_path / "pos.tsv", [("pos", f"good {i}") for i in range(50)])
    neg = write_tsv(tmp_path / "neg.tsv", [("neg", f"bad {i}") for i in range(50)])
    source = StreamSource([pos, neg])
    rows = list(source.rows("all", order=random.Random(0)))
    assert sorted(rows) == sorted(_all_rows([pos, neg]))
    assert {label for _, label in rows[:10]} == {"pos", "neg"}
    assert [label for _, label in source.rows("all")][:50] == ["pos"] * 50  # no order: as is


@pytest.mark.parametrize("workers", [2, 5])
def test_ordered_shards_stay_disjoint_when_workers_share_the_order(
    parts: list[Path], workers: int
) -> None:
    source = StreamSource(parts)
    shards = [
        list(source.rows("all", (i, workers), order=random.Random(9))) for i in range(workers)
    ]
    assert sorted(row for shard in shards for row in shard) == sorted(_all_rows(parts))


def test_a_label_sorted_file_longer_than_the_buffer_is_warned_about(tmp_path: Path, capsys) -> None:
    rows = [("neg", f"bad {i}") for i in range(30)] + [("pos", f"good {i}") for i in range(30)]
    path = write_tsv(tmp_path / "sorted.tsv", rows)
    StreamSource([path]).scan(shuffle_buffer=100)
    assert "warning" not in capsys.readouterr().err
    StreamSource([path]).scan(shuffle_buffer=20)
    assert "30 rows in a row have one label" in capsys.readouterr().err


def test_a_file_that_fails_mid_training_is_one_line_not_a_graph_traceback() -> None:
    """A streamed file deleted or given a bad row while training runs raises inside
    the input pipeline; TensorFlow wraps it in pages of graph trace, the user gets its
    one line."""
    import keras
    import tensorflow as tf

    from sentigru.training import _pipeline_errors

    def rows():  # type: ignore[no-untyped-def]
        yield np.zeros(4, np.int32), np.float32([1, 0])
        raise SentigruError("live/b.tsv: no such file or folder")

    signature = (tf.TensorSpec([4], tf.int32), tf.TensorSpec([2], tf.float32))
    data = tf.data.Dataset.from_generator(rows, output_signature=signature).batch(1)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy")
    with pytest.raises(SentigruError) as raised, _pipeline_errors(tf):
        model.fit(data, epochs=1, verbose=0)
    assert str(raised.value) == "live/b.tsv: no such file or folder"


def test_a_file_written_to_mid_training_is_one_line(tmp_path: Path) -> None:
    """Shards on shared storage get rewritten: a row whose label the scan never saw
    raised a KeyError inside the pipeline, which reached the user as 77 lines; rows of
    known labels appended between epochs were trained on unseen by the manifest."""
    import tensorflow as tf

    from sentigru.spec import Spec
    from sentigru.train_data import prepare
    from sentigru.training import _pipeline_errors

    path = write_tsv(tmp_path / "part.tsv", synthetic_reviews(40, seed=2))
    spec = Spec().replace(training={"stream": True, "val_split": 0.0})
    prepared = prepare(StreamSource([path], seed=3), spec)
    write_tsv(path, [("neutral", "a row written after the scan"), *synthetic_reviews(40, seed=2)])
    data = prepared.pipelines("train", tf.Variable(0, dtype=tf.int64), 8, (0, 1))
    with (
        pytest.raises(SentigruError, match="part.tsv changed during training"),
        _pipeline_errors(tf),
    ):
        for _ in data:
            pass
    with path.open("a") as appended:  # rows of the same labels, as a log file grows
        appended.write("positive\tgreat fun\n")
    data = prepared.pipelines("train", tf.Variable(1, dtype=tf.int64), 8, (0, 1))
    with pytest.raises(SentigruError, match="restore it and --resume"), _pipeline_errors(tf):
        for _ in data:
            pass


def test_a_streamed_file_or_folder_with_no_rows_is_refused_as_when_read_whole(
    parts: list[Path], tmp_path: Path
) -> None:
    """An empty label folder or a header alone among the files trained on the others
    without a word, where reading them into memory refuses them."""
    header = tmp_path / "header.tsv"
    header.write_text("label\ttext\n")
    folder = tmp_path / "empty"
    (folder / "positive").mkdir(parents=True)  # a label folder, no texts in it
    for empty in (header, folder):
        with pytest.raises(SentigruError, match=f"{empty.name}: no labelled texts found"):
            StreamSource([*parts, empty]).scan()


def test_a_streamed_run_notes_what_its_files_hold_once_not_every_epoch(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The scan's pass says it (to ``train(log=)``); the epochs' passes, read in
    TensorFlow's threads, repeated it on stderr each time."""
    from sentigru import limits

    path = tmp_path / "utf8.tsv"
    path.write_text("label\ttext\npos\tTrès bon café\nneg\tawful\n", encoding="utf-8")
    source = StreamSource([path], ReadOptions(encoding="latin-1"))
    heard: list[str] = []
    with limits.notes_to(heard.append):
        source.scan()
    assert sum("valid UTF-8, read as latin-1" in line for line in heard) == 1
    for _ in range(2):  # two epochs
        assert len(list(source.rows("all"))) == 2
    assert capsys.readouterr().err == ""
