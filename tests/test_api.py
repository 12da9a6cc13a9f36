"""The Python API does what the CLI does, one call each: train -> predict -> evaluate ->
export, with settings given by their spec names."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path
from unittest import mock

import pytest

import sentigru
from sentigru.errors import SentigruError


def test_train_predict_evaluate_export(synthetic_files, tmp_path: Path) -> None:
    import warnings

    import keras
    import numpy as np
    import tensorflow as tf
    from tensorflow.python.eager import context
    from tensorflow.python.framework import config

    train, test = synthetic_files
    lines: list[str] = []
    # A notebook's own state: its NumPy and TensorFlow seeds, a mixed-precision policy,
    # its warning filters. The run trains in float32 under its own seeds and op
    # determinism, and leaves them all as they were.
    np.random.seed(123)
    tf.random.set_seed(77)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    assert not config.is_op_determinism_enabled()
    filters = list(warnings.filters)
    try:
        clf = _train_small(train, tmp_path, lines)
    finally:
        policy = keras.mixed_precision.global_policy().name
        keras.mixed_precision.set_global_policy("float32")
        tf_seed = context.global_seed()
        tf.random.set_seed(None)
    assert policy == "mixed_bfloat16" and not config.is_op_determinism_enabled()
    assert np.random.rand() == np.random.RandomState(123).rand()
    assert tf_seed == 77 and warnings.filters == filters
    assert lines[0].startswith("read 540 training examples") and lines[0].endswith(
        ", and 60 to validate on"
    )
    assert not any(line.startswith("note: label") for line in lines)
    vocab = len((tmp_path / "m" / "vocab.txt").read_text().splitlines()) - 3  # not <PAD> …
    assert f"the vocabulary holds {vocab} words of the 11000 asked" in lines[1]
    spec = json.loads((tmp_path / "m" / "spec.json").read_text())
    assert spec["model"]["units"] == 16 and spec["training"]["seed"] == 5
    assert clf.labels == ["negative", "positive"] and clf.folder == tmp_path / "m"
    results = clf.predict(["loved it , superb", "awful and boring"], top_k=2)
    assert [r["label"] for r in results] == ["positive", "negative"]
    assert all(len(r["scores"]) == 2 and r["known_tokens"] >= 2 for r in results)
    assert clf.evaluate(test)["accuracy"] >= 0.9
    site = clf.export(tmp_path / "site", format="web")
    assert (site / "model.tflite").read_bytes() == (tmp_path / "m" / "model.tflite").read_bytes()


def _train_small(train: Path, tmp_path: Path, lines: list[str]) -> sentigru.Classifier:
    return sentigru.train(
        train, tmp_path / "m", log=lines.append, verbose=0, seed=5, epochs=6, min_steps=0,
        units=16, embed_dim=16, seq_len=64, learning_rate=0.005, lr_schedule="constant",
        label_smoothing=0.0, average_epochs=0, bigram_buckets=0, word_init="random",
    )  # fmt: skip


def test_a_label_with_a_handful_of_rows_among_many_is_called_out() -> None:
    """One ``positive`` among ``0`` and ``1`` rows is a typo that adds an output."""
    from sentigru.training_notes import note_stray_labels

    lines: list[str] = []
    note_stray_labels({"0": 142, "1": 128, "positive": 1}, lines.append)
    assert lines == [
        "note: label 'positive' has 1 of 271 training rows: a typo, or another file's labels? "
        "(--label-map renames labels)"
    ]
    lines.clear()
    note_stray_labels({"negative": 3, "positive": 4}, lines.append)  # small, not stray
    assert lines == []
    # Not typos, but too rare to learn: a class of 11 rows in 1,600 was never predicted.
    note_stray_labels({"1": 800, "2": 789, "3": 11}, lines.append)
    note_stray_labels({"spam": 900, "ham": 90_000}, lines.append, weighed=True)
    assert lines == [
        "note: label '3' has 11 of 1600 training rows (0.7%): too few for the model to learn it "
        "well; more of its rows help (--class-weight balanced weighs it up)",
        "note: label 'spam' has 900 of 90900 training rows (1.0%): too few for the model to learn "
        "it well; more of its rows help",
    ]
    lines.clear()  # many strays: one line, not one a label
    note_stray_labels({"neg": 500, "pos": 500, **{f"typo{i}": 1 for i in range(12)}}, lines.append)
    assert lines == [
        "note: 12 labels have at most 10 of 1012 training rows each ('typo0', 'typo1', 'typo2' "
        "…): typos, or another file's labels? (--label-map renames labels)"
    ]


def test_a_model_no_better_than_the_commonest_label_is_called_out() -> None:
    """On 90/10 data a model that answers the commonest label to everything scores 0.90
    and looked trained; it never predicted the other label."""
    from sentigru.training_notes import note_majority

    lines: list[str] = []
    counts = {"negative": 270, "positive": 2430}
    note_majority({"val_accuracy": 0.9}, counts, lines.append)
    assert len(lines) == 1 and "no better than answering 'positive' to every text" in lines[0]
    assert "--class-weight balanced" in lines[0]
    lines.clear()
    note_majority({"val_accuracy": 0.95}, counts, lines.append)
    note_majority({}, counts, lines.append)  # no validation: nothing to say
    note_majority({"val_accuracy": 0.5}, {"a": 50, "b": 50}, lines.append)  # no label rules
    assert lines == []


def test_evaluate_sends_what_reading_notes_to_its_log(synthetic_files, tmp_path, capsys) -> None:
    """train sent reading's notes to log=; evaluate printed them on stderr, where a
    notebook that gathers a run's lines did not have them."""
    data = tmp_path / "d.tsv"
    data.write_text("label\ttext\n1\tgreat film\nnegative\tawful\nnegative\tdull\n")
    heard: list[str] = []
    clf = sentigru.load()
    report = clf.evaluate(data, label_map={"1": "positive"}, log=heard.append)
    assert report["n"] == 3 and capsys.readouterr().err == ""
    assert any("note:" in line for line in heard), heard
    clf.evaluate(data, label_map={"1": "positive"})  # no log: stderr, as before
    assert "note:" in capsys.readouterr().err
    with pytest.raises(SentigruError, match="log is a function"):
        clf.evaluate(data, log="quiet")


