"""``export``: a model folder written for another runtime, what ``sentigru export``
does: the quantized phone file, a web page that runs it, or a SavedModel.

The options are checked against the format before TensorFlow loads (seconds), and a
file is written only where it replaces nothing of the user's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sentigru import limits
from sentigru.arguments import check_not_package, check_switches, whole_number
from sentigru.classifier import Classifier, model_path, refuse_folder_part, verified_phone
from sentigru.errors import SentigruError, UsageError, missing_model, refuse_table
from sentigru.spec import Spec

FORMATS = ("tflite", "web", "saved_model")


def export(
    model: str | os.PathLike[str] | Classifier | None,
    out: str | Path | None = None,
    *,
    format: str = "tflite",
    quantize: str | None = None,
    runtime: str | None = None,
    seq_len: int | None = None,
    batch: int = 1,
    check_data: Any = None,
    mediapipe_dir: str | Path | None = None,
    force: bool = False,
    title: str | None = None,
) -> Any:
    """Write ``model`` for another runtime and return what was written.

    * ``tflite``: the quantized phone file (default ``MODEL/model.tflite``, which the
      folder's manifest then vouches for), checked against the Keras model on
      ``check_data`` (labelled: both accuracies too) or on sample texts; returns the
      :class:`~sentigru.exporters.phone.ExportReport`.
    * ``web``: a static site that runs the phone file in a browser with MediaPipe
      Tasks (``model`` may be a ``.tflite``), headed by ``title`` (default: the name in
      the file's metadata); returns the site folder.
    * ``saved_model``: a TensorFlow SavedModel taking raw strings, for TF Serving.

    Settings left as None come from the model's spec; ``batch`` is the phone file's
    fixed batch size (1 for phones). ``mediapipe_dir``: MediaPipe Tasks for Web's npm
    package (or its ``--prefix`` folder), copied into a ``web`` site so that it loads
    nothing from a CDN. ``force`` replaces an existing ``out`` that sentigru wrote.
    ``tflite`` and ``saved_model``
    import TensorFlow, whose first import sets ``TF_CPP_MIN_LOG_LEVEL=3`` and
    ``TF_ENABLE_ONEDNN_OPTS=0`` in ``os.environ`` where unset (see :func:`sentigru.load`)."""
    if format not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    check_switches(force=force)
    model = model_path(model, "model")
    if model is None:  # the bundled model: its phone file for a page, else its folder
        from sentigru.presets import default_model

        model = default_model()
        if format != "web":
            if out is None:
                raise UsageError(
                    "export of the bundled model needs --out (out=), its own files being part "
                    "of the package, or give --model DIR (model=)"
                )
            model = model if model.is_dir() else model.parent
    model = Path(model)
    _check_format_options(
        format,
        quantize=quantize,
        runtime=runtime,
        seq_len=seq_len,
        batch=batch,
        check_data=check_data,
        mediapipe_dir=mediapipe_dir,
        title=title,
    )
    if format == "web":
        return _export_web(model, out, mediapipe_dir, force, title)
    _check_folder(model)
    from sentigru.tf_quiet import require_tensorflow

    require_tensorflow("export")
    from sentigru.bundle import PHONE_FILE
    from sentigru.data.sources import DataSource

    reads = [model, *(DataSource.of(check_data).paths if _given(check_data) else ())]
    if format == "saved_model":
        from sentigru.bundle import SAVED_MODEL

        target = Path(out) if out else model / SAVED_MODEL
        check_not_package(target)
        _check_export_out(target, model / SAVED_MODEL, reads, force, "saved_model")
        return _export_saved_model(model, target)
    seq_len, batch = _check_phone_options(quantize, runtime, seq_len, batch)
    _check_seq_len(model, seq_len)
    target = Path(out) if out else model / PHONE_FILE
    check_not_package(target)
    _check_export_out(target, model / PHONE_FILE, reads, force, "tflite")
    return _export_tflite(model, target, quantize, runtime, seq_len, batch, check_data, force)


def _labels_of(model: Path) -> list[str]:
    """A model folder's labels, read before its model loads (none where unreadable: the
    folder's own check says why, next)."""
    from sentigru.bundle import read_labels

    try:
        return read_labels(model)
    except (OSError, ValueError, KeyError, SentigruError):
        return []


def _given(data: Any) -> bool:
    """Whether data to check an export on was given (None, ``""`` and ``[]`` are not); a
    table is refused first, as anywhere data is read: its truth value raises."""
    from sentigru.data.sources import TWO_COLUMNS

    refuse_table(data, "check_data", TWO_COLUMNS)
    return bool(data) if isinstance(data, (str, list, tuple)) else data is not None


def _check_phone_options(
    quantize: str | None, runtime: str | None, seq_len: int | None, batch: int
) -> tuple[int | None, int]:
    """The phone file's settings, checked as the CLI's choices and ranges check them
    (Python passes them unchecked); ``seq_len`` and ``batch`` as ints (NumPy's too)."""
    from sentigru.spec import ExportSpec

    given = {k: v for k, v in (("quantize", quantize), ("runtime", runtime)) if v is not None}
    ExportSpec(**given)  # the choices
    return (
        None if seq_len is None else whole_number(seq_len, "seq_len", 2),
        whole_number(batch, "batch", 1, limits.BATCH_MAX),
    )


def _check_seq_len(model: Path, seq_len: int | None) -> None:
    """A phone file's length checked against the folder's spec before TensorFlow loads
    (a whole number of the model's chunks, at most what a phone file takes): it was
    refused only after seconds of loading. A spec that does not read is left to the
    folder's own checks, which name it."""
    if seq_len is None:
        return
    try:
        spec = Spec.from_json((model / "spec.json").read_text("utf-8"), saved=True)
    except (OSError, ValueError, SentigruError):
        return
    from sentigru.limits import MAX_SEQ_LEN

    if seq_len > MAX_SEQ_LEN:  # first: a multiple of the chunks may be over it too
        raise UsageError(f"seq_len must be at most {MAX_SEQ_LEN} (what a phone file takes)")
    chunk = spec.model.chunk_len
    if chunk and seq_len % chunk:  # the model's chunks are its own: only seq_len moves
        near = min(max(1, round(seq_len / chunk)), MAX_SEQ_LEN // chunk) * chunk
        raise UsageError(
            f"seq_len ({seq_len}): this model reads {chunk} ids at a time, so give a "
            f"multiple of {chunk}, such as {near}"
        )
    try:
        spec.with_settings({"seq_len": seq_len})
    except SentigruError as exc:
        raise UsageError(str(exc)) from None


def _check_format_options(
    format: str,
    *,
    quantize: str | None,
    runtime: str | None,
    seq_len: int | None,
    batch: int,
    check_data: Any,
    mediapipe_dir: Any,
    title: str | None = None,
) -> None:
    """Refuse what a format would ignore: the web page runs the phone file as it is, and
    the SavedModel runs the Keras model unquantized."""
    given = {
        "quantize": quantize is not None,
        "runtime": runtime is not None,
        "seq_len": seq_len is not None,
        "batch": batch != 1,
        "data/--dataset": check_data is not None,
        "mediapipe_dir": mediapipe_dir is not None and format != "web",
        "title": title is not None and format != "web",
    }
    web_only = ("mediapipe_dir", "title")
    names = [name for name, on in given.items() if on and (format != "tflite" or name in web_only)]
    if not names:
        return
    options = ", ".join("--" + name.replace("_", "-") for name in names)
    raise UsageError(f"{options}: not used by --format {format}{_web_fix(format, names)}")


def _web_fix(format: str, names: list[str]) -> str:
    """What to do instead, for the web page: a phone file of another quantization or
    length can be exported first and given to it; one of another batch or runtime
    cannot (MediaPipe runs batch 1, one subgraph), and check data has no use there."""
    if format != "web":
        return ""
    if {"batch", "runtime"} & set(names):
        return "; the page runs MediaPipe, which takes batch 1 and --runtime mediapipe only"
    if {"quantize", "seq_len"} & set(names):
        return "; export such a phone file first and give it to --format web as --model"
    return ""


def _check_export_out(target: Path, own: Path, reads: list[Any], force: bool, kind: str) -> None:
    """The model folder's own phone file or SavedModel is sentigru's to replace; any
    other ``--out`` must not be what the export reads, and an existing one is replaced
    only with ``force``."""
    from sentigru import outputs

    if outputs.same_path(target, own):
        if kind == "saved_model":
            outputs.check_replaceable(target, True, outputs.is_saved_model, "a SavedModel")
        return
    if kind == "tflite" and not target.name.endswith(".tflite"):
        raise SentigruError(f"--out {target}: give a file name ending in .tflite")
    outputs.check_not_working_folder(target)
    outputs.check_not_input(target, reads)
    outputs.check_not_in_model_folder(target)
    if kind == "tflite":
        from sentigru.exporters.phone import is_sentigru_phone_file

        outputs.check_replaceable(
            target, force, is_sentigru_phone_file, "a phone file sentigru wrote"
        )
    else:
        if (target / "saved_model.pb").is_file():  # a SavedModel, and the user's files?
            outputs.check_no_foreign(target, outputs.SAVED_MODEL_ENTRIES)
        outputs.check_replaceable(target, force, outputs.is_saved_model, "a SavedModel")


def _check_folder(model: Path) -> None:
    if not model.exists():
        raise missing_model(model, "model folder", "model=None")
    if model.is_file():
        from sentigru.outputs import is_tflite

        refuse_folder_part(model)
        if not is_tflite(model):
            raise SentigruError(f"{model} is a file, not a model folder: export reads a folder")
        raise SentigruError(
            f"{model} is a phone file; export reads a model folder (the Keras model in it). "
            "Only --format web takes a .tflite"
        )


def _export_tflite(
    model: Path,
    out: Path,
    quantize: str | None,
    runtime: str | None,
    seq_len: int | None,
    batch: int,
    check_data: Any,
    force: bool = False,
) -> Any:
    from sentigru import bundle, outputs
    from sentigru.atomic import write_atomic
    from sentigru.data.examples import label_indices
    from sentigru.data.sources import DataSource, refuse_unused_reading
    from sentigru.exporters.phone import check_writable, export_tflite
    from sentigru.tf_quiet import import_tensorflow

    target = Path(out)
    check_writable(target)  # before seconds of imports and conversion
    checked = None
    if _given(check_data):
        checked = DataSource.of(check_data)
        refuse_unused_reading(checked)
    labelled = checked.load("test", known=_labels_of(model)) if checked else None
    own = outputs.same_path(target, model / bundle.PHONE_FILE)
    replacing = (bundle.PHONE_FILE,) if own else ()  # the file this export replaces
    bundle.read_manifest(model, replacing)  # a broken folder fails before TensorFlow loads
    import_tensorflow("export")
    folder = bundle.load(model, replacing)
    if labelled is not None and checked is not None:  # before the conversion, not after it
        label_indices(labelled.labels, folder.labels, checked.options.label_map)
    content, report = export_tflite(
        folder,
        quantize=quantize,
        runtime=runtime,
        seq_len=seq_len,
        batch=batch,
        labelled=labelled,
    )
    if own:  # its manifest entry says how it was made (spec.json: how the model was)
        from sentigru import __version__

        made = {"quantize": report.quantize, "runtime": report.runtime, "seq_len": report.seq_len}
        # the folder's "versions" name what trained it; a newer release may export it
        made["sentigru"] = __version__
        network = folder.manifest["files"][bundle.MODEL_FILE]["sha256"]
        bundle.add_file(model, bundle.PHONE_FILE, content, made_from=network, export=made)
    else:  # without force, not over a file that appeared while it converted
        write_atomic(target, content, replace=force, make_parent=True)
    report.path = target
    return report


def _export_saved_model(model: Path, out: Path) -> Path:
    from sentigru import bundle
    from sentigru.tf_quiet import import_tensorflow

    import_tensorflow("export")
    from sentigru.exporters.saved_model import export_saved_model

    export_saved_model(bundle.load(model), out)
    return out


def _export_web(
    model: Path, out: str | Path | None, mediapipe_dir: Any, force: bool, title: str | None
) -> Path:
    from sentigru import bundle, outputs
    from sentigru.exporters.web import write_site

    if out is None:
        raise UsageError("--format web needs --out DIR (the site folder to write)")
    check_not_package(Path(out))
    outputs.check_not_in_model_folder(Path(out))
    phone = model
    if model.is_file() and (model.parent / "manifest.json").is_file():
        refuse_folder_part(model)
        verified_phone(model)  # a phone file of a model folder: as its folder vouches
    if model.is_dir():
        bundle.read_manifest(model)
        phone = model / bundle.PHONE_FILE
        if not phone.is_file():
            raise SentigruError(
                f"{model} has no phone file: run 'sentigru export --model {model}' first"
            )
    was_local = _has_own_mediapipe(Path(out))
    site = write_site(
        phone,
        Path(out),
        mediapipe_dir=Path(mediapipe_dir) if mediapipe_dir else None,
        force=force,
        title=title,
    )
    if was_local and not _has_own_mediapipe(site):  # the page now talks to a CDN
        from sentigru.exporters.web import CDN_ORIGIN

        limits.note(
            f"note: the site replaced had its own copy of MediaPipe; this one loads it from "
            f"{CDN_ORIGIN} (give --mediapipe-dir, mediapipe_dir= in Python, to copy it in again)"
        )
    return site


def _has_own_mediapipe(site: Path) -> bool:
    """Whether the site folder ``site`` carries its own copy of MediaPipe."""
    from sentigru.exporters.web import BUNDLE, MEDIAPIPE_FOLDER

    return (site / MEDIAPIPE_FOLDER / BUNDLE).is_file()
