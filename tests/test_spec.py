"""The spec validates when built, survives a JSON round trip, and is the one place the
CLI's settings come from."""

from __future__ import annotations

import click
import pytest

from sentigru.errors import SentigruError
from sentigru.limits import MAX_SEQ_LEN
from sentigru.spec import SECTIONS, ModelSpec, Spec, TokenizerSpec, TrainingSpec, fields_of


def test_round_trip() -> None:
    spec = Spec().replace(model={"cell": "lstm", "units": 8}, tokenizer={"seq_len": 128})
    assert Spec.from_json(spec.to_json()) == spec
    assert spec.model.cell == "lstm" and spec.tokenizer.seq_len == 128


@pytest.mark.parametrize(
    "build",
    [
        lambda: ModelSpec(cell="rnn"),
        lambda: ModelSpec(dropout=1.0),
        lambda: ModelSpec(pooling="last"),
        lambda: TokenizerSpec(seq_len=1),
        lambda: TokenizerSpec(seq_len=MAX_SEQ_LEN + 64),  # more than a phone file takes
        lambda: ModelSpec(layers=5),
        lambda: TrainingSpec(seed=-1),  # NumPy refuses it, deep in training
        lambda: TokenizerSpec(vocab_size=0),
        lambda: TrainingSpec(val_split=1.0),
        lambda: TrainingSpec(learning_rate=0),
        lambda: TrainingSpec(learning_rate=float("inf")),  # past float32: NaN after the setup
        lambda: Spec().replace(training={"epochs": 0}),
        lambda: Spec().replace(model={"chunk_len": 100}),  # 1024 is not whole chunks
        lambda: Spec().replace(tokenizer={"vocab_size": 50000}),  # pair codes overflow int32
        lambda: Spec().replace(export={"quantize": "int8"}),
        lambda: Spec().with_settings({"unit": 8}),
    ],
)
def test_bad_settings_are_refused_when_built(build) -> None:
    with pytest.raises(SentigruError):
        build()


@pytest.mark.parametrize(
    "data",
    [{"model": {"unit": 8}}, {"extra": {}}, {"model": []}, []],
)
def test_unknown_or_malformed_keys_are_refused(data) -> None:
    with pytest.raises(SentigruError):
        Spec.from_dict(data)


def test_retired_settings_load_only_with_the_value_that_means_today() -> None:
    """Folders saved by older versions carry settings that no longer exist; with the
    value that describes today's network they load, with any other they are refused."""
    old = {
        "model": {"bigram_dropout": True},
        "training": {"adversarial": 0.0},
        "tokenizer": {"piece_chars": 16},  # every folder of 0.4.0, a release since undone
    }
    assert Spec.from_dict(old) == Spec()
    for changed in (
        {"model": {"bigram_dropout": False}},
        {"training": {"adversarial": 0.3}},
        {"tokenizer": {"piece_chars": 2}},
    ):
        with pytest.raises(SentigruError, match="no longer supported"):
            Spec.from_dict(changed)


def test_a_folder_of_a_withdrawn_release_is_not_told_to_upgrade() -> None:
    """0.4.0 (undone) reads as newer than this version: a setting it saved that today's
    model cannot rebuild said "upgrade sentigru", which no one can."""
    saved = Spec().to_dict()
    saved["tokenizer"]["piece_chars"] = 1
    with pytest.raises(SentigruError, match="no longer supported") as caught:
        Spec.from_dict(saved, saved=True, made_by="0.4.0")
    assert "a release since withdrawn" in str(caught.value)
    assert "upgrade" not in str(caught.value) and "train the model again" in str(caught.value)
    with pytest.raises(SentigruError, match="upgrade sentigru"):  # a newer one: as before
        Spec.from_dict(saved, saved=True, made_by="0.9.0")