def test_a_run_that_stopped_early_says_so() -> None:
    """Asked for 20 epochs, a run stopped at the sixth without a word of sentigru's (the
    README's Python example); the CLI's last line says which weights it saved."""
    from sentigru.spec import Spec
    from sentigru.training_notes import note_early_stop

    lines: list[str] = []
    losses = {"loss": [0.7, 0.5, 0.4, 0.3, 0.2, 0.1], "val_loss": [0.6, 0.5, 0.45, 0.5, 0.55, 0.6]}
    asked = Spec().replace(training={"epochs": 20, "patience": 3})
    note_early_stop(losses, asked, lines.append)
    assert lines == [
        "stopped early after 6 of 20 epochs: val_loss had not improved for 3 epochs (the patience)"
    ]
    lines.clear()
    note_early_stop(losses, asked.replace(training={"epochs": 6}), lines.append)  # all run
    note_early_stop({"loss": losses["loss"][:2]}, asked, lines.append)  # no validation rows
    assert len(lines) == 1 and "after 2 of 20 epochs: loss had not" in lines[0]


def test_sentencepiece_without_the_preset_names_the_preset() -> None:
    """``--tokenizer sentencepiece`` alone trains without the n-gram teacher, a point
    below the preset in Japanese, Chinese and Korean; a user who typed it is told."""
    from sentigru.presets import preset_spec
    from sentigru.training_notes import note_piece_recipe

    lines: list[str] = []
    pieces = sentigru.Spec().replace(tokenizer={"tokenizer": "sentencepiece"})
    note_piece_recipe(pieces, lines.append)
    assert len(lines) == 1 and "--preset sentencepiece adds a character n-gram" in lines[0]
    lines.clear()
    note_piece_recipe(preset_spec("sentencepiece"), lines.append)  # has it
    note_piece_recipe(sentigru.Spec(), lines.append)  # regex
    note_piece_recipe(pieces.replace(training={"stream": True}), lines.append)  # refused
    assert lines == []


def test_labels_that_are_numbers_get_a_note_on_naming_them() -> None:
    """NSMC and SST-2 ship labels 0 and 1: an app's classifier then shows "1 88.8 %"."""
    from sentigru.training_notes import note_number_labels

    lines: list[str] = []
    note_number_labels({"1": 5, "0": 7}, lines.append)
    assert lines == [
        "note: the labels are 0, 1, the names apps and the web page show; "
        "--label-map 0=NAME,1=NAME (label_map=) gives them words"
    ]
    lines.clear()
    note_number_labels({"negative": 5, "1": 7}, lines.append)
    assert lines == []


def test_load_takes_a_phone_file_and_refuses_what_is_not_a_model(tmp_path: Path) -> None:
    from sentigru.presets import default_model

    clf = sentigru.load(default_model())
    assert clf.predict("What a lovely film")[0]["label"] == "positive"
    with pytest.raises(SentigruError, match="no such model"):
        sentigru.load(tmp_path / "nope")
    with pytest.raises(SentigruError, match="unknown setting"):
        sentigru.train("data.tsv", tmp_path / "m", unit=8)
    with pytest.raises(SentigruError, match=r"made by sentigru\.load\(path\)"):
        sentigru.Classifier(default_model())  # as other libraries make theirs


def test_the_bundled_model_exports_from_its_folder_but_only_to_a_named_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load() runs the bundled phone file yet knows its folder, so export can read the
    Keras model; writing over the installed package's own files is refused."""
    from sentigru.presets import MODELS

    clf = sentigru.load()
    assert clf.folder == MODELS / "default"
    package = "inside the installed sentigru package, where the bundled model's files are"
    for out, options in (
        (None, {}),
        (MODELS / "default" / "model.tflite", {"force": True}),
        (None, {"format": "saved_model"}),
        (MODELS / "new.tflite", {}),  # anywhere in the package
        (MODELS / "default" / "site", {"format": "web"}),
    ):
        with pytest.raises(SentigruError, match=package):
            clf.export(out, **options)
    with pytest.raises(SentigruError, match=package):  # however the folder is spelt
        sentigru.export(MODELS / "default" / ".." / "default")
    site = clf.export(tmp_path / "site", format="web")
    assert (site / "model.tflite").read_bytes() == (
        MODELS / "default" / "model.tflite"
    ).read_bytes()
    from sentigru import export_api

    given: list[tuple[Path, Path]] = []
    monkeypatch.setattr(
        export_api, "_export_tflite", lambda model, out, *_: given.append((model, out))
    )
    clf.export(tmp_path / "phone.tflite", seq_len=128)
    assert given == [(MODELS / "default", tmp_path / "phone.tflite")]  # the folder, not its file
    sentigru.export(None, tmp_path / "cli.tflite")  # what `sentigru export --out` does
    assert given[-1] == (MODELS / "default", tmp_path / "cli.tflite")
    with pytest.raises(SentigruError, match="bundled model needs --out"):
        sentigru.export(None)


def test_a_classifier_pickled_before_the_api_was_split_loads() -> None:
    """Pickles made when ``load`` lived in ``sentigru.api`` name the function that loads
    them again there (the bundled model's: no path, no jobs, no state)."""
    import pickle

    clf = pickle.loads(b"csentigru.api\n_load_again\n(NNNtR.")
    assert clf.labels == sentigru.load().labels


def test_sentigru_export_stays_the_function_after_the_exporters_are_imported() -> None:
    """Importing a subpackage binds its name on the package: one named ``export`` hid
    ``sentigru.export(...)`` after the first web or phone export in a process."""
    import sentigru.exporters.web
    from sentigru import api

    assert sentigru.export is api.export and callable(sentigru.export)


