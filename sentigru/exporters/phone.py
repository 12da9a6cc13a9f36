"""``sentigru export``: a model folder in, a checked phone file out.

The steps: rebuild the network as a fixed-shape graph (unrolled for MediaPipe, a
``WHILE`` loop for LiteRT), convert and quantize, strip names, write the metadata that
the phone runtimes read (regex tokenizer, vocabulary, labels), prove it loads with
builtin operators only, measure how far it strays from the Keras model, and only then
put the file in place (written next to the target and renamed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sentigru import __version__, limits, outputs
from sentigru.contract import SENTENCEPIECE_INPUTS
from sentigru.data.examples import label_indices
from sentigru.errors import SentigruError
from sentigru.pieces import Pieces, tokenizer_for
from sentigru.tf_quiet import logging_kept
from sentigru.tokenizer import DELIM_REGEX

MADE_BY = "made by sentigru"
"""In every phone file's description: how ``--force`` tells sentigru's files from others."""


def is_sentigru_phone_file(path: Path) -> bool:
    """A phone file sentigru wrote (its metadata says so). Any other ``.tflite`` is the
    user's, which ``--force`` must not replace."""
    from sentigru.limits import TFLITE_BYTES
    from sentigru.modelfile import ModelFileError, read_metadata

    if not outputs.is_tflite(path) or path.stat().st_size > TFLITE_BYTES:
        return False  # larger than any phone file sentigru reads: not read to tell
    try:
        description = read_metadata(path.read_bytes())["description"]
    except (ModelFileError, OSError):
        return False
    return MADE_BY in description


# Texts that exercise the tokenizer's corners, for the agreement check when no data is
# given: case, punctuation, apostrophes, accents, other scripts, emoji, HTML, numbers, and
# a text past the default length.
SAMPLE_TEXTS = (
    "A wonderful, heartfelt film. I loved every minute!",
    "THIS MOVIE WAS TERRIBLE AND I WANT MY 2 HOURS BACK",
    "not bad at all, actually",
    "It wasn't worth the $12 ticket.",
    "Café au lait was naïve but the crème brûlée? Superb.",
    "Фильм отличный, but the ending was weak",
    "最高の映画でした great",
    "😀😀 so much fun 🎉",
    "Great acting<br /><br />terrible script",
    "10/10 would watch again",
    "",
    "meh",
    "it’s the best thing I’ve seen this year",
    "The plot drags on and on and on " * 40,
    "It is long, so long, too long. " * 250,  # 1,750 words: past the default 1,024 ids
)


def sample_texts(vocab: Any, n: int = 300, seed: int = 0) -> list[str]:
    """:data:`SAMPLE_TEXTS` plus ``n`` seeded texts of vocabulary words (and a few unknown
    ones), 1 to 299 words long; with the samples' 1,750 words, short, long and truncated
    rows (at up to 1,750 ids) are all compared."""
    rng = np.random.default_rng(seed)
    words = [word for word, _ in vocab.entries()[3:]] or ["word"]
    texts = list(SAMPLE_TEXTS)
    for _ in range(n):
        length = int(rng.integers(1, 300))
        picked = [words[int(i)] for i in rng.integers(0, len(words), length)]
        if rng.random() < 0.3:
            picked.append("zzqxunknownword")
        texts.append(" ".join(picked))
    return texts


PHONE_BUDGET_BYTES = 1_000_000
"""The size a phone file is meant to stay within (the bundled one does, and so did the
``--preset sentencepiece`` files of benchmarks/languages.md). Going over it is allowed,
and said."""


def budget_note(size: int, quantize: str = "dynamic") -> str:
    """A note for a phone file over the budget, naming what makes it smaller; else ''.
    Unquantized weights are the first cause (two or four bytes a weight, not one)."""
    if size <= PHONE_BUDGET_BYTES:
        return ""
    start = (
        f"note: the phone file is over the {_mb(PHONE_BUDGET_BYTES)} a phone model is meant "
        "to take; "
    )
    if quantize != "dynamic":
        return start + f"--quantize dynamic makes it smaller (int8 weights; this is {quantize})"
    return start + (
        "smaller --vocab-size or --bigram-buckets make it smaller "
        "(--preset sentencepiece: 0.67-0.71 MB in four languages)"
    )


