"""The ``sentigru`` command: one subcommand per job, fastText style.

Commands import what they need when they run: ``sentigru --help`` and ``sentigru predict``
on a ``.tflite`` never import TensorFlow. Errors a user can fix print one line and exit 1;
bad usage exits 2 (click's convention).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from sentigru import __version__
from sentigru.errors import SentigruError


class _Group(click.Group):
    """Turns the project's errors, and the file system's, into one line on stderr and
    exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SentigruError as exc:
            click.echo(f"sentigru: error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:  # the file system said no: full disk, no permission, ...
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"sentigru: error: {exc.strerror or exc}{where}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("sentigru: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sentigru")
def main() -> None:
    """Sentiment analysis with a bidirectional GRU: train, predict, evaluate, export."""


# -- options shared by the commands that read data ---------------------------------------


def _stacked(options: list[Any]) -> Any:
    """One decorator applying ``options`` so that they list in the given order."""

    def decorate(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _data_options(func: Any) -> Any:
    options = [
        click.option(
            "--data",
            "data",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Labelled data: .tsv/.csv/.jsonl (optionally .gz) or a folder of "
            "label sub-folders. Repeat to combine files.",
        ),
        click.option("--dataset", help="A prepared tensorflow-datasets name, e.g. imdb_reviews."),
        click.option(
            "--split", default=None, help="tfds split to read [train; test for evaluate]."
        ),
        click.option(
            "--data-dir",
            type=click.Path(path_type=Path),
            help="Folder holding prepared tfds datasets.",
        ),
        click.option("--text-column", default="text", show_default=True, help="Text column/key."),
        click.option(
            "--label-column", default="label", show_default=True, help="Label column/key."
        ),
        click.option(
            "--encoding", default="utf-8", show_default=True, help="Encoding of the files."
        ),
        click.option("--skip-bad-rows", is_flag=True, help="Skip and count malformed rows."),
        click.option(
            "--label-map",
            help="Rename labels as they are read, e.g. '0=negative,1=positive'.",
        ),
    ]
    return _stacked(options)(func)


def _read_options(kwargs: dict[str, Any]) -> Any:
    from sentigru.data import ReadOptions

    return ReadOptions(
        text_column=kwargs["text_column"],
        label_column=kwargs["label_column"],
        encoding=kwargs["encoding"],
        skip_bad_rows=kwargs["skip_bad_rows"],
        label_map=_label_map(kwargs["label_map"]),
    )


def _label_map(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
    if any(len(pair) != 2 or not pair[0].strip() or not pair[1].strip() for pair in pairs):
        raise click.BadParameter("use OLD=NEW pairs separated by commas", param_hint="--label-map")
    return {old.strip(): new.strip() for old, new in pairs}


def _load_data(kwargs: dict[str, Any], default_split: str) -> Any:
    from sentigru.data import load_sources

    return load_sources(
        kwargs["data"],
        dataset=kwargs["dataset"],
        split=kwargs["split"] or default_split,
        data_dir=kwargs["data_dir"],
        options=_read_options(kwargs),
    )


# -- train ----------------------------------------------------------------------------------


def _default(text: str, section: str, name: str) -> str:
    """Help text ending in the spec's default, so the two cannot drift apart."""
    from sentigru.spec import Spec

    return f"{text} [{getattr(getattr(Spec(), section), name)}]."


_SPEC_OPTIONS = {
    # option name: (spec section, field)
    "vocab_size": ("tokenizer", "vocab_size"),
    "seq_len": ("tokenizer", "seq_len"),
    "min_count": ("tokenizer", "min_count"),
    "cell": ("model", "cell"),
    "embed_dim": ("model", "embed_dim"),
    "units": ("model", "units"),
    "layers": ("model", "layers"),
    "dropout": ("model", "dropout"),
    "pooling": ("model", "pooling"),
    "chunk_len": ("model", "chunk_len"),
    "bigram_buckets": ("model", "bigram_buckets"),
    "bigram_dim": ("model", "bigram_dim"),
    "bigram_dropout": ("model", "bigram_dropout"),
    "epochs": ("training", "epochs"),
    "batch_size": ("training", "batch_size"),
    "learning_rate": ("training", "learning_rate"),
    "patience": ("training", "patience"),
    "val_split": ("training", "val_split"),
    "label_smoothing": ("training", "label_smoothing"),
    "lr_schedule": ("training", "lr_schedule"),
    "adversarial": ("training", "adversarial"),
    "word_init": ("training", "word_init"),
    "seed": ("training", "seed"),
    "average_epochs": ("training", "average_epochs"),
    "stream": ("training", "stream"),
    "shuffle_buffer": ("training", "shuffle_buffer"),
    "word_capacity": ("tokenizer", "word_capacity"),
    "alias_min_count": ("tokenizer", "alias_min_count"),
}


def _scale_options(func: Any) -> Any:
    """Options for corpora larger than memory and for training on several devices."""
    from sentigru.distribute import STRATEGIES

    options = [
        click.option(
            "--stream",
            is_flag=True,
            default=None,
            help="Read --data files once per epoch instead of holding them in memory; "
            "--data may be a quoted glob ('reviews-*.tsv.gz').",
        ),
        click.option(
            "--shuffle-buffer",
            type=int,
            help=_default("With --stream: rows held to shuffle", "training", "shuffle_buffer"),
        ),
        click.option(
            "--word-capacity",
            type=int,
            help=_default(
                "With --stream: most distinct words counted at once", "tokenizer", "word_capacity"
            ),
        ),
        click.option(
            "--strategy",
            type=click.Choice(STRATEGIES),
            default="auto",
            show_default=True,
            help="one device; mirrored: this machine's GPUs; multi-worker: the machines in "
            "TF_CONFIG; auto: multi-worker with TF_CONFIG, else mirrored with 2+ GPUs.",
        ),
    ]
    return _stacked(options)(func)


def build_spec(base: Path | None, values: dict[str, Any]) -> Any:
    """The spec from ``--spec FILE`` (or the defaults) with the given options applied."""
    from sentigru.spec import Spec

    spec = Spec.from_json(base.read_text("utf-8")) if base else Spec()
    sections: dict[str, dict[str, Any]] = {}
    for option, (section, name) in _SPEC_OPTIONS.items():
        if values.get(option) is not None:
            sections.setdefault(section, {})[name] = values[option]
    return spec.replace(**sections)


def _train_options(with_cell: bool = True) -> Any:
    """What to train on and how: the options ``train`` and ``compare`` share, so that
    ``compare`` takes exactly what ``train`` takes (and hands it on to ``train``).
    ``compare`` sets the cell itself, so it leaves out ``--cell``."""
    cell = click.option(
        "--cell",
        type=click.Choice(["gru", "lstm"]),
        help=_default("Recurrent cell", "model", "cell"),
    )
    options = [
        click.option(
            "--val-data",
            type=click.Path(path_type=Path),
            help="Validation file (else --val-split).",
        ),
        click.option(
            "--val-split",
            type=float,
            help=_default("Share held out for validation, stratified", "training", "val_split"),
        ),
        click.option(
            "--spec",
            "spec_file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Start from this spec.json; options below override it.",
        ),
        click.option(
            "--epochs",
            type=int,
            help=_default("Most epochs; early stopping may end sooner", "training", "epochs"),
        ),
        click.option(
            "--batch-size", type=int, help=_default("Examples per batch", "training", "batch_size")
        ),
        click.option(
            "--learning-rate",
            type=float,
            help=_default("Adam learning rate", "training", "learning_rate"),
        ),
        click.option(
            "--patience",
            type=int,
            help=_default("Epochs without a better validation loss", "training", "patience"),
        ),
        click.option(
            "--label-smoothing",
            type=float,
            help=_default("Label smoothing of the loss", "training", "label_smoothing"),
        ),
        click.option(
            "--average-epochs",
            type=int,
            help=_default(
                "Keep the mean weights of the last N epochs; 0: the best epoch",
                "training",
                "average_epochs",
            ),
        ),
        click.option(
            "--adversarial",
            type=float,
            help=_default(
                "Also train on word tables moved this far against the model; 0: off",
                "training",
                "adversarial",
            ),
        ),
        click.option(
            "--word-init",
            type=click.Choice(["random", "ppmi"]),
            help=_default(
                "Start the word table at random, or from the training text's word neighbours",
                "training",
                "word_init",
            ),
        ),
        click.option(
            "--lr-schedule",
            type=click.Choice(["constant", "cosine"]),
            help=_default("Learning rate schedule", "training", "lr_schedule"),
        ),
        click.option(
            "--seed",
            type=int,
            help=_default("Seed for split, shuffling and weights", "training", "seed"),
        ),
        click.option(
            "--vocab-size",
            type=int,
            help=_default("Words in the vocabulary", "tokenizer", "vocab_size"),
        ),
        click.option(
            "--seq-len",
            type=int,
            help=_default("Ids per text, <START> included", "tokenizer", "seq_len"),
        ),
        click.option(
            "--min-count",
            type=int,
            help=_default(
                "Least count for a word to enter the vocabulary", "tokenizer", "min_count"
            ),
        ),
        click.option(
            "--alias-min-count",
            type=int,
            help=_default(
                "Case variants seen this often share their word's id (0: case-sensitive)",
                "tokenizer",
                "alias_min_count",
            ),
        ),
        *([cell] if with_cell else []),
        click.option("--units", type=int, help=_default("Units per direction", "model", "units")),
        click.option(
            "--embed-dim", type=int, help=_default("Embedding width", "model", "embed_dim")
        ),
        click.option(
            "--layers", type=int, help=_default("Stacked bidirectional layers", "model", "layers")
        ),
        click.option(
            "--dropout",
            type=float,
            help=_default("Dropout on embeddings and before the output", "model", "dropout"),
        ),
        click.option(
            "--pooling",
            type=click.Choice(["maxmean", "max", "mean"]),
            help=_default("Pooling over the real time steps", "model", "pooling"),
        ),
        click.option(
            "--chunk-len",
            type=int,
            help=_default("Read texts in chunks of this many ids; 0: whole", "model", "chunk_len"),
        ),
        click.option(
            "--bigram-buckets",
            type=int,
            help=_default("Hashed word-pair features; 0: none", "model", "bigram_buckets"),
        ),
        click.option(
            "--bigram-dim",
            type=int,
            help=_default("Width of the word-pair embedding", "model", "bigram_dim"),
        ),
        click.option(
            "--bigram-dropout/--no-bigram-dropout",
            default=None,
            help=_default(
                "Output dropout drops the word-pair features too", "model", "bigram_dropout"
            ),
        ),
    ]

    return _stacked(options)


@main.command()
@_data_options
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), help="Model folder to write."
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted run of the same command after its last completed epoch.",
)
@_train_options()
@_scale_options
def train(**kwargs: Any) -> None:
    """Train a model on labelled files or a tfds dataset."""
    from sentigru.distribute import Role, cluster_role

    out: Path = kwargs["out"]
    multi = kwargs["strategy"] in ("auto", "multi-worker")
    role = cluster_role() if multi else Role()
    if role.is_chief and out.exists() and not kwargs["force"]:
        raise SentigruError(f"{out} exists; use --force to replace it")
    spec = build_spec(kwargs["spec_file"], kwargs)
    if kwargs["strategy"] != "auto":
        from sentigru.distribute import resolve

        resolve(kwargs["strategy"])  # a missing TF_CONFIG fails before the data is read
    prepared = _prepare(kwargs, spec)
    counts = ", ".join(f"{label}: {n}" for label, n in sorted(prepared.counts.items()))
    click.echo(f"read {prepared.train_rows} training examples ({counts})", err=True)

    from sentigru import bundle
    from sentigru.training import train as run_training  # imports TensorFlow when it runs

    with bundle.output_lock(out) if role.is_chief else contextlib.nullcontext():
        checkpoint = bundle.checkpoint_folder(
            out,
            resume=kwargs["resume"],
            fingerprint=prepared.fingerprint,
            spec=spec,
            chief=role.is_chief,
        )
        try:
            trained = run_training(
                prepared, spec, checkpoint=checkpoint, strategy=kwargs["strategy"]
            )
        except KeyboardInterrupt:
            if role.is_chief and bundle.discard_empty_checkpoint(checkpoint):
                raise SentigruError(
                    f"interrupted before the first epoch ended; nothing was written to {out}"
                ) from None
            raise SentigruError(
                f"interrupted; nothing was written to {out}. The last completed epoch is kept: "
                "run the same command with --resume to continue"
            ) from None
        except BaseException:
            if role.is_chief:  # a run that failed before its first epoch leaves nothing
                bundle.discard_empty_checkpoint(checkpoint)
            raise
        if not role.is_chief:
            click.echo(f"worker {role.index} of {role.workers} done; the chief writes {out}")
            return
        bundle.save(trained, out, force=kwargs["force"])
        if checkpoint is not None:
            shutil.rmtree(checkpoint, ignore_errors=True)
    summary = ", ".join(f"{k} {v:.4g}" for k, v in trained.metrics.items() if k.startswith("val_"))
    click.echo(f"saved {out} ({summary or 'no validation data'})")
    if not (out / bundle.PICTURE).exists():
        from sentigru import plots

        if not plots.available():
            _no_pictures(bundle.PICTURE)


def _prepare(kwargs: dict[str, Any], spec: Any) -> Any:
    """The training data read (or, with --stream, scanned) and checked, before
    TensorFlow is imported."""
    from sentigru.train_data import prepare

    if not spec.training.stream:
        examples = _load_data(kwargs, "train")
        val = None
        if kwargs["val_data"]:
            from sentigru.data import read_examples

            val = read_examples(kwargs["val_data"], _read_options(kwargs)).examples
        return prepare(examples, spec, val)
    from sentigru.data.stream import StreamSource, expand_paths

    if kwargs["dataset"]:
        raise SentigruError("--stream reads files (--data); drop --dataset or --stream")
    source = StreamSource(
        expand_paths(kwargs["data"]),
        _read_options(kwargs),
        val_paths=expand_paths([kwargs["val_data"]]) if kwargs["val_data"] else [],
        val_fraction=spec.training.val_split,
        seed=spec.training.seed,
    )
    return prepare(source, spec)


def _no_pictures(what: str) -> None:
    """One line on stderr: a picture was skipped because matplotlib is missing."""
    from sentigru import plots

    click.echo(f"sentigru: no {what}: matplotlib is not installed ({plots.INSTALL_HINT})", err=True)


# -- compare --------------------------------------------------------------------------------


@main.command()
@_data_options
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
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for comparison.json, comparison.png and each cell's model folder (OUT/gru, …).",
)
@click.option("--force", is_flag=True, help="Replace an earlier comparison in --out.")
@_train_options(with_cell=False)
@_scale_options
@click.pass_context
def compare(ctx: click.Context, **kwargs: Any) -> None:
    """Train each cell with otherwise identical settings and seed, and measure them.

    Per cell: parameters, training seconds per epoch, peak memory of training, validation
    accuracy per epoch, size and single-text latency of the phone file, and its agreement
    with Keras. Each cell is trained by `sentigru train` in a process of its own, so its
    model folder (kept in OUT) is what a separate train run would make."""
    from sentigru import compare as comparison

    out: Path = kwargs["out"]
    cells = comparison.parse_cells(kwargs["cells"])
    build_spec(kwargs["spec_file"], kwargs)  # bad settings fail now, not in a child
    if not kwargs["data"] and not kwargs["dataset"]:
        raise SentigruError("no training data: give --data FILE or --dataset NAME")
    comparison.check_outputs(out, cells, kwargs["force"])
    args = _forwarded_options(ctx, train, skip={"out"})
    result = comparison.run_comparison(cells, args, out, lambda line: click.echo(line, err=True))
    drawn = comparison.write_results(result, out)
    click.echo(comparison.format_table(result))
    click.echo(f"wrote {out / comparison.RESULT_FILE}" + (" and the chart" if drawn else ""))
    if not drawn:
        _no_pictures(comparison.CHART_FILE)


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
        flag, value = max(param.opts, key=len), ctx.params[param.name]
        if param.is_flag:
            args += [flag] if value else []
        elif param.multiple:
            for item in value:
                args += [flag, str(item)]
        elif value is not None:
            args += [flag, str(value)]
    return args


