"""The model folder: the Keras model with everything needed to use and trust it.

::

    model.keras    the network (Keras 3 format, loaded with safe_mode)
    vocab.txt      "token id" per line: the regex tokenizer's vocabulary, or
    sentencepiece.model  the SentencePiece model (``--tokenizer sentencepiece``)
    labels.txt     one label per line, in output order
    spec.json      every setting that made the model
    history.json   loss and metrics per epoch
    training.png   loss and accuracy per epoch (only where matplotlib is installed)
    model.tflite   the phone file, which ``predict`` and ``evaluate`` run without TensorFlow
    manifest.json  versions, data fingerprint, seed, metrics, sha256 and size of each file

A folder is written into a temporary sibling and renamed into place, so a failed run
never leaves half a model, and an existing model is replaced only when asked to.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import re
import shutil
import time
import warnings
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from sentigru import __version__, contract, limits
from sentigru.atomic import occupied, replace_path, staging_folder
from sentigru.contract import LABELS_FILE, SENTENCEPIECE_FILE, VOCAB_FILE, format_labels
from sentigru.errors import Interrupted, SentigruError, interrupted_within
from sentigru.folder_lock import busy_message, lock_holder, lock_path, output_lock
from sentigru.pieces import Pieces
from sentigru.spec import Spec
from sentigru.tokenizer import Vocabulary

FORMAT_VERSION = 1
MODEL_FILE = "model.keras"
FILES = (MODEL_FILE, VOCAB_FILE, LABELS_FILE, "spec.json", "history.json")
"""The files of a folder with the regex tokenizer; with SentencePiece,
:data:`SENTENCEPIECE_FILE` takes the place of ``vocab.txt`` (see :func:`files_of`)."""
PICTURE = "training.png"
PHONE_FILE = contract.PHONE_FILE
OPTIONAL_FILES = (PICTURE, PHONE_FILE)
"""Files a folder may lack: older folders, and folders saved without matplotlib. Where
one is present its hash is checked like the others'; one the manifest lists but that was
removed is no error here (a network loads without them, and export writes the phone
file again), while predicting from a folder refuses a listed phone file that is gone."""


SAVED_MODEL = "saved_model"
"""Where ``export --format saved_model`` writes inside the model folder by default."""


def written_names() -> frozenset[str]:
    """Every name sentigru writes in a model folder; ``train --force`` replaces a folder
    only when it holds nothing else (``outputs.is_model_folder``)."""
    return frozenset({*FILES, *OPTIONAL_FILES, SENTENCEPIECE_FILE, "manifest.json", SAVED_MODEL})


def _size_limits() -> dict[str, int]:
    """The most bytes each file of a folder may have (see :mod:`sentigru.limits`)."""
    return {
        MODEL_FILE: limits.KERAS_BYTES,
        VOCAB_FILE: limits.VOCAB_BYTES,
        SENTENCEPIECE_FILE: limits.VOCAB_BYTES,
        LABELS_FILE: limits.LABELS_BYTES,
        "spec.json": limits.JSON_BYTES,
        "history.json": limits.JSON_BYTES,
        "manifest.json": limits.JSON_BYTES,
        PICTURE: limits.PICTURE_BYTES,
        PHONE_FILE: limits.TFLITE_BYTES,
    }


def _read_text(path: Path) -> str:
    """A folder's text file, refused before reading when over its size limit."""
    data = limits.read_file(path, _size_limits()[path.name])
    return contract.decode(data, str(path))


def read_labels(path: Path) -> list[str]:
    """A model folder's labels, as ``labels.txt`` holds them (bounded, checked)."""
    return contract.parse_labels(_read_text(path / LABELS_FILE), str(path / LABELS_FILE))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tokenizer_file(vocab: Vocabulary | Pieces) -> str:
    """The folder's file for the tokenizer: ``vocab.txt`` or ``sentencepiece.model``."""
    return SENTENCEPIECE_FILE if isinstance(vocab, Pieces) else VOCAB_FILE