@dataclass
class ExportReport:
    """What ``export`` prints: sizes, operators, and agreement with Keras."""

    path: Path
    runtime: str
    quantize: str
    seq_len: int
    batch: int
    packed_bytes: int
    float_bytes: int
    tflite_bytes: int
    operators: dict[str, dict[str, int]] = field(repr=False)  # a kilobyte of counts
    n_compared: int = 0
    max_score_diff: float = 0.0
    label_agreement: float = 0.0
    accuracy: dict[str, float | int] = field(default_factory=dict)
    inputs: tuple[str, ...] = ("ids",)
    """The file's inputs, each int32 [batch, seq_len]: SentencePiece files have three."""

    def _weights(self) -> str:
        if self.quantize == "none":
            return f"{_mb(self.float_bytes)} of float32 weights"
        return f"{self.quantize} weights from {_mb(self.float_bytes)} of float32"

    def as_text(self) -> str:
        main = self.operators.get("main", {})
        ops = ", ".join(f"{k} {v}" for k, v in sorted(main.items(), key=lambda kv: -kv[1]))
        path = limits.shown(str(self.path))  # a name holding escape sequences
        lines = [
            f"wrote {path} ({self.runtime}, {self.quantize}, {', '.join(self.inputs)} "
            f"[{self.batch}, {self.seq_len}] int32)",
            f"size: {_mb(self.tflite_bytes)}: {_mb(self.packed_bytes)} vocabulary and labels, "
            f"{_mb(self.tflite_bytes - self.packed_bytes)} network ({self._weights()} "
            "and the graph's operators)",
            f"operators: {sum(main.values())} in {len(self.operators)} subgraph(s): {ops}",
            f"agreement with keras on {self.n_compared} texts: labels "
            f"{self.label_agreement:.2%}, max score difference {self.max_score_diff:.2e}",
        ]
        if len(self.operators) > 1:  # the loop's body and condition are subgraphs of their own
            lines.append(
                "note: MediaPipe's TextClassifier refuses this file (it takes one subgraph; "
                f"this has {len(self.operators)}): it runs in LiteRT; for MediaPipe Tasks, "
                "export with --runtime mediapipe"
            )
        note = budget_note(self.tflite_bytes, self.quantize)
        if note:
            lines.append(note)
        if self.accuracy:
            acc = self.accuracy
            lines.append(
                f"accuracy on {acc['n']:.0f} labelled texts: keras {acc['keras']:.4f}, "
                f"tflite {acc['tflite']:.4f}"
            )
        return "\n".join(lines)


def order_inputs(model: bytes, names: tuple[str, ...]) -> bytes:
    """``model`` with subgraph 0's inputs in the order of ``names`` (the converter orders
    a function's inputs as it likes; MediaPipe takes ids, mask, segment ids by position).
    Each input tensor's name is the converter's ``serving_default_<name>:0``."""
    import flatbuffers

    from sentigru.tf_quiet import litert

    fb = litert("schema_py_generated")

    tree = fb.ModelT.InitFromObj(fb.Model.GetRootAs(model, 0))
    graph = tree.subgraphs[0]

    def position(index: int) -> int:
        name = graph.tensors[index].name
        name = name.decode() if isinstance(name, bytes) else str(name)
        bare = name.removeprefix("serving_default_").rsplit(":", 1)[0]
        if bare not in names:
            raise SentigruError(f"the converted graph has an unexpected input {name!r}")
        return names.index(bare)

    graph.inputs = sorted(list(graph.inputs), key=position)
    builder = flatbuffers.Builder(1024)
    builder.Finish(tree.Pack(builder), b"TFL3")
    return bytes(builder.Output())


def _tokenizer_bytes(vocab: Any) -> int:
    """Bytes of the packed vocabulary file or SentencePiece model."""
    to_bytes = getattr(vocab, "to_bytes", None)
    return len(to_bytes()) if to_bytes else len(vocab.to_text().encode())


def _mb(n: int) -> str:
    return f"{n / 1e6:.3f} MB"


def check_writable(out: Path) -> None:
    """Fail before any work when ``out`` cannot be written (its folder is made with it)."""
    if out.is_dir():
        raise SentigruError(f"{out} is a folder; give a file name ending in .tflite")
    outputs.check_writable(out, make_parent=True)


def export_spec(spec: Any, **settings: Any) -> Any:
    """The model's spec with a phone file's own settings (``quantize``, ``runtime``,
    ``seq_len``; None keeps the spec's), checked as any spec is: a length over the limit
    or not a whole number of the model's chunks is refused before the conversion."""
    return spec.with_settings(settings)