def test_bad_arguments_are_named_not_tracebacks_from_inside(synthetic_files) -> None:
    """What a pandas column or a typo hands the API gets a SentigruError that names it."""
    import numpy as np

    clf = sentigru.load()
    opened = synthetic_files[0].open()
    cases = {
        "texts[1] is float nan": lambda: clf.predict(["good", float("nan")]),
        "texts[0] is NoneType": lambda: clf.scores([None]),
        "texts must be a string or a list": lambda: clf.predict(None),
        "top_k must be a whole number": lambda: clf.predict("good", top_k=0),
        "load takes a model folder": lambda: sentigru.load(5),
        "got [('0', 'neg')]": lambda: clf.evaluate(synthetic_files[1], label_map=[("0", "neg")]),
        "not label_mapp": lambda: clf.evaluate(synthetic_files[1], label_mapp={}),
        "in the DataSource, not beside it": lambda: clf.evaluate(
            sentigru.DataSource.of(synthetic_files[1]), split="test"
        ),
        "got bytes b'good'": lambda: clf.predict(b"good"),  # not its byte values
        "got dict": lambda: clf.predict({"good": 1}),  # not its keys
        "texts[1] is NoneType": lambda: list(clf.predict_stream(["good", None])),
        "chunk_size must be": lambda: clf.predict_stream(["good"], chunk_size=0),
        "chunk_size must be at most": lambda: list(clf.predict_stream(["a"], chunk_size=10**30)),
        "unknown encoding 'ascii\\x00'": lambda: clf.evaluate(
            synthetic_files[1], encoding="ascii\0"
        ),
        "data: 'a\\x00b.tsv' holds a NUL": lambda: clf.evaluate("a\0b.tsv"),
        "init: 'a\\x00' holds a NUL": lambda: sentigru.train(synthetic_files[0], "o", init="a\0"),
        "model: 'a\\x00.tflite' holds a NUL": lambda: sentigru.load("a\0.tflite"),
        "val_data: 'v\\x00' holds a NUL": lambda: sentigru.train(
            synthetic_files[0], "o", val_data=["v\0"]
        ),
        "teacher_scores: 's\\x00' holds": lambda: sentigru.train(
            synthetic_files[0], "o", teacher_scores="s\0"
        ),
        "path: 'a\\x00.tsv' holds a NUL": lambda: list(clf.predict_file("a\0.tsv")),
        "data_dir: 'a\\x00' holds a NUL": lambda: sentigru.DataSource(
            (), dataset="imdb_reviews", data_dir="a\0"
        ),
        "out: 'a\\x00.tflite' holds a NUL": lambda: clf.export("a\0.tflite"),
        "out: 'a\\x00.png' holds a NUL": lambda: clf.evaluate(synthetic_files[1], plot="a\0.png"),
        "top_k must be a whole number ": lambda: clf.predict_stream(["good"], top_k=-1),
        "jobs must be a whole number": lambda: sentigru.load(jobs="2"),
        "got ''": lambda: sentigru.load(""),  # not the current folder
        "data is a path, a list of paths": lambda: clf.evaluate(5),
        "data: an empty path": lambda: clf.evaluate(""),  # not the working folder's sub-folders
        "data: an empty path ": lambda: sentigru.train(["a.tsv", ""], "o"),
        "unlabelled: an empty path": lambda: sentigru.train(
            synthetic_files[0], "o", unlabelled=""
        ),  # it read the working folder's .txt files as texts
        "teacher: an empty path": lambda: sentigru.train(synthetic_files[0], "o", teacher=""),
        "force replaces the plot picture": lambda: clf.evaluate(synthetic_files[1], force=True),
        "label_map must be a dict": lambda: clf.evaluate(
            synthetic_files[1], options={"label_map": ["0=negative"]}
        ),
        "skip_bad_rows must be True or False": lambda: sentigru.ReadOptions(skip_bad_rows="no"),
        "paths are a path or a list of paths": lambda: sentigru.DataSource(3),
        "list of paths, not {'a.tsv': 1}": lambda: sentigru.DataSource({"a.tsv": 1}),
        "Spec(model=...) takes a ModelSpec": lambda: sentigru.Spec(model={"units": 8}),
        "spec JSON is text": lambda: sentigru.Spec.from_json(None),
        "settings are a dict": lambda: sentigru.Spec().with_settings([("units", 8)]),
        "out is the model folder": lambda: sentigru.train(synthetic_files[0], None),
        "preset is a name": lambda: sentigru.train(synthetic_files[0], "o", preset=3),
        "spec is a sentigru.Spec": lambda: sentigru.train(synthetic_files[0], "o", spec={}),
        "a DataSource is for data": lambda: sentigru.train(
            synthetic_files[0], "o", val_data=sentigru.DataSource(synthetic_files[1])
        ),
        "log is a function": lambda: sentigru.train(synthetic_files[0], "o", log=3),
        "give spec or preset, not both": lambda: sentigru.train(
            synthetic_files[0], "o", spec=sentigru.Spec(), preset="bundled"
        ),
        "val_data is a path, a list of paths or a pair": lambda: sentigru.train(
            synthetic_files[0], "o", val_data=5
        ),
        "force is True or False, not 'no'": lambda: sentigru.train(
            synthetic_files[0],
            "o",
            force="no",  # true in Python: it replaced a folder
        ),
        "verbose is 0, 1, 2 or None": lambda: sentigru.train(synthetic_files[0], "o", verbose=5),
        "write the texts to a file, one a line": lambda: sentigru.train(
            synthetic_files[0], "o", unlabelled=["A fine film.", "Dull."]
        ),
        # texts without labels read as paths: "Great film: no such file or folder", and a
        # text with ? as a glob that "matches no file"
        "give them with their labels, as a pair (texts, labels)": lambda: sentigru.train(
            ["Great film", "What a film?"], "o"
        ),
        "write them with their labels to a file (each cell reads it)": lambda: sentigru.compare(
            ["Great film", "What a film?"], "o"
        ),
        "as a pair (texts, labels)": lambda: sentigru.train(  # longer than a file name
            ["x" * 300 + " great film", "bad film"], "o"
        ),
        "nope/a.tsv: no such file": lambda: sentigru.train(["nope/a.tsv", "nope/b.tsv"], "o"),
        # an open file was read line by line as file names, an array of texts as paths
        f"data is an open file: give its path ({str(synthetic_files[0])!r})": lambda: (
            sentigru.train(opened, "o")
        ),
        "val_data is an open file": lambda: sentigru.train(
            synthetic_files[0], "o", val_data=opened
        ),
        "data is an open file: give its path, not": lambda: sentigru.load().evaluate(
            io.StringIO("label\ttext\npositive\tgood\n")
        ),
        "unlabelled takes files (paths or globs), and none of the 2": lambda: sentigru.train(
            synthetic_files[0], "o", unlabelled=np.array(["A fine film.", "Dull."])
        ),
        "teacher is a model folder": lambda: sentigru.train(synthetic_files[0], "o", teacher=3),
        "'lr' (learning_rate?)": lambda: sentigru.train(synthetic_files[0], "o", lr=0.01),
        "(val_data?)": lambda: sentigru.train(synthetic_files[0], "o", validation_data="v"),
        "--min-count shapes the regex tokenizer's word vocabulary; SentencePiece learns its "
        "pieces without it: drop it; its floor on rare pieces is --piece-min-count": lambda: (
            sentigru.train(synthetic_files[0], "o", tokenizer="sentencepiece", min_count=5)
        ),
        "--piece-min-count is SentencePiece's floor on pieces": lambda: sentigru.train(
            synthetic_files[0], "o", piece_min_count=5
        ),
        "so no share is held out: drop --val-split": lambda: sentigru.train(
            synthetic_files[0], "o", val_data=synthetic_files[1], val_split=0.2
        ),
        "model is a model folder": lambda: sentigru.export(3, "o.tflite"),
        # Python's names beside the options (the CLI shows the option alone)
        "no data: give --data FILE (data=), one or more, or --dataset NAME (dataset=)": lambda: (
            sentigru.train(None, "o")
        ),
        "needs --out (out=)": lambda: sentigru.export(None),
        "--plot (plot=) p.jpg: the picture is a PNG": lambda: clf.evaluate(
            synthetic_files[1], plot="p.jpg"
        ),
        # the name init= and teacher= take, where no folder is so named
        "for the bundled model, leave out --model (Python: load() with no path)": lambda: (
            sentigru.load("bundled")
        ),
        "for the bundled model, leave out --model (Python: model=None)": lambda: sentigru.export(
            "bundled", "o.tflite"
        ),
        "runtime must be one of": lambda: sentigru.export(None, "o.tflite", runtime="tfjs"),
        "seq_len must be a whole number of 2": lambda: sentigru.export(None, "o.tflite", seq_len=0),
        "batch must be a whole number": lambda: sentigru.export(None, "o.tflite", batch=-1),
        "batch must be at most 65536": lambda: sentigru.export(None, "o.tflite", batch=70_000),
    }
    with opened:
        for message, call in cases.items():
            with pytest.raises(SentigruError, match=re.escape(message)):
                call()
    unordered = sentigru.DataSource({synthetic_files[1], synthetic_files[0]})
    assert unordered.paths == tuple(sorted(synthetic_files))  # the same order every run
    source = sentigru.DataSource(paths=synthetic_files[1])  # one path, not its characters
    assert clf.evaluate(source)["n"] == 200
    assert clf.evaluate(synthetic_files[1], options={"encoding": "utf-8"})["n"] == 200
    assert clf.evaluate(iter([synthetic_files[1]]), options=None)["n"] == 200  # a glob's
    # One string is one text, as for predict, not a stream of its characters.
    assert [text for text, _ in clf.predict_stream("good")] == ["good"]

    assert clf.predict(np.array("good")) == clf.predict("good")  # a 0-d array: one text
    with pytest.raises(SentigruError, match="texts in a set have no order"):
        clf.predict({"good", "bad"})


