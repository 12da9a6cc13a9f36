"""``train``: one call from data to a saved model folder, what ``sentigru train`` does.

It fills the spec (preset, settings), reads the data and the validation rows, starts
from ``init``'s model or a teacher's scores where given, fits, and saves the folder with
its phone file atomically; the steps themselves live in the layers below
(:mod:`sentigru.train_data`, :mod:`sentigru.training`, :mod:`sentigru.bundle`).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentigru import limits
from sentigru.arguments import (
    LABELLED,
    Log,
    check_not_package,
    check_not_texts,
    check_switches,
    stderr_line,
)
from sentigru.classifier import Classifier, load, model_path
from sentigru.errors import SentigruError, UsageError, empty_path, refuse_nul, refuse_table
from sentigru.spec import Spec, check_settings_used, setting_names, unknown_setting

if TYPE_CHECKING:  # the data readers load on first use
    from sentigru.data.sources import DataSource


def build_spec(preset: str | Path | None = None, spec: Spec | None = None, **settings: Any) -> Spec:
    """The spec a training run uses: ``spec`` or the named ``preset`` (or a
    ``spec.json`` file), not both, else the defaults; then ``settings`` (spec field
    names) on top."""
    from sentigru.presets import preset_spec

    if preset is not None and not str(preset):  # preset=os.environ.get(...): the defaults
        raise SentigruError("preset is an empty name: give a preset's name or a spec.json")
    if spec is not None and preset:
        raise SentigruError("give spec or preset, not both: settings by name go over either")
    base = spec if spec is not None else preset_spec(preset) if preset else Spec()
    return base.with_settings({name: _plain(value) for name, value in settings.items()})


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python number it holds (``epochs=np.int64(3)`` from a grid
    search), which the spec's checks and its JSON take; anything else as it is."""
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():
        return value.item()
    return value