_model_option = click.option(
    "--model",
    type=click.Path(path_type=Path),
    help="Model folder or .tflite file [the bundled model].",
)


# -- predict --------------------------------------------------------------------------------


LINE_LIMIT = 1 << 20
"""Bytes of one stdin line that are kept. The model reads at most ``seq_len`` words, which
in any real text come long before a mebibyte; the rest of a longer line is read and
dropped, so a huge line without a newline costs bounded memory."""


def _texts(args: Sequence[str]) -> Iterator[str]:
    """Texts from the arguments; none or ``-`` reads one text per line from stdin."""
    if args and list(args) != ["-"]:
        yield from args
        return
    from sentigru.data.files import drain_line

    stream = sys.stdin.buffer
    while True:
        line = stream.readline(LINE_LIMIT)
        if not line:
            return
        if not line.endswith(b"\n"):
            drain_line(stream)  # the tail of an over-long line: read, not kept
        yield line.decode("utf-8", "replace").rstrip("\r\n")


def _model_path(model: Path | None) -> Path:
    if model is not None:
        return model
    from sentigru.presets import default_model

    return default_model()


@main.command()
@_model_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per text.")
@click.option(
    "--top-k",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Labels to show per text.",
)
@click.argument("texts", nargs=-1)
def predict(model: Path | None, as_json: bool, top_k: int, texts: tuple[str, ...]) -> None:
    """Classify TEXTS (none or '-' reads one text per line from stdin)."""
    from sentigru.predictor import open_predictor

    predictor = open_predictor(_model_path(model))
    # Typed at a terminal, each line is answered at once; piped, lines go in chunks.
    chunk = 1 if not texts and sys.stdin.isatty() else 256
    for text, result in predictor.classify_stream(_texts(texts), top_k, chunk):
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            pairs = "\t".join(f"{r['label']}\t{r['score']:.4f}" for r in result["scores"])
            click.echo(f"{pairs}\t{text}")