def test_a_table_is_refused_where_a_column_or_a_pair_of_columns_is_read(
    trained_model: Path,
) -> None:
    """A DataFrame iterates over its column names: ``predict(df)`` answered for "label"
    and "text", and ``evaluate(df)`` looked for files named so. A 2-D array stands in for
    a DataFrame (pandas is not a dependency): both have ``ndim`` 2 and a ``shape``."""
    clf = sentigru.load(trained_model)

    class Frame:  # as a DataFrame: two dimensions, iterates its column names
        ndim, shape = 2, (2, 2)

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(["label", "text"])

        def __bool__(self) -> bool:
            raise ValueError("The truth value of a DataFrame is ambiguous.")

    table = Frame()
    for call in (clf.predict, clf.scores, lambda t: list(clf.predict_stream(t))):
        with pytest.raises(SentigruError, match=r"texts is a table \(Frame of shape \(2, 2\)\)"):
            call(table)
    out = trained_model.parent / "t"
    for call in (
        lambda: clf.evaluate(table),
        lambda: sentigru.train(table, out),
        lambda: sentigru.train(("a",), out, val_data=table),
        lambda: sentigru.export(trained_model, out / "m.tflite", check_data=table),
    ):
        with pytest.raises(SentigruError, match=r"a table .*: give its two columns as a pair"):
            call()
    with pytest.raises(SentigruError, match=r"unlabelled is a table .*: give its texts to a file"):
        sentigru.train(("a", "b"), out, unlabelled=table)
    assert not out.exists()


def test_an_interrupted_training_stops_a_loop_of_trainings(tmp_path: Path) -> None:
    """Ctrl-C in a notebook's loop over settings: a KeyboardInterrupt that says what was
    kept, not a SentigruError the loop catches and goes on after."""
    from sentigru.bundle import training_run
    from sentigru.errors import Interrupted
    from sentigru.spec import Spec

    run = training_run(tmp_path / "m", force=False, resume=False, fingerprint="f", spec=Spec())
    with pytest.raises(Interrupted, match="before the first epoch ended") as caught, run:
        raise KeyboardInterrupt
    assert isinstance(caught.value, KeyboardInterrupt)
    assert not isinstance(caught.value, SentigruError) and not (tmp_path / "m").exists()


def test_a_signal_that_came_as_native_code_raised_is_an_interruption(tmp_path: Path) -> None:
    """SIGTERM to two workers: the one still in a collective op got the lost peer's error
    and the signal at once, which pybind11 raises as a RuntimeError naming both; it was a
    traceback and exit 1 where its peer stopped in one line."""
    from sentigru.bundle import training_run
    from sentigru.errors import Interrupted
    from sentigru.spec import Spec

    both = RuntimeError(
        "pybind11::error_already_set: MISMATCH of original and normalized active exception "
        "types: ORIGINAL UnavailableError REPLACED BY KeyboardInterrupt: <EMPTY MESSAGE>"
    )
    run = training_run(tmp_path / "m", force=False, resume=False, fingerprint="f", spec=Spec())
    with pytest.raises(Interrupted, match="before the first epoch ended"), run:
        raise both
    run = training_run(tmp_path / "n", force=False, resume=False, fingerprint="f", spec=Spec())
    with pytest.raises(RuntimeError, match="a bug"), run:  # any other stays what it is
        raise RuntimeError("a bug")