def test_a_saved_spec_without_a_newer_setting_reads_as_the_version_that_saved_it() -> None:
    """A model folder saved before ``curly_share`` existed was trained without it: its
    spec says 0, not today's default; a spec written by hand takes the default."""
    old = Spec().to_dict()
    del old["training"]["curly_share"]
    assert Spec.from_dict(old, saved=True).training.curly_share == 0.0
    assert Spec.from_dict(old).training.curly_share == Spec().training.curly_share > 0
    current = Spec().replace(training={"curly_share": 0.5}).to_dict()
    assert Spec.from_dict(current, saved=True).training.curly_share == 0.5
    # sentigru 0.1.0's first folders had none of these: --preset and --init from one
    # read today's defaults (aliases, word vectors, a mean of epochs), another recipe
    first = Spec().to_dict()
    for section, name in (
        ("tokenizer", "alias_min_count"),
        ("training", "word_init"),
        ("training", "average_epochs"),
    ):
        del first[section][name]
    read = Spec.from_dict(first, saved=True)
    assert read.tokenizer.alias_min_count == 0 and read.training.word_init == "random"
    assert read.training.average_epochs == 0


def test_flat_settings_land_in_their_sections() -> None:
    spec = Spec().with_settings({"units": 8, "epochs": 2, "quantize": "float16", "seed": None})
    assert (spec.model.units, spec.training.epochs, spec.export.quantize) == (8, 2, "float16")
    assert spec.training.seed == Spec().training.seed  # None leaves a setting alone


def test_every_setting_has_help_and_a_cli_option() -> None:
    """The CLI is generated from the spec: every field is an option of train, with the
    field's help and choices, and compare takes all of them but the cell."""
    from sentigru.cli import compare, train

    options = {p.name: p for p in train.params if isinstance(p, click.Option)}
    compared = {p.name for p in compare.params}
    for section in SECTIONS:
        for setting in fields_of(section):
            assert setting.metadata["help"], setting.name
            option = options[setting.name]
            assert setting.metadata["help"] in option.help
            if setting.metadata["choices"]:
                assert tuple(option.type.choices) == setting.metadata["choices"]
            assert (setting.name in compared) == (setting.name != "cell")


def test_options_written_by_hand_default_as_the_library_does() -> None:
    """Options that are not spec settings (reading options, export's format and batch,
    compare's cells and output) are declared in the CLI for speed (no NumPy to list
    them), so their defaults and choices are checked here against the library's: a
    default changed in one place only would make ``sentigru`` and Python differ."""
    import dataclasses
    import inspect

    from sentigru import api, comparison
    from sentigru.cli import main
    from sentigru.data.files import ReadOptions

    unset = (None, False, (), dataclasses.MISSING)
    reading = {f.name: f.default for f in dataclasses.fields(ReadOptions)}
    functions = {"train": api.train, "export": api.export, "compare": comparison.compare}
    checked = set()
    for name, command in main.commands.items():
        given = inspect.signature(functions[name]).parameters if name in functions else {}
        for option in command.params:
            key = {"fmt": "format"}.get(option.name, option.name)
            default = None if option.default is None or _unset(option.default) else option.default
            if key == "cells":
                default = tuple(comparison.parse_cells(default))
            want = reading.get(key, given[key].default if key in given else inspect._empty)
            if want is inspect._empty:
                continue
            if default is None:
                assert want in unset, (name, key, want)
            else:
                assert default == want, (name, key, default, want)
            checked.add(key)
    assert {"text_column", "encoding", "batch", "cells", "out", "strategy"} <= checked, checked
    formats = next(p for p in main.commands["export"].params if p.name == "fmt")
    assert tuple(formats.type.choices) == api.FORMATS


def _unset(value: object) -> bool:
    """click's mark of an option without a default (a sentinel from click 8.3 on)."""
    return type(value).__name__ == "Sentinel" or value is None


def test_a_bad_spec_file_is_named_in_its_error(tmp_path) -> None:
    from sentigru.presets import preset_spec

    file = tmp_path / "mine.json"
    file.write_text('{"model": {"units": "x"}}')
    with pytest.raises(SentigruError, match=r"mine\.json: units must be an integer"):
        preset_spec(file)


def test_a_length_chunks_divide_or_no_chunks_at_all() -> None:
    """chunk_len 0 reads the whole length at once, so any seq_len goes; otherwise the
    refusal names the lengths that work."""
    assert Spec().with_settings({"chunk_len": 0, "seq_len": 100}).tokenizer.seq_len == 100
    with pytest.raises(SentigruError, match="give seq_len 128, or chunk_len 4"):
        Spec().with_settings({"seq_len": 100})
    for odd in (50, 75):  # a common divisor under 4 is no chunk_len: only 0 is named
        with pytest.raises(SentigruError, match=r"or chunk_len 0, the whole") as caught:
            Spec().with_settings({"seq_len": odd})
        assert "chunk_len 1 " not in str(caught.value) and "chunk_len 2 " not in str(caught.value)


