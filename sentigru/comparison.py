"""``sentigru compare``: the same training run once per recurrent cell, measured.

Each cell is trained by ``sentigru train`` in a child process, with the caller's options
plus ``--cell``: the model folders are exactly what separate ``train`` runs would make
(same seed, same data, same code), and each child's peak resident memory is its own
(a process's high-water mark cannot be reset, so cells trained one after another in
one process would all report the first one's peak). The folders are then loaded here to
count parameters, read the history, export the phone file with the spec's settings and
time it, and check it against Keras.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentigru import __version__, limits, portable
from sentigru.errors import SentigruError, UsageError, refuse_nul
from sentigru.spec import CELLS
from sentigru.trust import SAFE_PATH, python_executable

RESULT_FILE = "comparison.json"
CHART_FILE = "comparison.png"
LATENCY_TEXT = (
    "The first half of the film drags, but the last hour is gripping, the cast is superb "
    "and the ending stayed with me for days."
)
"""A review of ordinary length, for the single-text latency of the phone file."""

Log = Callable[[str], None]


def parse_cells(text: str) -> list[str]:
    """``"gru,lstm"`` → ``["gru", "lstm"]``; unknown or repeated cells are an error."""
    cells = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [cell for cell in cells if cell not in CELLS]
    if unknown or not cells:
        raise UsageError(
            f"--cells (cells=) takes a comma-separated list of {', '.join(CELLS)}, got {text!r}"
        )
    if len(set(cells)) != len(cells):
        raise UsageError(f"--cells names a cell twice: {text!r}")
    return cells


def staged(out: Path, cell: str) -> Path:
    """Where a cell is trained before it replaces ``OUT/CELL``: an earlier comparison is
    replaced only once every cell of the new one has trained and been measured."""
    return out / f".{cell}.new"


def check_outputs(out: Path, cells: Sequence[str], force: bool) -> None:
    """Refuse, before any training, what the comparison may not replace: anything
    without ``force``; with it, a cell folder that is not a model folder or a report
    sentigru did not write. Leftovers of an interrupted comparison are named, and with
    ``force`` removed (it starts over)."""
    from sentigru import outputs
    from sentigru.atomic import occupied
    from sentigru.bundle import checkpoint_path, written_names

    outputs.check_not_quoted_home(out)
    if out.exists() and not out.is_dir():
        raise SentigruError(f"{out} is a file; --out takes a folder")
    outputs.check_not_in_model_folder(out)
    if outputs.has_sentigru_manifest(out):
        raise SentigruError(
            f"--out {out} is a model folder, whose manifest vouches for its files; "
            "choose another --out"
        )
    taken = [out / cell for cell in cells if occupied(out / cell)]  # an empty one is filled
    taken += [out / name for name in (RESULT_FILE, CHART_FILE) if os.path.lexists(out / name)]
    if taken and not force:
        raise SentigruError(f"{taken[0]} exists; use --force (force=True) to replace it")
    written = written_names()
    for cell in cells:
        outputs.check_replaceable(
            out / cell, force, lambda p: outputs.is_model_folder(p, written), "a model folder"
        )
    report = out / RESULT_FILE
    if report.exists() and not _is_comparison(report):
        raise SentigruError(
            f"{report} is not a comparison sentigru wrote; remove it yourself or choose "
            "another --out"
        )
    left = [
        path
        for cell in cells
        for path in (staged(out, cell), checkpoint_path(staged(out, cell)))
        if path.exists()
    ]
    if left and not force:
        raise SentigruError(
            f"an interrupted comparison left {left[0]}: run it again with --force to start over"
        )
    for path in left:
        shutil.rmtree(path, ignore_errors=True)


def _is_comparison(path: Path) -> bool:
    data = limits.head_of(path, limits.JSON_BYTES + 1)  # a named pipe, a sparse giant: not ours
    try:
        found = json.loads(data) if len(data) <= limits.JSON_BYTES else None
    except (ValueError, RecursionError):
        return False
    return isinstance(found, dict) and "cells" in found and "train_args" in found


ERROR_PREFIX = "sentigru: error: "
"""How a child ``sentigru train`` starts its one-line error."""


@dataclass
class CellRun:
    """One child ``sentigru train``: where it wrote, and what it cost."""

    cell: str
    folder: Path
    peak_rss_bytes: int
    wall_seconds: float
    cpu_seconds: float
    """User plus system CPU time: less sensitive than wall time to other work on the
    machine, which slows a run down without adding to its CPU time."""
    load_average: tuple[float, float, float]
    """The system's load average as the child ended: above the core count, the times
    are inflated by other work."""


USAGE_PREFIX = "sentigru-compare-usage: "
LAUNCHER = (
    "import os, signal, stat, subprocess, sys, threading\n"
    "child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)\n"
    "def watch():\n"
    "    while os.read(0, 4096):\n"
    "        pass\n"
    "    os.killpg(0, signal.SIGKILL)\n"
    "leader = os.getpgid(0) == os.getpid()\n"
    "if leader and stat.S_ISFIFO(os.fstat(0).st_mode):\n"
    "    threading.Thread(target=watch, daemon=True).start()\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    f"print(f'{USAGE_PREFIX}{{usage.ru_maxrss}} {{usage.ru_utime + usage.ru_stime}}', "
    "flush=True)\n"
    "if os.WIFSIGNALED(status):\n"
    "    if os.WTERMSIG(status) != signal.SIGKILL:\n"
    "        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)\n"
    "    os.kill(os.getpid(), os.WTERMSIG(status))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)
"""Runs the training and reports its peak memory and CPU seconds. Linux counts, in a
child's peak, the memory of the process it was forked from (a notebook's gigabytes, when
``sentigru.compare`` is called from one), so the training is forked from this small
process instead, and its figures are read here. It leads a process group of its own
with the training; when its stdin (a pipe from the caller) closes, because the caller
was killed or stopped, it kills that group, so no training runs on orphaned. A training
killed by a signal is reported as killed by it."""


def train_cell(
    cell: str, train_args: Sequence[str], folder: Path, log: Log, shown: Path | None = None
) -> CellRun:
    """Run ``sentigru train ARGS --cell CELL --out FOLDER`` in a child process (through
    :data:`LAUNCHER`); its output is passed to ``log`` line by line, with ``FOLDER``
    named as ``shown`` (where the cell's folder will be; the staging folder is gone by
    the end)."""
    python = python_executable()  # sys.executable, unless Python is embedded in a server
    command = [python, *SAFE_PATH, "-c", LAUNCHER, python, *SAFE_PATH, "-m", "sentigru", "train"]
    command += [*train_args, "--cell", cell, "--out", str(folder)]
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.PIPE,  # held open: its end tells the launcher to stop
        env=_child_env(),
        encoding="utf-8",  # as the child writes it (_child_env)
        errors="replace",
        start_new_session=True,  # the launcher and the training, stopped together
    )
    tail: deque[str] = deque(maxlen=50)
    usage: list[str] = []
    try:
        assert child.stdout is not None and child.stdin is not None
        for line in child.stdout:
            line, _, figures = line.partition(USAGE_PREFIX)
            if figures:
                usage = figures.split()
            if figures and not line.strip():
                continue
            tail.append(line.rstrip("\n"))
            if not tail[-1].startswith(ERROR_PREFIX):  # the failure below repeats it
                said = tail[-1].replace(str(folder), str(shown)) if shown else tail[-1]
                log(f"[{cell}] {said}")
        code = child.wait()
    except BaseException:  # Ctrl-C, SIGTERM: the training is killed, its leftovers go
        _stop(child)
        _discard_leftovers(folder)
        raise
    child.stdin.close()
    child.stdout.close()
    if code != 0:
        failure = _failure(tail, code)
        failure = failure.replace(str(folder), str(shown)) if shown else failure
        raise SentigruError(f"training the {cell} cell failed: {failure}")
    if len(usage) != 2:
        raise SentigruError(f"training the {cell} cell: its launcher reported no figures")
    return CellRun(
        cell,
        folder,
        rss_bytes(int(usage[0])),
        time.perf_counter() - start,
        float(usage[1]),
        os.getloadavg(),
    )


def _discard_leftovers(folder: Path) -> None:
    """What a killed cell's training leaves beside its folder: its checkpoint and lock.
    A comparison is not resumed, and they made the next one ask for --force."""
    from sentigru.bundle import checkpoint_path
    from sentigru.folder_lock import lock_path

    shutil.rmtree(checkpoint_path(folder), ignore_errors=True)
    lock_path(folder).unlink(missing_ok=True)


def _stop(child: subprocess.Popen[str]) -> None:
    """Kill the launcher and the training it started (one process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _child_env() -> dict[str, str]:
    """This process's environment, with this very sentigru first on the path (the child
    must run the same code, even from a source tree that is not installed)."""
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def rss_bytes(maxrss: int) -> int:
    """``ru_maxrss`` in bytes."""
    return maxrss if sys.platform == "darwin" else maxrss * 1024  # Linux reports KiB


def _failure(tail: Sequence[str], code: int) -> str:
    """The child's own one-line error, else its last line, else its exit status."""
    errors = [line[len(ERROR_PREFIX) :] for line in tail if line.startswith(ERROR_PREFIX)]
    if errors:
        return errors[-1]
    lines = [line for line in tail if line.strip()]
    return f"{lines[-1].strip()} (exit {code})" if lines else f"exit status {code}"


def measure_cell(run: CellRun, repeats: int = 50) -> dict[str, Any]:
    """Everything compared about one trained folder, read from the folder itself, plus
    its phone file (written beside it as ``model.tflite``)."""
    from sentigru import bundle
    from sentigru.exporters.phone import build_tflite, compare, sample_texts

    folder = bundle.load(run.folder)
    history = json.loads((run.folder / "history.json").read_text("utf-8"))
    export = folder.spec.export
    content = build_tflite(folder, quantize=export.quantize, runtime=export.runtime)
    bundle.add_file(run.folder, bundle.PHONE_FILE, content)  # vouched for, as train does
    agreement = compare(folder, content, sample_texts(folder.vocab, n=200), None)
    seconds = history.get("epoch_seconds") or []
    return {
        "folder": run.cell,
        "parameters": int(folder.model.count_params()),
        "recurrent_parameters": _recurrent_parameters(folder.model, folder.spec.model.cell),
        "epochs": len(history.get("loss", [])),
        "epoch_seconds": seconds,
        "seconds_per_epoch": _steady(seconds),
        "train_seconds": folder.manifest.get("train_seconds"),
        "peak_rss_bytes": run.peak_rss_bytes,
        "process_seconds": round(run.wall_seconds, 1),
        "process_cpu_seconds": round(run.cpu_seconds, 1),
        "load_average": [round(x, 2) for x in run.load_average],
        "val_accuracy": history.get("val_accuracy") or [],
        "val_loss": history.get("val_loss") or [],
        "best_val_accuracy": folder.manifest.get("metrics", {}).get("val_accuracy"),
        "tflite_file": f"{run.cell}/model.tflite",
        "tflite_bytes": len(content),
        "tflite_runtime": export.runtime,
        "tflite_quantize": export.quantize,
        "latency_ms": latency_ms(content, repeats),
        "latency_repeats": repeats,
        "agreement": agreement,
    }


def _steady(seconds: Sequence[float]) -> float | None:
    """Mean seconds of the epochs after the first (the first also traces and compiles the
    graph); the first epoch's when it is the only one."""
    later = list(seconds[1:]) or list(seconds)
    return statistics.fmean(later) if later else None


def _recurrent_parameters(model: Any, cell: str) -> int:
    return sum(
        layer.count_params() for layer in model.layers if layer.name.startswith(f"bi_{cell}_")
    )


def latency_ms(content: bytes, repeats: int) -> float:
    """Median milliseconds of one text through the phone file (LiteRT, one thread, as
    ``sentigru predict`` runs it), after a few warm-up calls."""
    from sentigru.predictor import LiteRTPredictor

    predictor = LiteRTPredictor(content)
    for _ in range(3):
        predictor.scores([LATENCY_TEXT])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        predictor.scores([LATENCY_TEXT])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run_comparison(
    cells: Sequence[str], train_args: Sequence[str], out: Path, log: Log
) -> dict[str, Any]:
    """Train every cell (one child process each, into :func:`staged`), measure every
    folder, then move the folders into place: a failed or interrupted comparison leaves
    the earlier one as it was."""
    from sentigru.atomic import replace_path

    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    runs: list[CellRun] = []
    measured = {}
    try:
        for cell in cells:
            runs.append(train_cell(cell, train_args, staged(out, cell), log, out / cell))
        for run in runs:
            log(f"measuring {run.cell}: exporting the phone file and timing it")
            measured[run.cell] = measure_cell(run)
    except BaseException:
        for cell in cells:
            shutil.rmtree(staged(out, cell), ignore_errors=True)
        if made:  # a failed comparison leaves no empty folder
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    for run in runs:
        replace_path(run.folder, out / run.cell, force=True)
    return {
        "sentigru": __version__,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "train_args": list(train_args),
        "cells": measured,
    }


def _row(name: str, values: Sequence[str]) -> str:
    return f"{name:<34}" + "".join(f"{v:>18}" for v in values)


def format_table(result: dict[str, Any]) -> str:
    """The comparison as a terminal table: one column per cell."""
    cells = result["cells"]
    names = list(cells)

    def each(fmt: Callable[[dict[str, Any]], str]) -> list[str]:
        return [fmt(cells[name]) for name in names]

    epochs = max((len(c["val_accuracy"]) for c in cells.values()), default=0)
    lines = [
        _row("", names),
        _row("parameters", each(lambda c: f"{c['parameters']:,}")),
        _row("  in the recurrent layers", each(lambda c: f"{c['recurrent_parameters']:,}")),
        _row("training seconds, first epoch", each(lambda c: _number(_first(c)))),
        _row("  each later epoch (mean)", each(lambda c: _number(c["seconds_per_epoch"]))),
        _row(
            "CPU seconds of training process", each(lambda c: _number(c["process_cpu_seconds"], 0))
        ),
        _row("peak memory of training (MB)", each(lambda c: f"{c['peak_rss_bytes'] / 1e6:.0f}")),
    ]
    for i in range(epochs):
        lines.append(_row(f"val accuracy, epoch {i + 1}", each(functools.partial(_at, i=i))))
    lines += [
        _row("val accuracy (kept weights)", each(lambda c: _number(c["best_val_accuracy"], 4))),
        _row("phone file (MB)", each(lambda c: f"{c['tflite_bytes'] / 1e6:.3f}")),
        _row("phone-file latency, 1 text (ms)", each(lambda c: f"{c['latency_ms']:.2f}")),
        _row("keras/tflite label agreement", each(lambda c: _agreement(c["agreement"]))),
        _row("keras/tflite max score diff", each(lambda c: _diff(c["agreement"]))),
    ]
    return "\n".join(lines)


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _first(cell: dict[str, Any]) -> float | None:
    return cell["epoch_seconds"][0] if cell["epoch_seconds"] else None


def _at(cell: dict[str, Any], i: int) -> str:
    values = cell["val_accuracy"]
    return f"{values[i]:.4f}" if i < len(values) else "(stopped)"


def _agreement(check: dict[str, Any]) -> str:
    return f"{check['label_agreement']:.2%}"


def _diff(check: dict[str, Any]) -> str:
    return f"{check['max_score_diff']:.1e}"


def write_results(result: dict[str, Any], out: Path) -> bool:
    """Write ``comparison.json`` and, where matplotlib is installed, ``comparison.png``
    (each beside its place, then renamed); True when the chart was drawn."""
    from sentigru import plots
    from sentigru.atomic import write_atomic

    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / RESULT_FILE, (json.dumps(result, indent=2) + "\n").encode("utf-8"))
    title = " vs ".join(cell.upper() for cell in result["cells"]) + " (sentigru compare)"
    try:
        chart = plots.comparison_png(result["cells"], title)
    except plots.NoMatplotlib:
        (out / CHART_FILE).unlink(missing_ok=True)  # an earlier comparison's chart
        return False
    write_atomic(out / CHART_FILE, chart)
    return True