def test_texts_and_labels_in_memory_train_and_evaluate_as_their_file_does(
    synthetic_files, tmp_path: Path
) -> None:
    """A notebook holds its data in lists or a DataFrame: ``(texts, labels)`` is data,
    read as the same rows in a file are (same fingerprint, so a resumed or compared run
    knows them), NumPy's integer labels included. Texts were taken as file names."""
    import numpy as np

    from sentigru.data.files import read_examples

    train, test = synthetic_files
    rows = read_examples(train).examples
    texts, labels = np.array(rows.texts), np.array([int(x == "positive") for x in rows.labels])
    source = sentigru.DataSource.of((texts, labels), label_map={"0": "negative", "1": "positive"})
    assert source.load().fingerprint() == sentigru.DataSource.of(train).load().fingerprint()
    clf = sentigru.train(
        (list(rows.texts), rows.labels), tmp_path / "m", log=None, verbose=0, epochs=1,
        min_steps=0, units=8, embed_dim=8, seq_len=32, chunk_len=32, bigram_buckets=0,
        word_init="random", phone_file=False,
    )  # fmt: skip
    held = read_examples(test).examples
    report = clf.evaluate((held.texts, held.labels))
    assert report["n"] == len(held) and report == clf.evaluate(test)
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["data_fingerprint"] == source.load().fingerprint()
    # Validation rows in memory too; and the Classifier train returned names its folder.
    lines: list[str] = []
    tuned = sentigru.train(
        (list(rows.texts), rows.labels), tmp_path / "t", init=clf, log=lines.append,
        verbose=0, epochs=1, min_steps=0, phone_file=False, val_data=(held.texts, held.labels),
    )  # fmt: skip
    assert any(f"and {len(held)} to validate on" in line for line in lines), lines
    assert any(line.startswith(f"starting from {tmp_path / 'm'}") for line in lines), lines
    assert tuned.export(tmp_path / "t.tflite").path == tmp_path / "t.tflite"
    assert sentigru.export(tuned, tmp_path / "t2.tflite").path == tmp_path / "t2.tflite"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sentigru.DataSource.of((["good", "bad"], ["1"])), "2 texts but 1 labels"),
        (lambda: sentigru.DataSource.of((["good", " "], [1, 0])), r"rows:1: empty.*bad_rows=True"),
        (lambda: sentigru.DataSource.of((["good", "bad"], [1, 0.5])), "rows:1: label must be"),
        (lambda: sentigru.DataSource.of((["a", "b"], [1, 10**5000])), "rows:1: label of 16610"),
        (lambda: sentigru.DataSource.of((["a", "b"], [1, list(range(10**6))])), r"\.\.\.\] \("),
        (lambda: sentigru.DataSource.of("d.tsv", label_mapp={}), "not label_mapp"),
        # ignored beside files without a word, where the CLI refused them
        (lambda: sentigru.DataSource.of("d.tsv", split="test"), r"split \(--split\) chooses"),
        (lambda: sentigru.DataSource.of("d.tsv", data_dir="tfds"), "data_dir .* chooses"),
        (lambda: sentigru.DataSource.of(None, dataset="imdb_reviews", split=""), "split is empty"),
        (lambda: sentigru.DataSource.of(None, dataset="imdb_reviews", data_dir=3), "data_dir is a"),
        (lambda: sentigru.train((["a", "b"], [1, 0]), "o", stream=True), "drop stream=True"),
        (lambda: sentigru.compare((["a", "b"], [1, 0]), "o"), "write the rows"),
    ],
)  # fmt: skip
def test_rows_in_memory_are_checked_as_a_files_rows_are(call, message: str) -> None:
    with pytest.raises(SentigruError, match=message):
        call()


def test_train_takes_how_to_read_its_data_by_name(tmp_path: Path) -> None:
    """The CLI's --text-column, --label-map … are train's keywords too, as evaluate's;
    they were refused as unknown settings."""
    data = tmp_path / "d.tsv"
    data.write_text("review\tstars\ngood\t5\nbad\t1\n")
    source = sentigru.DataSource.of(
        data, text_column="review", label_column="stars", label_map={"5": "pos", "1": "neg"}
    )
    assert source.load().labels == ["pos", "neg"]
    with pytest.raises(SentigruError, match=r"unknown setting 'label_mapp' \(label_map\?\)"):
        sentigru.train(data, tmp_path / "m", label_mapp={})
    with pytest.raises(SentigruError, match="no labelled texts|column"):
        sentigru.train(data, tmp_path / "m", text_column="nope")


def test_predict_file_answers_every_row_or_stops(tmp_path: Path) -> None:
    """Bad bytes were skipped as blank answers under skip_bad_rows=True (every later
    answer against the wrong row), and a folder's .txt files were read as rows."""
    clf = sentigru.load()
    cp = tmp_path / "cp.csv"
    cp.write_bytes(b"text\ngood\ncaf\xe9 terrible\n")
    with pytest.raises(SentigruError, match="cp.csv:3: byte"):
        clf.predict_file(cp)
    with pytest.raises(SentigruError, match="text_column and encoding only, not skip_bad_rows"):
        clf.predict_file(cp, skip_bad_rows=True)  # an answer a row: none may be skipped
    assert len(clf.predict_file(cp, encoding="cp1252")) == 2
    with pytest.raises(SentigruError, match="a folder; give a file"):
        clf.predict_file(tmp_path)
    no_column = tmp_path / "r.csv"
    no_column.write_text("review\ngood\n")
    with pytest.raises(SentigruError, match=r"choose with --text-column\)"):  # no label here
        clf.predict_file(no_column)


def test_predict_file_notes_go_to_log_as_evaluate_s_do(tmp_path: Path, capsys) -> None:
    """A service routes what reading says; predict_file printed it on stderr and refused
    log=, which train and evaluate take."""
    clf = sentigru.load()
    plain = tmp_path / "hdr.txt"
    plain.write_text("label\ttext\npositive\ta great film\n")
    heard: list[str] = []
    assert len(clf.predict_file(plain, log=heard.append)) == 2
    assert any("looks like a header" in line for line in heard), heard
    assert capsys.readouterr().err == ""
    with pytest.raises(SentigruError, match="log is a function taking one line"):
        clf.predict_file(plain, log="notes.txt")