def _notes_to_log(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with what reading data notes (bad rows skipped, labels left as written)
    sent to its ``log`` argument, as its own lines are."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        log = kwargs.get("log")
        with limits.notes_to(log if callable(log) else stderr_line):
            return func(*args, **kwargs)

    return run


@_notes_to_log
def train(
    data: Any,
    out: str | Path,
    *,
    val_data: Any = (),
    unlabelled: str | Path | Sequence[str | Path] | None = (),
    teacher: str | os.PathLike[str] | Classifier | None = None,
    teacher_scores: str | Path | None = None,
    init: str | os.PathLike[str] | Classifier | None = None,
    preset: str | Path | None = None,
    spec: Spec | None = None,
    force: bool = False,
    resume: bool = False,
    strategy: str = "auto",
    phone_file: bool = True,
    log: Log | None = None,
    verbose: int | None = None,
    **settings: Any,
) -> Classifier | None:
    """Train a model on ``data`` and write its folder at ``out``; returns it loaded.

    ``data`` is a path, several paths, a pair ``(texts, labels)`` (lists, arrays, a
    DataFrame's two columns), or a :class:`DataSource` (files, a tfds set, rows); labels
    are names, so integer labels come back from ``predict`` as strings (``1`` as ``"1"``,
    ``True`` as ``"True"``: ``label_map`` names them); ``val_data`` (validation rows
    instead of a held-out share) is a path, several, or a pair. ``unlabelled`` is files
    of texts, one a line (or a table's text column).
    ``settings`` are spec fields (``epochs=8, units=32``) over ``preset``/``spec``, or
    how to read ``data``: ``dataset``, ``split``, ``data_dir`` and :class:`ReadOptions`'
    fields (``label_map={"0": "negative"}``, ``text_column="review"`` …).
    The folder holds the phone file (``phone_file=False`` skips its conversion), so
    ``predict`` on it needs no TensorFlow. ``unlabelled`` files of texts are trained on
    with ``teacher``'s scores as their targets (distillation: the teacher is any model
    folder or ``.tflite`` with the same labels), or, without ``teacher`` and with
    ``ngram_teacher=True``, the character n-gram teacher's; with neither, they are not
    trained on but count for the vocabulary and the word vectors the word table starts
    from (``word_init="ppmi"``, the default); ``teacher_scores`` is a file
    of texts with a teacher's probabilities already written (one column per label), for
    a teacher sentigru cannot run. ``init`` (a model folder, or ``"bundled"``) starts
    from that model's weights and vocabulary (fine-tuning), so its network and
    tokenizer settings are kept; the training settings are this run's. Data with the
    model's labels keeps its output layer; data with other labels gets a new one. With a
    checkpoint after every epoch, an interrupted run continues with ``resume=True``;
    ``force=True`` replaces an ``out`` that sentigru wrote. ``strategy`` is ``"auto"``
    (the workers ``TF_CONFIG`` names, else the GPUs where there are several, else one
    device), ``"one"``, ``"mirrored"`` (the machine's GPUs) or ``"multi-worker"``; under
    ``"multi-worker"`` only the chief writes ``out``; other workers return None. ``log``
    hears sentigru's own lines (what was read, notes; stderr by default or with None);
    ``verbose`` sets Keras' progress on stderr (0 none, 1 a bar, 2 a line an epoch;
    default: a bar at a terminal without NO_COLOR or TERM=dumb, else lines; while the
    model trains, ``sys.stdout`` is redirected to stderr for it, other threads' prints
    too), and 0 also drops the word-table line. TensorFlow's first import sets
    ``TF_CPP_MIN_LOG_LEVEL=3`` and ``TF_ENABLE_ONEDNN_OPTS=0`` in ``os.environ`` where
    unset (programs started later inherit them; see :func:`sentigru.load`)."""
    from sentigru import bundle
    from sentigru import training_notes as notes
    from sentigru.data.sources import READ_FIELDS, DataSource, refuse_unused_reading
    from sentigru.distribute import Role, cluster_role, resolve
    from sentigru.tf_quiet import require_tensorflow
    from sentigru.train_data import Start, combined, prepare_source

    require_tensorflow("training")
    _check_train_arguments(out, preset, spec, val_data, unlabelled, log)
    unlabelled = _paths(unlabelled, "unlabelled")  # once: a glob's generator runs out
    check_switches(verbose, force=force, resume=resume, phone_file=phone_file)
    log = stderr_line if log is None else log
    out = Path(out)
    reading = {name: settings.pop(name) for name in list(settings) if name in READ_FIELDS}
    for name in settings:
        if name not in setting_names():
            raise SentigruError(unknown_setting(name, [*READ_FIELDS, "val_data"]))
    check_not_texts(data, "data", LABELLED)
    source = DataSource.of(data, **reading)
    run_spec = build_spec(preset, spec, **settings)
    multi = strategy in ("auto", "multi-worker")
    role = cluster_role() if multi else Role()
    val_data, val_rows = _validation(val_data, reading)
    refuse_unused_reading(source, files_too=bool(val_data))  # validation files read them
    check_settings_used(run_spec, settings, bool(val_data) or val_rows is not None)
    teacher = _init_path(model_path(teacher, "teacher"))  # "bundled" as for init
    init = model_path(init, "init")
    init_path = _init_path(init)
    if role.is_chief:
        if teacher_scores is not None:
            refuse_nul(teacher_scores, "teacher_scores")
        reads = [*source.paths, *val_data, *unlabelled, teacher, teacher_scores, init_path]
        _claim_out(out, force, resume, reads, log)
    if strategy != "auto":
        resolve(strategy)  # a missing TF_CONFIG fails before the data is read
    if strategy == "multi-worker" or (strategy == "auto" and role.workers > 1):
        _start_workers()  # before a tfds set or --init's model is read with TensorFlow
    base = _starting_model(init_path) if init_path is not None else None
    if base is not None:
        run_spec = _keep_network(base, run_spec, settings, preset)
    if resume and spec is None:  # the interrupted run's settings, unless given
        run_spec, changed = bundle.resumed_spec(out, run_spec, settings)
        if changed and role.is_chief:
            log(f"resuming with the interrupted run's settings: {changed}")
    if resume and role.is_chief:  # before a teacher scores or fits: minutes
        bundle.check_resume_settings(out, run_spec)
    teacherless = teacher is None and teacher_scores is None and not run_spec.training.ngram_teacher
    if base is not None and unlabelled and teacherless:
        raise UsageError(
            "--unlabelled without a teacher only starts the vocabulary and word vectors, "
            "which --init takes from its model: give --teacher or --ngram-teacher, or drop "
            "--unlabelled"
        )
    start_vocab = base.vocab if base is not None else None  # --init's, which the run keeps
    soft = _teacher_scores(unlabelled, teacher, teacher_scores, source, run_spec, log, start_vocab)
    start = Start(base.vocab, base.labels, _held_out(base)) if base is not None else None
    prepared = prepare_source(source, run_spec, val_data, soft, log, start, val_rows)
    if base is not None:  # a resumed run must start from the same model
        prepared.fingerprint = combined(prepared.fingerprint, _base_identity(base))
        _log_start(init, base, start, prepared, run_spec, source, log)
    notes.log_prepared(prepared, run_spec, fresh=base is None, log=log)
    notes.note_tensorflow_first(log)
    if preset is None and spec is None and base is None:
        notes.note_piece_recipe(run_spec, log)

    with bundle.training_run(
        out,
        force=force,
        resume=resume,
        fingerprint=prepared.fingerprint,
        spec=run_spec,
        chief=role.is_chief,
    ) as checkpoint:  # a checkpoint in the way is refused before TensorFlow loads
        from sentigru.training import train as fit

        trained = fit(
            prepared,
            run_spec,
            checkpoint=checkpoint,
            strategy=strategy,
            verbose=verbose,
            init=base.model if base is not None else None,
            init_head=base is not None and prepared.labels == base.labels,
            log=log,
        )
        if not role.is_chief:  # the chief writes the folder
            return None
        _note_validation(trained, prepared, run_spec, log)
        files, failed = _phone_file(trained, log) if phone_file else ({}, None)
        extra = _manifest_extra(prepared, soft, base)
        bundle.save(trained, out, force=force, files=files, extra=extra)
    if failed is not None:
        raise SentigruError(
            f"trained and saved {out}, but its phone file failed: {failed}; "
            f"make it with: sentigru export --model {out}"
        )
    return load(out)


def _claim_out(out: Path, force: bool, resume: bool, reads: list[Any], log: Log) -> None:
    """``out`` checked by the run that writes it, before any work: not in the package
    (``force`` would replace the bundled model), a name the checkpoint's and the lock's
    fit beside, no live run's leftovers, nothing the run reads; with ``force``, an
    interrupted run's checkpoint is discarded (not resumed by a later run)."""
    from sentigru import bundle, outputs

    check_not_package(out)
    outputs.check_name_fits(out)  # before the checkpoint's and the lock's names
    bundle.refuse_leftover(out, resume, force)
    _check_model_out(out, force, reads)
    if force and not resume and bundle.discard_checkpoint(out):
        log(f"--force: the checkpoint an interrupted run left beside {out} is discarded")


def _log_start(
    init: Any, base: Any, start: Any, prepared: Any, spec: Spec, source: Any, log: Log
) -> None:
    """What a run from ``init``'s model says of its start: the labels it keeps or adds,
    and, on the data that model trained on, that it validates on the rows it held out."""
    from sentigru import training_notes as notes

    notes.log_start(init, base, prepared.labels, log, source.options.label_map)
    if (
        prepared.split_seed is not None
        and start.split_seed(prepared.data_fingerprint, spec) is not None
    ):
        log(
            f"validation: the data {init} was trained on, so the rows it held out (the "
            f"split of seed {prepared.split_seed}): rows neither run trained on"
        )


def _note_validation(trained: Any, prepared: Any, spec: Spec, log: Log) -> None:
    """Notes on what the validation rows say: a model no better than always answering
    the most common label, labels it never answers, labels that read swapped."""
    from sentigru import training_notes as notes
    from sentigru.training import validation_answers

    notes.note_early_stop(trained.history, trained.ran or trained.spec, log)
    balanced = spec.training.class_weight == "balanced"  # trades accuracy for recall
    if prepared.split_seed is not None and not balanced:  # validated on the same rows
        notes.note_majority(trained.metrics, prepared.counts, log)
    if prepared.val_rows:
        answers = validation_answers(trained.model, prepared, spec.training.batch_size)
        notes.note_unanswered(prepared.labels, answers, balanced, log)
        notes.note_swapped(prepared.labels, answers, log)


def _check_train_arguments(
    out: Any, preset: Any, spec: Any, val_data: Any, unlabelled: Any, log: Any
) -> None:
    """What a Python caller may hand ``train`` by mistake, named before any work."""
    from sentigru.data.sources import DataSource

    if log is not None and not callable(log):
        raise SentigruError(f"log is a function taking one line (print), not {log!r:.60}")
    if not isinstance(out, (str, os.PathLike)) or not str(out):
        raise SentigruError(f"out is the model folder to write, a path; got {out!r:.60}")
    if preset is not None and not isinstance(preset, (str, os.PathLike)):
        raise SentigruError(
            f"preset is a name (bundled, sentencepiece) or a spec.json path, not {preset!r:.60}"
        )
    if spec is not None and not isinstance(spec, Spec):
        raise SentigruError(
            f"spec is a sentigru.Spec, not {type(spec).__name__} (from a dict: Spec.from_dict)"
        )
    for name, value in (("val_data", val_data), ("unlabelled", unlabelled)):
        if isinstance(value, DataSource):
            raise SentigruError(
                f"{name} takes paths (a file, a glob or a list); a DataSource is for data"
            )
    refuse_table(unlabelled, "unlabelled", "its texts to a file, one a line, and that path")
    if unlabelled is not None and not isinstance(unlabelled, (str, os.PathLike)):
        check_not_texts(unlabelled, "unlabelled", "write the texts to a file, one a line")


def _validation(val_data: Any, reading: dict[str, Any]) -> tuple[list[Path], Any]:
    """``val_data`` as files and rows in memory: a path, several, a pair ``(texts,
    labels)`` read with ``data``'s options (``label_map``…), or None (none given)."""
    from sentigru.data.sources import SOURCE_FIELDS, TWO_COLUMNS, DataSource, is_rows

    if val_data is None:
        return [], None
    refuse_table(val_data, "val_data", TWO_COLUMNS)
    check_not_texts(val_data, "val_data", LABELLED)
    if is_rows(val_data):
        options = {k: v for k, v in reading.items() if k not in SOURCE_FIELDS or k == "options"}
        return [], DataSource.of(val_data, **options).rows
    paths = [val_data] if isinstance(val_data, (str, os.PathLike)) else val_data
    if isinstance(paths, (bytes, Mapping)) or not isinstance(paths, Iterable):
        paths = [paths]
    paths = list(paths)
    if not all(isinstance(p, (str, os.PathLike)) and str(p) for p in paths):
        raise SentigruError(
            f"val_data is a path, a list of paths or a pair (texts, labels), not {val_data!r:.60}"
        )
    for path in paths:
        refuse_nul(path, "val_data")
    return [Path(p) for p in paths], None


def _manifest_extra(prepared: Any, soft: Any, base: Any) -> dict[str, Any]:
    """What the manifest records of this run beyond the folder's files: the unlabelled
    texts and their teacher, the validation split's seed (from scratch) or the model it
    started from and the rows that one held out (``init``), the n-gram teacher."""
    extra: dict[str, Any] = {}
    if soft is not None:
        key = "teacher" if soft.scores is None else "teacher_sha256"
        extra["unlabelled"] = {"rows": prepared.unlabelled_texts, key: soft.teacher}
    if base is None:  # None: validated on --val-data, or not at all
        # the labelled rows' own fingerprint: the folder's may hold the unlabelled texts'
        # or the labels' order too, and a run from this model on the same rows must
        # find them to keep its validation rows out of training
        extra["held_out"] = {
            "split_seed": prepared.split_seed,
            "data_fingerprint": prepared.data_fingerprint,
        }
    else:
        extra["init"] = {
            "model_sha256": _model_sha256(base),
            "weights_sha256": _base_identity(base),
            "recipe": _recipe(base),
            "data_fingerprint": prepared.data_fingerprint,
            "split_seed": prepared.split_seed,
        }
    if prepared.teacher_accuracy is not None:
        extra["ngram_teacher"] = {"out_of_fold_accuracy": prepared.teacher_accuracy}
    return extra


def _phone_file(trained: Any, log: Log) -> tuple[dict[str, bytes], str | None]:
    """The phone file of a trained model, or why it could not be made. A failure here
    (the converter's errors have many types) must not cost the training: the folder is
    saved without it, and the error names ``sentigru export`` to make it later."""
    from sentigru import bundle
    from sentigru.exporters.phone import budget_note, export_tflite
    from sentigru.limits import one_line

    try:
        content, report = export_tflite(trained)
    except Exception as exc:  # reported in one line; the training is kept
        detail = one_line(exc)
        return {}, detail if isinstance(exc, SentigruError) else f"{type(exc).__name__}: {detail}"
    log(
        f"phone file: {report.tflite_bytes / 1e6:.3f} MB, labels agree with Keras on "
        f"{report.label_agreement:.2%} of {report.n_compared} texts"
    )
    note = budget_note(report.tflite_bytes, report.quantize)
    if note:
        log(note)
    return {bundle.PHONE_FILE: content}, None


def _paths(paths: str | Path | Iterable[str | Path] | None, name: str) -> list[Path]:
    """Files given as one path or any iterable of them, as a list; an empty one is
    refused (``Path("")`` is the working folder), as the CLI refuses it."""
    if paths is None:
        return []
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if any(not os.fspath(item) for item in items):
        raise empty_path(name)
    for item in items:
        refuse_nul(item, name)
    return [Path(item) for item in items]


def _check_model_out(out: Path, force: bool, reads: Sequence[Any]) -> None:
    """``out`` may be a new folder, or with ``force`` an empty one or a model folder;
    never the working folder, what the run reads, or a folder inside a model folder."""
    from sentigru import bundle, outputs

    outputs.check_not_working_folder(out)
    outputs.check_not_input(out, reads)
    outputs.check_not_in_model_folder(out)  # --force over that folder would then refuse
    written = bundle.written_names()
    if outputs.has_sentigru_manifest(out):  # first: --force would not help
        outputs.check_no_foreign(out, written)
    outputs.check_replaceable(
        out, force, lambda p: outputs.is_model_folder(p, written), "a sentigru model folder"
    )
    outputs.check_writable(out, make_parent=True)


def _start_workers() -> None:
    """Set up the workers' collective ops, which TensorFlow takes only before any other
    work: reading a tfds set or a starting model first ended in a traceback."""
    from sentigru.distribute import make_strategy
    from sentigru.tf_quiet import import_tensorflow

    import_tensorflow("training")
    make_strategy("multi-worker")


def _init_path(init: str | os.PathLike[str] | None) -> Path | None:
    """The folder ``--init`` (or ``--teacher``) names: a path, or ``"bundled"``."""
    from sentigru.presets import PRESETS

    return None if init is None else PRESETS.get(str(init), Path(init))


def _starting_model(path: Path) -> Any:
    """The model folder a run starts from, loaded and checked."""
    from sentigru import bundle

    if path.is_file():
        where = (
            "give the folder that holds it"
            if (path.parent / "manifest.json").is_file()
            else "give the model folder it was exported from, or 'bundled'"
        )
        raise SentigruError(
            f"--init needs a model folder (its Keras weights), not the file {path}; {where}"
        )
    if not path.is_dir():
        raise SentigruError(f"--init: no model folder at {path} (or give 'bundled')")
    return bundle.load(path)


def _keep_network(
    base: Any, run_spec: Spec, settings: dict[str, Any], preset: str | Path | None
) -> Spec:
    """``run_spec`` with the starting model's tokenizer and network: weights fit only
    the network they were trained in, ids mean only what its vocabulary says."""
    from sentigru.spec import section_of

    kept = {"tokenizer": base.spec.tokenizer, "model": base.spec.model}
    if preset is not None and any(getattr(run_spec, name) != kept[name] for name in kept):
        raise UsageError(
            f"--init keeps the starting model's tokenizer and network, which --preset "
            f"{preset} sets otherwise: drop --preset (preset=) and give its training settings "
            "as options"
        )
    if settings.get("word_init") not in (None, base.spec.training.word_init):  # not done
        raise UsageError(
            "--init starts the word table from the starting model's weights (it was trained "
            f"with --word-init {base.spec.training.word_init}): drop --word-init (word_init=)"
        )
    for name, value in settings.items():
        section = section_of(name)
        if value is not None and section in kept and getattr(kept[section], name) != value:
            raise UsageError(
                f"--init keeps the starting model's vocabulary and network, where "
                f"--{name.replace('_', '-')} is {getattr(kept[section], name)!r}: drop "
                f"--{name.replace('_', '-')} ({name}=)"
            )
    return run_spec.replace(
        tokenizer=dataclasses.asdict(base.spec.tokenizer),
        model=dataclasses.asdict(base.spec.model),
    )


def _held_out(base: Any) -> Any:
    """The validation rows ``base`` held out (a :class:`~sentigru.train_data.HeldOut`),
    where its folder says: a model trained from scratch by the split seed and labelled
    rows it recorded (``held_out``; a share of 0 where it validated on ``--val-data`` or
    on nothing and so trained on every row; folders written before they were recorded,
    by their seed and their data's fingerprint); one trained from another by what it
    recorded (``init``), so a chain keeps the first model's."""
    from sentigru.train_data import HeldOut

    training = base.spec.training
    split = {"share": training.val_split, "streamed": training.stream}
    started = base.manifest.get("init")
    if not isinstance(started, dict):
        recorded = base.manifest.get("held_out")
        recorded = recorded if isinstance(recorded, dict) else {"split_seed": training.seed}
        seed, data = recorded.get("split_seed"), recorded.get("data_fingerprint")
        if not isinstance(seed, int) and isinstance(data, str):  # every row trained on
            return HeldOut(-1, 0.0, training.stream, data)  # matches nothing; noted
        if not isinstance(seed, int):
            return None
        data = data if isinstance(data, str) else base.manifest["data_fingerprint"]
        return HeldOut(seed, fingerprint=data, **split)
    seed, data = started.get("split_seed"), started.get("data_fingerprint")
    if not isinstance(seed, int):
        return None
    if isinstance(data, str):
        return HeldOut(seed, fingerprint=data, **split)
    via = started.get("model_sha256")  # recorded before the data's own fingerprint was
    return HeldOut(seed, fingerprint=base.manifest["data_fingerprint"], via=via, **split)


def _recipe(base: Any) -> dict[str, Any]:
    """The spec the first model of a chain of ``--init`` runs was trained with from
    scratch, recorded as ``init.recipe``: a named preset whose folder was trained from
    another trains that, not one epoch of fine-tuning from nothing (a ``spec.json``
    given as ``--preset`` is taken as it is)."""
    from sentigru.presets import recipe_in

    return recipe_in(base.manifest) or base.spec.to_dict()


def _model_sha256(base: Any) -> str:
    """The sha256 of a starting model's Keras file, from its manifest."""
    from sentigru.bundle import MODEL_FILE

    return str(base.manifest["files"][MODEL_FILE]["sha256"])


def _base_identity(base: Any) -> str:
    """What names a starting model in a run's fingerprint: the sha256 of its weights as
    loaded (not the manifest's record of it, which loading does not check). The Keras
    file holds the time it was saved, so two trainings that made the same weights gave
    runs from them different fingerprints (a resume refused, a rebuild not reproduced)."""
    from sentigru.bundle import weights_sha256

    return weights_sha256(base.model)


def _teacher_scores(
    unlabelled: list[Path],
    teacher: str | Path | None,
    teacher_scores: str | Path | None,
    source: DataSource,
    spec: Spec,
    log: Log,
    start_vocab: Any = None,
) -> Any:
    """The unlabelled texts with the teacher's scores (None without ``unlabelled``);
    ``start_vocab`` is ``--init``'s, which reads them in the run.

    The teacher runs through its phone file where it has one (LiteRT, all cores), so
    scoring tens of thousands of reviews takes a minute or two, not a training's time."""
    import time

    from sentigru import bundle
    from sentigru.data.files import read_texts
    from sentigru.data.stream import expand_paths
    from sentigru.train_data import (
        NGRAM_UNLABELLED,
        NO_STREAMED_UNLABELLED,
        Unlabelled,
        check_readable,
    )

    files = unlabelled
    if teacher_scores is not None:
        if files or teacher is not None:
            given = " and ".join(
                name for name, on in (("--unlabelled", files), ("--teacher", teacher)) if on
            )
            raise UsageError(f"--teacher-scores holds its texts and their scores: drop {given}")
        return _scored_file(Path(teacher_scores), source, spec, log)
    if not files and teacher is None:
        return None
    if not files:
        raise UsageError("--teacher scores the --unlabelled texts; give --unlabelled FILE too")
    if teacher is None and not spec.training.ngram_teacher and spec.training.word_init != "ppmi":
        raise UsageError(NGRAM_UNLABELLED)
    if spec.training.stream:
        raise UsageError(NO_STREAMED_UNLABELLED)
    texts = [text for path in expand_paths(files) for text in read_texts(path, source.options)]
    # before a teacher scores them (minutes on a large file): text no model here reads
    check_readable(texts, spec, start_vocab, what="the unlabelled text (--unlabelled)")
    if teacher is None and not spec.training.ngram_teacher:
        log(f"the {len(texts)} unlabelled texts start the word vectors; they are not trained on")
        return Unlabelled.for_word_vectors(texts)
    if teacher is None:
        log(f"the character n-gram teacher scores the {len(texts)} unlabelled texts")
        return Unlabelled.for_ngram_teacher(texts)
    start = time.perf_counter()
    model = load(teacher)
    scores = model.scores(texts)
    if model.folder is not None:
        entries = bundle.read_manifest(model.folder)["files"]
        name = entries.get(bundle.PHONE_FILE, entries[bundle.MODEL_FILE])["sha256"]
    else:
        name = bundle.sha256_file(Path(teacher))
    top = scores.argmax(axis=1)
    shares = ", ".join(f"{label}: {int((top == i).sum())}" for i, label in enumerate(model.labels))
    log(
        f"teacher {teacher} scored {len(texts)} unlabelled texts in "
        f"{time.perf_counter() - start:.0f} s ({shares})"
    )
    return Unlabelled(texts, scores, model.labels, name)


def _scored_file(path: Path, source: DataSource, spec: Spec, log: Log) -> Any:
    """The texts of a ``--teacher-scores`` file with their scores as targets."""
    from sentigru import bundle
    from sentigru.data.scored import read_scored
    from sentigru.train_data import Unlabelled

    if spec.training.stream:
        raise UsageError("--teacher-scores holds its texts in memory; drop --stream")
    texts, labels, scores = read_scored(path, source.options)
    log(f"{path}: {len(texts)} texts with a teacher's scores ({', '.join(labels)})")
    return Unlabelled(texts, scores, labels, bundle.sha256_file(path))