def test_settings_a_run_would_not_use_are_refused_but_their_defaults_pass() -> None:
    """A script that passes every setting, defaults included, still runs; a value the run
    would record in spec.json and not use is refused by name."""
    from sentigru.errors import SentigruError
    from sentigru.spec import Spec, check_settings_used

    pieces = Spec().replace(tokenizer={"tokenizer": "sentencepiece"})
    check_settings_used(pieces, {"val_split": 0.1, "min_count": 3, "vocab_count": "words"}, True)
    with pytest.raises(SentigruError, match="drop --val-split"):
        check_settings_used(Spec(), {"val_split": 0.2}, True)
    check_settings_used(Spec(), {"val_split": 0.2}, False)
    with pytest.raises(SentigruError, match="--min-count and --vocab-count shape"):
        check_settings_used(pieces, {"min_count": 1, "vocab_count": "texts"}, False)
    check_settings_used(Spec(), {"min_count": 1}, False)  # the regex tokenizer uses it
    check_settings_used(pieces, {"piece_min_count": 1}, False)  # SentencePiece's floor
    with pytest.raises(SentigruError, match="--piece-min-count is SentencePiece's"):
        check_settings_used(Spec(), {"piece_min_count": 1}, False)
    with pytest.raises(SentigruError, match="--curly-share teaches .* drop it"):
        check_settings_used(pieces, {"curly_share": 0.5}, False)  # ’ is ' to the pieces
    check_settings_used(pieces, {"curly_share": Spec().training.curly_share}, False)
    # word dropout writes the regex <UNKNOWN> id, SentencePiece's [CLS]: refused for a
    # training (a model saved so still loads: the spec itself is valid)
    dropped = pieces.replace(model={"unknown_rate": 0.1})
    with pytest.raises(SentigruError, match="unknown_rate shows words as <UNKNOWN>"):
        check_settings_used(dropped, {}, False)
    assert Spec.from_dict(dropped.to_dict(), saved=True) == dropped
    check_settings_used(Spec().replace(model={"unknown_rate": 0.1}), {}, False)
    # a streamed run's buffer and word bound, given to a run held in memory: unused
    for name, value in (("shuffle_buffer", 100), ("word_capacity", 900_000)):
        option = "--" + name.replace("_", "-")
        with pytest.raises(SentigruError, match=f"{option} .*: drop it, or add --stream$"):
            check_settings_used(Spec(), {name: value}, False)
        check_settings_used(Spec().replace(training={"stream": True}), {name: value}, False)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"seed": 2**32}, "seed must be at most 2147483647"),
        ({"batch_size": 2**63}, "batch_size must be at most"),
        ({"epochs": 2**63}, "epochs must be at most"),
        ({"units": 2**31}, "units must be at most"),
        ({"units": 70_000}, "units must be between 1 and 65536"),
        ({"embed_dim": 70_000}, "embed_dim must be between 1 and 65536"),
        ({"bigram_buckets": 2**30}, "bigram_buckets must be 0 or between 16 and"),
        ({"vocab_size": 10**8, "word_capacity": 2 * 10**8}, "vocab_size must be between 1 and"),
    ],
)
def test_settings_too_large_for_tensorflow_are_refused_in_one_line(
    settings: dict, message: str
) -> None:
    """They passed the spec and failed in NumPy, Keras or TensorFlow with a page of
    traceback (``--seed $(date +%s%N)``), or ran out of memory."""
    with pytest.raises(SentigruError, match=message):
        Spec().with_settings(settings)
    Spec().with_settings({"seed": 2**31 - 1, "units": 65_536})  # the largest taken


def test_the_cli_names_a_seed_too_large_as_its_option() -> None:
    from click.testing import CliRunner

    from sentigru.cli import main

    args = ["train", "--data", "x.tsv", "--out", "o", "--seed", "1" * 19]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "--seed must be at most 2147483647" in result.output
