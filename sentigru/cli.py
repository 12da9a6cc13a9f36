"""The ``sentigru`` command: one subcommand per job, fastText style.

Each command parses its options, calls the API (:mod:`sentigru.api`; ``predict`` and
``evaluate`` :mod:`sentigru.classifier` alone) and prints; the work is in the library.
The settings options of ``train`` and ``compare`` are generated from the spec's fields
(:mod:`sentigru.spec`), so a new setting is added in one place. Commands import what
they need when they run: ``sentigru --help`` and ``sentigru predict`` never import
TensorFlow. Errors a user can fix print one line and exit 1; bad usage exits 2 (click's
convention). What ``predict`` reads and writes is in :mod:`sentigru.predict_io`, how
messages reach the terminal in :mod:`sentigru.console`.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import gc
import itertools
import json
import os
import re
import shlex
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from sentigru import __version__, limits, tf_quiet
from sentigru.console import echo_err, options_only, settle
from sentigru.errors import SentigruError, UsageError, interrupted_within
from sentigru.portable import SIGPIPE, end_by_signal
from sentigru.predict_io import (
    ReadingNotes,
    given_texts,
    json_line,
    names_utf8,
    plain_line,
    stdin_encoding,
)
from sentigru.spec import INT_MAX, SECTIONS, fields_of

PROGRESS = {"auto": None, "bar": 1, "epochs": 2, "none": 0}
"""``train --progress``: Keras' verbosity for each choice (None: chosen by the terminal)."""


class _Path(click.Path):
    """A path option that refuses an empty name: ``Path("")`` is the working folder, so
    an unset shell variable (``--data "$F"``) read or wrote it. ``-`` (stdin or stdout
    elsewhere) is refused where a file is read (``reads``) or a file or folder written,
    unless a file of that name exists. A missing file is left to the reader, so that it is
    the same one-line error (exit 1) on every command."""

    def __init__(self, *args: Any, reads: bool = False, writes: str = "", **kwargs: Any):
        kwargs.setdefault("readable", False)  # no permission: the reader's one line, exit 1
        super().__init__(*args, **kwargs)
        self.reads, self.writes = reads or self.exists, writes

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value:
            self.fail("an empty path (an unset shell variable?)", param, ctx)
        if value == "-" and self.writes and not os.path.exists(value):
            self.fail(f"'-': sentigru writes a {self.writes} here, not stdout; name it", param, ctx)
        if value == "-" and self.reads and not os.path.exists(value):  # not "does not exist"
            stdin = (
                " (texts piped in: sentigru predict -)"
                if ctx and ctx.command.name == "predict"
                else ""
            )
            self.fail(f"'-': this is read from a file, not from stdin{stdin}", param, ctx)
        return super().convert(value, param, ctx)


class _Text(click.ParamType):
    """Text as it was typed: in a locale that is not UTF-8 (``LC_ALL=C`` without Python's
    UTF-8 mode) a UTF-8 argument reaches Python as the surrogates of its bytes (``é`` as
    ``\\udcc3\\udca9``), which match no column or label of a UTF-8 file. Such an
    argument is decoded as UTF-8; bytes that are not UTF-8 stay as they are (a label
    holding them is then refused by name). Paths keep their bytes: they are not text."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str) or value.isascii():
            return value
        try:
            return os.fsencode(value).decode("utf-8")
        except (UnicodeError, ValueError):
            return value


TEXT = _Text()


_KEPT_HYPHEN = "\u2011"
"""Stands in for a hyphen between letters while help is wrapped (a non-breaking hyphen)."""


class _HelpFormatter(click.HelpFormatter):
    """Wraps help text at spaces only. Click's wrapper also breaks after a hyphen, which
    split option names across lines (``--val-`` / ``data``), so a name read or copied
    from the help was not the option."""

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        start = len(self.buffer)
        super().write_dl([(a, _keep_hyphens(b)) for a, b in rows], col_max, col_spacing)
        self._restore_hyphens(start)

    def write_text(self, text: str) -> None:
        start = len(self.buffer)
        super().write_text(_keep_hyphens(text))
        self._restore_hyphens(start)

    def _restore_hyphens(self, start: int) -> None:
        self.buffer[start:] = [part.replace(_KEPT_HYPHEN, "-") for part in self.buffer[start:]]


def _keep_hyphens(text: str) -> str:
    return re.sub(r"(?<=\w)-(?=\w)", _KEPT_HYPHEN, text)


class _Context(click.Context):
    formatter_class = _HelpFormatter


class _Command(click.Command):
    context_class = _Context


class _Group(click.Group):
    """Turns the project's errors, and the file system's, into one line on stderr and
    exit code 1; bad usage into one line and exit code 2."""

    context_class = _Context
    command_class = _Command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            with _output_errors():  # --help and --version write here
                return super().parse_args(ctx, args)
        except _NO_ARGS:  # bare `sentigru`: the help, as click shows it
            raise
        except click.UsageError as exc:  # an option of sentigru itself (--bogus)
            _bad_usage(exc, ctx)

    def invoke(self, ctx: click.Context) -> Any:
        for stream in (sys.stdout, sys.stderr):  # a text the terminal cannot show
            if hasattr(stream, "reconfigure"):  # is escaped, not a traceback
                stream.reconfigure(errors="backslashreplace")
        # docker stop, SLURM and Kubernetes send SIGTERM: stop as on Ctrl-C (a training
        # keeps its checkpoint and says how to resume; its lock is released)
        with _signals_as_sentigrus():
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context) -> Any:
        try:  # the library's notes as the CLI's other lines: options named alone
            with _output_errors(), limits.notes_to(echo_err):
                return super().invoke(ctx)
        except click.UsageError as exc:  # click's own four lines, made one as the rest
            _bad_usage(exc, ctx)
        except UsageError as exc:  # settings that do not go together, found by the library
            _bad_usage(click.UsageError(str(exc)), ctx)
        except SentigruError as exc:
            echo_err(f"sentigru: error: {exc}")
            sys.exit(1)
        except KeyboardInterrupt as exc:  # a training's says what it kept
            _exit_interrupted(str(exc))
        except Exception as exc:
            if not interrupted_within(exc):
                raise
            _exit_interrupted("")  # LiteRT's loader made a Ctrl-C an ImportError


@contextlib.contextmanager
def _signals_as_sentigrus() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C does. A program that calls :data:`main` itself
    gets its own handlers back when the command ends (the process is its, not
    sentigru's: a handler left behind outlived the call); the ``sentigru`` program keeps
    them to the end, where a second signal is ignored as it exits."""
    if threading.current_thread() is not threading.main_thread():  # signals live there
        yield
        return
    stops = (signal.SIGINT, signal.SIGTERM)
    callers = {stop: signal.getsignal(stop) for stop in stops}
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        yield
    finally:
        if not _PROGRAM:
            for stop, handler in callers.items():
                if handler is not None:  # None: not set from Python
                    signal.signal(stop, handler)


