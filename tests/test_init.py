"""Starting a training from a trained model (``--init``): its weights, vocabulary and
labels carry over, and what would make them mean something else is refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from conftest import write_tsv

import sentigru
from sentigru.cli import main

STILL = {"epochs": 1, "learning_rate": 1e-9, "lr_schedule": "constant", "val_split": 0.0}
"""A run that cannot move the weights: what it saves is where it started."""
TEXTS = ["loved it , superb", "awful and boring", "fine", "superb superb awful"]


def test_a_run_starts_from_the_models_weights_vocabulary_and_labels(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    start = sentigru.load(trained_model / "model.tflite")
    tuned = sentigru.train(
        synthetic_files[1], tmp_path / "t", init=trained_model, verbose=0, log=lambda _: None,
        **STILL,
    )  # fmt: skip
    assert np.allclose(tuned.scores(TEXTS), start.scores(TEXTS), atol=1e-3)
    assert (tmp_path / "t" / "vocab.txt").read_bytes() == (trained_model / "vocab.txt").read_bytes()
    assert tuned.labels == start.labels
    spec = json.loads((tmp_path / "t" / "spec.json").read_text())
    base = json.loads((trained_model / "spec.json").read_text())
    assert spec["model"] == base["model"] and spec["tokenizer"] == base["tokenizer"]
    assert spec["training"]["learning_rate"] == 1e-9  # the run's own training settings
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text())
    base_manifest = json.loads((trained_model / "manifest.json").read_text())
    assert manifest["init"]["model_sha256"] == base_manifest["files"]["model.keras"]["sha256"]
    # The from-scratch recipe travels on: a run from the tuned model records the first
    # model's, and the tuned folder as a named preset would train that, not one epoch.
    assert manifest["init"]["recipe"] == base
    again = sentigru.train(
        synthetic_files[1], tmp_path / "a", init=tmp_path / "t", verbose=0, log=lambda _: None,
        **STILL,
    )  # fmt: skip
    assert again is not None
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["init"]["recipe"] == base
    from sentigru import presets
    from sentigru.spec import Spec

    presets.PRESETS["tuned"] = tmp_path / "a"
    try:
        assert presets.preset_spec("tuned") == Spec.from_dict(base, saved=True)
    finally:
        del presets.PRESETS["tuned"]
    file = presets.preset_spec(tmp_path / "a" / "spec.json")  # a file is taken as it is
    assert file.training.learning_rate == 1e-9
    # The same still run from scratch answers nothing like the trained model.
    scratch = sentigru.train(
        synthetic_files[1], tmp_path / "s", verbose=0, log=lambda _: None, seed=7,
        units=16, embed_dim=16, seq_len=64, bigram_buckets=0, word_init="random", **STILL,
    )  # fmt: skip
    assert not np.allclose(scratch.scores(TEXTS), start.scores(TEXTS), atol=0.1)


def test_what_would_change_the_meaning_of_its_weights_is_refused(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    train = str(synthetic_files[0])
    runner = CliRunner()
    cases = {
        "--init keeps the starting model's": ["--units", "32"],
        "which --preset sentencepiece sets otherwise": ["--preset", "sentencepiece"],
        "needs a model folder": [],
        "no model folder": [],
        "which --init takes from its model": ["--unlabelled", train],  # would do nothing
        "drop --word-init": ["--word-init", "ppmi"],  # was recorded in spec.json, not done
    }
    inits = {
        "drop --word-init": str(trained_model),
        "which --init takes from its model": str(trained_model),
        "--init keeps the starting model's": str(trained_model),
        "which --preset sentencepiece sets otherwise": str(trained_model),
        "needs a model folder": str(trained_model / "model.tflite"),
        "no model folder": str(tmp_path / "missing"),
    }
    for message, extra in cases.items():
        args = ["train", "--data", train, "--out", str(tmp_path / "x"), "--init", inits[message]]
        result = runner.invoke(main, [*args, *extra])
        usage = "model folder" not in message  # options that do not go together: exit 2
        assert result.exit_code == (2 if usage else 1), result.output
        assert message in result.output, result.output
        assert not (tmp_path / "x").exists()


def test_other_labels_get_a_new_output_layer_on_the_models_reading(
    trained_model: Path, tmp_path: Path
) -> None:
    from sentigru import bundle

    relabelled = write_tsv(tmp_path / "r.tsv", [("good", "superb"), ("bad", "awful")] * 20)
    lines: list[str] = []
    tuned = sentigru.train(
        relabelled, tmp_path / "y", init=trained_model, verbose=0, log=lines.append,
        phone_file=False, **STILL,
    )  # fmt: skip
    assert tuned.labels == ["bad", "good"]
    note = next(line for line in lines if "a new output layer" in line)
    assert "for the labels bad, good" in note and "from random weights" in note
    assert "--label-map" not in note  # words it cannot pair: no guess that might swap them
    base, new = bundle.load(trained_model).model, bundle.load(tmp_path / "y").model
    for name in ("embedding", "bi_gru_0"):
        for a, b in zip(base.get_layer(name).get_weights(), new.get_layer(name).get_weights()):
            assert np.allclose(a, b, atol=1e-6)
    old_head, new_head = base.get_layer("scores").get_weights(), new.get_layer("scores")
    assert not np.allclose(old_head[0], new_head.get_weights()[0], atol=1e-3)


def test_a_run_from_a_model_holds_out_the_rows_that_model_held_out(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """On the data the start was trained on, another seed would draw another split, whose
    rows the start learnt: its validation figures would flatter it. There the start's
    split seed is kept (and recorded, so a chain keeps the first model's), whatever the
    run's own seed; on other data the run's seed splits, as without --init."""
    from conftest import synthetic_reviews

    from sentigru.data import read_examples
    from sentigru.data.stream import StreamSource
    from sentigru.spec import Spec
    from sentigru.train_data import HeldOut, Start, split_seed_of, split_validation

    base = json.loads((trained_model / "manifest.json").read_text())
    seed = base["seed"]
    still = {"epochs": 1, "learning_rate": 1e-9, "lr_schedule": "constant", "phone_file": False}
    for data, out, held in (
        (synthetic_files[0], "same", seed),
        (synthetic_files[1], "other", seed + 5),
    ):
        lines: list[str] = []
        sentigru.train(
            data, tmp_path / out, init=trained_model, verbose=0, log=lines.append,
            seed=seed + 5, **still,
        )  # fmt: skip
        manifest = json.loads((tmp_path / out / "manifest.json").read_text())
        assert manifest["seed"] == seed + 5 and manifest["init"]["split_seed"] == held
        assert any("rows it held out" in line for line in lines) == (out == "same")
    same = json.loads((tmp_path / "same" / "manifest.json").read_text())
    assert same["metrics"]["val_examples"] == base["metrics"]["val_examples"]
    assert same["init"]["data_fingerprint"] == base["data_fingerprint"]
    chained = sentigru.train(
        synthetic_files[0], tmp_path / "chain", init=tmp_path / "same", verbose=0,
        log=lambda _: None, seed=seed + 9, **still,
    )  # fmt: skip
    assert chained is not None
    assert (
        json.loads((tmp_path / "chain" / "manifest.json").read_text())["init"]["split_seed"] == seed
    )

    examples = read_examples(synthetic_files[0]).examples
    spec = Spec().replace(training={"seed": seed + 5})
    held = HeldOut(seed, 0.1, False, examples.fingerprint())
    start = Start(None, ["negative", "positive"], held)  # type: ignore[arg-type]
    assert split_seed_of(spec, start, examples.fingerprint()) == seed
    assert split_seed_of(spec, start, "other data") == split_seed_of(spec, None, "") == seed + 5
    # another share or mode draws other rows: nothing to keep there
    for other in ({"val_split": 0.2}, {"stream": True}):
        assert (
            split_seed_of(spec.replace(training=other), start, examples.fingerprint()) == seed + 5
        )
    kept = split_validation(examples, None, spec, seed)[1]
    own = split_validation(examples, None, spec)[1]
    first = split_validation(examples, None, spec.replace(training={"seed": seed}))[1]
    assert kept.texts == first.texts != own.texts
    rows = write_tsv(tmp_path / "rows.tsv", synthetic_reviews(300, seed=3))
    streamed = StreamSource([rows], val_fraction=0.2, seed=9, split_seed=4)
    assert list(streamed.rows("val")) == list(
        StreamSource([rows], val_fraction=0.2, seed=4).rows("val")
    )
    # streamed, the data is known only after a pass: a start trained on it is found then
    from sentigru import bundle
    from sentigru.train_data import prepare

    vocab = bundle.load(trained_model).vocab
    fingerprint = StreamSource([rows]).scan().fingerprint
    for data, held in ((fingerprint, 4), ("other data", 9)):
        source = StreamSource([rows], val_fraction=0.2, seed=9)
        run = Spec().replace(training={"seed": 9, "val_split": 0.2, "stream": True})
        split = HeldOut(4, 0.2, True, data)
        prepared = prepare(source, run, start=Start(vocab, ["negative", "positive"], split))
        assert prepared.split_seed == held and source.held_out_seed() == held


def test_another_split_of_the_data_the_start_was_trained_on_is_noted(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A --val-split other than the start's, or a start that trained on every row (it
    validated on --val-data), drew a split without a word: most of its validation rows
    were rows the start had learnt, and early stopping and epoch averaging were judged on
    them. The run goes on (the user may mean it), with a note naming the fix."""
    share = json.loads((trained_model / "spec.json").read_text())["training"]["val_split"]
    small = {"verbose": 0, "epochs": 1, "phone_file": False, "vocab_size": 200, "seq_len": 64}
    lines: list[str] = []
    sentigru.train(
        synthetic_files[0], tmp_path / "m", init=trained_model, val_split=0.3,
        log=lines.append, epochs=1, verbose=0, phone_file=False,
    )  # fmt: skip
    assert any(f"give --val-split {share:g} (val_split=)" in line for line in lines), lines
    whole = tmp_path / "whole"  # every row of the data trained on
    sentigru.train(
        synthetic_files[0], whole, val_data=synthetic_files[1], log=lambda _: None, **small
    )
    lines.clear()
    sentigru.train(synthetic_files[0], tmp_path / "n", init=whole, log=lines.append, **small)
    assert any("trained on every row of this data" in line for line in lines), lines
    lines.clear()
    sentigru.train(synthetic_files[1], tmp_path / "o", init=whole, log=lines.append, **small)
    assert not any("--init: the starting model" in line for line in lines), lines


def test_a_start_trained_with_unlabelled_texts_keeps_its_validation_rows_out(
    synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A model trained with --unlabelled recorded its data as labelled and unlabelled
    rows together, so a run from it on its own labelled rows did not know them: it drew
    another split, 37 of whose 40 validation rows the start had trained on."""
    data, other = synthetic_files
    small = {"epochs": 1, "vocab_size": 200, "seq_len": 64, "verbose": 0, "phone_file": False}
    sentigru.train(data, tmp_path / "start", unlabelled=other, log=lambda _: None, **small)
    lines: list[str] = []
    kept = {k: v for k, v in small.items() if k not in ("vocab_size", "seq_len")}
    sentigru.train(data, tmp_path / "next", init=tmp_path / "start", seed=21, log=lines.append,
                   **kept)  # fmt: skip
    start = json.loads((tmp_path / "start" / "manifest.json").read_text())
    manifest = json.loads((tmp_path / "next" / "manifest.json").read_text())
    assert manifest["init"]["split_seed"] == start["seed"] != 21
    assert any("rows it held out" in line for line in lines)


def test_a_start_validated_on_other_rows_held_none_of_its_training_rows_out(
    trained_model: Path, synthetic_files: tuple[Path, Path]
) -> None:
    """A model trained from scratch records the seed of the split it drew; one validated on
    --val-data trained on every row of --data, so a run from it on those rows has no
    split to keep and draws its own. Folders from before the record fall back to the
    seed."""
    from types import SimpleNamespace

    from sentigru import bundle
    from sentigru.data import DataSource
    from sentigru.spec import Spec
    from sentigru.train_api import _held_out
    from sentigru.train_data import prepare_source

    data, other = synthetic_files
    assert prepare_source(DataSource.of(data), Spec()).split_seed == Spec().training.seed
    assert prepare_source(DataSource.of(data), Spec(), [other]).split_seed is None
    base = bundle.load(trained_model)
    seed = base.spec.training.seed
    fingerprint = base.manifest["data_fingerprint"]  # of the labelled rows alone here
    assert base.manifest["held_out"] == {"split_seed": seed, "data_fingerprint": fingerprint}
    assert _held_out(base).matches(fingerprint, base.spec)
    for recorded, expected in (({"split_seed": None}, None), (None, seed)):
        manifest = {k: v for k, v in base.manifest.items() if k != "held_out"}
        if recorded is not None:
            manifest["held_out"] = recorded
        held = _held_out(SimpleNamespace(spec=base.spec, manifest=manifest))
        assert (held and held.seed) == expected


def test_the_bundled_model_holds_out_its_own_validation_rows() -> None:
    """A run from the bundled model on its own rows holds out the rows its start held
    out: found through the data fingerprint its manifest records for the start, and, for
    a folder written before that was recorded, through the run's fingerprint (the data's
    combined with the start's hash)."""
    from types import SimpleNamespace

    from sentigru import bundle
    from sentigru.presets import MODELS, preset_spec
    from sentigru.train_api import _held_out
    from sentigru.train_data import combined

    base = bundle.load(MODELS / "default")
    rows = "35e4efa9e40b002efd24732d2ce417c212eca0c3ba263477232e8a798cda3711"  # its data's
    start = base.manifest["init"]
    older = {k: v for k, v in start.items() if k not in ("data_fingerprint", "weights_sha256")}
    manifest = {**base.manifest, "init": older}
    manifest["data_fingerprint"] = combined(rows, start["model_sha256"])
    for held in (_held_out(base), _held_out(SimpleNamespace(spec=base.spec, manifest=manifest))):
        assert held is not None and held.seed == 9  # the split of the build it started from
        assert held.matches(rows, preset_spec("bundled")) and not held.matches(
            "0" * 64, preset_spec("bundled")
        )


def test_the_validation_rows_are_part_of_the_run_fingerprint(tmp_path: Path) -> None:
    """--val-data chooses the epoch kept and when to stop, so the weights: runs on other
    validation rows had the same manifest fingerprint, and --resume took one run's
    checkpoint for the other's. Read whole or streamed, the fingerprint now holds them."""
    from conftest import synthetic_reviews

    from sentigru.data import read_examples
    from sentigru.data.stream import StreamSource
    from sentigru.spec import Spec
    from sentigru.train_data import prepare

    train = write_tsv(tmp_path / "train.tsv", synthetic_reviews(200, seed=1))
    vals = [write_tsv(tmp_path / f"val{i}.tsv", synthetic_reviews(40, seed=i + 5)) for i in (0, 1)]
    whole = Spec().replace(tokenizer={"vocab_size": 300})
    read_whole = [
        prepare(read_examples(train).examples, whole, read_examples(val).examples).fingerprint
        for val in vals
    ]
    streamed = whole.replace(training={"stream": True})
    read_row_by_row = [
        prepare(StreamSource([train], val_paths=[val]), streamed).fingerprint for val in vals
    ]
    alone = prepare(read_examples(train).examples, whole).fingerprint
    assert read_whole == read_row_by_row  # the same rows either way
    assert len({*read_whole, alone}) == 3
    found = set(read_whole)
    again = prepare(read_examples(train).examples, whole, read_examples(vals[0]).examples)
    assert again.fingerprint in found  # the same rows, the same fingerprint


def test_runs_from_the_same_weights_get_the_same_fingerprint(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """The Keras file holds the time it was saved: two folders with the same weights,
    saved apart, named two different starts, so a rebuilt base never reproduced a run
    from it (and its resume was refused)."""
    import shutil
    import time

    from sentigru import bundle

    again = Path(shutil.copytree(trained_model, tmp_path / "again"))
    time.sleep(1.1)  # another second in the file's save time
    bundle.save_keras(bundle.load(again).model, again / bundle.MODEL_FILE)
    manifest = json.loads((again / "manifest.json").read_text())
    manifest["files"][bundle.MODEL_FILE]["sha256"] = bundle.sha256_file(again / bundle.MODEL_FILE)
    manifest["files"][bundle.MODEL_FILE]["bytes"] = (again / bundle.MODEL_FILE).stat().st_size
    (again / "manifest.json").write_text(json.dumps(manifest))
    base = json.loads((trained_model / "manifest.json").read_text())
    assert (
        manifest["files"][bundle.MODEL_FILE]["sha256"] != base["files"][bundle.MODEL_FILE]["sha256"]
    )
    fingerprints = []
    for start, out in ((trained_model, "t1"), (again, "t2")):
        sentigru.train(
            synthetic_files[1], tmp_path / out, init=start, verbose=0, log=lambda _: None,
            phone_file=False, **STILL,
        )  # fmt: skip
        run = json.loads((tmp_path / out / "manifest.json").read_text())
        assert run["init"]["weights_sha256"] == base["weights_sha256"]
        fingerprints.append(run["data_fingerprint"])
    assert fingerprints[0] == fingerprints[1]


def test_a_start_whose_labels_mean_the_opposite_is_named(
    trained_model: Path, synthetic_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """--init bundled on reviews whose labels were swapped saved a model at 29 % on
    balanced validation rows, silently: the validation answers fit the labels far
    better read the other way round, and the run says so."""
    heard: list[str] = []
    swap = "negative=positive,positive=negative"
    still = {**STILL, "val_split": 0.2}
    sentigru.train(
        synthetic_files[1], tmp_path / "w", init=trained_model, verbose=0, log=heard.append,
        label_map=swap, **still,
    )  # fmt: skip
    assert any("are they named the other way round" in line for line in heard), heard
    heard.clear()
    sentigru.train(
        synthetic_files[1], tmp_path / "r", init=trained_model, verbose=0, log=heard.append,
        **still,
    )  # fmt: skip
    assert not any("other way round" in line for line in heard), heard


def test_a_start_that_knows_few_of_the_words_is_named() -> None:
    """German reviews started from the bundled English model (as train's own hint had
    it) read 59 % against 75 % from scratch, with 84 % of the words unknown to it and no
    word said."""
    from sentigru.spec import Spec
    from sentigru.tokenizer import Vocabulary
    from sentigru.train_data import check_readable

    english = Vocabulary(("<PAD>", "<START>", "<UNKNOWN>", "a", "great", "film", "bad"))
    heard: list[str] = []
    german = ["Ein sehr gutes Produkt, gerne wieder", "Leider kaputt angekommen"] * 20
    check_readable(german, Spec(), english, heard.append)
    assert any("starting model (--init) knows 0% of" in line for line in heard), heard
    heard.clear()
    check_readable(["a great film", "a bad film"] * 20, Spec(), english, heard.append)
    assert not any("starting model" in line for line in heard), heard


def test_init_with_a_phone_file_names_where_its_weights_are(tmp_path: Path) -> None:
    """--init takes a folder: beside the folder's own phone file the folder is named; a
    phone file with no folder beside it is told to give the one it was exported from
    ("the folder that holds it" was refused too)."""
    from sentigru.presets import MODELS

    data = tmp_path / "d.tsv"
    data.write_text("label\ttext\npositive\tgreat film\nnegative\tawful film\n")
    shipped = Path(sentigru.__file__).parents[1] / "export" / "sentigru-sentiment.tflite"
    for phone, said in (
        (MODELS / "default" / "model.tflite", "give the folder that holds it"),
        (shipped, "give the model folder it was exported from, or 'bundled'"),
    ):
        if not phone.is_file():
            continue
        args = ["train", "--data", str(data), "--init", str(phone), "--out", str(tmp_path / "m")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and said in result.output, result.output