# -- evaluate -------------------------------------------------------------------------------


@main.command()
@_model_option
@_data_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the confusion matrix as a PNG file here (needs matplotlib).",
)
def evaluate(model: Path | None, as_json: bool, plot: Path | None, **kwargs: Any) -> None:
    """Measure a model on labelled data: N, accuracy, precision, recall, F1, confusion."""
    from sentigru.evaluation import classification_report, format_report
    from sentigru.predictor import open_predictor

    if plot is not None and not plot.parent.is_dir():
        raise SentigruError(f"cannot write {plot}: folder {plot.parent} does not exist")
    examples = _load_data(kwargs, "test")
    predictor = open_predictor(_model_path(model))
    unknown = sorted(set(examples.labels) - set(predictor.labels))
    if unknown:
        raise SentigruError(
            f"the data has label(s) the model does not know: {', '.join(unknown[:5])} "
            f"(model labels: {', '.join(predictor.labels)})"
        )
    index = {label: i for i, label in enumerate(predictor.labels)}
    predicted = predictor.scores(examples.texts).argmax(axis=1)
    truth = [index[label] for label in examples.labels]
    report = classification_report(truth, predicted, predictor.labels)
    click.echo(json.dumps(report) if as_json else format_report(report))
    if plot is not None:
        _plot_confusion(report, plot, str(model or "bundled model"))