def _exit_interrupted(said: str) -> NoReturn:
    """One line, and the status shells report for the signal: 130 on Ctrl-C, 143 on
    SIGTERM. A second signal meanwhile (``timeout`` signals the process, then its group)
    is ignored: it broke the worker threads' exit into a traceback."""
    if threading.current_thread() is threading.main_thread():
        for stop in (signal.SIGINT, signal.SIGTERM):  # not SIG_IGN: children inherit it
            signal.signal(stop, _ignored)
    signum = _SIGNALLED.pop("signum", signal.SIGINT)
    if signum == signal.SIGTERM and said.startswith("interrupted"):  # a training's line
        said = "terminated" + said[len("interrupted") :]
    said = said or ("terminated" if signum == signal.SIGTERM else "interrupted")
    echo_err(f"sentigru: {said}")
    if _PROGRAM:  # the process ends by the signal, once Python has wound down
        _DIE_BY.append(signum)
    sys.exit(128 + signum)


_DIE_BY: list[int] = []
"""The signal the ``sentigru`` program ends by (:func:`die_by_signal`)."""


def die_by_signal() -> None:
    """End the process by the signal that stopped it, as a program killed by it would:
    a shell runs the next command of a loop after a child that exited 130 (it took the
    child to have handled Ctrl-C), and stops the loop for one killed by SIGINT; both
    read as 130 (143 for SIGTERM). Registered with :mod:`atexit` first, so it runs
    last, after every other exit function; Python's own exit where no signal came."""
    if not _DIE_BY:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or full stream: the signal still
            stream.flush()
    end_by_signal(_DIE_BY[0])


@contextlib.contextmanager
def _output_errors() -> Iterator[None]:
    """A reader that stopped (``| head``) ends the command quietly with the status a
    shell gives ``cat`` then (141); any other refusal of the file system (a full disk,
    no permission) is one line and exit 1."""
    try:
        yield
    except BrokenPipeError:
        settle(sys.stdout)
        sys.exit(128 + SIGPIPE)
    except RuntimeError as exc:  # Path.resolve() before Python 3.13
        if not str(exc).startswith("Symlink loop from "):
            raise
        echo_err(f"sentigru: error: {str(exc)[18:]}: a loop of symbolic links")
        sys.exit(1)
    except OSError as exc:
        written = settle(sys.stdout)  # answers written before another file failed are kept
        where = f": {exc.filename}" if exc.filename else ""
        what = "" if written or where else "standard output: "  # a model saved before it
        echo_err(f"sentigru: error: {what}{limits.os_reason(exc)}{where}")
        sys.exit(1)


_NO_ARGS: type[Exception] = getattr(
    click.exceptions, "NoArgsIsHelpError", type("_Never", (Exception,), {})
)
"""click 8.2 and later say "no command" with this UsageError; older ones exit 0 instead."""