def test_reading_the_umask_leaves_it_alone() -> None:
    """A file another thread made while the umask was read (set to 0 and back) got mode
    0666: on Linux it is read from /proc, never set."""
    from sentigru.atomic import current_umask

    before = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        if Path("/proc/self/status").is_file():
            with mock.patch("os.umask", side_effect=AssertionError("umask set")):
                assert current_umask() == 0o027
    finally:
        os.umask(before)


def test_a_callers_own_stderr_does_not_fail_a_load(monkeypatch) -> None:
    """A service's log writer as sys.stderr (write alone) made load raise AttributeError;
    a closed one blamed the bundled model as "not a loadable TFLite model"."""
    from sentigru import tf_quiet

    class Writer:
        def write(self, text: str) -> int:
            return len(text)

    closed = io.StringIO()
    closed.close()
    for stream in (Writer(), closed):
        monkeypatch.setattr(sys, "stderr", stream)
        with tf_quiet.quiet_stderr():
            pass


@pytest.mark.skipif(not Path("/proc/self/fd/2").exists(), reason="reads /proc")
def test_stderr_stays_a_programs_own_while_its_other_threads_run(monkeypatch) -> None:
    """Muting descriptor 2 for an export's seconds lost a service's log lines from its
    other threads: with threads of the program's own running, it is left as it is; a
    program of one thread, or the sentigru program, still gets TensorFlow's chatter
    muted."""
    import threading

    from sentigru import tf_quiet

    def target() -> str:
        return os.readlink("/proc/self/fd/2")

    real = target()
    monkeypatch.setattr(tf_quiet, "_OWN_PROCESS", [])
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with tf_quiet.quiet_stderr():
            assert target() == real  # another thread may be logging there
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    with tf_quiet.quiet_stderr():
        assert target() == os.devnull
    monkeypatch.undo()
    monkeypatch.setattr(tf_quiet, "_OWN_PROCESS", [True])
    other = threading.Thread(target=stop.wait)
    stop.clear()
    other.start()
    try:
        with tf_quiet.quiet_stderr():
            assert target() == os.devnull  # the sentigru program: all threads its own
    finally:
        stop.set()
        other.join()
    assert target() == real


def test_logging_kept_takes_away_only_what_absl_adds(tmp_path: Path) -> None:
    """Around an export, absl's logging.basicConfig() handler is taken off the root logger
    again; a handler and a level another thread of the program set meanwhile stay (a
    service's log file lost its handler when an export ended)."""
    import logging

    from sentigru.tf_quiet import logging_kept

    root = logging.getLogger()
    before, level = root.handlers[:], root.level
    for handler in before:
        root.removeHandler(handler)
    own = logging.FileHandler(tmp_path / "service.log")
    try:
        with logging_kept():
            logging.basicConfig()  # what absl does inside the converter
            root.addHandler(own)  # the service, meanwhile
            root.setLevel(logging.INFO)
        assert root.handlers == [own]
        assert root.level == logging.INFO
    finally:
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        own.close()
        for handler in before:
            root.addHandler(handler)
        root.setLevel(level)


def test_evaluate_never_draws_into_the_package(synthetic_files) -> None:
    """train and export refused an output inside the installed package; --plot did not."""
    from sentigru.presets import MODELS

    with pytest.raises(SentigruError, match="inside the installed sentigru package"):
        sentigru.load().check_plot(MODELS / "c.png", synthetic_files[1])
    assert not (MODELS / "c.png").exists()


def test_label_maps_as_python_writes_them() -> None:
    """Integer keys, as integer labels suggest, and the CLI's own spelling."""
    want = {"0": "negative", "1": "positive"}
    assert sentigru.ReadOptions(label_map={0: "negative", 1: "positive"}).label_map == want
    assert sentigru.ReadOptions(label_map="0=negative,1=positive").label_map == want


def test_texts_to_predict_may_be_in_a_column_named_label(tmp_path: Path) -> None:
    """A table whose text column is named ``label`` was refused as if it also held the
    labels; label options, which predicting never reads, were taken and ignored."""
    table = tmp_path / "t.jsonl"
    table.write_text('{"label": "great film", "id": 1}\n{"label": "awful film", "id": 2}\n')
    clf = sentigru.load()
    answers = clf.predict_file(table, text_column="label")
    assert [a["label"] for a in answers] == ["positive", "negative"]
    assert len(clf.predict_file(table, text_column="label", label_map={})) == 2  # defaults
    for reading in ({"label_map": {"a": "b"}}, {"skip_bad_rows": True}, {"label_column": "x"}):
        with pytest.raises(SentigruError, match="text_column and encoding only"):
            clf.predict_file(table, **reading)


def test_file_reading_options_beside_texts_in_memory_are_refused() -> None:
    """``evaluate((texts, labels), text_column=...)`` took the option and did nothing."""
    clf = sentigru.load()
    pair = (["good", "bad"], ["positive", "negative"])
    with pytest.raises(
        SentigruError,
        match=r"^--text-column \(text_column=\) and --encoding \(encoding=\) read files; .*them$",
    ):
        clf.evaluate(pair, text_column="review", encoding="latin-1")
    assert clf.evaluate(pair, label_map={"good": "positive"})["n"] == 2
    assert clf.evaluate(pair, encoding="UTF-8")["n"] == 2  # the default, spelt otherwise
    with pytest.raises(SentigruError, match=r"^--text-column \(text_column=\) reads files"):
        sentigru.train(pair, "never-written", text_column="review")


def test_a_part_of_a_model_folder_given_as_the_model_names_what_to_give(
    trained_model: Path, tmp_path: Path
) -> None:
    """``--model m/model.keras`` said "not a TFLite model"; an exported site or SavedModel
    said only "no manifest.json"."""
    import shutil

    for part in ("model.keras", "vocab.txt"):
        with pytest.raises(sentigru.SentigruError, match="is a file of the model folder"):
            sentigru.load(trained_model / part)
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(trained_model / "model.tflite", site / "model.tflite")
    with pytest.raises(sentigru.SentigruError, match="format web take its phone file .*tflite"):
        sentigru.load(site)
    assert sentigru.load(site / "model.tflite").predict(["fine"])[0]["label"]
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "saved_model.pb").write_bytes(b"")
    with pytest.raises(sentigru.SentigruError, match="a SavedModel export"):
        sentigru.load(saved)


