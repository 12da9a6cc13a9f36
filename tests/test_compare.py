"""``sentigru compare``: one training run per cell, measured, and figures that agree with
the model folders it keeps and with a separate ``train`` run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_plots import png_shape

import sentigru
from sentigru import bundle, comparison
from sentigru.cli import _forwarded_options, compare, main, train
from sentigru.errors import SentigruError

TINY = [
    "--epochs",
    "2",
    "--min-steps",
    "0",
    "--patience",
    "5",
    "--seed",
    "3",
    "--units",
    "8",
    "--embed-dim",
    "6",
]
TINY += ["--seq-len", "32", "--chunk-len", "16", "--vocab-size", "200"]
TINY += ["--bigram-buckets", "0", "--word-init", "random"]
UNITS, EMBED = 8, 6


@pytest.fixture(scope="module")
def compared(synthetic_files, tmp_path_factory: pytest.TempPathFactory):
    """One comparison of both cells on the synthetic data, run as a user runs it."""
    out = tmp_path_factory.mktemp("compare") / "out"
    args = ["compare", "--data", str(synthetic_files[0]), "--out", str(out), *TINY]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out, result, json.loads((out / comparison.RESULT_FILE).read_text())


def recurrent_parameters(cell: str, units: int, inputs: int) -> int:
    """Both directions of one Keras layer: a GRU (reset_after) has 3 gates with two bias
    vectors each, an LSTM 4 gates with one."""
    if cell == "gru":
        return 2 * (3 * units * (inputs + units) + 2 * 3 * units)
    return 2 * (4 * units * (inputs + units) + 4 * units)


@pytest.mark.e2e
def test_both_cells_are_compared_and_kept(compared) -> None:
    out, result, data = compared
    assert list(data["cells"]) == ["gru", "lstm"]
    for cell in ("gru", "lstm"):
        assert bundle.read_manifest(out / cell)
        spec = json.loads((out / cell / "spec.json").read_text())
        assert spec["model"]["cell"] == cell
    table = result.stdout
    assert "parameters" in table and "gru" in table and "lstm" in table
    assert png_shape(out / comparison.CHART_FILE)[1] > 500


@pytest.mark.e2e
def test_settings_differ_only_in_the_cell(compared) -> None:
    out, _, data = compared
    specs = [json.loads((out / cell / "spec.json").read_text()) for cell in ("gru", "lstm")]
    for spec in specs:
        del spec["model"]["cell"]
    assert specs[0] == specs[1]
    assert specs[0]["training"]["seed"] == 3 and specs[0]["model"]["units"] == UNITS
    assert "--cells" not in data["train_args"] and "--units" in data["train_args"]


@pytest.mark.e2e
def test_lstm_has_more_parameters_by_the_formula(compared) -> None:
    out, _, data = compared
    cells = data["cells"]
    for cell in ("gru", "lstm"):
        assert cells[cell]["recurrent_parameters"] == recurrent_parameters(cell, UNITS, EMBED)
        assert cells[cell]["parameters"] == bundle.load(out / cell).model.count_params()
    # everything around the recurrent layer is the same, so the totals differ by exactly it
    extra = recurrent_parameters("lstm", UNITS, EMBED) - recurrent_parameters("gru", UNITS, EMBED)
    assert cells["lstm"]["parameters"] - cells["gru"]["parameters"] == extra > 0


@pytest.mark.e2e
def test_figures_match_the_saved_folders(compared) -> None:
    out, _, data = compared
    for cell, figures in data["cells"].items():
        folder = out / figures["folder"]
        history = json.loads((folder / "history.json").read_text())
        manifest = json.loads((folder / "manifest.json").read_text())
        assert figures["val_accuracy"] == history["val_accuracy"]
        assert figures["epoch_seconds"] == history["epoch_seconds"]
        assert figures["epochs"] == len(history["loss"]) == 2
        assert figures["best_val_accuracy"] == manifest["metrics"]["val_accuracy"]
        assert figures["tflite_bytes"] == (out / figures["tflite_file"]).stat().st_size
        assert figures["peak_rss_bytes"] > 100e6, cell  # a process that imported TensorFlow
        assert figures["process_cpu_seconds"] > 1.0 and len(figures["load_average"]) == 3
        assert figures["latency_ms"] > 0 and figures["latency_repeats"] >= 5
        assert figures["agreement"]["label_agreement"] >= 0.99
        assert png_shape(folder / bundle.PICTURE)[0] > 100


@pytest.mark.slow  # a third training; the comparison itself is tested above
def test_figures_match_a_separate_train_run(compared, synthetic_files, tmp_path: Path) -> None:
    """A fair comparison: the comparison's LSTM is the LSTM that `train` makes."""
    _, _, data = compared
    alone = tmp_path / "lstm"
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(alone), *TINY]
    result = CliRunner().invoke(main, [*args, "--cell", "lstm", "--no-phone-file"])
    assert result.exit_code == 0, result.output
    history = json.loads((alone / "history.json").read_text())
    assert data["cells"]["lstm"]["val_accuracy"] == history["val_accuracy"]
    assert data["cells"]["lstm"]["val_loss"] == history["val_loss"]
    assert data["cells"]["lstm"]["parameters"] == bundle.load(alone).model.count_params()