def _bad_usage(exc: click.UsageError, ctx: click.Context) -> NoReturn:
    """Bad usage as one line and exit code 2, naming the help of the command concerned."""
    where = exc.ctx.command_path if exc.ctx is not None else ctx.command_path
    if exc.ctx is None and ctx.invoked_subcommand:  # an option's value, parsed before its ctx
        where += f" {ctx.invoked_subcommand}"
    message = exc.format_message()
    if message.startswith("Got unexpected extra argument") and where.endswith(_READERS):
        message += ": the shell expanded a glob? Quote it (--data 'parts/*.tsv') or repeat --data"
    named = getattr(exc, "option_name", "")
    if where.endswith("predict") and re.search(r"\s|^-+\d", named or ""):  # "-5 stars"
        message += " A text that starts with '-' goes after --: sentigru predict -- TEXT"
    echo_err(f"sentigru: usage: {message} (see {where} --help)")
    sys.exit(2)


_READERS = ("train", "evaluate", "compare")
"""The commands that read --data, where an extra argument is most often a glob's file."""


_SIGNALLED: dict[str, int] = {}


def _ignored(signum: int, frame: Any) -> None:
    """A signal that comes while the run already stops."""


def _interrupted(signum: int, frame: Any) -> None:
    _SIGNALLED["signum"] = signum
    raise KeyboardInterrupt


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sentigru")
def main() -> None:
    """Sentiment analysis with a bidirectional GRU: train, predict, evaluate, export, compare."""


_PROGRAM = False
"""Whether this process is the ``sentigru`` program (:func:`run`), not a program that
calls :data:`main` itself: only then is the process's state sentigru's to set (NumPy's
threads, the collector), which would outlast the call in a caller's process."""


def run() -> None:
    """The ``sentigru`` program (and ``python -m sentigru``): :data:`main`, in a process
    of its own."""
    global _PROGRAM
    _PROGRAM = True
    tf_quiet.own_process()  # every thread is sentigru's: its stderr may be muted
    atexit.register(die_by_signal)
    try:
        main()
    finally:  # the command is done; the process winds down (interpreters, thread pools)
        if threading.current_thread() is threading.main_thread():
            for stop in (signal.SIGINT, signal.SIGTERM):
                signal.signal(stop, _late)


def _late(signum: int, frame: Any) -> None:
    """A signal once the command is done: the process ends by it (130, 143), where it
    raised KeyboardInterrupt into the clean-up it came in (a traceback, then exit 0)."""
    if not _DIE_BY:
        _DIE_BY.append(signum)