def _plot_confusion(report: dict[str, Any], file: Path, title: str) -> None:
    from sentigru import plots
    from sentigru.export.phone import write_atomic

    try:
        write_atomic(file, plots.confusion_png(report, title))
    except plots.NoMatplotlib:
        _no_pictures(file.name)
        return
    click.echo(f"wrote {file}", err=True)


# -- export ---------------------------------------------------------------------------------


@main.command()
@click.option("--model", required=True, type=click.Path(path_type=Path), help="Model folder.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="File to write [MODEL/model.tflite, or MODEL/saved_model for --format saved_model].",
)
@click.option(
    "--quantize",
    type=click.Choice(["dynamic", "float16", "int8", "none"]),
    help="Weight quantization [from the spec: dynamic].",
)
@click.option(
    "--runtime",
    type=click.Choice(["mediapipe", "litert"]),
    help="mediapipe: one subgraph (unrolled), for MediaPipe Tasks and the Task Library, "
    "and the fastest in LiteRT; litert: a WHILE loop, a smaller file but slower [mediapipe].",
)
@click.option("--seq-len", type=click.IntRange(min=2), help="Ids per text on the phone [spec].")
@click.option(
    "--batch",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Fixed batch size (1 for phones; larger for bulk work in LiteRT).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tflite", "saved_model"]),
    default="tflite",
    show_default=True,
    help="saved_model: a TF SavedModel taking raw strings, for TF Serving.",
)
@_data_options
def export(**kwargs: Any) -> None:
    """Write a quantized .tflite (or SavedModel) and check it against the Keras model."""
    from sentigru.export.phone import check_writable
    from sentigru.tf_quiet import import_tensorflow

    model_dir: Path = kwargs["model"]
    if kwargs["fmt"] == "saved_model":
        import_tensorflow()
        _export_saved_model(model_dir, kwargs["out"] or model_dir / "saved_model")
        return
    out: Path = kwargs["out"] or model_dir / "model.tflite"
    check_writable(out)  # before seconds of imports and conversion
    labelled = _load_data(kwargs, "test") if kwargs["data"] or kwargs["dataset"] else None
    import_tensorflow()

    from sentigru import bundle
    from sentigru.export.phone import (
        ExportReport,
        build_tflite,
        compare,
        sample_texts,
        write_atomic,
    )
    from sentigru.export.tflite import operator_counts

    folder = bundle.load(model_dir)
    quantize = kwargs["quantize"] or folder.spec.export.quantize
    runtime = kwargs["runtime"] or folder.spec.export.runtime
    seq_len = kwargs["seq_len"] or folder.spec.tokenizer.seq_len
    content = build_tflite(
        folder, quantize=quantize, runtime=runtime, batch=kwargs["batch"], seq_len=seq_len
    )
    texts = labelled.texts if labelled else sample_texts(folder.vocab)
    check = compare(folder, content, texts, labelled.labels if labelled else None)
    write_atomic(out, content)
    report = ExportReport(
        path=out,
        runtime=runtime,
        quantize=quantize,
        seq_len=seq_len,
        batch=kwargs["batch"],
        keras_bytes=(model_dir / bundle.MODEL_FILE).stat().st_size,
        float_bytes=4 * folder.model.count_params(),
        tflite_bytes=len(content),
        operators={k: dict(v) for k, v in operator_counts(content).items()},
        n_compared=check["n"],
        max_score_diff=check["max_score_diff"],
        label_agreement=check["label_agreement"],
        accuracy=check.get("accuracy", {}),
    )
    click.echo(report.as_text())


def _export_saved_model(model_dir: Path, out: Path) -> None:
    from sentigru import bundle
    from sentigru.export.saved_model import export_saved_model

    export_saved_model(bundle.load(model_dir), out)
    click.echo(f"wrote {out} (serving signature: texts [None] string -> scores, labels)")