def files_of(manifest: dict[str, Any]) -> tuple[str, ...]:
    """The files a folder must have: :data:`FILES`, with ``sentencepiece.model`` for
    ``vocab.txt`` where the manifest lists it."""
    if SENTENCEPIECE_FILE not in manifest["files"]:
        return FILES
    return tuple(SENTENCEPIECE_FILE if name == VOCAB_FILE else name for name in FILES)


@dataclass
class ModelFolder:
    """A loaded, checked model folder."""

    path: Path
    model: Any  # keras.Model
    vocab: Vocabulary | Pieces
    labels: list[str]
    spec: Spec
    manifest: dict[str, Any]


def _versions() -> dict[str, str]:
    import keras
    import numpy
    import tensorflow as tf

    return {
        "sentigru": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": numpy.__version__,
        "sentencepiece": _installed("sentencepiece"),
        "python": platform.python_version(),
        "machine": platform.machine(),  # the CPU's kind: float bits vary by it
        # oneDNN rounds differently: the same data and seed give a close, not the same,
        # model under the other setting (benchmarks/onednn.md).
        "tf_enable_onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", ""),
    }


def _installed(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


FINISHED_FILE = "finished.json"
"""Written into the checkpoint once training ends (:mod:`sentigru.training`): a run
interrupted while its folder is saved resumes to the same model without training."""


def checkpoint_path(out: Path) -> Path:
    """Where an interrupted run writing ``out`` keeps its last epoch."""
    return Path(out).parent / f".{Path(out).name}.checkpoint"


def refuse_leftover(out: Path, resume: bool, force: bool = False, holding: bool = False) -> None:
    """Without ``resume``, a checkpoint left by an interrupted run is an error, not
    progress silently thrown away (``force`` discards it: :func:`discard_checkpoint`);
    with it, a missing one is. Said before any data is read (and before a saved ``out``
    is called in the way). A checkpoint whose run is live (another process's, or another
    thread's: a notebook cell run again) is that run's, unless the caller is ``holding``
    the lock itself (a run's own checks, or a worker's beside its chief's)."""
    folder = checkpoint_path(out)
    owner = None if holding else lock_holder(lock_path(out))
    if owner is not None:  # not left: a live run
        raise SentigruError(busy_message(out, owner))
    if resume and not folder.exists():
        saved = (
            f"; {out} is saved, and --force trains it again (without --resume)"
            if out.exists()
            else ""
        )
        raise SentigruError(f"nothing to resume: no checkpoint in {folder}{saved}")
    if folder.exists() and not resume and not force and not discard_empty_checkpoint(folder):
        raise SentigruError(  # one with no epoch done (a run failed at its start) is gone
            f"an interrupted run left a checkpoint in {folder}: add --resume (resume=True) "
            "to continue it, or --force (force=True) to start over without it"
        )


def discard_checkpoint(out: Path) -> bool:
    """Remove the checkpoint an interrupted run writing ``out`` left (``--force``
    without ``--resume``: start over); True if there was one. Only after
    :func:`refuse_leftover` has found no live run writing ``out``."""
    folder = checkpoint_path(out)
    if not folder.is_dir() or folder.is_symlink():
        return False
    shutil.rmtree(folder)
    return True


def checkpoint_folder(
    out: Path, *, resume: bool, fingerprint: str, spec: Spec, chief: bool = True
) -> Path | None:
    """The folder beside ``out`` where an interrupted run's last epoch is kept.

    A leftover checkpoint is used only with ``resume`` and only for the same data and
    spec; without ``resume`` it is an error rather than silently discarded progress.
    A worker that is not the chief only reads the chief's checkpoint, and only with
    ``resume`` (None otherwise): it never creates or judges one the chief is writing."""
    folder = checkpoint_path(out)
    if not chief and not resume:
        return None
    identity = {"data_fingerprint": fingerprint, "spec": spec.to_dict()}
    stamp = folder / "sentigru-run.json"
    if folder.exists():
        refuse_leftover(out, resume, holding=True)  # may discard one with no epoch done
    if folder.exists():
        _check_stamp(stamp, folder, fingerprint, spec)
        return folder
    if resume:
        raise SentigruError(f"nothing to resume: no checkpoint in {folder}")
    staged = staging_folder(folder)  # whole or absent: an empty one, left by a full disk
    try:  # or Ctrl-C, was taken for an interrupted run that --resume could not read
        text = json.dumps(identity, sort_keys=True)
        (staged / stamp.name).write_text(text, "utf-8", newline="\n")
        os.rename(staged, folder)  # the run holds the folder's lock: none appears meanwhile
    except BaseException as exc:
        shutil.rmtree(staged, ignore_errors=True)
        if isinstance(exc, OSError):
            reason = exc.strerror or exc
            raise SentigruError(f"cannot start the checkpoint {folder}: {reason}") from None
        raise
    return folder


def _read_stamp(stamp: Path) -> tuple[str, Spec]:
    """A checkpoint's data fingerprint and spec, read as a saved spec is (settings added
    since take the value that means what the version that wrote it did)."""
    saved = json.loads(stamp.read_text("utf-8"))
    return saved["data_fingerprint"], Spec.from_dict(saved["spec"], saved=True)


def check_resume_settings(out: Path, spec: Spec) -> None:
    """With ``--resume``, refuse a checkpoint made with other settings before the data
    is read and a teacher fitted (minutes); its data is checked once read."""
    folder = checkpoint_path(out)
    stamp = folder / "sentigru-run.json"
    if stamp.is_file():
        _check_stamp(stamp, folder, None, spec)


def _check_stamp(stamp: Path, folder: Path, fingerprint: str | None, spec: Spec) -> None:
    """Refuse a checkpoint of other data (``fingerprint`` None: not yet known) or
    settings, naming the settings that differ. Its spec is read as a saved one (settings
    added since take the value that means what the version that wrote it did), so a run
    interrupted before an upgrade resumes."""
    try:
        saved_fingerprint, saved_spec = _read_stamp(stamp)
        same_data = fingerprint is None or saved_fingerprint == fingerprint
    except SentigruError as exc:  # a setting from a newer sentigru, say: its own words
        raise SentigruError(f"the checkpoint in {folder} cannot be resumed: {exc}") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise SentigruError(
            f"the checkpoint in {folder} cannot be read; --force without --resume starts over"
        ) from None
    if not same_data:
        raise SentigruError(
            f"the checkpoint in {folder} is from other data (--data, --dataset and its "
            "--split, --val-data, --unlabelled and its --teacher), or from a run started "
            "from another model (--init) or with a --label-map in another order; give those "
            "to resume it, or --force without --resume to start over"
        )
    if _trained_by(saved_spec) != _trained_by(spec):  # the phone file is made after
        phone = {field.name for field in dataclasses.fields(spec.export)}
        raise SentigruError(
            f"the checkpoint in {folder} was made with other settings "
            f"({_differences(saved_spec, spec, phone)}): give those to resume it, or "
            "--force without --resume to start over"
        )


def _trained_by(spec: Spec) -> dict[str, Any]:
    """The settings a checkpoint's weights depend on: all but how the phone file is
    made (``--quantize``, ``--runtime``), which a resumed run may change."""
    return {section: values for section, values in spec.to_dict().items() if section != "export"}


def _as_option(name: str, value: Any) -> str:
    """A setting as the command line gives it: ``--units 8``, ``--no-stream``."""
    option = name.replace("_", "-")
    if isinstance(value, bool):
        return f"--{option}" if value else f"--no-{option}"
    return f"--{option} {value}"


def _as_given(name: str, value: Any) -> str:
    """The other side of a difference: the value alone (``11000``), a switch whole."""
    return _as_option(name, value) if isinstance(value, bool) else str(value)


def _differences(saved: Spec, now: Spec, leave: Collection[str] = ()) -> str:
    """``--option value (now value)`` for every setting where ``saved`` and ``now`` differ
    (all of them: a user giving them one message at a time needed three tries), but
    those named in ``leave``."""
    before, after = saved.to_dict(), now.to_dict()
    return ", ".join(
        f"{_as_option(name, value)} (now {_as_given(name, after[section][name])})"
        for section, values in before.items()
        for name, value in values.items()
        if after[section].get(name) != value and name not in leave
    )


def resumed_spec(out: Path, spec: Spec, given: dict[str, Any]) -> tuple[Spec, str]:
    """The spec a ``--resume`` of ``out`` runs: the interrupted run's, with the settings
    the user ``given`` (not None) over it, which must then match it; and the settings
    where it differs from ``spec`` (today's defaults or preset), for a note. A run from
    before an upgrade that changed a default resumes with the same command. Without a
    readable checkpoint, ``spec`` as it is (the checks that follow say why)."""
    try:
        _, saved = _read_stamp(checkpoint_path(out) / "sentigru-run.json")
    except (OSError, ValueError, KeyError, TypeError, SentigruError):
        return spec, ""
    # a setting given is not resumed from the checkpoint: it must match, checked after
    given_names = {name for name, value in given.items() if value is not None}
    changed = _differences(saved, spec, given_names).replace("(now", "(today's")
    return saved.with_settings(given), changed


def discard_empty_checkpoint(folder: Path | None) -> bool:
    """Remove a checkpoint folder that holds no completed epoch (only its identity
    stamp, and perhaps a hidden epoch being written when the run stopped), so that a run
    which failed early does not block the next one; True if it was removed."""
    staged = re.compile(r"\..+\.tmp-\w+")  # an epoch being written; an .old- one is kept
    try:
        if folder is None or not folder.is_dir():
            return False
        kept = {entry.name for entry in folder.iterdir() if not staged.fullmatch(entry.name)}
    except OSError:  # no memory left to list it (ulimit -v): the run's own error is the news
        return False
    if kept - {"sentigru-run.json"}:
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


def save(
    trained: Any,
    out: Path,
    *,
    force: bool = False,
    extra: dict | None = None,
    files: dict[str, bytes] | None = None,
) -> Path:
    """Write a :class:`~sentigru.training.Trained` as a model folder at ``out``, with
    ``files`` (such as the phone file) among the files the manifest vouches for."""
    out = Path(out)
    if occupied(out) and not force:  # it came while the model trained: that is kept
        raise SentigruError(
            f"{out} came to exist while the model trained; the finished training is kept: "
            "run the same command with --force (force=True) --resume (resume=True) to save "
            "it there"
        )
    staged = staging_folder(out)
    written: str | None = None  # the manifest, once made: it tells the saved folder
    try:
        save_keras(trained.model, staged / MODEL_FILE)
        trained.vocab.save(staged / tokenizer_file(trained.vocab))
        (staged / LABELS_FILE).write_text(format_labels(trained.labels), "utf-8", newline="\n")
        (staged / "spec.json").write_text(trained.spec.to_json(), "utf-8", newline="\n")
        (staged / "history.json").write_text(
            json.dumps(trained.history, indent=2) + "\n", "utf-8", newline="\n"
        )
        _draw_training(trained, staged / PICTURE)
        for name, content in (files or {}).items():
            (staged / name).write_bytes(content)
        manifest = {
            "format": FORMAT_VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": _versions(),
            "seed": trained.spec.training.seed,
            "data_fingerprint": trained.data_fingerprint,
            "labels": trained.labels,
            "metrics": trained.metrics,
            "train_seconds": round(trained.train_seconds, 1),
            "weights_sha256": weights_sha256(trained.model),
            "placement": getattr(trained, "placement", {}),
            **(extra or {}),
            "files": {
                name: {
                    "sha256": sha256_file(staged / name),
                    "bytes": (staged / name).stat().st_size,
                }
                for name in (*FILES, SENTENCEPIECE_FILE, *OPTIONAL_FILES)
                if (staged / name).is_file()
            },
        }
        written = json.dumps(manifest, indent=2) + "\n"
        (staged / "manifest.json").write_text(written, "utf-8", newline="\n")
        _check_still_replaceable(out, force)
        replace_path(staged, out, force)
    except OSError as exc:  # the disk full, say: name the folder, and what is kept
        shutil.rmtree(staged, ignore_errors=True)
        raise _unsaved(out, exc) from None
    except BaseException:  # Ctrl-C after the swap (the old folder being removed): saved
        shutil.rmtree(staged, ignore_errors=True)
        if _holds_manifest(out, written):
            SAVED.add(out.absolute())
        raise
    return out


def _check_still_replaceable(out: Path, force: bool) -> None:
    """What ``train`` checked at its start, again as the folder is swapped in: a file the
    user put into ``out`` while it trained was deleted with the old folder."""
    from sentigru.outputs import foreign_entries

    if not force or not out.is_dir():
        return
    if foreign := foreign_entries(out, written_names()):
        raise SentigruError(
            f"{out} came to hold {foreign[0]!r} while the model trained, which sentigru did "
            "not write and --force would delete: move it out, then run the same command "
            "with --resume (resume=True) to save this training"
        )


SAVED: set[Path] = set()
"""Folders saved whole by a run that was then interrupted (:func:`training_run` says so
instead of "nothing was written")."""


def _holds_manifest(out: Path, written: str | None) -> bool:
    try:
        return written is not None and (out / "manifest.json").read_text("utf-8") == written
    except OSError:
        return False


def _unsaved(out: Path, exc: OSError) -> SentigruError:
    """One line naming the model folder that could not be written, where ``out`` is
    as it was, and the finished training kept in the checkpoint, if it is."""
    kept = (
        "; the finished training is kept: once there is room, run the same command "
        "with --resume to save it"
        if (checkpoint_path(out) / FINISHED_FILE).is_file()
        else ""
    )
    return SentigruError(f"cannot write {out}: {limits.os_reason(exc)}{kept}")


def weights_sha256(model: Any) -> str:
    """The hash of the network's weights alone: ``model.keras`` also holds the time it
    was saved, so its hash differs between two runs that made the same weights, and a
    manifest could not show that a run was reproduced."""
    import numpy as np

    digest = hashlib.sha256()
    for weights in model.get_weights():
        array = np.ascontiguousarray(weights)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def save_keras(model: Any, file: Path) -> None:
    """Save the network without its optimizer: Keras 3 keeps the optimizer's state in
    the file whenever the model has one (``include_optimizer`` is gone), which triples
    the file, and nothing that reads a model folder (predict, evaluate, export) uses it.
    A run that resumes reads its own checkpoint, not this file."""
    optimizer = getattr(model, "optimizer", None)
    model.optimizer = None
    try:
        model.save(file)
    finally:
        model.optimizer = optimizer


def _draw_training(trained: Any, file: Path) -> None:
    """The training curves, drawn where matplotlib is installed. A picture never costs
    the model: without matplotlib, or if drawing fails, the folder is saved without it
    (the CLI says how to get it)."""
    from sentigru import plots

    try:
        file.write_bytes(plots.training_png(trained.history, _picture_title(trained)))
    except plots.NoMatplotlib:
        return
    except Exception as exc:  # a broken matplotlib install must not lose a trained model
        file.unlink(missing_ok=True)
        warnings.warn(f"training.png not drawn: {exc}", RuntimeWarning, stacklevel=2)


def _picture_title(trained: Any) -> str:
    model = trained.spec.model
    return f"bidirectional {model.cell.upper()}, {model.units} units x {model.layers} layer(s)"


def _is_manifest(manifest: Any) -> bool:
    """Whether a parsed ``manifest.json`` has the shape the checks below read (an edited
    or foreign one must be refused in a line, not fail inside them)."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return False
    fmt = manifest.get("format", 0)
    return (
        isinstance(fmt, int)
        and not isinstance(fmt, bool)
        and isinstance(manifest.get("versions", {}), dict)
        and all(isinstance(entry, dict) for entry in manifest["files"].values())
    )


@contextlib.contextmanager
def _read_errors(path: Path) -> Iterator[None]:
    """A file of the folder that cannot be read (only its owner may; a folder without
    its x bit) as one line naming it, as for the manifest, not a bare OSError."""
    try:
        yield
    except OSError as exc:
        raise SentigruError(f"cannot read {exc.filename or path}: {exc.strerror or exc}") from None


class _Altered(SentigruError):
    """A file whose hash is not the manifest's."""


REREADS = 3
"""Times a hash that differs sends the check back to the manifest: a re-export writes
the phone file, then the manifest, and a reader between the two saw the old manifest
and the new file."""


def read_manifest(path: Path, replacing: Collection[str] = ()) -> dict[str, Any]:
    """The manifest of the folder at ``path``, with every listed file's hash checked but
    those of the optional files being ``replacing`` (a re-export interrupted between its
    phone file and the manifest left a file the manifest does not vouch for: the same
    export again mends it). A hash that differs is checked again against the manifest
    as it is then (:data:`REREADS`), so that a re-export under way is no error."""
    path = Path(path)
    with _read_errors(path):
        for wait in range(1, REREADS):
            try:
                return _checked_manifest(path, replacing)
            except _Altered:
                time.sleep(0.05 * wait)
        return _checked_manifest(path, replacing)


def _checked_manifest(path: Path, replacing: Collection[str]) -> dict[str, Any]:
    if not path.is_dir():
        raise SentigruError(f"{path}: not a model folder")
    if not (path / "manifest.json").exists():
        raise SentigruError(f"{path}: not a sentigru model folder (no manifest.json){_found(path)}")
    try:
        manifest = json.loads(_read_text(path / "manifest.json"))
    except ValueError as exc:
        raise SentigruError(f"{path}/manifest.json is unreadable: {exc}") from None
    except RecursionError:
        raise SentigruError(f"{path}/manifest.json is unreadable: nested too deeply") from None
    if not _is_manifest(manifest):
        raise SentigruError(f"{path}/manifest.json is not a sentigru manifest")
    if manifest.get("format", 0) > FORMAT_VERSION:
        made_by = manifest.get("versions", {}).get("sentigru", "a newer sentigru")
        raise SentigruError(
            f"{path} was written by sentigru {made_by}; upgrade sentigru to load it"
        )
    for name in files_of(manifest) + OPTIONAL_FILES:
        entry = manifest["files"].get(name)
        file = path / name
        if entry is None or not file.is_file():
            if name in OPTIONAL_FILES:  # checked where present; the model works without
                continue
            raise SentigruError(f"{path}: {name} is missing")
        limits.check_file_size(file, _size_limits()[name])  # before hashing it
        if name in replacing and name in OPTIONAL_FILES:
            continue
        if sha256_file(file) != entry.get("sha256"):
            mend = (
                f"; if an export into {path} was cut short, an export into it again mends "
                f"it (sentigru export --model {path})"
            )
            raise _Altered(
                f"{path}: {name} was altered since it was saved (sha256 differs)"
                f"{mend if name == PHONE_FILE else ''}"
            )
    return manifest


def _found(path: Path) -> str:
    """What a folder without a manifest holds that sentigru made, and what to give instead."""
    if (path / "saved_model.pb").is_file():
        return "; it is a SavedModel export: TensorFlow Serving runs it, sentigru its model folder"
    if (path / PHONE_FILE).is_file():
        return (
            f"; predict, evaluate and export --format web take its phone file "
            f"({path / PHONE_FILE}); training and other exports need its model folder"
        )
    return ""


def load(path: Path, replacing: Collection[str] = ()) -> ModelFolder:
    """Load and check a model folder; Keras loads with ``safe_mode`` (no code from files).
    ``replacing``: as for :func:`read_manifest`."""
    path = Path(path)
    manifest = read_manifest(path, replacing)
    with _read_errors(path):
        return _loaded(path, manifest)


def _loaded(path: Path, manifest: dict[str, Any]) -> ModelFolder:
    made_by = manifest.get("versions", {}).get("sentigru")
    try:
        spec = Spec.from_json(_read_text(path / "spec.json"), saved=True, made_by=made_by)
    except SentigruError as exc:
        raise SentigruError(f"{path}/spec.json: {exc}") from None
    pieces = SENTENCEPIECE_FILE in files_of(manifest)
    if pieces != (spec.tokenizer.tokenizer == "sentencepiece"):
        raise SentigruError(
            f"{path}: spec.json says tokenizer {spec.tokenizer.tokenizer!r} but the folder "
            f"holds {SENTENCEPIECE_FILE if pieces else VOCAB_FILE}"
        )
    vocab = Pieces.load(path / SENTENCEPIECE_FILE) if pieces else Vocabulary.load(path / VOCAB_FILE)
    labels = read_labels(path)
    model = load_keras(path / MODEL_FILE)
    _check_consistent(path, model, vocab, labels)
    return ModelFolder(path, model, vocab, labels, spec, manifest)


def load_keras(file: Path) -> Any:
    """Load a ``.keras`` file, after checking that its zip is bounded (entries, sizes
    declared and inflated: :func:`limits.check_keras_zip`)."""
    from sentigru.tf_quiet import import_tensorflow

    limits.check_keras_zip(Path(file), f"{file}: cannot load the Keras model")
    import_tensorflow()
    import keras

    import sentigru.model  # noqa: F401  (registers MaskedPooling for deserialization)

    try:
        return keras.saving.load_model(file, safe_mode=True, compile=False)
    except Exception as exc:  # Keras raises many kinds for a bad file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SentigruError(f"{file}: cannot load the Keras model: {first}") from None


def _check_consistent(
    path: Path, model: Any, vocab: Vocabulary | Pieces, labels: list[str]
) -> None:
    embedding = model.get_layer("embedding")
    if embedding.input_dim != len(vocab):
        raise SentigruError(
            f"{path}: {tokenizer_file(vocab)} has {len(vocab)} entries but the model embeds "
            f"{embedding.input_dim}"
        )
    outputs = model.output_shape[-1]
    if outputs != len(labels):
        raise SentigruError(
            f"{path}: labels.txt has {len(labels)} labels but the model scores {outputs}"
        )


@contextlib.contextmanager
def _parents_undone_on_failure(out: Path | None) -> Iterator[None]:
    """The folders above ``out`` that the run makes are removed again when it fails and
    leaves them empty (a checkpoint kept for ``--resume`` keeps them): a failed run
    leaves nothing."""
    made = [] if out is None else [p for p in Path(out).absolute().parents if not p.exists()]
    try:
        yield
    except BaseException:
        for folder in made:  # the deepest first; one not empty keeps those above it
            try:
                folder.rmdir()
            except OSError:
                break
        raise


@contextlib.contextmanager
def training_run(
    out: Path, *, force: bool, resume: bool, fingerprint: str, spec: Spec, chief: bool = True
) -> Iterator[Path | None]:
    """Everything around one training run that writes ``out``: refuse to replace it
    without ``force``, hold its lock, keep a checkpoint after every epoch (yielded: the
    folder, or None for a worker that only reads one), turn Ctrl-C into one line that
    says how to resume, and leave no checkpoint behind when the run succeeds or stops
    before its first epoch."""
    out = Path(out)
    if chief and occupied(out) and not force:
        raise SentigruError(f"{out} exists; use --force (force=True) to replace it")
    with (
        _parents_undone_on_failure(out if chief else None),
        output_lock(out) if chief else contextlib.nullcontext(),
    ):
        checkpoint = checkpoint_folder(
            out, resume=resume, fingerprint=fingerprint, spec=spec, chief=chief
        )
        try:
            yield checkpoint
        except KeyboardInterrupt:
            _raise_interrupted(out, checkpoint, chief)
        except Exception as exc:
            if interrupted_within(exc):  # the signal came as native code raised its own
                _raise_interrupted(out, checkpoint, chief)
            if chief and not resume and not discard_empty_checkpoint(checkpoint):
                _say_kept(exc, checkpoint)  # epochs done: a failure after them keeps them
            raise
        except BaseException:
            if chief:  # a run that failed before its first epoch leaves nothing
                discard_empty_checkpoint(checkpoint)
            raise
        if chief and checkpoint is not None:
            shutil.rmtree(checkpoint, ignore_errors=True)


def _raise_interrupted(out: Path, checkpoint: Path | None, chief: bool) -> NoReturn:
    """Ctrl-C or SIGTERM during a training: one line that says what was kept."""
    if chief and out.absolute() in SAVED:  # the new folder is in place, whole
        SAVED.discard(out.absolute())
        if checkpoint is not None:
            shutil.rmtree(checkpoint, ignore_errors=True)
        raise Interrupted(f"interrupted after {out} was saved, whole") from None
    if chief and discard_empty_checkpoint(checkpoint):
        raise Interrupted(
            f"interrupted before the first epoch ended; nothing was written to {out}"
        ) from None
    raise Interrupted(
        f"interrupted; nothing was written to {out}. The last completed epoch is kept: "
        "run the same command with --resume (resume=True) to continue"
    ) from None


def _say_kept(exc: Exception, checkpoint: Path | None) -> None:
    """Tell a run that failed after its first epoch (a full disk when saving, a bug) what
    it kept: the error said nothing of it, and the next run was refused for the
    checkpoint in its way. A :class:`SentigruError`'s one line says it, unless it names
    ``--resume`` or ``--force`` already (a full disk when saving says what it kept; a
    loss gone NaN, to retry with ``--force``); any other error carries it as a note under
    its traceback. A resumed run's user knows the checkpoint, and is not told."""
    if checkpoint is None or not checkpoint.is_dir():
        return
    kept = (
        f"its last completed epoch is kept in {checkpoint}: the same command with --resume "
        "(resume=True) continues it, --force (force=True) starts again"
    )
    if not isinstance(exc, SentigruError):
        exc.add_note(kept)
    elif (
        exc.args
        and isinstance(exc.args[0], str)
        and not re.search(r"--(resume|force)\b", exc.args[0])
    ):
        exc.args = (f"{exc.args[0]}; {kept}", *exc.args[1:])


def add_file(
    path: Path, name: str, content: bytes, made_from: str | None = None, **about: Any
) -> None:
    """Put ``name`` into the model folder at ``path`` and vouch for it in the manifest
    (re-exporting a folder's phone file must not make the folder look altered); ``about``
    joins its entry there (how a phone file was made). The file is renamed into place
    with the manifest, both written first and renamed together; the folder stays the same
    folder. ``made_from``: the sha256 of the network ``content`` was made from, refused
    if the folder holds another by then (trained again while the export converted)."""
    from sentigru.atomic import write_atomic_together

    path = Path(path).resolve()  # ".", or a link to the folder: the folder itself
    with contextlib.ExitStack() as held:
        # a training writing the folder meanwhile is not undone; where the parent cannot
        # be written (no lock beside the folder), no training can write it either
        with contextlib.suppress(PermissionError):
            held.enter_context(output_lock(path))
        manifest = read_manifest(path, replacing=(name,))
        now = manifest.get("files", {}).get(MODEL_FILE, {}).get("sha256")
        if made_from is not None and now != made_from:  # its phone file would be the old one
            raise SentigruError(f"{path} was trained again while this export ran: export it again")
        entry = {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content), **about}
        manifest["files"][name] = entry
        listed = (json.dumps(manifest, indent=2) + "\n").encode()
        write_atomic_together({path / name: content, path / "manifest.json": listed})
