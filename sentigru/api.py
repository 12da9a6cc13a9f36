"""The Python API: everything the ``sentigru`` command does, one call each.

::

    import sentigru

    clf = sentigru.load()                       # the bundled model
    clf.predict(["A wonderful film.", "Cold food, rude staff."])
    # [{"label": "positive", "score": 0.94, "scores": [...], "known_tokens": 3, ...}, ...]

    mine = sentigru.train("reviews.tsv", "runs/mine", epochs=8)  # settings: spec fields
    mine.evaluate("reviews_test.tsv")           # accuracy, precision, recall, F1, confusion
    mine.export("site", format="web")           # or "tflite", "saved_model"

``load`` and ``predict`` on a ``.tflite`` (or on a model folder that holds its phone
file, as every folder ``train`` writes does) never import TensorFlow.
"""

from __future__ import annotations

import dataclasses
import functools
import glob
import hashlib
import json
import numbers
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentigru import limits
from sentigru.errors import (
    SentigruError,
    UsageError,
    empty_path,
    missing,
    refuse_nul,
    refuse_table,
)
from sentigru.spec import INT_MAX, Spec, check_settings_used, setting_names, unknown_setting

if TYPE_CHECKING:  # the data readers load on first use: predicting needs none of them
    from sentigru.data.sources import DataSource

Log = Callable[[str], None]
FORMATS = ("tflite", "web", "saved_model")


def _texts(texts: Any) -> list[str]:
    """A list of texts, checked: a missing value from a table (None, NaN) or bytes is
    named, not a TypeError from inside the tokenizer."""
    return list(_checked(texts))


def _checked(texts: Any) -> Iterator[str]:
    """``texts`` one by one: the whole checked now, each text as it comes (a stream is
    read lazily)."""
    if getattr(texts, "ndim", None) == 0:  # numpy.array("a text"): one value, not iterable
        texts = texts.item()
    if isinstance(texts, str):
        return iter([texts])
    refuse_table(texts, "texts", "one column of it (df['text'])")
    if isinstance(texts, (set, frozenset)):  # answers could not be matched to the texts
        raise SentigruError("texts in a set have no order; give a list (sorted(texts))")
    if isinstance(texts, (bytes, bytearray, Mapping)) or not isinstance(texts, Iterable):
        raise SentigruError(
            f"texts must be a string or a list of strings, got {type(texts).__name__} {texts!r:.60}"
        )
    return _each_checked(texts)


def _each_checked(texts: Iterable[Any]) -> Iterator[str]:
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise SentigruError(f"texts[{i}] is {type(text).__name__} {text!r:.60}, not a string")
        yield text