def _stacked(options: Sequence[Any]) -> Any:
    """One decorator applying ``options`` so that they list in the given order."""

    def decorate(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


# -- options generated from the spec ------------------------------------------------------


def _setting_option(setting: dataclasses.Field, default: str | None = None) -> Any:
    """``--vocab-size`` and the like: help, choices and type from the spec field. The
    default is None, so an option not given leaves the preset's value alone; ``default``
    says what that value is where it is not the spec's (export: the model's own)."""
    name = setting.name.replace("_", "-")
    help_text = f"{setting.metadata['help']} [{default or setting.default}]."
    if isinstance(setting.default, bool):
        return click.option(f"--{name}/--no-{name}", setting.name, default=None, help=help_text)
    choices = setting.metadata["choices"]
    kind = click.Choice(choices) if choices else type(setting.default)
    return click.option(f"--{name}", setting.name, type=kind, help=help_text)


def _spec_options(
    sections: Sequence[str] = tuple(SECTIONS), skip: Sequence[str] = (), default: str | None = None
) -> Any:
    """One option per spec setting of ``sections``, in the spec's order."""
    options = [
        _setting_option(setting, default)
        for section in sections
        for setting in fields_of(section)
        if setting.name not in skip
    ]
    return _stacked(options)


def _check_settings(preset: Any, settings: dict[str, Any]) -> None:
    """A setting out of range is bad usage (exit 2), named as the option that gave it."""
    from sentigru import api
    from sentigru.spec import check_trainable

    try:
        check_trainable(api.build_spec(preset, **settings))
    except SentigruError as exc:
        raise click.UsageError(_by_option(str(exc))) from None


def _by_option(message: str) -> str:
    """A spec's message with every setting named as its option, also one a preset set
    (ngram_teacher with --stream)."""
    for name in {setting.name for section in SECTIONS for setting in fields_of(section)}:
        option = "--" + name.replace("_", "-")
        # not the spec's section of the same name ("in tokenizer: x", "tokenizer.x")
        message = re.sub(rf"(?<![-\w]){name}\b(?![.:])", option, message)
    return message


def _settings(params: dict[str, Any]) -> dict[str, Any]:
    """The spec settings among a command's parameters, taken out of ``params``."""
    names = {setting.name for section in SECTIONS for setting in fields_of(section)}
    return {name: params.pop(name) for name in list(params) if name in names}


# -- data options ---------------------------------------------------------------------------

_DATA_OPTIONS = [
    click.option(
        "--data",
        "data",
        multiple=True,
        type=_Path(path_type=Path),
        help="Labelled data: .tsv/.csv/.jsonl (optionally .gz), a folder of label "
        "sub-folders, or a quoted glob ('parts/*.tsv.gz'). Repeat to combine files.",
    ),
    click.option("--dataset", help="A prepared tensorflow-datasets name, e.g. imdb_reviews."),
    click.option(
        "--split",
        default=None,
        help="tfds split to read [train to train; test to evaluate or check an export].",
    ),
    click.option(
        "--data-dir", type=_Path(path_type=Path), help="Folder holding prepared tfds sets."
    ),
    click.option(
        "--text-column",
        default="text",
        show_default=True,
        type=TEXT,
        help="Text column/key (tfds: feature).",
    ),
    click.option(
        "--label-column",
        default="label",
        show_default=True,
        type=TEXT,
        help="Label column/key (tfds: feature).",
    ),
    click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the files."),
    click.option("--skip-bad-rows", is_flag=True, help="Skip and count malformed rows."),
    click.option(
        "--label-map",
        type=TEXT,
        help=(
            "Rename labels as read, e.g. '0=negative,1=positive' (a map naming every label "
            "keeps its order; a comma in a name is written \\,)."
        ),
    ),
]


def _source(params: dict[str, Any]) -> Any:
    """The data options, taken out of ``params``, as a :class:`DataSource`."""
    from sentigru.data import DataSource, ReadOptions
    from sentigru.data.files import parse_label_map

    options = ReadOptions(
        text_column=params.pop("text_column"),
        label_column=params.pop("label_column"),
        encoding=params.pop("encoding"),
        skip_bad_rows=params.pop("skip_bad_rows"),
        label_map=parse_label_map(params.pop("label_map")),
    )
    dataset, split, data_dir = params.pop("dataset"), params.pop("split"), params.pop("data_dir")
    if not dataset and (split is not None or data_dir is not None):
        given = "--split" if split is not None else "--data-dir"
        raise click.UsageError(f"{given} chooses from a tensorflow-datasets set: give --dataset")
    if split is not None and not split.strip():
        raise click.UsageError("--split is empty: give a split such as train or test[:10%]")
    if not params["data"] and not dataset and (reading := _reading_given(options)):
        raise click.UsageError(f"{reading} reads data: give --data or --dataset, or drop it")
    return DataSource(
        tuple(params.pop("data")),
        dataset=dataset,
        split=split,
        data_dir=data_dir,
        options=options,
    )


def _reading_given(options: Any) -> str | None:
    """The first reading option given away from its default (export takes data only to
    check on; without it, the option would be taken and do nothing)."""
    given = options.given()
    return f"--{given[0].replace('_', '-')}" if given else None


def _strategy_option(func: Any) -> Any:
    from sentigru.distribute import STRATEGIES

    return click.option(
        "--strategy",
        type=click.Choice(STRATEGIES),
        default="auto",
        show_default=True,
        help="one device; mirrored: this machine's GPUs; multi-worker: the machines in "
        "TF_CONFIG; auto: multi-worker with TF_CONFIG, else mirrored with 2+ GPUs.",
    )(func)


_PRESET_OPTIONS = [
    click.option(
        "--preset",
        help="Start from a shipped recipe ('bundled': the bundled model's; "
        "'sentencepiece': the same for any language, phone file under 1 MB) or a "
        "spec.json; options override it [the defaults: the bundled recipe, but for "
        "--curly-share, which the presets keep at 0 as the bundled model's first step had, "
        "and --min-count and --piece-min-count, 1 in 'bundled'].",
    ),
    click.option(
        "--spec",
        "spec_file",
        type=_Path(exists=True, dir_okay=False, path_type=Path),
        hidden=True,  # the older name of --preset FILE
    ),
]


def _preset(params: dict[str, Any]) -> Any:
    spec_file, preset = params.pop("spec_file"), params.pop("preset")
    if preset == "":  # --preset "$P" with P unset trained the defaults without a word
        raise click.BadParameter("an empty name (an unset shell variable?)", param_hint="--preset")
    if spec_file and preset:  # else one was dropped without a word
        raise click.UsageError("--preset and --spec each give every setting: give one")
    return preset or spec_file


# -- train ----------------------------------------------------------------------------------


_VAL_DATA_OPTION = click.option(
    "--val-data",
    type=_Path(path_type=Path),
    help="Validation file or glob (else --val-split).",
)


@main.command(short_help="Train a model on labelled files or a tfds set.")
@_stacked(_DATA_OPTIONS)
@_VAL_DATA_OPTION
@click.option(
    "--unlabelled",
    multiple=True,
    type=_Path(path_type=Path),
    help="Texts without labels (.tsv/.csv/.jsonl text column, a folder of .txt, or one "
    "per line), trained on with --teacher's scores, or without --teacher with the "
    "--ngram-teacher's; with neither, they only start the word vectors (--word-init "
    "ppmi). A table's text column is --text-column, as for --data. A quoted glob takes "
    "the files it matches. Repeat to combine files.",
)
@click.option(
    "--teacher",
    type=_Path(path_type=Path),
    help="Model folder or .tflite (or bundled, the bundled model) whose scores label the "
    "--unlabelled texts.",
)
@click.option(
    "--teacher-scores",
    type=_Path(path_type=Path),
    help="Texts with a teacher's probabilities, trained on as targets: a .tsv/.csv/.jsonl "
    "with the text column and one column per label (for a teacher sentigru cannot run).",
)
@click.option(
    "--init",
    help="Start from a trained model's weights and vocabulary (fine-tuning): a model "
    "folder, or 'bundled'. Its network and tokenizer settings are kept; data with other "
    "labels gets a new output layer. On the data the model was trained on, validation "
    "holds out the rows it held out (with its --val-split; else a note says so).",
)
@click.option(
    "--out",
    required=True,
    type=_Path(writes="model folder", path_type=Path),
    help="Model folder to write.",
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted run of the same command after its last completed epoch.",
)
@click.option(
    "--phone-file/--no-phone-file",
    default=True,
    show_default=True,
    help="Also write the phone file into the folder (predict then needs no TensorFlow).",
)
@click.option(
    "--progress",
    type=click.Choice(list(PROGRESS)),
    default="auto",
    show_default=True,
    help="Keras' progress on stderr: a live bar, a line an epoch, or none (sentigru's notes "
    "stay); auto: a bar at a terminal (not with NO_COLOR or TERM=dumb), else lines.",
)
@_stacked(_PRESET_OPTIONS)
@_spec_options()
@_strategy_option
def train(**params: Any) -> None:
    """Train a model on labelled files or a tfds dataset; the folder --out gets the
    Keras model, vocabulary, labels, spec, manifest and the phone file. Needs the train
    extra (TensorFlow): pip install ".[train]" in sentigru's folder."""
    from sentigru import api

    settings = _settings(params)
    _check_settings(_preset(dict(params)), settings)
    classifier = api.train(
        _source(params),
        params["out"],
        val_data=[params["val_data"]] if params["val_data"] else [],
        unlabelled=list(params["unlabelled"]),
        teacher=params["teacher"],
        teacher_scores=params["teacher_scores"],
        init=params["init"],
        preset=_preset(params),
        force=params["force"],
        resume=params["resume"],
        strategy=params["strategy"],
        phone_file=params["phone_file"],
        log=echo_err,
        verbose=PROGRESS[params["progress"]],
        **settings,
    )
    if classifier is None:  # a worker of a cluster
        from sentigru.distribute import cluster_role

        role = cluster_role()
        click.echo(
            f"worker {role.index} of {role.workers} done; the chief writes {_path(params['out'])}"
        )
        return
    metrics = _read_metrics(params["out"])
    summary = ", ".join(  # counts as counts: val_examples 30,140, not 3.014e+04
        f"{k} {int(v):,}" if k.endswith("_examples") else f"{k} {v:.4g}"
        for k, v in metrics.items()
        if k.startswith("val_")
    )
    kept = _weights_kept(params["out"])
    click.echo(f"saved {_path(params['out'])} ({kept}{summary or 'no validation data'})")
    _note_missing_picture(params["out"] / "training.png")


def _weights_kept(folder: Path) -> str:
    """Which epochs' weights were saved, as "the mean of epochs 3-5: " or "the weights of
    epoch 2 of 4, lowest val_loss: ": the figures that follow are those weights', which
    no epoch's line showed (averaged) or the last line did not (restored), and nothing
    said why."""
    try:
        spec = json.loads((folder / "spec.json").read_text("utf-8"))
        history = json.loads((folder / "history.json").read_text("utf-8"))
        average, ran = spec["training"]["average_epochs"], len(history["loss"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    if average:
        first = max(1, ran - average + 1)
        return f"the mean of epochs {first}-{ran}: " if first < ran else ""
    # early stopping keeps the first epoch of the lowest loss it watched (Keras', the
    # worker loop's): the validation loss, or the training loss without validation data
    watched = "val_loss" if "val_loss" in history else "loss"
    losses = [(loss, epoch) for epoch, loss in enumerate(history[watched], 1) if loss == loss]
    best = min(losses)[1] if losses else ran
    return f"the weights of epoch {best} of {ran}, lowest {watched}: " if best < ran else ""


def _read_metrics(folder: Path) -> dict[str, float]:
    return json.loads((folder / "manifest.json").read_text("utf-8")).get("metrics", {})


def _note_missing_picture(file: Path) -> None:
    """One line on stderr when a picture was skipped because matplotlib is missing."""
    from sentigru import plots

    if not file.exists() and not plots.available():
        echo_err(f"sentigru: no {file.name}: matplotlib is not installed ({plots.INSTALL_HINT})")


# -- compare --------------------------------------------------------------------------------


@main.command(short_help="Train a GRU and an LSTM alike; compare them.")
@_stacked(_DATA_OPTIONS)
@_VAL_DATA_OPTION
@click.option(
    "--cells",
    default="gru,lstm",
    show_default=True,
    help="Recurrent cells to train and compare, comma-separated.",
)
@click.option(
    "--out",
    default="comparison",
    show_default=True,
    type=_Path(file_okay=False, writes="folder", path_type=Path),
    help="Folder for comparison.json, comparison.png and each cell's model folder (OUT/gru, …).",
)
@click.option("--force", is_flag=True, help="Replace an earlier comparison in --out.")
@_stacked(_PRESET_OPTIONS)
@_spec_options(skip=("cell",))
@_strategy_option
@click.pass_context
def compare(ctx: click.Context, **params: Any) -> None:
    """Train each cell with otherwise identical settings and seed, and measure them.

    Per cell: parameters, training seconds per epoch, peak memory of training, validation
    accuracy per epoch, size and single-text latency of the phone file, and its agreement
    with Keras. Each cell is trained by `sentigru train` in a process of its own, so its
    model folder (kept in OUT) is what a separate train run would make. Needs the train
    extra (TensorFlow): pip install ".[train]" in sentigru's folder, and POSIX process
    accounting (Linux, macOS, WSL; not Windows itself)."""
    from sentigru import api, comparison
    from sentigru.spec import check_settings_used
    from sentigru.tf_quiet import require_tensorflow

    require_tensorflow("compare")
    out: Path = params["out"]
    cells = comparison.parse_cells(params["cells"])
    settings = _settings(dict(params))  # fail now, not in a child
    _check_settings(_preset(dict(params)), settings)
    spec = api.build_spec(_preset(dict(params)), **settings)
    check_settings_used(spec, settings, params["val_data"] is not None)
    source = _source(dict(params))
    args = [*_forwarded_options(ctx, train, skip={"out"}), "--no-phone-file"]
    result, drawn = comparison.run(
        cells, args, source, params["val_data"], out, params["force"], echo_err
    )
    click.echo(comparison.format_table(result))
    click.echo(f"wrote {_path(out / comparison.RESULT_FILE)}")
    if drawn:
        click.echo(f"wrote {_path(out / comparison.CHART_FILE)}")
    else:
        _note_missing_picture(out / comparison.CHART_FILE)


def _forwarded_options(ctx: click.Context, target: click.Command, skip: set[str]) -> list[str]:
    """The options given to this command that ``target`` also takes, as arguments again
    (for a child process); options nobody gave are left out, so ``target`` applies its
    own defaults exactly as when run by hand."""
    from click.core import ParameterSource

    accepted = {param.name for param in target.params}
    args: list[str] = []
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name in skip:
            continue
        if param.name not in accepted:
            continue
        if ctx.get_parameter_source(param.name) in (None, ParameterSource.DEFAULT):
            continue
        value = ctx.params[param.name]
        if param.is_flag and param.secondary_opts:  # --x/--no-x
            args += [param.opts[0] if value else param.secondary_opts[0]]
        elif param.is_flag:
            args += [max(param.opts, key=len)] if value else []
        elif param.multiple:
            args += [arg for item in value for arg in (max(param.opts, key=len), str(item))]
        elif value is not None:
            args += [max(param.opts, key=len), str(value)]
    return args


# -- predict --------------------------------------------------------------------------------

_MODEL_OPTION = click.option(
    "--model",
    type=_Path(path_type=Path),
    help="Model folder or .tflite file [the bundled model].",
)
_JOBS_OPTION = click.option(
    "--jobs",
    type=click.IntRange(min=1, max=INT_MAX),
    help="Cores for bulk prediction [all].",
)


def _check_predict_options(
    stdin: bool, data: bool, text_column: str, encoding: str, line_buffered: bool
) -> None:
    """Refuse what the input form does not use (else taken, and nothing done with it:
    a TSV piped with --text-column was answered a whole line at a time, header too)."""
    if text_column != "text" and not data:
        raise click.UsageError(
            "--text-column picks a column of --data FILE; stdin lines and arguments are whole texts"
        )
    if not (stdin or data) and not names_utf8(encoding):
        raise click.UsageError("--encoding reads stdin or --data; arguments are text already")
    if line_buffered and not stdin:
        given = "--data" if data else "texts"
        raise click.UsageError(
            f"--line-buffered answers stdin lines as they come, not {given}: drop one"
        )


def _check_std_streams(reads_stdin: bool = False) -> None:
    """Refuse a closed stdout (``>&-``): the answers would be lost without a word; and
    a closed stdin where the texts come from it."""
    if sys.stdout is None:
        raise SentigruError("standard output is closed: the results would be lost")
    if reads_stdin and sys.stdin is None:
        raise SentigruError("standard input is closed: give the texts as arguments")


def _load(model: Path | None, jobs: int | None) -> Any:
    from sentigru.classifier import load  # predict's path: no training or export code
    from sentigru.contract import PHONE_FILE

    classifier = load(model, jobs=jobs)
    if _PROGRAM:  # what is loaded by now lives until the process ends: frozen, the
        gc.freeze()  # collector no longer walks it at each collection and at exit (20 ms)
    folder = classifier.folder
    if folder is not None and not (folder / PHONE_FILE).exists():
        jobs_unused = " (--jobs is for phone files)" if jobs is not None else ""
        echo_err(
            f"note: {folder} has no phone file, so its Keras model runs (slow to start"
            f"{jobs_unused}); 'sentigru export --model {folder}' makes it fast"
        )
    return classifier


@main.command(short_help="Classify texts (arguments, stdin lines, or a data file's rows).")
@_MODEL_OPTION
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=_Path(reads=True, dir_okay=False, path_type=Path),
    help="Classify each row of this file, in order: the text column of a .csv/.tsv/.jsonl "
    "(or .json Lines; optionally .gz), or each line of another file. Every row is answered, "
    "blank ones too; a bad row stops it. Repeat for more files, answered in turn.",
)
@click.option(
    "--text-column", default="text", show_default=True, type=TEXT, help="Text column/key of --data."
)
@click.option(
    "--encoding", default="utf-8", show_default=True, help="Encoding of --data, or of stdin."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per text.")
@click.option(
    "--top-k",
    default=1,
    show_default=True,
    type=click.IntRange(min=1, max=INT_MAX),
    help="Labels to show per text, best first (plain output: label<TAB>score for each, "
    "then the text).",
)
@click.option(
    "--line-buffered",
    is_flag=True,
    help="Answer each stdin line as it comes, as at a terminal (a live pipe: tail -f "
    "app.log | sentigru predict --line-buffered); else piped lines are answered 2,048 at a "
    "time, each batch once the next is read or stdin ends.",
)
@_JOBS_OPTION
@click.argument("texts", nargs=-1, type=TEXT)
def predict(
    model: Path | None,
    data_files: tuple[Path, ...],
    text_column: str,
    encoding: str,
    as_json: bool,
    top_k: int,
    line_buffered: bool,
    jobs: int | None,
    texts: tuple[str, ...],
) -> None:
    """Classify TEXTS (none or '-' reads one text per line from stdin), or the rows of
    --data FILE.

    Prints label<TAB>score<TAB>text a line; in the text, a tab, a line break, a
    backslash, other control characters and bidirectional overrides are escaped (\\t,
    \\n, \\\\, \\xNN, \\u202e) so that each answer stays one line of three columns shown
    as written (--json: one object a text, in order)."""
    if _PROGRAM:
        _one_blas_thread()
    if data_files and texts:
        glob = all(Path(text).is_file() for text in texts)  # --data parts/*.tsv, unquoted
        raise click.UsageError(
            "give texts or --data FILE, not both"
            + ("; the shell expanded a glob? Repeat --data for each file" if glob else "")
        )
    stdin = not data_files and (not texts or list(texts) == ["-"])
    _check_predict_options(stdin, bool(data_files), text_column, encoding, line_buffered)
    _check_std_streams(reads_stdin=stdin)
    long_lines: set[int] = set()
    if data_files:
        from sentigru.classifier import read_file_texts

        reading = {"text_column": text_column, "encoding": encoding}  # read as answered
        files = (read_file_texts(data, **reading) for data in data_files)
        lines: Iterable[str] = itertools.chain.from_iterable(files)
    else:
        lines = given_texts(texts, long_lines, stdin_encoding(encoding) if stdin else encoding)
    classifier = _load(model, jobs)
    from sentigru.bulk import WINDOW

    # Typed at a terminal, each line is answered at once; piped, lines go in windows.
    chunk = 1 if stdin and (line_buffered or sys.stdin.isatty()) else WINDOW  # `-` too
    # Answered one by one, as a live stream that may never end, every text gets its note.
    notes = ReadingNotes(classifier.tokenizer, every=chunk == 1)
    for index, (text, result) in enumerate(classifier.predict_stream(lines, top_k, chunk)):
        line_cut = index in long_lines
        if line_cut:  # what came after LINE_LIMIT bytes was not read
            long_lines.discard(index)
            result["truncated"] = True
        click.echo(json_line(result) if as_json else plain_line(text, result))
        notes.add(text, result, line_cut)  # on stderr with --json too
    notes.close()


def _one_blas_thread() -> None:
    """Before NumPy loads: predicting multiplies no matrix in NumPy (LiteRT does), yet
    OpenBLAS starts a thread per core at import that spins a while (on 2 cores, 120 ms
    of CPU beside the start's 180). A setting of the user's is kept."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# -- evaluate -------------------------------------------------------------------------------


@main.command(short_help="Measure a model on labelled data.")
@_MODEL_OPTION
@_stacked(_DATA_OPTIONS)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--plot",
    type=_Path(dir_okay=False, writes="PNG file", path_type=Path),
    help="Also draw the confusion matrix as a PNG file here (needs matplotlib).",
)
@click.option("--force", is_flag=True, help="Replace the --plot file if it exists.")
@_JOBS_OPTION
def evaluate(**params: Any) -> None:
    """Measure a model on labelled data: N, accuracy, precision, recall, F1, confusion.

    Macro-F1 averages the labels in the data or the predictions; a precision or recall
    of nothing counted is 0 (notes say where either moves the figures)."""
    from sentigru.evaluation import format_report

    _check_std_streams()
    plot: Path | None = params["plot"]
    if params["force"] and plot is None:  # else taken, with nothing to replace
        raise click.UsageError("--force replaces the --plot picture: give --plot, or drop it")
    source = _source(params)
    if source.empty:
        raise click.UsageError("evaluate needs labelled data: give --data FILE or --dataset NAME")
    classifier = _load(params["model"], params["jobs"])
    if plot is not None:
        classifier.check_plot(plot, source, params["force"])
    report = classifier.evaluate(source)
    report["notes"] = [options_only(line) for line in report["notes"]]  # as the CLI names
    click.echo(json_line(report) if params["as_json"] else format_report(report))
    if plot is not None:  # after the report: a picture that fails loses no figure
        classifier.draw_confusion(report, plot, params["force"])
        echo_err(f"wrote {plot}")


# -- export ---------------------------------------------------------------------------------


@main.command(short_help="Write the phone file, a web page or a SavedModel.")
@click.option(
    "--model",
    type=_Path(path_type=Path),
    help="Model folder (for --format web also a .tflite) [the bundled model].",
)
@click.option(
    "--out",
    type=_Path(writes="file or folder", path_type=Path),
    help="Where to write [tflite: MODEL/model.tflite; saved_model: MODEL/saved_model; "
    "web: required, a folder; the bundled model: required].",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tflite", "web", "saved_model"]),
    default="tflite",
    show_default=True,
    help="tflite: the phone file; web: a static page running it with MediaPipe Tasks for "
    "Web; saved_model: a TF SavedModel taking raw strings, for TF Serving (regex "
    "tokenizer models).",
)
@_spec_options(sections=("export",), default="the model's: as it was trained")
@click.option(
    "--seq-len",
    type=click.IntRange(min=2, max=limits.MAX_SEQ_LEN),  # the most a phone file takes
    help="Ids per text on the phone, a multiple of the model's --chunk-len (64 unless "
    "trained otherwise) [spec].",
)
@click.option(
    "--batch",
    default=1,
    show_default=True,
    type=click.IntRange(min=1, max=limits.BATCH_MAX),
    help="Fixed batch size (1 for phones; larger for bulk work in LiteRT).",
)
@click.option(
    "--mediapipe-dir",
    type=_Path(path_type=Path),
    help="Web: the unpacked @mediapipe/tasks-text npm package, copied into the site so "
    "that the page loads nothing from another origin [a pinned CDN].",
)
@click.option("--title", type=TEXT, help="Web: the page's heading [the model's metadata name].")
@click.option(
    "--force",
    is_flag=True,
    help="Replace --out if it exists (web: only a site sentigru wrote; the model folder's "
    "own model.tflite and saved_model are replaced without it).",
)
@_stacked(_DATA_OPTIONS)
def export(**params: Any) -> None:
    """Write a model for another runtime. tflite (default): a quantized phone file,
    checked against the Keras model (on --data when given: both accuracies too). tflite
    and saved_model need the train extra (TensorFlow: pip install ".[train]" in
    sentigru's folder); a web page from a phone file needs neither."""
    from sentigru import api

    source = _source(params)
    try:
        written = _export(api, source, params)
    except UsageError as exc:  # a spec's rule, named as the option that broke it
        raise click.UsageError(_by_option(str(exc))) from None
    if params["fmt"] == "tflite":
        click.echo(written.as_text())
    elif params["fmt"] == "web":
        _report_site(written)
    else:
        click.echo(
            f"wrote {_path(written)} (serving signature: texts [None] string -> scores, label)"
        )


def _export(api: Any, source: Any, params: dict[str, Any]) -> Any:
    return api.export(
        params["model"],
        params["out"],
        format=params["fmt"],
        quantize=params["quantize"],
        runtime=params["runtime"],
        seq_len=params["seq_len"],
        batch=params["batch"],
        check_data=None if source.empty else source,
        mediapipe_dir=params["mediapipe_dir"],
        force=params["force"],
        title=params["title"],
    )


def _report_site(site: Path) -> None:
    """Say where the page loads MediaPipe from (export notes a self-contained site
    replaced by one that loads it from the CDN: what the page connects to changed)."""
    from sentigru.exporters.web import BUNDLE, CDN_ORIGIN, MEDIAPIPE_FOLDER

    local = (site / MEDIAPIPE_FOLDER / BUNDLE).is_file()

    source = "its own copy of MediaPipe" if local else f"MediaPipe from {CDN_ORIGIN}"
    served = shlex.quote(("./" if str(site).startswith("-") else "") + str(site))
    click.echo(
        f"wrote {_path(site)} (loads {source}); try it: python -m http.server -d "
        f"{_path(served)} --bind 127.0.0.1"
    )


def _path(path: Any) -> str:
    """A path in a result line as the terminal shows it: a name holding escape sequences
    (an OSC 8 link, a line erased) written as escapes, as in every other line."""
    return limits.shown(str(path))  # a Windows path keeps its backslashes
