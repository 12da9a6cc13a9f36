"""A loaded model: :func:`load` and the :class:`Classifier` it returns, which predicts,
evaluates and exports.

``load`` and ``predict`` on a ``.tflite`` (or on a model folder that holds its phone
file, as every folder ``train`` writes does) never import TensorFlow, and this module
imports no training or export code at import (``Classifier.export`` loads it when
called): the cold start of ``sentigru predict``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sentigru import limits
from sentigru.arguments import LABELLED, check_not_package, check_not_texts, whole_number
from sentigru.errors import (
    SentigruError,
    UsageError,
    empty_path,
    missing,
    missing_model,
    refuse_nul,
    refuse_table,
)


def _texts(texts: Any) -> list[str]:
    """A list of texts, checked: a missing value from a table (None, NaN) or bytes is
    named, not a TypeError from inside the tokenizer."""
    return list(_checked(texts))


def _until_error(texts: Iterator[str], held: list[Exception]) -> Iterator[str]:
    """``texts`` up to an error in reading them, which is kept in ``held``."""
    try:
        yield from texts
    except Exception as exc:
        held.append(exc)


def _then_raised(answers: Iterable[Any], held: list[Exception]) -> Iterator[Any]:
    """``answers``, then the error :func:`_until_error` kept, if any."""
    yield from answers
    if held:
        raise held[0]


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


class Classifier:
    """A loaded model: ``predict`` texts, ``evaluate`` on labelled data, ``export``."""

    def __init__(
        self,
        predictor: Any,
        path: Path | None = None,
        folder: Path | None = None,
        network: str | None = None,
    ) -> None:
        if not callable(getattr(predictor, "scores", None)):  # Classifier("model.tflite")
            raise SentigruError(
                f"a Classifier is made by sentigru.load(path), not from {predictor!r:.60}"
            )
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
        now: tuple[str | None, ...] = _state_now(self._where)
        loaded: tuple[str | None, ...] = self._state()
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
        top_k = whole_number(top_k, "top_k")
        return self._predictor.classify(_texts(texts), top_k)

    def predict_file(
        self,
        path: str | Path,
        top_k: int = 1,
        *,
        log: Callable[[str], None] | None = None,
        **reading: Any,
    ) -> list[dict[str, Any]]:
        """:meth:`predict` on every row of a data file, in order, as ``predict --data``:
        the text column of a .csv/.tsv/.jsonl (``text_column=``, ``encoding=``), or each
        line of any other file; a blank text gets its answer too (``"read": "none"``).
        What reading notes (a header in a plain text file) goes to ``log``, else stderr."""
        with _heard(log):
            texts = list(read_file_texts(path, **reading))
        return self.predict(texts, top_k)

    def scores(self, texts: str | Iterable[str]) -> Any:
        """The scores as a float32 NumPy array ``[len(texts), len(labels)]`` (one row for
        a single string), in ``labels`` order (``.tolist()`` for JSON; :meth:`predict`
        with ``top_k`` set to the number of labels gives every label's score as plain
        floats)."""
        return self._predictor.scores(_texts(texts))

    def predict_stream(
        self, texts: Iterable[str], top_k: int = 1, chunk_size: int = 256
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(text, result)`` pairs in input order, a chunk at a time: memory stays flat
        however many texts come in. Where reading the texts fails (a bad row of a file),
        every text before it is answered first, then the error is raised."""
        top_k, chunk_size = whole_number(top_k, "top_k"), whole_number(chunk_size, "chunk_size")
        held: list[Exception] = []
        answers = self._predictor.classify_stream(
            _until_error(_checked(texts), held), top_k, chunk_size
        )
        return _then_raised(answers, held)

    def evaluate(
        self,
        data: Any,
        *,
        plot: str | Path | None = None,
        force: bool = False,
        log: Callable[[str], None] | None = None,
        **source: Any,
    ) -> dict[str, Any]:
        """N, accuracy, per-label precision/recall/F1, macro-F1, the confusion matrix and
        the share of unknown words on labelled ``data`` (a path, several, a pair
        ``(texts, labels)``, or a :class:`DataSource`; ``source`` takes its fields,
        ``dataset``, ``split``, ``data_dir``, and :class:`ReadOptions`' by name:
        ``label_map``, ``text_column`` …). ``plot`` draws the confusion matrix to a PNG (the
        ``plot`` extra), replacing one sentigru drew only with ``force``; its checks come
        before the work. Macro-F1 averages the labels in the data or the predictions (as
        scikit-learn's); a precision or recall of nothing counted is 0, and a label
        neither in the data nor answered has ``None`` for all three. The unknown share
        (``unknown_share``) is of the words read: words in scripts the model cannot read
        are not in it. Also: texts with no known token (``unread``; ``no_answer`` of
        them scored 1/n for every label, where no word had an id: counted as the first
        label, a guess as any other; the rest, fragments of cut words, count with the
        phone file's answer, which :meth:`predict` replaces by 1/n), or read in part
        (``partly_read``), cut at the model's length (``truncated``), holding letters the
        regex tokenizer cannot read (``non_ascii_texts``), the model's ``tokenizer``, and
        whether the data is the very rows the model trained on (``training_data``), and
        ``notes``: what the CLI prints under its table (labels that look swapped, texts
        it could not read …), one line each. What reading the data notes (rows skipped,
        labels left as written) goes to ``log``, as ``train``'s does (default: stderr)."""
        from sentigru.data.examples import label_indices
        from sentigru.data.sources import DataSource, refuse_unused_reading
        from sentigru.evaluation import classification_report, report_notes
        from sentigru.tokenizer import has_unread_letters

        if force and plot is None:  # else taken, with nothing to replace
            raise UsageError("force replaces the plot picture: give plot, or drop force")
        heard = _heard(log)
        check_not_texts(data, "data", LABELLED)
        chosen = DataSource.of(data, **source)
        refuse_unused_reading(chosen)
        picture = self.check_plot(plot, chosen, force) if plot is not None else None
        with heard:
            examples = chosen.load("test", known=self.labels)
            truth = label_indices(examples.labels, self.labels, chosen.options.label_map)
        scores, read = self._predictor.scores_read(examples.texts)
        report = classification_report(truth, scores.argmax(axis=1), self.labels)
        unread = read[:, 0] == 0
        report["unread"] = int(unread.sum())
        # Those the model got no word id of: every label 1/n, counted as the first label.
        report["no_answer"] = int((unread & (scores == scores[:, :1]).all(axis=1)).sum())
        report["partly_read"] = self._partly_read(examples.texts, read)
        report["tokenizer"] = self.tokenizer
        report["non_ascii_texts"] = sum(map(has_unread_letters, examples.texts))
        report["truncated"] = int(read[:, 2].sum())
        total = int(read[:, :2].sum())
        report["unknown_share"] = float(read[:, 1].sum() / total) if total else 0.0
        report["training_data"] = self._trained_on(examples)
        report["notes"] = report_notes(report)
        if picture is not None:
            self.draw_confusion(report, picture, force)
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
            trained_on = {  # the run's; its labelled rows' own (with --val-data, --init)
                manifest.get("data_fingerprint"),
                *(manifest.get(key, {}).get("data_fingerprint") for key in ("held_out", "init")),
            }
        except (OSError, ValueError, AttributeError, KeyError, TypeError, RecursionError):
            return False
        return examples.fingerprint() in trained_on - {None, ""}

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
            raise UsageError(f"--plot (plot=) {plot}: the picture is a PNG; name it .png")
        outputs.check_writable(plot, make_parent=True)
        check_not_package(plot)
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

    def draw_confusion(self, report: dict[str, Any], plot: str | Path, force: bool = False) -> None:
        """The confusion matrix of an :meth:`evaluate` report as a PNG at ``plot``,
        written atomically (check it first with :meth:`check_plot`): a file that came
        there meanwhile (another evaluate's, the user's) is replaced only with ``force``,
        and then only a picture sentigru drew."""
        from sentigru import outputs, plots
        from sentigru.atomic import write_atomic
        from sentigru.presets import default_model

        try:
            bundled = self.path is not None and self.path.resolve() == default_model().resolve()
        except SentigruError:  # an install without the bundled model
            bundled = False
        title = "bundled model" if bundled else str(self.path)
        content = plots.confusion_png(report, title)
        if force and Path(plot).exists() and not outputs.is_sentigru_png(Path(plot)):
            raise SentigruError(f"--plot {plot}: came to hold a file sentigru did not draw")
        write_atomic(Path(plot), content, replace=force, make_parent=True)

    def export(self, out: str | Path | None = None, **options: Any) -> Any:
        """Write the model for another runtime; see :func:`sentigru.export`."""
        from sentigru.export_api import export  # not on predict's path

        return export(self._unchanged(), out, **options)


