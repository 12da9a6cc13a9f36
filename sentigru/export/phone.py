"""``sentigru export``: a model folder in, a checked phone file out.

The steps: rebuild the network as a fixed-shape graph (unrolled for MediaPipe, a
``WHILE`` loop for LiteRT), convert and quantize, strip names, write the metadata that
the phone runtimes read (regex tokenizer, vocabulary, labels), prove it loads with
builtin operators only, measure how far it strays from the Keras model, and only then
put the file in place (written next to the target and renamed).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sentigru import __version__
from sentigru.bundle import current_umask
from sentigru.errors import SentigruError
from sentigru.tokenizer import DELIM_REGEX

# Texts that exercise the tokenizer's corners, for the agreement check when no data is
# given: case, punctuation, apostrophes, accents, other scripts, emoji, HTML, numbers.
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
)


def sample_texts(vocab: Any, n: int = 300, seed: int = 0) -> list[str]:
    """:data:`SAMPLE_TEXTS` plus ``n`` seeded texts of vocabulary words (and a few unknown
    ones), 1 to 300 words long, so that short, long and truncated rows are all compared."""
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


@dataclass
class ExportReport:
    """What ``export`` prints: sizes, operators, and agreement with Keras."""

    path: Path
    runtime: str
    quantize: str
    seq_len: int
    batch: int
    keras_bytes: int
    float_bytes: int
    tflite_bytes: int
    operators: dict[str, dict[str, int]]
    n_compared: int = 0
    max_score_diff: float = 0.0
    label_agreement: float = 0.0
    accuracy: dict[str, float] = field(default_factory=dict)

    def as_text(self) -> str:
        main = self.operators.get("main", {})
        ops = ", ".join(f"{k} {v}" for k, v in sorted(main.items(), key=lambda kv: -kv[1]))
        lines = [
            f"wrote {self.path} ({self.runtime}, {self.quantize}, ids [{self.batch}, "
            f"{self.seq_len}] int32)",
            f"size: keras {_mb(self.keras_bytes)}, float32 weights {_mb(self.float_bytes)} "
            f"-> tflite {_mb(self.tflite_bytes)}",
            f"operators: {sum(main.values())} in {len(self.operators)} subgraph(s): {ops}",
            f"agreement with keras on {self.n_compared} texts: labels "
            f"{self.label_agreement:.2%}, max score difference {self.max_score_diff:.2e}",
        ]
        if self.accuracy:
            acc = self.accuracy
            lines.append(
                f"accuracy on {acc['n']:.0f} labelled texts: keras {acc['keras']:.4f}, "
                f"tflite {acc['tflite']:.4f}"
            )
        return "\n".join(lines)


def _mb(n: int) -> str:
    return f"{n / 1e6:.3f} MB"


def check_writable(out: Path) -> None:
    """Fail before any work when ``out`` cannot be written."""
    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise SentigruError(f"{out} is a folder; give a file name ending in .tflite")
    if not parent.is_dir():
        raise SentigruError(f"cannot write {out}: folder {parent} does not exist")
    try:  # the real test: access() says yes to root even where writing fails
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise SentigruError(
            f"cannot write {out}: folder {parent} is not writable ({exc.strerror})"
        ) from None


def write_atomic(out: Path, content: bytes) -> None:
    """Write to a temporary file beside ``out`` and rename: ``out`` is either the old
    file or the complete new one, never half of either."""
    handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o666 & ~current_umask())  # mkstemp makes 0600; a model is for sharing
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def build_tflite(
    folder: Any, *, quantize: str, runtime: str, batch: int = 1, seq_len: int | None = None
) -> bytes:
    """Phone file bytes for a loaded model folder (see :mod:`sentigru.bundle`)."""
    from sentigru.export.graph import PhoneWeights, phone_function
    from sentigru.export.metadata import write_metadata
    from sentigru.export.tflite import check_builtin_only, convert, strip_strings

    if quantize == "int8":
        raise SentigruError(
            "full-integer int8 is not supported for recurrent models: the TFLite converter "
            "crashes while calibrating the recurrence; use --quantize dynamic (int8 weights, "
            "the smallest file that keeps Keras' scores)"
        )
    spec = folder.spec
    seq_len = seq_len or spec.tokenizer.seq_len
    weights = PhoneWeights.from_keras(folder.model, spec.model)
    function = phone_function(weights, batch, seq_len, unroll=runtime == "mediapipe")
    model = strip_strings(convert(function, quantize))
    model = write_metadata(
        model,
        vocab=list(folder.vocab.tokens),
        aliases=folder.vocab.aliases,
        labels=folder.labels,
        name="sentigru sentiment classifier",
        description=(
            f"Bidirectional {spec.model.cell.upper()} text classifier made by sentigru "
            f"{__version__}; labels: {', '.join(folder.labels)}."
        ),
        version=__version__,
        delim_regex=DELIM_REGEX,
    )
    check_builtin_only(model)
    return model


def compare(folder: Any, model: bytes, texts: list[str], labels: list[str] | None) -> dict:
    """Keras against TFLite on ``texts``: label agreement, max score difference, and
    both accuracies when true ``labels`` are given."""
    from sentigru.predictor import KerasPredictor, LiteRTPredictor

    keras_scores = KerasPredictor(folder).scores(texts)
    lite_scores = LiteRTPredictor(model).scores(texts)
    result = {
        "n": len(texts),
        "max_score_diff": float(np.abs(keras_scores - lite_scores).max()) if texts else 0.0,
        "label_agreement": float(
            (keras_scores.argmax(1) == lite_scores.argmax(1)).mean() if texts else 1.0
        ),
    }
    if labels is not None:
        index = {label: i for i, label in enumerate(folder.labels)}
        truth = np.array([index[label] for label in labels])
        result["accuracy"] = {
            "keras": float((keras_scores.argmax(1) == truth).mean()),
            "tflite": float((lite_scores.argmax(1) == truth).mean()),
            "n": float(len(truth)),
        }
    return result