def _whole(value: Any, name: str, least: int = 1, most: int | None = None) -> int:
    """``value`` as an int, refused when not a whole number from ``least`` to ``most``
    (:data:`spec.INT_MAX` unless given: ``chunk_size=10**30`` failed in ``islice``; bools
    refused, NumPy's integers are whole numbers)."""
    most = INT_MAX if most is None else most
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise SentigruError(f"{name} must be a whole number of {least} or more, got {value!r}")
    if value > most:
        raise SentigruError(f"{name} must be at most {most}, got {value!r}")
    return int(value)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Classifier:
    """A loaded model: ``predict`` texts, ``evaluate`` on labelled data, ``export``."""

    def __init__(
        self, predictor: Any, path: Path | None, folder: Path | None, network: str | None = None
    ) -> None:
        self._predictor = predictor
        self.path = path
        """The file or folder the model was loaded from (the bundled model's file)."""
        self.folder = folder
        """The model folder, where there is one (``export`` needs it)."""
        self._loaded_as: tuple[Any, ...] = (path, None)  # load's arguments
        where = folder or path
        self._where = None if where is None else Path(where).absolute()  # a chdir moves none
        self._network = network  # as the manifest read with the model says; else read once needed
        self._phone: str | None = None  # the sha256 of the phone file it runs, once needed

    def close(self) -> None:
        """Free the worker threads and interpreters that predicting many texts at once
        keeps (memory grows with ``jobs`` and with the lengths texts ran at). The
        classifier stays usable: they start again when many texts come (a call or a
        ``predict_stream`` running meanwhile goes on with them). ``with
        sentigru.load() as clf:`` closes it at the end of the block."""
        self._predictor.close()

    def __enter__(self) -> Classifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as the arguments it was loaded with, so that a process pool can take
        it (the model is loaded again there, from the same path, and must be the same
        model: a folder trained or exported again since is refused, here and there).
        Each unpickling loads it (some 40 ms): give a pool's workers the classifier once,
        through ``initializer=``, not with every task."""
        if self._where is not None:
            self._unchanged(every=True)
        return _load_again, (*self._loaded_as[:2], self._state())

    def _state(self) -> tuple[str | None, str | None]:
        """What this classifier loaded: the sha256 of its folder's network (as its
        manifest records it), and of the phone file it runs (None: it runs Keras)."""
        if self._network is None and self._where is not None and self.folder is not None:
            self._network = _state_now(self._where)[0]  # the bundled model: not on predict's path
        content = getattr(self._predictor, "_content", None)
        if self._phone is None and content is not None:
            self._phone = hashlib.sha256(content).hexdigest()
        return self._network, self._phone

    def _unchanged(self, every: bool = False) -> Path:
        """Where this classifier was loaded from, still holding its network (``every``:
        and its phone file): a folder trained again since, or a relative path read from
        another working folder, is another model. Exporting from a folder reads its
        network alone, which a phone file added or made again does not change."""
        assert self._where is not None
        now, loaded = _state_now(self._where), self._state()
        if self.folder is not None and not every:
            now, loaded = now[:1], loaded[:1]
        if now != loaded:
            raise SentigruError(
                f"{self._where} has changed since this classifier loaded it (trained or "
                "exported again?): load it again to use what it holds now"
            )
        return self._where

    @property
    def labels(self) -> list[str]:
        """The model's labels in score order (the columns of :meth:`scores`): names, as
        ``labels.txt`` holds them, so a model trained on labels 0 and 1 answers ``"0"``
        and ``"1"``, and one trained on bools ``"False"`` and ``"True"``."""
        return list(self._predictor.labels)

    @property
    def tokenizer(self) -> str:
        """``"regex"`` (ASCII words, as the phone's regex tokenizer splits them) or
        ``"sentencepiece"`` (pieces of any language): what a text the model cannot read
        is made of, and so what the notes on it can advise."""
        from sentigru.pieces import SentencePieceTokenizer

        pieces = isinstance(self._predictor.tokenizer, SentencePieceTokenizer)
        return "sentencepiece" if pieces else "regex"

    def __repr__(self) -> str:
        return f"Classifier({str(self.path)!r}, labels={self.labels})"

    def predict(self, texts: str | Iterable[str], top_k: int = 1) -> list[dict[str, Any]]:
        """Per text, what ``predict --json`` prints: the best ``label``, its ``score``, the
        ``top_k`` best ``{"label", "score"}`` pairs (``scores``; at most every label), and
        how much of the text the model read: ``known_tokens`` (0: the score means
        nothing), ``unknown_tokens``, ``unread_words`` (other scripts, emoji), ``read``
        (``"all"``, ``"part"``: a third or more of the words unknown or unread, or
        ``"none"``) and ``truncated`` (cut at the model's length, or at a NUL character,
        where phones stop reading). One string gives a list of one result. A text that is
        not a string raises :class:`SentigruError`."""
        top_k = _whole(top_k, "top_k")
        return self._predictor.classify(_texts(texts), top_k)

    def predict_file(
        self, path: str | Path, top_k: int = 1, **reading: Any
    ) -> list[dict[str, Any]]:
        """:meth:`predict` on every row of a data file, in order, as ``predict --data``:
        the text column of a .csv/.tsv/.jsonl (``text_column=``, ``encoding=``), or each
        line of any other file; a blank text gets its answer too (``"read": "none"``)."""
        return self.predict(list(read_file_texts(path, **reading)), top_k)

    def scores(self, texts: str | Iterable[str]) -> Any:
        """The scores as a float32 NumPy array ``[len(texts), len(labels)]``, in
        ``labels`` order (``.tolist()`` for JSON; :meth:`predict` with ``top_k`` set to
        the number of labels gives every label's score as plain floats)."""
        return self._predictor.scores(_texts(texts))

    def predict_stream(
        self, texts: Iterable[str], top_k: int = 1, chunk_size: int = 256
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(text, result)`` pairs in input order, a chunk at a time: memory stays flat
        however many texts come in."""
        top_k, chunk_size = _whole(top_k, "top_k"), _whole(chunk_size, "chunk_size")
        return self._predictor.classify_stream(_checked(texts), top_k, chunk_size)

    def evaluate(
        self, data: Any, *, plot: str | Path | None = None, force: bool = False, **source: Any
    ) -> dict[str, Any]:
        """N, accuracy, per-label precision/recall/F1, macro-F1, the confusion matrix and
        the share of unknown words on labelled ``data`` (a path, several, a pair
        ``(texts, labels)``, or a :class:`DataSource`; ``source`` takes its fields,
        ``dataset``, ``split``, ``data_dir``, and :class:`ReadOptions`' by name:
        ``label_map``, ``text_column`` …). ``plot`` draws the confusion matrix to a PNG (the
        ``plot`` extra), replacing one sentigru drew only with ``force``; its checks come
        before the work. Macro-F1 averages the labels in the data or the predictions (as
        scikit-learn's); a precision or recall of nothing counted is 0. The unknown share
        (``unknown_share``) is of the words read: words in scripts the model cannot read
        are not in it. Also: texts with no known token (``unread``) or read in part
        (``partly_read``), cut at the model's length (``truncated``), holding letters the
        regex tokenizer cannot read (``non_ascii_texts``), the model's ``tokenizer``, and
        whether the data is the very rows the model trained on (``training_data``)."""
        from sentigru.data.examples import label_indices
        from sentigru.data.sources import DataSource, refuse_unused_reading
        from sentigru.evaluation import classification_report
        from sentigru.tokenizer import has_unread_letters

        if force and plot is None:  # else taken, with nothing to replace
            raise UsageError("force replaces the plot picture: give plot, or drop force")
        chosen = DataSource.of(data, **source)
        refuse_unused_reading(chosen)
        picture = self.check_plot(plot, chosen, force) if plot is not None else None
        examples = chosen.load("test", known=self.labels)
        truth = label_indices(examples.labels, self.labels, chosen.options.label_map)
        scores, read = self._predictor.scores_read(examples.texts)
        report = classification_report(truth, scores.argmax(axis=1), self.labels)
        report["unread"] = int((read[:, 0] == 0).sum())
        report["partly_read"] = self._partly_read(examples.texts, read)
        report["tokenizer"] = self.tokenizer
        report["non_ascii_texts"] = sum(map(has_unread_letters, examples.texts))
        report["truncated"] = int(read[:, 2].sum())
        total = int(read[:, :2].sum())
        report["unknown_share"] = float(read[:, 1].sum() / total) if total else 0.0
        report["training_data"] = self._trained_on(examples)
        if picture is not None:
            self.draw_confusion(report, picture)
        return report

    def _trained_on(self, examples: Any) -> bool:
        """Whether ``examples`` are the very rows this model was trained on (its
        manifest's data fingerprint): figures on them read high. A folder trained again
        since it was loaded holds another model's fingerprint: no answer from it."""
        if self.folder is None or self._where is None:
            return False
        try:
            manifest = _manifest_now(self._where)
            if manifest["files"]["model.keras"]["sha256"] != self._state()[0]:
                return False
            trained_on = manifest.get("data_fingerprint")
        except (OSError, ValueError, AttributeError, KeyError, TypeError, SentigruError):
            return False
        return bool(trained_on) and trained_on == examples.fingerprint()

    def _partly_read(self, texts: Sequence[str], read: Any) -> int:
        """How many texts ``predict`` would give ``"read": "part"``: a third or more of
        their words unknown or unread."""
        from sentigru.tokenizer import read_verdict

        unread = map(self._predictor.tokenizer.unread_words, texts)
        verdicts = (read_verdict(int(k), int(u) + w) for (k, u, _), w in zip(read, unread))
        return sum(verdict == "part" for verdict in verdicts)

    def check_plot(self, plot: str | Path, data: Any, force: bool = False) -> Path:
        """Refuse, before the work, a picture ``evaluate`` may not draw at ``plot``: not
        a PNG, what it reads (``data``, the model), inside a model folder, one sentigru
        did not draw (or did, without ``force``), or no matplotlib (an earlier picture
        left in its place would read as this run's)."""
        from sentigru import outputs, plots
        from sentigru.data.sources import DataSource

        plot = Path(plot)
        if plot.suffix.lower() != ".png":
            raise UsageError(f"--plot {plot}: the picture is a PNG; name it .png")
        outputs.check_writable(plot, make_parent=True)
        _check_not_package(plot)
        reads = [*DataSource.of(data).paths, self.folder or self.path]
        outputs.check_not_input(plot, reads, "--plot")
        outputs.check_not_in_model_folder(plot, "--plot")
        outputs.check_replaceable(
            plot, force, outputs.is_sentigru_png, "a picture sentigru drew", "--plot"
        )
        if not plots.available():
            raise SentigruError(
                f"--plot {plot}: matplotlib is not installed ({plots.INSTALL_HINT})"
            )
        return plot

    def draw_confusion(self, report: dict[str, Any], plot: str | Path) -> None:
        """The confusion matrix of an :meth:`evaluate` report as a PNG at ``plot``,
        written atomically (check it first with :meth:`check_plot`)."""
        from sentigru import plots
        from sentigru.atomic import write_atomic
        from sentigru.presets import default_model

        try:
            bundled = self.path is not None and self.path.resolve() == default_model().resolve()
        except SentigruError:  # an install without the bundled model
            bundled = False
        title = "bundled model" if bundled else str(self.path)
        write_atomic(Path(plot), plots.confusion_png(report, title), make_parent=True)

    def export(self, out: str | Path | None = None, **options: Any) -> Any:
        """Write the model for another runtime; see :func:`export`."""
        return export(self._unchanged(), out, **options)


def read_file_texts(path: str | Path, **reading: Any) -> Iterator[str]:
    """The text of every row of a data file, in order, read as it goes: what ``predict
    --data`` classifies (blank rows too; a bad row stops it). ``reading``:
    :class:`ReadOptions`' fields (``text_column``, ``encoding``)."""
    from sentigru.data.files import ReadOptions, iter_row_texts

    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise SentigruError(f"path is a data file, not {path!r:.60}")
    refuse_nul(path, "path")
    defaults = dataclasses.asdict(ReadOptions())  # a default given by name is no option
    given = {name for name, value in reading.items() if value != defaults.get(name)}
    if other := sorted(given - {"text_column", "encoding"}):
        raise SentigruError(  # else taken and not done: no label is read, no row skipped
            f"texts to predict are read with text_column and encoding only, not {', '.join(other)}"
        )
    try:  # no label is read: a text column named "label" is no clash
        options = ReadOptions(**{**reading, "label_column": ""})
    except TypeError as exc:
        raise SentigruError(f"reading options: {exc}") from None
    return iter_row_texts(Path(path), options)


def load(path: str | os.PathLike[str] | None = None, *, jobs: int | None = None) -> Classifier:
    """The bundled model (``path`` None), a model folder, or a ``.tflite`` file.

    A folder with a phone file runs it through LiteRT, as a ``.tflite`` does; a folder
    without one (made before folders held it) runs its Keras model, which imports
    TensorFlow. ``jobs`` is the number of cores bulk prediction may use (None: all).

    A classifier may be shared by threads, and one that runs a phone file may be used in a
    process forked after it predicted (a Keras folder says to load it in the child).
    Predicting many texts at once keeps interpreters for each core and each
    length texts ran at (some 150 MB more with ``jobs=1`` on 3,000 reviews, 450 MB with
    8); ``Classifier.close`` frees them."""
    if jobs is not None:
        jobs = _whole(jobs, "jobs")
    classifier = _loaded(path, jobs)
    # absolute: a pickle is loaded again elsewhere, perhaps from another working folder
    classifier._loaded_as = (None if path is None else Path(os.fspath(path)).absolute(), jobs)
    return classifier


def _load_again(path: Any, jobs: int | None = None, state: Any = None) -> Classifier:
    classifier = load(path, jobs=jobs)
    if state is not None and classifier._state() != tuple(state):
        raise SentigruError(
            f"{classifier._where} has changed since this classifier was pickled (trained or "
            "exported again?): load it again to use what it holds now"
        )
    return classifier


def _state_now(where: Path) -> tuple[str | None, str | None]:
    """A model folder's network and phone file as its manifest records them now (their
    sha256), or a phone file's sha256: what :meth:`Classifier._state` compares."""
    from sentigru.contract import PHONE_FILE

    try:
        if not where.is_dir():
            return None, hashlib.sha256(where.read_bytes()).hexdigest()
        files = _manifest_now(where)["files"]
        network = files["model.keras"]["sha256"]  # bundle.MODEL_FILE (not loaded to predict)
    except OSError:
        raise missing(where, "model (it was loaded from there)") from None
    except (ValueError, KeyError, TypeError):
        raise SentigruError(f"{where}: its manifest.json is not a model's") from None
    phone = files.get(PHONE_FILE)
    return network, phone["sha256"] if phone else None


def _manifest_now(folder: Path) -> Any:
    """A model folder's manifest as it is now, parsed, its hashes not checked (what a
    loaded classifier compares itself with)."""
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def _bundled_phone(path: Path, jobs: int | None) -> Any:
    """The bundled phone file, checked against its manifest's sha256 alone: the folder's
    other files are not read on this path (a cold start of 0.17 s), and a package folder
    is trusted, so an altered file ran unchecked where a folder given by path is refused."""
    from sentigru.predictor import LiteRTPredictor

    return LiteRTPredictor(_verified_phone(path, strict=True), str(path), jobs=jobs)


def _verified_phone(path: Path, strict: bool = False) -> bytes:
    """The bytes of a phone file, refused where a sentigru manifest beside it records
    other bytes (the folder's other files are not read). ``strict`` (the bundled model):
    a manifest that is missing, unreadable or silent on the file is refused too; else a
    file beside another program's ``manifest.json`` (a web app's) is taken as it is."""
    import hashlib

    content = limits.read_file(path.resolve(), limits.TFLITE_BYTES)
    try:  # the shape alone: sentigru.bundle is not loaded on predict's path
        files = _manifest_now(path.parent)["files"]
        entry = files[path.name] if isinstance(files, dict) else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        entry = exc
    if not isinstance(entry, dict) or "sha256" not in entry:
        if not strict:
            return content
        reason = limits.os_reason(entry) if isinstance(entry, OSError) else "not as installed"
        raise SentigruError(
            f"{path.parent}/manifest.json: the bundled model's manifest is unreadable "
            f"({reason}); reinstall sentigru"
        )
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise SentigruError(
            f"{path}: the phone file was altered since its folder was saved (sha256 differs "
            "from its manifest's); reinstall sentigru for the bundled model, or export it again"
        )
    return content


def _refuse_folder_part(path: Path) -> None:
    """A file of a model folder that is not its phone file (``model.keras``, ``vocab.txt``)
    given as the model: the folder is what runs it (it was "not a TFLite model")."""
    if path.suffix.lower() != ".tflite" and (path.parent / "manifest.json").is_file():
        raise SentigruError(f"{path} is a file of the model folder {path.parent}: give the folder")


def _loaded(path: str | os.PathLike[str] | None, jobs: int | None) -> Classifier:
    from sentigru.predictor import KerasPredictor, LiteRTPredictor

    if path is None:
        from sentigru.presets import default_model

        path = default_model()
        if path.is_file() and (path.parent / "manifest.json").is_file():
            # its phone file runs as loaded (fast); export reads the folder's Keras model
            return Classifier(_bundled_phone(path, jobs), path, path.parent)
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise SentigruError(f"load takes a model folder or .tflite path, got {path!r}")
    refuse_nul(path, "model")
    path = Path(path)
    if not path.exists():
        raise missing(path, "model (give a model folder or a .tflite file)")
    if path.is_file():
        _refuse_folder_part(path)
        return Classifier(LiteRTPredictor.load(path, jobs=jobs), path, None)
    from sentigru import bundle, trust  # a folder's manifest: not read for a phone file

    manifest, content, real = _manifest_and_phone(path)
    network = manifest["files"][bundle.MODEL_FILE]["sha256"]  # as the model was read
    if content is not None:
        phone, trusted = path / bundle.PHONE_FILE, trust.trusted_location(real)
        predictor = LiteRTPredictor(content, str(phone), trusted=trusted, jobs=jobs)
        return Classifier(predictor, path, path, network)
    return Classifier(KerasPredictor.load(path), path, path, network)


def _manifest_and_phone(path: Path) -> tuple[dict[str, Any], bytes | None, Path]:
    """A folder's checked manifest and, where it lists a phone file, that file's bytes as
    the manifest vouches for them, and where they were read: a folder saved again
    between the two reads (``train --force`` while a server loads it) gave the new phone
    file under the old manifest."""
    import time

    from sentigru import bundle
    from sentigru.predictor import read_model_file

    for wait in range(1, bundle.REREADS + 1):
        manifest = bundle.read_manifest(path)
        entry = manifest["files"].get(bundle.PHONE_FILE)
        phone = path / bundle.PHONE_FILE
        if entry is None:
            return manifest, None, phone
        if not os.path.lexists(phone):  # removed by hand: say what makes it again
            raise SentigruError(
                f"{phone} is missing (its manifest lists it): sentigru export --model {path} "
                "writes it again"
            )
        content, real = read_model_file(phone)
        if hashlib.sha256(content).hexdigest() == entry["sha256"]:
            return manifest, content, real
        time.sleep(0.05 * wait)
    raise SentigruError(f"{path} changed while it was loaded; load it again")


def build_spec(preset: str | Path | None = None, spec: Spec | None = None, **settings: Any) -> Spec:
    """The spec a training run uses: ``spec`` or the named ``preset`` (or a
    ``spec.json`` file), not both, else the defaults; then ``settings`` (spec field
    names) on top."""
    from sentigru.presets import preset_spec

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
        with limits.notes_to(log if callable(log) else _stderr):
            return func(*args, **kwargs)

    return run


@_notes_to_log
def train(
    data: Any,
    out: str | Path,
    *,
    val_data: Any = (),
    unlabelled: str | Path | Sequence[str | Path] | None = (),
    teacher: str | Path | Classifier | None = None,
    teacher_scores: str | Path | None = None,
    init: str | Path | Classifier | None = None,
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
    checkpoint after every epoch, an interrupted run continues with ``resume=True``.
    Under ``strategy="multi-worker"`` only the chief writes ``out``; other workers
    return None. ``log`` hears sentigru's own lines (what was read, notes; stderr by
    default or with None); ``verbose`` sets Keras' progress on stderr (0 none, 1 a bar,
    2 a line an epoch; default: a bar at a terminal without NO_COLOR or TERM=dumb, else
    lines; while the model trains, ``sys.stdout`` is redirected to stderr for it, other
    threads' prints too), and 0 also drops the word-table line."""
    from sentigru import bundle, outputs
    from sentigru import training_notes as notes
    from sentigru.data.sources import READ_FIELDS, DataSource, refuse_unused_reading
    from sentigru.distribute import Role, cluster_role, resolve
    from sentigru.tf_quiet import require_tensorflow
    from sentigru.train_data import Start, combined, prepare_source

    require_tensorflow("training")
    _check_train_arguments(out, preset, spec, val_data, unlabelled, log)
    unlabelled = _paths(unlabelled, "unlabelled")  # once: a glob's generator runs out
    _check_switches(verbose, force=force, resume=resume, phone_file=phone_file)
    log = _stderr if log is None else log
    out = Path(out)
    reading = {name: settings.pop(name) for name in list(settings) if name in READ_FIELDS}
    for name in settings:
        if name not in setting_names():
            raise SentigruError(unknown_setting(name, [*READ_FIELDS, "val_data"]))
    source = DataSource.of(data, **reading)
    run_spec = build_spec(preset, spec, **settings)
    multi = strategy in ("auto", "multi-worker")
    role = cluster_role() if multi else Role()
    val_data, val_rows = _validation(val_data, reading)
    refuse_unused_reading(source, files_too=bool(val_data))  # validation files read them
    check_settings_used(run_spec, settings, bool(val_data) or val_rows is not None)
    teacher = _init_path(_model_path(teacher, "teacher"))  # "bundled" as for init
    init = _model_path(init, "init")
    init_path = _init_path(init)
    if role.is_chief:
        _check_not_package(out)  # --force would replace the bundled model
        if teacher_scores is not None:
            refuse_nul(teacher_scores, "teacher_scores")
        reads = [*source.paths, *val_data, *unlabelled, teacher, teacher_scores]
        outputs.check_name_fits(out)  # before the checkpoint's and the lock's names
        bundle.refuse_leftover(out, resume, force)
        _check_model_out(out, force, [*reads, init_path])
        if force and not resume and bundle.discard_checkpoint(out):
            log(f"--force: the checkpoint an interrupted run left beside {out} is discarded")
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
        raise SentigruError(
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
        notes.log_start(init, base, prepared.labels, log, source.options.label_map)
        if (
            prepared.split_seed is not None
            and start.split_seed(prepared.data_fingerprint, run_spec) is not None
        ):
            log(
                f"validation: the data {init} was trained on, so the rows it held out (the "
                f"split of seed {prepared.split_seed}): rows neither run trained on"
            )
    notes.log_prepared(prepared, run_spec, fresh=base is None, log=log)
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
        from sentigru.training import validation_answers

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
        balanced = run_spec.training.class_weight == "balanced"  # trades accuracy for recall
        if prepared.split_seed is not None and not balanced:  # validated on the same rows
            notes.note_majority(trained.metrics, prepared.counts, log)
        if prepared.val_rows:
            answers = validation_answers(trained.model, prepared, run_spec.training.batch_size)
            notes.note_unanswered(prepared.labels, answers, balanced, log)
        files, failed = _phone_file(trained, log) if phone_file else ({}, None)
        extra = _manifest_extra(prepared, soft, base)
        bundle.save(trained, out, force=force, files=files, extra=extra)
    if failed is not None:
        raise SentigruError(
            f"trained and saved {out}, but its phone file failed: {failed}; "
            f"make it with: sentigru export --model {out}"
        )
    return load(out)


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
        _check_not_texts(unlabelled, "unlabelled")


def _check_not_texts(items: Any, name: str) -> None:
    """Refuse texts given where files of texts are read: a list of reviews would
    otherwise fail on its first as "no such file"."""
    if not isinstance(items, (list, tuple)) or len(items) < 2:
        return
    if not all(isinstance(item, str) for item in items):
        return
    if any(Path(item).exists() or glob.has_magic(item) for item in items):
        return
    raise SentigruError(
        f"{name} takes files of texts (paths or globs), and none of the {len(items)} given "
        f"is a file ({items[0]!r:.40}…): write the texts to a file, one a line"
    )


def _check_switches(verbose: Any = None, **switches: Any) -> None:
    """``force="no"`` is true in Python, and would replace a folder: yes or no only;
    ``verbose`` is one of Keras' three levels."""
    import numpy as np

    for name, value in switches.items():
        if not isinstance(value, (bool, np.bool_)):
            raise SentigruError(f"{name} is True or False, not {value!r:.60}")
    if verbose is not None and (
        isinstance(verbose, bool)
        or not isinstance(verbose, numbers.Integral)
        or verbose not in (0, 1, 2)
    ):
        raise SentigruError(f"verbose is 0, 1, 2 or None, not {verbose!r:.60}")


def _validation(val_data: Any, reading: dict[str, Any]) -> tuple[list[Path], Any]:
    """``val_data`` as files and rows in memory: a path, several, a pair ``(texts,
    labels)`` read with ``data``'s options (``label_map``…), or None (none given)."""
    from sentigru.data.sources import SOURCE_FIELDS, TWO_COLUMNS, DataSource, is_rows

    if val_data is None:
        return [], None
    refuse_table(val_data, "val_data", TWO_COLUMNS)
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


def _model_path(model: Any, name: str) -> Any:
    """What names a model: a path, a name (``"bundled"``), or a loaded
    :class:`Classifier` (the folder it came from: ``train`` returns one)."""
    if isinstance(model, (str, os.PathLike)) and not os.fspath(model):
        raise empty_path(name)
    if isinstance(model, (str, os.PathLike)):
        refuse_nul(model, name)
    if model is None or isinstance(model, (str, os.PathLike)):
        return model
    if isinstance(model, Classifier):
        return model.folder or model.path
    raise SentigruError(
        f"{name} is a model folder, a .tflite path or a loaded model, not {model!r:.60}"
    )


def _manifest_extra(prepared: Any, soft: Any, base: Any) -> dict[str, Any]:
    """What the manifest records of this run beyond the folder's files: the unlabelled
    texts and their teacher, the validation split's seed (from scratch) or the model it
    started from and the rows that one held out (``init``), the n-gram teacher."""
    extra: dict[str, Any] = {}
    if soft is not None:
        key = "teacher" if soft.scores is None else "teacher_sha256"
        extra["unlabelled"] = {"rows": prepared.unlabelled_texts, key: soft.teacher}
    if base is None:  # None: validated on --val-data, or not at all
        extra["held_out"] = {"split_seed": prepared.split_seed}
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


def _init_path(init: str | Path | None) -> Path | None:
    """The folder ``--init`` (or ``--teacher``) names: a path, or ``"bundled"``."""
    from sentigru.presets import PRESETS

    return None if init is None else PRESETS.get(str(init), Path(init))


def _starting_model(path: Path) -> Any:
    """The model folder a run starts from, loaded and checked."""
    from sentigru import bundle

    if path.is_file():
        raise SentigruError(
            f"--init needs a model folder (its Keras weights), not the file {path}; "
            "give the folder that holds it"
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
        raise SentigruError(
            f"--init keeps the starting model's tokenizer and network, which --preset "
            f"{preset} sets otherwise: drop --preset (give its training settings as options)"
        )
    if settings.get("word_init") not in (None, base.spec.training.word_init):  # not done
        raise SentigruError(
            "--init starts the word table from the starting model's weights (its word_init "
            f"is {base.spec.training.word_init!r}): drop --word-init"
        )
    for name, value in settings.items():
        section = section_of(name)
        if value is not None and section in kept and getattr(kept[section], name) != value:
            raise SentigruError(
                f"--init keeps the starting model's vocabulary and network, where {name} "
                f"is {getattr(kept[section], name)!r}: drop --{name.replace('_', '-')}"
            )
    return run_spec.replace(
        tokenizer=dataclasses.asdict(base.spec.tokenizer),
        model=dataclasses.asdict(base.spec.model),
    )


def _held_out(base: Any) -> Any:
    """The validation rows ``base`` held out (a :class:`~sentigru.train_data.HeldOut`),
    where its folder says: a model trained from scratch by the split seed it recorded
    (``held_out``; None where it validated on ``--val-data`` and so trained on every row;
    folders written before it was recorded, by their seed); one trained from another by
    what it recorded (``init``), so a chain keeps the first model's."""
    from sentigru.train_data import HeldOut

    training = base.spec.training
    split = {"share": training.val_split, "streamed": training.stream}
    started = base.manifest.get("init")
    if not isinstance(started, dict):
        recorded = base.manifest.get("held_out")
        seed = recorded.get("split_seed") if isinstance(recorded, dict) else training.seed
        if not isinstance(seed, int):
            return None
        return HeldOut(seed, fingerprint=base.manifest["data_fingerprint"], **split)
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


def export(
    model: str | Path | None,
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

    Settings left as None come from the model's spec."""
    if format not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    _check_switches(force=force)
    model = _model_path(model, "model")
    if model is None:  # the bundled model: its phone file for a page, else its folder
        from sentigru.presets import default_model

        model = default_model()
        if format != "web":
            if out is None:
                raise UsageError(
                    "export of the bundled model needs --out (its own files are part of "
                    "the package), or give --model DIR"
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
        _check_not_package(target)
        _check_export_out(target, model / SAVED_MODEL, reads, force, "saved_model")
        return _export_saved_model(model, target)
    seq_len, batch = _check_phone_options(quantize, runtime, seq_len, batch)
    _check_seq_len(model, seq_len)
    target = Path(out) if out else model / PHONE_FILE
    _check_not_package(target)
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
        None if seq_len is None else _whole(seq_len, "seq_len", 2),
        _whole(batch, "batch", 1, limits.BATCH_MAX),
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
    fix = (
        "; export such a phone file first and give it to --format web as --model"
        if format == "web"
        else ""
    )
    raise UsageError(f"{options}: not used by --format {format}{fix}")


def _check_not_package(target: Path) -> None:
    """The installed package, the bundled model's folder in it, is no place for a model
    or an export (the bundled model's own phone file included): it writes elsewhere."""
    refuse_nul(target, "out")
    package = Path(__file__).resolve().parent
    if target.resolve() == package or package in target.resolve().parents:
        raise SentigruError(
            f"{target}: inside the installed sentigru package, where the bundled model's "
            "files are; give --out elsewhere"
        )


def _check_export_out(target: Path, own: Path, reads: list[Any], force: bool, kind: str) -> None:
    """The model folder's own phone file or SavedModel is sentigru's to replace; any
    other ``--out`` must not be what the export reads, and an existing one is replaced
    only with ``force``."""
    from sentigru import outputs

    if target.resolve() == own.resolve():
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
        raise missing(model, "model folder")
    if model.is_file():
        _refuse_folder_part(model)
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
    from sentigru import bundle
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
    own = target.resolve() == (model / bundle.PHONE_FILE).resolve()
    replacing = (bundle.PHONE_FILE,) if own else ()  # the file this export replaces
    bundle.read_manifest(model, replacing)  # a broken folder fails before TensorFlow loads
    import_tensorflow("export")
    folder = bundle.load(model, replacing)
    if labelled is not None:  # before the conversion, not after it
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
        bundle.add_file(model, bundle.PHONE_FILE, content, export=made)
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
    _check_not_package(Path(out))
    outputs.check_not_in_model_folder(Path(out))
    phone = model
    if model.is_file() and (model.parent / "manifest.json").is_file():
        _refuse_folder_part(model)
        _verified_phone(model)  # a phone file of a model folder: as its folder vouches
    if model.is_dir():
        bundle.read_manifest(model)
        phone = model / bundle.PHONE_FILE
        if not phone.is_file():
            raise SentigruError(
                f"{model} has no phone file: run 'sentigru export --model {model}' first"
            )
    return write_site(
        phone,
        Path(out),
        mediapipe_dir=Path(mediapipe_dir) if mediapipe_dir else None,
        force=force,
        title=title,
    )