def _heard(log: Callable[[str], None] | None) -> contextlib.AbstractContextManager[None]:
    """Where reading's notes go in a call given ``log``: to it, else to stderr."""
    if log is None:
        return contextlib.nullcontext()
    if not callable(log):
        raise SentigruError(f"log is a function taking one line (print), not {log!r:.60}")
    return limits.notes_to(log)


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
    process forked after it predicted (a Keras folder says to load it in the child; call
    ``Classifier.close`` before forking, so that no worker thread is copied: Python 3.12
    warns of those). Predicting many texts at once keeps interpreters for each core and
    each length texts ran at (some 150 MB more with ``jobs=1`` on 3,000 reviews, 450 MB
    with 8); ``Classifier.close`` frees them.

    LiteRT's first interpreter in a process, and TensorFlow's import (a Keras folder),
    write start-up lines to file descriptor 2. In a program of one thread it points at
    /dev/null meanwhile; in one with other threads (which may be logging there) it is
    left alone, and those lines may show (LiteRT's "Created TensorFlow Lite XNNPACK
    delegate"; TensorFlow's absl and CUDA lines as it imports, for a Keras folder,
    ``train`` or ``export``). ``SENTIGRU_DEBUG=1`` in the environment never mutes it.
    TensorFlow's first import sets ``TF_CPP_MIN_LOG_LEVEL=3`` and
    ``TF_ENABLE_ONEDNN_OPTS=0`` in ``os.environ`` where unset, for this process and the
    programs it starts after."""
    if jobs is not None:
        jobs = whole_number(jobs, "jobs")
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
    except (ValueError, KeyError, TypeError, RecursionError):
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

    return LiteRTPredictor(verified_phone(path, strict=True), str(path), jobs=jobs)


def verified_phone(path: Path, strict: bool = False) -> bytes:
    """The bytes of a phone file, refused where a sentigru manifest beside it records
    other bytes (the folder's other files are not read). ``strict`` (the bundled model):
    a manifest that is missing, unreadable or silent on the file is refused too; else a
    file beside another program's ``manifest.json`` (a web app's) is taken as it is."""
    import hashlib

    content = limits.read_file(path.resolve(), limits.TFLITE_BYTES)
    try:  # the shape alone: sentigru.bundle is not loaded on predict's path
        files = _manifest_now(path.parent)["files"]
        entry = files[path.name] if isinstance(files, dict) else None
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
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


def refuse_folder_part(path: Path) -> None:
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
        raise missing_model(
            path, "model (give a model folder or a .tflite file)", "load() with no path"
        )
    if path.is_file():
        refuse_folder_part(path)
        return Classifier(LiteRTPredictor.load(path, jobs=jobs), path, None)
    from sentigru import bundle, trust  # a folder's manifest: not read for a phone file

    manifest, content, real = _manifest_and_phone(path)
    if content is not None:
        network = manifest["files"][bundle.MODEL_FILE]["sha256"]  # as the model was read
        phone, trusted = path / bundle.PHONE_FILE, trust.trusted_location(real)
        predictor = LiteRTPredictor(content, str(phone), trusted=trusted, jobs=jobs)
        return Classifier(predictor, path, path, network)
    # the manifest the Keras model was checked against, which its own load reads again:
    # a folder saved again in between gave the new model under the old one's hash
    keras = KerasPredictor.load(path)
    network = keras.folder.manifest["files"][bundle.MODEL_FILE]["sha256"]
    return Classifier(keras, path, path, network)


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


def model_path(model: Any, name: str) -> str | os.PathLike[str] | None:
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
