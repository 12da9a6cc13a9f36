"""Classification metrics from predicted and true label indices (numpy only).

Written here rather than taken from scikit-learn so that ``evaluate`` needs no extra
dependency and the numbers are exactly what the CLI documents.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from sentigru.contract import token_unit
from sentigru.limits import shown


def classification_report(
    y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray, labels: Sequence[str]
) -> dict[str, Any]:
    """N, accuracy, per-label precision/recall/F1/support, macro-F1 and the confusion
    matrix (rows: true label, columns: predicted label, both in ``labels`` order).

    A label neither in the data nor predicted has no precision, recall or F1 (None):
    nothing was asked of it, so it does not enter the macro mean either."""
    true = np.asarray(y_true, dtype=np.int64)
    pred = np.asarray(y_pred, dtype=np.int64)
    k = len(labels)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (true, pred), 1)
    per_label: dict[str, dict[str, Any]] = {}
    f1s = []
    for i, label in enumerate(labels):
        tp = int(confusion[i, i])
        predicted = int(confusion[:, i].sum())
        support = int(confusion[i, :].sum())
        if not predicted and not support:
            per_label[label] = {"precision": None, "recall": None, "f1": None, "support": 0}
            continue
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support,
        }
        f1s.append(f1)
    n = int(true.size)
    return {
        "n": n,
        "accuracy": float((true == pred).mean()) if n else 0.0,
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "labels": list(labels),
        "per_label": per_label,
        "confusion_matrix": confusion.tolist(),
    }


UNKNOWN_NOTE = 0.2
"""Share of unknown words from which ``format_report`` says so. In English reviews the
bundled model knows all but a few percent of the words (names, typos); a fifth or more
unknown means text of another kind than it learnt from."""


def _figure(value: float | None) -> str:
    return f"{value:>9.4f}" if value is not None else f"{'n/a':>9}"


def _texts(count: int) -> str:
    return f"{count} text" if count == 1 else f"{count} texts"


def _metric_notes(report: dict[str, Any]) -> list[str]:
    """What the figures take as given, where it moves them: macro-F1 averages only the
    labels the data or the predictions hold (a file of one label's rows, 94 % right,
    had macro-F1 0.49), and a precision or recall of nothing counted is 0."""
    notes = []
    left = [shown(label) for label, m in report["per_label"].items() if m["f1"] is None]
    if left:
        notes.append(
            f"note: macro_f1 averages the labels in the data or the predictions, not "
            f"{', '.join(left)}"
        )
    columns = np.asarray(report["confusion_matrix"]).sum(axis=0)
    for (named, m), predicted in zip(report["per_label"].items(), columns):
        label = shown(named)
        if m["f1"] is not None and not m["support"]:
            notes.append(
                f"note: {label} is in no row of the data but was predicted: its recall and "
                "F1 are taken as 0, in macro_f1 too"
            )
        elif m["f1"] is not None and not predicted:
            notes.append(f"note: {label} was never predicted: its precision is taken as 0")
    return notes


def _read_poorly(report: dict[str, Any]) -> bool:
    """A fifth or more of the texts read in part or not at all, or of the words unknown,
    where a fifth or more hold letters outside ASCII: the notes above say the model
    missed much of the data, and a tokenizer for any language would read it."""
    if report.get("non_ascii_texts", 0) < UNKNOWN_NOTE * report["n"]:
        return False  # English with typos: another tokenizer would not read it better
    missed = report.get("unread", 0) + report.get("partly_read", 0)
    return missed >= UNKNOWN_NOTE * report["n"] or report.get("unknown_share", 0.0) >= UNKNOWN_NOTE


def columns(text: str) -> int:
    """The terminal columns ``text`` takes: wide characters (Japanese, Chinese, Korean,
    most emoji) two; combining marks, Korean vowel and final jamo after a first one, skin
    tones and format characters (zero-width space and joiner) none. ``len`` lined a table of
    Japanese labels up wrongly."""
    return sum(_cells(c) for c in text)


def _cells(char: str) -> int:
    import unicodedata

    if unicodedata.category(char) in ("Mn", "Me", "Cf") or "\u1160" <= char <= "\u11ff":
        return 0
    if "\U0001f3fb" <= char <= "\U0001f3ff":  # a skin tone joins the emoji before it
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _left(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (``right``: before it)."""
    pad = " " * max(0, width - columns(text))
    return pad + text if right else text + pad


def _blind(report: dict[str, Any]) -> str:
    """How the texts the model read nothing of were scored: blind, or (no word id at all)
    1/n for every label, which counts as the first label."""
    gated, unread = report.get("no_answer", 0), report["unread"]
    first = f"no answer: every label 1/n, counted as the first, {report['labels'][0]!r}"
    if not gated:
        return "scored blind"
    if gated == unread:
        return first
    return f"{gated} of them {first}; the other{'s' * (unread - gated > 1)} scored blind"


def _unit(report: dict[str, Any]) -> str:
    """What the tokenizer reads: pieces (SentencePiece, whose unknown ones are characters
    it spells in bytes; it said "unknown_words") or words."""
    return token_unit(report.get("tokenizer"))


def _unknown(report: dict[str, Any]) -> str:
    """The unknown share, of the words read: none where no text was read (0.00 % there
    headed a file the model could not read at all)."""
    if report["n"] and report.get("unread") == report["n"]:
        return "n/a (no text read)"
    return f"{report['unknown_share']:.2%}"