def test_a_start_with_other_labels_hints_a_map_of_the_files_own_labels() -> None:
    """With ``--label-map 0=neg,1=pos`` the hint renamed neg and pos, which the file
    does not hold."""
    from types import SimpleNamespace

    from sentigru.training_notes import log_start

    base = SimpleNamespace(vocab=[0] * 5, labels=["negative", "positive"])
    lines: list[str] = []
    log_start("bundled", base, ["neg", "pos"], lines.append, {"0": "neg", "1": "pos"})
    assert lines[-1].endswith("(to keep its own: --label-map 0=negative,1=positive)"), lines


def test_rare_vocabulary_words_are_counted_and_noted() -> None:
    """The phone file carries its vocabulary as plain text: a name or an order number
    seen once in the training text shipped with every app, and nothing said so."""
    from sentigru.spec import Spec
    from sentigru.train_data import WordTally, build_vocab
    from sentigru.training_notes import note_rare_words

    texts = ["good good Good thistlewood", "good 555 fine", "fine fine"]
    once = Spec().with_settings({"min_count": 1})
    vocab, tally = build_vocab(texts, once)
    assert tally == WordTally(rare=2, dropped=0)  # thistlewood, 555; not good (case folded)
    vocab, tally = build_vocab(texts, Spec())  # --min-count 3: the rare ones left out
    assert tally == WordTally(rare=0, dropped=2) and "thistlewood" not in vocab.index
    lines: list[str] = []
    note_rare_words(2, 1, lines.append)
    assert "2 words of the vocabulary occur fewer than 3 times" in lines[0]
    assert "--min-count 3 keeps them out" in lines[0]
    note_rare_words(2, 3, lines.append)  # asked for already: no second note
    assert len(lines) == 1
    note_rare_words(4, 1, lines.append, pieces=True)  # a piece model learns words as pieces
    assert "4 pieces of two characters or more of the vocabulary occur fewer" in lines[1]
    assert "--piece-min-count 3 keeps them out" in lines[1]


def test_rare_pieces_are_counted_and_left_out_as_rare_words_are() -> None:
    """SentencePiece learnt a name written twice as a piece of its own, which the phone
    file carried readable (--min-count was refused with SentencePiece, and no other
    floor applied): --piece-min-count keeps such pieces out as --min-count keeps words.
    A spec saved before the setting reads it as 1, what those models were made with."""
    from sentigru.spec import Spec
    from sentigru.train_data import WordTally, build_vocab

    texts = [f"the {w} was {v} and the staff {v}" for w in ("room", "pool", "view")
             for v in ("great", "awful", "fine", "dull")] * 30  # fmt: skip
    texts.append("our host thistlewood was kind, thank you thistlewood")  # 2 uses
    pieces = Spec().replace(tokenizer={"tokenizer": "sentencepiece", "vocab_size": 400})
    vocab, tally = build_vocab(texts, pieces.with_settings({"piece_min_count": 1}))
    assert " thistlewood" in dict(vocab.entries()) and tally.rare > 0 and tally.dropped == 0
    saved = {**pieces.to_dict(), "tokenizer": {"tokenizer": "sentencepiece", "vocab_size": 400}}
    assert Spec.from_dict(saved, saved=True).tokenizer.piece_min_count == 1  # as then made
    vocab, tally = build_vocab(texts, pieces)  # --piece-min-count 3
    assert b"thistlewood" not in vocab.to_bytes() and tally == WordTally(0, tally.dropped)
    assert tally.dropped > 0 and " great" in dict(vocab.entries())


def test_a_smaller_vocabulary_than_asked_names_every_reason_and_nothing_read_is_refused() -> None:
    """With SentencePiece, the line blamed --min-count for the whole shortfall of a
    vocabulary the text could not fill (1,976 of 6,000 pieces held, 1,034 left out), and
    text of punctuation alone trained a model that read none of its own training texts
    (the regex tokenizer refused it)."""
    from sentigru.spec import Spec
    from sentigru.train_data import build_vocab
    from sentigru.training_notes import _why_fewer

    assert _why_fewer(0, 3, 2000, 6000, pieces=True) == "the training text gives no more"
    both = _why_fewer(1034, 3, 1976, 6000, pieces=True)
    assert both.startswith("1034 more pieces") and both.endswith("the text gives 3010, no more")
    assert "the text gives" not in _why_fewer(500, 3, 5800, 6000)  # the floor alone
    pieces = Spec().replace(tokenizer={"tokenizer": "sentencepiece", "vocab_size": 400})
    with pytest.raises(SentigruError, match="holds no letter, digit or symbol"):
        build_vocab(["!?", "...", ";,,", "-!-"] * 50, pieces)
    build_vocab(["!?", "...", "😀 !!"] * 50, pieces)  # a symbol is read


def test_a_phone_file_beside_another_programs_manifest_exports_as_it_is(
    trained_model: Path, tmp_path: Path
) -> None:
    """A web app's manifest.json beside the file is none of sentigru's: the page was
    refused as "the folder's manifest is unreadable" and told to reinstall sentigru."""
    import shutil

    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(trained_model / "model.tflite", app / "model.tflite")
    (app / "manifest.json").write_text('{"name": "My app", "icons": []}')
    site = sentigru.export(app / "model.tflite", tmp_path / "site", format="web")
    assert (Path(site) / "model.tflite").read_bytes() == (app / "model.tflite").read_bytes()


def test_evaluating_labels_spelt_two_ways_maps_them_onto_the_models(trained_model: Path) -> None:
    """The map named merged the data's spellings into its commonest one, which the model
    did not have: following it led to a second error."""
    clf = sentigru.load(trained_model)
    texts = ["superb", "awful", "lovely", "boring", "fine"]
    labels = ["Positive", "NEGATIVE", "Positive", "neg", "positive"]
    with pytest.raises(SentigruError, match="Positive=positive,NEGATIVE=negative,neg=negative"):
        clf.evaluate((texts, labels))
    mapped = {"Positive": "positive", "NEGATIVE": "negative", "neg": "negative"}
    assert clf.evaluate((texts, labels), label_map=mapped)["n"] == 5