def compare(
    data: Any,
    out: str | Path = "comparison",
    *,
    cells: str | Sequence[str] = ("gru", "lstm"),
    val_data: str | Path | None = None,
    preset: str | Path | None = None,
    strategy: str = "auto",
    force: bool = False,
    log: Log | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """Train a model per recurrent cell, with otherwise the same settings, seed and data,
    and measure them: what ``sentigru compare`` does, in one call.

    ``data`` is files as :func:`sentigru.train` takes them (a path, several, or a
    :class:`~sentigru.DataSource`; not a pair of lists: each cell trains in a process of
    its own, which reads the files), ``settings`` are spec settings by name
    (``epochs=3``). ``OUT/CELL`` gets each model folder, ``OUT/comparison.json`` the
    figures (also returned) and, with matplotlib, ``OUT/comparison.png``. ``log``
    (default: stderr) hears each child's progress. Reading options by name
    (``label_map``, ``text_column`` …) go with ``data``, as :func:`sentigru.train`
    takes them.
    """
    from sentigru.arguments import check_not_texts, stderr_line
    from sentigru.data.sources import READ_FIELDS, DataSource
    from sentigru.spec import check_settings_used
    from sentigru.train_api import build_spec

    if not isinstance(cells, str) and not (
        isinstance(cells, (list, tuple)) and all(isinstance(cell, str) for cell in cells)
    ):
        raise SentigruError(
            f"cells is a list of cell names such as ['gru', 'lstm'], not {cells!r:.60}"
        )
    if val_data is not None and not isinstance(val_data, (str, Path)):
        raise SentigruError("val_data is one file or glob, as --val-data")
    if val_data is not None:
        refuse_nul(val_data, "val_data")
    names = parse_cells(cells if isinstance(cells, str) else ",".join(cells))
    if "cell" in settings:
        raise SentigruError("compare trains each of cells=; cell= is not one of its settings")
    reading = {name: settings.pop(name) for name in list(settings) if name in READ_FIELDS}
    check_settings_used(build_spec(preset, **settings), settings, val_data is not None)
    check_not_texts(data, "data", "write them with their labels to a file (each cell reads it)")
    source = DataSource.of(data, **reading)
    args = [
        *source_args(source),
        *(["--val-data", str(val_data)] if val_data is not None else []),
        *(["--preset", str(preset)] if preset is not None else []),
        "--strategy",
        strategy,
        *setting_args(settings),
        "--no-phone-file",
    ]
    result, _ = run(names, args, source, val_data, Path(out), force, log or stderr_line)
    return result


def run(
    cells: Sequence[str],
    train_args: Sequence[str],
    source: Any,
    val_data: str | Path | None,
    out: Path,
    force: bool,
    log: Log,
) -> tuple[dict[str, Any], bool]:
    """The comparison from ``train``'s arguments (the CLI forwards its own): the data and
    outputs checked before any child starts, the cells trained and measured, the
    results written. Returns them, and whether the chart was drawn."""
    from sentigru.data.sources import refuse_unused_reading
    from sentigru.tf_quiet import require_tensorflow
    from sentigru.train_data import check_files

    if portable.WINDOWS:
        raise SentigruError(
            "compare measures each training's peak memory and CPU time with POSIX process "
            "accounting, which Windows lacks: run it under WSL, or train each cell with "
            "sentigru train --cell"
        )
    refuse_nul(out, "out")
    require_tensorflow("compare")
    if source.empty:
        raise UsageError("no training data: give --data FILE or --dataset NAME")
    check_files(source.paths, [Path(val_data)] if val_data is not None else [])
    refuse_unused_reading(source, files_too=val_data is not None)  # not in a cell
    check_outputs(out, cells, force)
    earlier = _earlier_cells(out, cells)
    result = run_comparison(cells, train_args, out, log)
    drawn = write_results(result, out)
    for folder in earlier:  # the report no longer names them: OUT held two comparisons
        shutil.rmtree(folder, ignore_errors=True)
    return result, drawn


def _earlier_cells(out: Path, cells: Sequence[str]) -> list[Path]:
    """The model folders of an earlier comparison in ``out`` that this one (with
    ``--force``, of other ``cells``) does not replace, which its report would not name."""
    from sentigru.bundle import written_names
    from sentigru.outputs import is_model_folder

    report = out / RESULT_FILE
    if not _is_comparison(report):
        return []
    named = json.loads(report.read_text("utf-8"))["cells"]
    names = named if isinstance(named, list) else list(named) if isinstance(named, dict) else []
    written = written_names()
    return [
        out / name
        for name in names
        if isinstance(name, str)
        and name in CELLS
        and name not in cells
        and is_model_folder(out / name, written)
    ]


def source_args(source: Any) -> list[str]:
    """``train``'s options that read ``source`` (a :class:`~sentigru.DataSource`)."""
    from sentigru.data.files import ReadOptions

    if source.rows is not None:
        raise SentigruError(
            "compare trains each cell in a process of its own, from files: write the rows "
            "(texts, labels) to a .tsv file (a first line label<TAB>text, then a row each) "
            "and give its path"
        )
    args = [arg for path in source.paths for arg in ("--data", str(path))]
    for option, value in (
        ("--dataset", source.dataset),
        ("--split", source.split),
        ("--data-dir", source.data_dir),
    ):
        if value is not None:
            args += [option, str(value)]
    options, default = source.options or ReadOptions(), ReadOptions()
    for name in ("text_column", "label_column", "encoding"):
        if getattr(options, name) != getattr(default, name):
            args += ["--" + name.replace("_", "-"), getattr(options, name)]
    if options.skip_bad_rows:
        args.append("--skip-bad-rows")
    if options.label_map:
        if any("=" in x or x.endswith("\\") for pair in options.label_map.items() for x in pair):
            raise SentigruError(
                "a label_map label holding '=' or ending in '\\' cannot be handed to the "
                "trainings: rename it in the files"
            )
        written = (f"{k}={v}".replace(",", "\\,") for k, v in options.label_map.items())
        args += ["--label-map", ",".join(written)]  # a comma in a name written \,
    return args


def setting_args(settings: dict[str, Any]) -> list[str]:
    """Spec settings by name as ``train``'s options (``units=32`` → ``--units 32``;
    ``stream=True`` → ``--stream``); None is a setting not given."""
    args: list[str] = []
    for name, value in settings.items():
        option = name.replace("_", "-")
        if value is None:
            continue
        if isinstance(value, bool):
            args.append(f"--{option}" if value else f"--no-{option}")
        else:
            args += [f"--{option}", str(value)]
    return args