def format_report(report: dict[str, Any]) -> str:
    """The report as a terminal table, fastText ``test`` style: N first, then the rest."""
    lines = [
        f"N\t{report['n']}",
        f"accuracy\t{report['accuracy']:.4f}",
        f"macro_f1\t{report['macro_f1']:.4f}",
        *([f"unknown_{_unit(report)}s\t{_unknown(report)}"] if "unknown_share" in report else []),
        "",
    ]
    # labels as a terminal shows them: an escape sequence in one (a model file from
    # elsewhere) cleared the screen or set the window title
    per_label = {shown(label): m for label, m in report["per_label"].items()}
    name = max(16, *(columns(label) for label in per_label))  # long labels too
    lines.append(f"{'label':<{name}} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>9}")
    for label, m in per_label.items():
        figures = [_figure(m[key]) for key in ("precision", "recall", "f1")]
        lines.append(_left(label, name) + " " + " ".join(figures) + f" {m['support']:>9d}")
    labels = [shown(label) for label in report["labels"]]
    width = max(8, *(columns(label) for label in labels)) + 1
    lines += ["", "confusion (rows: true, columns: predicted)"]
    lines.append(" " * width + "".join(_left(label, width, right=True) for label in labels))
    for label, row in zip(labels, report["confusion_matrix"]):
        lines.append(_left(label, width) + "".join(f"{count:>{width}d}" for count in row))
    notes = report.get("notes")
    notes = report_notes(report) if notes is None else notes  # evaluate's, or made here
    return "\n".join([*lines, *([""] if notes else []), *notes])


def report_notes(report: dict[str, Any]) -> list[str]:
    """The notes on what moves a report's figures or what the data looks like, one line
    each: the CLI prints them under the table, and ``evaluate`` hands them to Python and
    JSON as ``notes`` (a notebook got the figures without them)."""
    unit = _unit(report)
    notes = _metric_notes(report)
    if swap := label_swap(report["confusion_matrix"]):
        notes.append(swap_note(swap, report["labels"], "the data's"))
    if report.get("training_data"):
        notes.append(
            "note: this is the data the model was trained on (its manifest's data "
            "fingerprint): the figures read high; measure it on data it never saw"
        )
    if report.get("unread"):
        notes.append(
            f"note: {_texts(report['unread'])} had no {unit} the model knows ({_blind(report)})"
        )
    if report.get("partly_read"):
        notes.append(
            f"note: {_texts(report['partly_read'])} had a third or more of "
            f"{'its' if report['partly_read'] == 1 else 'their'} {unit}s unknown or unread "
            "(read only in part)"
        )
    if report.get("truncated"):
        notes.append(
            f"note: the model read {_texts(report['truncated'])} only up to its length (or "
            "to a NUL character), as the phone does"
        )
    if report.get("unknown_share", 0.0) >= UNKNOWN_NOTE:
        notes.append(
            f"note: {report['unknown_share']:.0%} of the {unit}s read were unknown to the "
            f"model (another language or script, or {unit}s its training data lacked)"
        )
    if report.get("tokenizer") == "regex" and _read_poorly(report):
        notes.append(
            "note: this model reads ASCII words only; for text in another language, or "
            "with accented letters, a model trained with --preset sentencepiece reads it"
        )
    return notes


SWAP_GAIN = 0.25
"""How much more often the answers would be right with labels read another way before
a note asks whether they are swapped: far beyond chance (a model read with its two
labels the wrong way round scored 13 % on SST-2 dev, 87 % the right way)."""

SWAP_ROWS = 20
"""Fewer rows than this say nothing either way."""


def label_swap(confusion: Any) -> tuple[tuple[int, ...], float, float] | None:
    """The reading of the labels (true label i taken as label ``order[i]``) that fits the
    answers best (by the mean of the labels' recall), with the accuracy as named and as
    read that way, where both beat the names by :data:`SWAP_GAIN` or more: labels named
    the other way round (``0`` and ``1`` mapped to the wrong words, a ``--init`` model's
    names on data that means the opposite). Up to 6 labels (720 readings); None when
    nothing fits better."""
    matrix = np.asarray(confusion)
    size, total = len(matrix), int(matrix.sum())
    if not 2 <= size <= 6 or total < SWAP_ROWS:
        return None
    rows = list(range(size))
    held = matrix.sum(axis=1, keepdims=True)
    recall = np.divide(matrix, held, out=np.zeros(matrix.shape), where=held > 0)

    def mean_recall(order: Sequence[int]) -> float:
        """A constant answer scores 1/n however the labels are read: it is not swapped
        (by accuracy, a model answering one label to 90/10 data read 90 % swapped)."""
        return float(recall[rows, list(order)].sum()) / int((held > 0).sum())

    order = max(itertools.permutations(rows), key=mean_recall)
    named, read = (int(matrix[rows, list(o)].sum()) for o in (rows, order))
    if mean_recall(order) - mean_recall(rows) < SWAP_GAIN or (read - named) / total < SWAP_GAIN:
        return None
    return order, named / total, read / total


def swap_note(swap: tuple[tuple[int, ...], float, float], labels: Sequence[str], whose: str) -> str:
    """The note for :func:`label_swap`'s finding, naming the labels it reads otherwise."""
    order, named, read = swap
    moved = ", ".join(f"{labels[i]!r} as {labels[j]!r}" for i, j in enumerate(order) if i != j)
    return (
        f"note: the answers fit {whose} labels far better read another way ({moved}: "
        f"{read:.1%} right, against {named:.1%} as named): are they named the other way "
        "round? (--label-map (label_map=) renames labels as read)"
    )