def test_evaluate_counts_the_texts_the_bundled_model_gives_no_answer() -> None:
    """Of the texts the bundled model reads no word of, those with no word id get every
    label 0.5 (``no_answer``), counted as the first label; *café* is read as the
    fragment *caf*, which has an id: unread, but scored."""
    clf = sentigru.load()
    texts = ["最悪の映画だった", "café", "a great film", "😀😀"]
    report = clf.evaluate((texts, ["negative", "positive", "positive", "positive"]))
    assert (report["unread"], report["no_answer"]) == (3, 2)
    assert [r["score"] for r in clf.predict(texts)][::3] == [0.5, 0.5]


def test_a_run_that_fails_after_an_epoch_says_what_it_kept(synthetic_files, tmp_path) -> None:
    """A failure after the first epoch (a full disk when saving, a loss gone NaN) kept
    the checkpoint, said nothing of it, and the same call was then refused for it."""
    import sentigru

    small = {"epochs": 2, "min_steps": 0, "units": 8, "embed_dim": 8, "seq_len": 64}
    out = tmp_path / "m"

    def full_disk(line: str) -> None:
        if line.startswith("phone file"):
            raise SentigruError("no room left on the disk")

    with pytest.raises(SentigruError, match=r"no room left on the disk; its last completed "
                       r"epoch is kept in .*: the same command with --resume"):  # fmt: skip
        sentigru.train(synthetic_files[0], out, verbose=0, log=full_disk, **small)
    assert not out.exists()
    model = sentigru.train(synthetic_files[0], out, verbose=0, resume=True, **small)
    assert (out / "model.tflite").is_file() and model.predict("a fine film")
    with pytest.raises(RuntimeError) as other:  # any other error: a note under it
        sentigru.train(synthetic_files[0], tmp_path / "n", verbose=0, log=_boom, **small)
    assert "its last completed epoch is kept" in "".join(other.value.__notes__)


def _boom(line: str) -> None:
    if line.startswith("phone file"):
        raise RuntimeError("boom")


def test_a_tensorflow_imported_before_sentigru_is_noted(monkeypatch) -> None:
    """A notebook that imported TensorFlow first trained with oneDNN on, and the same
    seed gave other weights than the CLI's, with nothing said."""
    import sys
    import types

    from sentigru.training_notes import note_tensorflow_first

    heard: list[str] = []
    monkeypatch.setitem(sys.modules, "tensorflow", types.ModuleType("tensorflow"))
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    note_tensorflow_first(heard.append)
    assert len(heard) == 1 and "TensorFlow was loaded before sentigru" in heard[0]
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")  # sentigru's import, or the user's
    note_tensorflow_first(heard.append)
    assert len(heard) == 1


def test_what_a_failed_run_kept_is_said_once(tmp_path) -> None:
    """Errors that say what was kept already (a full disk when saving: "--resume to save
    it"; a loss gone NaN: "--force") were told it a second time, the NaN one wrongly."""
    from sentigru.bundle import _say_kept
    from sentigru.callbacks import DIVERGED

    for said in ("no room: run the same command with --resume to save it", DIVERGED):
        error = SentigruError(said)
        _say_kept(error, tmp_path)
        assert str(error) == said
    error = SentigruError("no room left on the disk")
    _say_kept(error, tmp_path)
    assert str(error).startswith("no room left on the disk; its last completed epoch is kept")
    _say_kept(error := SentigruError("gone"), tmp_path / "nothing")  # no checkpoint: no word
    assert str(error) == "gone"


def test_a_stream_that_fails_answers_every_text_before_it() -> None:
    """A bad row 3,001 of a file answered 2,048 rows (one window) and dropped the 952
    before it; a bad row 122 of a small file answered none. Every text before the error
    is answered, then the error comes."""
    clf = sentigru.load()

    def rows(good: int):
        yield from ["a good film"] * good
        raise SentigruError("data.tsv:3001: expected 2 fields, found 1")

    for good in (3000, 121):  # the bulk windows, and one short chunk
        answered = []
        with pytest.raises(SentigruError, match="data.tsv:3001"):
            for _text, result in clf.predict_stream(rows(good), chunk_size=2048):
                answered.append(result["label"])
        assert len(answered) == good and set(answered) == {"positive"}


def test_a_text_the_model_reads_none_of_scores_every_label_alike() -> None:
    """*Für den preis perfekt* reaches the bundled model as fragments (*F*, *r*, *den*
    cut or unknown), which it scored negative 0.83: a confident answer on a text it read
    none of. Python gives every label 1/n there, as the phone file does for a text with
    no word id; the model's own scores stay in :meth:`scores`."""
    clf = sentigru.load()
    texts = ["Für den preis perfekt", "grеat", "A wonderful, moving film."]  # Cyrillic е
    raw = clf.scores(texts)
    got = clf.predict(texts, top_k=2)
    assert [r["read"] for r in got] == ["none", "none", "all"]
    assert max(raw[0]) > 0.7 and max(raw[1]) > 0.7  # what the model would have said
    for result in got[:2]:
        assert [s["score"] for s in result["scores"]] == [0.5, 0.5]
        assert result["label"] == clf.labels[0]
    assert got[2]["score"] == pytest.approx(float(max(raw[2])))


def test_python_export_says_when_a_self_contained_site_now_loads_mediapipe_from_a_cdn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI said so and Python did not: a site with its own MediaPipe, written again
    without ``mediapipe_dir=``, connects to a third party; the caller is told."""
    from sentigru.exporters.web import BUNDLE, MEDIAPIPE_FOLDER

    site = tmp_path / "site"
    sentigru.export(None, site, format="web")
    (site / MEDIAPIPE_FOLDER).mkdir()
    (site / MEDIAPIPE_FOLDER / BUNDLE).write_text("// its bundle, as mediapipe_dir= leaves it")
    capsys.readouterr()
    sentigru.export(None, site, format="web", force=True)
    err = capsys.readouterr().err
    assert "the site replaced had its own copy of MediaPipe" in err and "mediapipe_dir=" in err
    assert not (site / MEDIAPIPE_FOLDER).exists()