@logging_kept()
def build_tflite(
    folder: Any, *, quantize: str, runtime: str, batch: int = 1, seq_len: int | None = None
) -> bytes:
    """Phone file bytes for a loaded model folder (see :mod:`sentigru.bundle`)."""
    from sentigru.exporters.graph import INPUT_NAMES, PhoneWeights, phone_function
    from sentigru.exporters.tflite import check_builtin_only, convert, strip_strings
    from sentigru.modelfile import write_metadata
    from sentigru.trust import remember

    spec = export_spec(folder.spec, seq_len=seq_len)
    seq_len = spec.tokenizer.seq_len
    known = tokenizer_for(folder.vocab, seq_len).known_ids()
    weights = PhoneWeights.from_keras(folder.model, spec.model, known, quantize == "dynamic")
    pieces = spec.tokenizer.tokenizer == "sentencepiece"
    function = phone_function(
        weights, batch, seq_len, unroll=runtime == "mediapipe", inputs=3 if pieces else 1
    )
    model = convert(function, quantize)
    if pieces:
        model = order_inputs(model, INPUT_NAMES[3])
    model = strip_strings(model)
    tokenizer: dict[str, Any] = (
        {"sentencepiece": folder.vocab.to_bytes()}
        if pieces
        else {"vocab": list(folder.vocab.tokens), "aliases": folder.vocab.aliases}
    )
    model = write_metadata(
        model,
        **tokenizer,
        labels=folder.labels,
        name="sentigru sentiment classifier",
        description=(
            f"Bidirectional {spec.model.cell.upper()} text classifier {MADE_BY} "
            f"{__version__}; labels: {', '.join(folder.labels)}."
        ),
        version=__version__,
        delim_regex=DELIM_REGEX,
    )
    check_builtin_only(model)
    remember(model)  # LiteRT has loaded it here: sentigru may load the file it becomes
    return model


@logging_kept()
def compare(
    folder: Any,
    model: bytes,
    texts: list[str],
    labels: list[str] | None,
    seq_len: int | None = None,
) -> dict:
    """Keras against TFLite on ``texts``, both reading ``seq_len`` ids (the file's, the
    spec's unless given: a file exported at another length would otherwise read as a
    bad conversion):
    label agreement, max score difference, and both accuracies when true ``labels``
    are given."""
    from sentigru.predictor import KerasPredictor, LiteRTPredictor

    keras_scores = KerasPredictor(folder, seq_len).scores(texts)
    lite_scores = LiteRTPredictor(model).scores(texts)
    result: dict[str, Any] = {
        "n": len(texts),
        "max_score_diff": float(np.abs(keras_scores - lite_scores).max()) if texts else 0.0,
        "label_agreement": float(
            (keras_scores.argmax(1) == lite_scores.argmax(1)).mean() if texts else 1.0
        ),
    }
    if labels is not None:
        truth = np.array(label_indices(labels, folder.labels))
        result["accuracy"] = {
            "keras": float((keras_scores.argmax(1) == truth).mean()),
            "tflite": float((lite_scores.argmax(1) == truth).mean()),
            "n": len(truth),  # a count, as everywhere else
        }
    return result


def export_tflite(
    folder: Any,
    *,
    quantize: str | None = None,
    runtime: str | None = None,
    seq_len: int | None = None,
    batch: int = 1,
    labelled: Any = None,
) -> tuple[bytes, ExportReport]:
    """The checked phone file of a loaded model folder (or a freshly trained model) and
    its report; settings left as None come from the model's spec. ``labelled``
    (:class:`~sentigru.data.Examples`) also measures both accuracies; without it the
    agreement is measured on :func:`sample_texts`."""
    from sentigru.exporters.tflite import operator_counts

    spec = export_spec(folder.spec, quantize=quantize, runtime=runtime, seq_len=seq_len)
    quantize, runtime = spec.export.quantize, spec.export.runtime
    seq_len = spec.tokenizer.seq_len
    content = build_tflite(folder, quantize=quantize, runtime=runtime, batch=batch, seq_len=seq_len)
    texts = labelled.texts if labelled else sample_texts(folder.vocab)
    check = compare(folder, content, texts, labelled.labels if labelled else None, seq_len)
    report = ExportReport(
        path=Path(),
        runtime=runtime,
        quantize=quantize,
        seq_len=seq_len,
        batch=batch,
        packed_bytes=_tokenizer_bytes(folder.vocab) + sum(len(x) + 1 for x in folder.labels),
        float_bytes=4 * folder.model.count_params(),
        tflite_bytes=len(content),
        operators={k: dict(v) for k, v in operator_counts(content).items()},
        n_compared=check["n"],
        max_score_diff=check["max_score_diff"],
        label_agreement=check["label_agreement"],
        accuracy=check.get("accuracy", {}),
        inputs=SENTENCEPIECE_INPUTS if isinstance(folder.vocab, Pieces) else ("ids",),
    )
    return content, report