@pytest.mark.e2e
def test_an_earlier_comparison_is_kept_without_force(compared, synthetic_files) -> None:
    out, _, _ = compared
    before = (out / comparison.RESULT_FILE).read_bytes()
    args = ["compare", "--data", str(synthetic_files[0]), "--out", str(out), *TINY]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "use --force" in result.output and result.output.count("\n") == 1
    assert (out / comparison.RESULT_FILE).read_bytes() == before


@pytest.mark.parametrize("cells", ["gru,rnn", "gru,gru", ",", "transformer"])
def test_bad_cells_are_one_line_errors(cells: str, synthetic_files, tmp_path: Path) -> None:
    args = ["compare", "--data", str(synthetic_files[0]), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, [*args, "--cells", cells])
    assert result.exit_code == 2  # bad usage, as train's settings
    assert result.output.startswith("sentigru: usage: --cells") and result.output.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_a_failing_cell_is_one_line_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("label\ttext\npositive\tonly one label here\n")
    args = ["compare", "--data", str(bad), "--out", str(tmp_path / "o"), "--cells", "lstm"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("sentigru: error: training the lstm cell failed: ")
    reason = last.removeprefix("sentigru: error: training the lstm cell failed: ")
    assert result.output.count(reason) == 1  # the child's own line is not echoed too
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()  # no report, and no empty folder it made


def test_empty_folders_take_cells_but_not_the_report_or_chart(tmp_path: Path) -> None:
    """An empty folder is filled where a cell's model folder goes; where the report or
    the chart goes it is refused before any training (it failed after both)."""
    from sentigru.comparison import CHART_FILE, check_outputs

    (tmp_path / "gru").mkdir()
    check_outputs(tmp_path, ["gru", "lstm"], False)
    (tmp_path / CHART_FILE).mkdir()
    with pytest.raises(SentigruError, match=f"{CHART_FILE} exists; use --force"):
        check_outputs(tmp_path, ["gru", "lstm"], False)


def test_no_data_is_refused_before_training(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compare", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no training data" in result.output


def test_settings_a_training_would_not_use_are_refused_before_the_cells(
    synthetic_files, tmp_path: Path
) -> None:
    """They were refused inside the first cell's training, as "training the gru cell
    failed: ..." after its process started."""
    import sentigru

    train, val = (str(f) for f in synthetic_files)
    base = ["compare", "--data", train, "--out", str(tmp_path / "o")]
    pieces = CliRunner().invoke(main, [*base, "--tokenizer", "sentencepiece", "--min-count", "2"])
    assert pieces.exit_code == 2 and "usage: --min-count shapes" in pieces.output
    split = CliRunner().invoke(main, [*base, "--val-data", val, "--val-split", "0.2"])
    assert split.exit_code == 2 and "usage: --val-data gives" in split.output
    with pytest.raises(sentigru.SentigruError, match="drop --val-split"):
        sentigru.compare(train, tmp_path / "p", val_data=val, val_split=0.2)
    tfds = ["compare", "--dataset", "imdb_reviews", "--encoding", "latin-1"]
    reading = CliRunner().invoke(main, [*tfds, "--out", str(tmp_path / "o")])
    assert reading.exit_code == 1 and "error: --dataset reads a tensorflow" in reading.output
    assert not (tmp_path / "o").exists() and not (tmp_path / "p").exists()


@pytest.mark.e2e
def test_without_matplotlib_compare_succeeds_and_says_how(
    compared, synthetic_files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart is drawn by this process: with its matplotlib gone, the command still
    succeeds, writes the JSON, and one line says how to get the chart. (Training is
    replaced by the module's earlier results: only the picture path is under test.)"""
    _, _, data = compared
    monkeypatch.setattr(comparison, "run_comparison", lambda *args: data)
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "results"
    args = ["compare", "--data", str(synthetic_files[0]), "--out", str(out), *TINY]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads((out / comparison.RESULT_FILE).read_text()) == data
    assert not (out / comparison.CHART_FILE).exists()
    hints = [line for line in result.stderr.splitlines() if "sentigru[plot]" in line]
    assert len(hints) == 1 and comparison.CHART_FILE in hints[0]


@pytest.mark.e2e
def test_format_table_has_a_row_per_epoch(compared) -> None:
    _, _, data = compared
    table = comparison.format_table(data)
    assert "val accuracy, epoch 2" in table and "val accuracy, epoch 3" not in table


def test_python_compare_hands_its_data_and_settings_to_train_as_options() -> None:
    """``sentigru.compare(data, out, **settings)`` runs the children the CLI runs: its
    settings and reading options become the same ``train`` options."""
    from sentigru.data import DataSource, ReadOptions

    options = ReadOptions(text_column="review", label_map={"0": "negative", "1": "positive"})
    source = DataSource((Path("a.tsv"), Path("b.csv")), options=options)
    assert comparison.source_args(source) == [
        "--data", "a.tsv", "--data", "b.csv", "--text-column", "review",
        "--label-map", "0=negative,1=positive",
    ]  # fmt: skip
    settings = {"epochs": 2, "stream": True, "curly_share": 0.0, "units": None,
                "ngram_teacher": False}  # fmt: skip
    assert comparison.setting_args(settings) == [
        "--epochs", "2", "--stream", "--curly-share", "0.0", "--no-ngram-teacher"
    ]  # fmt: skip
    ctx = compare.make_context("compare", ["--data", "x", "--epochs", "2", "--stream"])
    assert {"--epochs", "--stream"} <= set(_forwarded_options(ctx, train, skip={"out"}))
    with pytest.raises(SentigruError, match="cell= is not one of its settings"):
        sentigru.compare("x.tsv", "o", cell="lstm")
    with pytest.raises(SentigruError, match="val_data is one file or glob"):
        sentigru.compare("x.tsv", "o", val_data=["a.tsv", "b.tsv"])
    with pytest.raises(SentigruError, match="cells is a list of cell names"):
        sentigru.compare("x.tsv", "o", cells=["gru", 1])
    for cells in (5, None, {"gru": 1}):  # a number was a TypeError from inside
        with pytest.raises(SentigruError, match="cells is a list of cell names"):
            sentigru.compare("x.tsv", "o", cells=cells)
    odd = DataSource((Path("a.tsv"),), options=ReadOptions(label_map={"c=d": "y"}))
    with pytest.raises(SentigruError, match="holding '=' or ending in"):
        comparison.source_args(odd)
    from sentigru.data.files import parse_label_map

    comma = {"1": "meh, so-so", "2": "good"}  # written \, for the trainings' --label-map
    args = comparison.source_args(
        DataSource((Path("a.tsv"),), options=ReadOptions(label_map=comma))
    )
    assert parse_label_map(args[args.index("--label-map") + 1]) == comma


def test_python_compare_takes_reading_options_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """``label_map=`` was "unknown setting" to compare, though train and evaluate take it."""
    seen: list[list[str]] = []
    monkeypatch.setattr(comparison, "run", lambda cells, args, *rest: seen.append(args) or ({}, 0))
    sentigru.compare("x.tsv", "o", label_map="0=negative,1=positive", text_column="review")
    assert seen[0][:6] == [
        "--data", "x.tsv", "--text-column", "review", "--label-map", "0=negative,1=positive"
    ]  # fmt: skip


@pytest.mark.e2e
def test_python_compare_is_one_call(synthetic_files, tmp_path: Path) -> None:
    def value(text: str) -> int | str:
        return int(text) if text.isdigit() else text

    as_python = {k[2:].replace("-", "_"): value(v) for k, v in zip(TINY[::2], TINY[1::2])}
    lines: list[str] = []
    result = sentigru.compare(
        synthetic_files[0], tmp_path / "py", cells=["gru"], log=lines.append, **as_python
    )
    assert list(result["cells"]) == ["gru"] and lines
    saved = [line for line in lines if line.startswith("[gru] saved ")]
    assert saved and str(tmp_path / "py" / "gru") in saved[0]  # not its staging folder
    assert ".gru.new" not in "\n".join(lines)
    assert json.loads((tmp_path / "py" / comparison.RESULT_FILE).read_text()) == result
    spec = json.loads((tmp_path / "py" / "gru" / "spec.json").read_text())
    assert spec["model"]["units"] == UNITS and spec["training"]["seed"] == 3


def test_a_cells_peak_memory_is_its_own_not_the_callers() -> None:
    """Linux counts in a child's peak the memory of the process it was forked from: from
    a notebook holding gigabytes every cell reported the notebook's peak. The launcher,
    forked small, reports the training's own."""
    import subprocess

    held = bytearray(400 << 20)
    held[::4096] = b"\1" * len(held[::4096])  # touched: resident
    command = [sys.executable, "-c", comparison.LAUNCHER, sys.executable, "-c", "pass"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith(comparison.USAGE_PREFIX)
    peak_kib, cpu = done.stdout[len(comparison.USAGE_PREFIX) :].split()
    assert comparison.rss_bytes(int(peak_kib)) < 200 << 20 and float(cpu) >= 0
    failed = subprocess.run([*command[:3], sys.executable, "-c", "raise SystemExit(3)"])
    assert failed.returncode == 3
    killed = subprocess.run([*command[:3], sys.executable, "-c", KILLS_ITSELF])
    assert killed.returncode == -9  # out of memory reads as killed, not "exit 247"
    del held


KILLS_ITSELF = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"


def test_a_training_stops_when_the_process_that_compares_is_killed(tmp_path: Path) -> None:
    """The training runs in a process group of its own (so that it can be stopped with
    its launcher); killed from outside (a notebook restarted, a timeout), the process
    that compares leaves no training running on."""
    import subprocess
    import time

    marker = tmp_path / "alive"
    sleeper = (
        f"import time, pathlib; p = pathlib.Path({str(marker)!r})\n"
        "for _ in range(600): p.write_text(str(time.time())); time.sleep(0.05)"
    )
    caller = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {comparison.LAUNCHER!r}, sys.executable, "
        f"'-c', {sleeper!r}], stdin=subprocess.PIPE, start_new_session=True)\n"
        "time.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", caller])
    deadline = time.time() + 30
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    process.kill()
    process.wait()
    time.sleep(1.0)
    last = marker.read_text()
    time.sleep(0.5)
    assert marker.read_text() == last  # the training stopped with its caller


def test_compare_hands_streaming_and_strategy_options_to_train() -> None:
    given = ["--data", "x.tsv", "--stream", "--shuffle-buffer", "99", "--strategy", "one"]
    ctx = compare.make_context("compare", [*given, "--epochs", "2"])
    args = _forwarded_options(ctx, train, skip={"cells", "out"})
    assert "--stream" in args and "--epochs" in args
    assert args[args.index("--shuffle-buffer") + 1] == "99"
    assert args[args.index("--strategy") + 1] == "one"


@pytest.mark.e2e
def test_a_failed_comparison_leaves_the_earlier_one_as_it_was(
    compared, synthetic_files, tmp_path: Path
) -> None:
    """With --force, the earlier report and folders are replaced only once every cell
    has trained: a run that fails (here its data is missing) changes nothing, and a
    report or folder sentigru did not write is never replaced. The kept folders carry a
    phone file their manifest vouches for, so predict needs no TensorFlow."""
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(compared[0], out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    args = ["compare", *TINY, "--force"]
    missing = ["--data", str(tmp_path / "missing.tsv"), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, *missing])
    assert result.exit_code == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert bundle.PHONE_FILE in bundle.read_manifest(out / "gru")["files"]
    mine = tmp_path / "mine"
    (mine / "gru").mkdir(parents=True)
    (mine / "gru" / "notes.txt").write_text("precious")
    (mine / comparison.RESULT_FILE).write_text('{"mine": 1}')
    theirs = ["--data", str(synthetic_files[0]), "--out", str(mine)]
    result = CliRunner().invoke(main, [*args, *theirs])
    assert result.exit_code == 1 and "is not a model folder" in result.output
    assert (mine / "gru" / "notes.txt").read_text() == "precious"
    assert (mine / comparison.RESULT_FILE).read_text() == '{"mine": 1}'


def test_force_with_fewer_cells_removes_the_earlier_comparisons_other_cells(
    trained_model: Path, tmp_path: Path
) -> None:
    """`compare --cells gru --force` over a gru,lstm comparison left its lstm folder: OUT
    then mixed two comparisons, its report naming one. Only a cell folder the earlier
    report names and sentigru wrote is removed."""
    import shutil

    out = tmp_path / "out"
    for cell in ("gru", "lstm"):
        shutil.copytree(trained_model, out / cell)
    report = {"cells": {"gru": {}, "lstm": {}}, "train_args": []}
    (out / comparison.RESULT_FILE).write_text(json.dumps(report))
    assert comparison._earlier_cells(out, ["gru"]) == [out / "lstm"]
    assert comparison._earlier_cells(out, ["gru", "lstm"]) == []
    (out / "lstm" / "notes.txt").write_text("mine")  # no longer only what sentigru writes
    assert comparison._earlier_cells(out, ["gru"]) == []


def test_a_cell_stopped_by_a_signal_leaves_no_checkpoint_or_lock(
    tmp_path: Path, monkeypatch
) -> None:
    """SIGTERM (docker stop) while a cell trained left its checkpoint and lock, and the
    next comparison asked for --force."""
    from sentigru.bundle import checkpoint_path
    from sentigru.folder_lock import lock_path

    folder = tmp_path / "cmp" / "..lstm.new"
    checkpoint_path(folder).mkdir(parents=True)
    lock_path(folder).write_text("999999999")

    class Stopped:
        pid, stdin = 999999999, None

        @property
        def stdout(self):  # type: ignore[no-untyped-def]
            raise KeyboardInterrupt  # the signal, as it reaches the loop over the output

        def wait(self) -> int:
            return -15

    monkeypatch.setattr(comparison.subprocess, "Popen", lambda *a, **k: Stopped())
    with pytest.raises(KeyboardInterrupt):
        comparison.train_cell("lstm", [], folder, lambda line: None)
    assert not checkpoint_path(folder).exists() and not lock_path(folder).exists()
