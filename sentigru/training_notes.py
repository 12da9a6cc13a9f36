"""What ``train`` tells its user about the data and the run, in lines for its log: rows
per label, labels that look like typos or go unlearnt, a model no better than its
commonest label, settings that will not do what they say. Each note names what to do."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from sentigru.contract import SPECIAL_TOKENS
from sentigru.data.examples import TEMPLATE, composed_hint, label_order
from sentigru.evaluation import label_swap, swap_note
from sentigru.spec import Spec
from sentigru.train_data import RARE

Log = Callable[[str], None]


def log_prepared(prepared: Any, spec: Spec, *, fresh: bool, log: Log) -> None:
    """What the data gave, before the training's minutes: the rows per label, a label
    that looks like a typo, a vocabulary smaller than asked (``fresh``: not a start's),
    the n-gram teacher's accuracy, and settings that will not do what they say."""
    shown = [x for x in prepared.labels if x in prepared.counts]  # in the model's order
    counts = ", ".join(f"{x}: {prepared.counts[x]}" for x in shown)
    held = f", and {prepared.val_rows} to validate on" if prepared.val_rows else ""
    log(f"read {prepared.train_rows - prepared.unlabelled_rows} training examples ({counts}){held}")
    note_stray_labels(prepared.counts, log, spec.training.class_weight == "balanced")
    if fresh:  # a start's labels are its model's
        note_number_labels(prepared.counts, log)
    pieces = spec.tokenizer.tokenizer == "sentencepiece"
    floor = spec.tokenizer.piece_min_count if pieces else spec.tokenizer.min_count
    # --vocab-size counts words, not <PAD>, <START> and <UNKNOWN>; a piece model's, all
    size = len(prepared.vocab) - (0 if pieces else len(SPECIAL_TOKENS))
    if fresh and size < spec.tokenizer.vocab_size:
        asked = spec.tokenizer.vocab_size
        why = _why_fewer(prepared.words.dropped, floor, size, asked, pieces)
        log(
            f"the vocabulary holds {size} {'pieces' if pieces else 'words'} of the {asked} "
            f"asked (--vocab-size), and the model's table is sized to them: {why}"
        )
    note_rare_words(prepared.words.rare, floor, log, pieces)
    if prepared.teacher_accuracy is not None:
        log(
            f"character n-gram teacher: its out-of-fold scores pick the label of "
            f"{prepared.teacher_accuracy:.2%} of the training texts"
        )
    if not spec.training.min_steps:  # else said when the run is sized (its epochs known)
        warn_averaging(spec, log)


def note_tensorflow_first(log: Log) -> None:
    """sentigru loads TensorFlow with its oneDNN kernels off (they round otherwise:
    ``benchmarks/onednn.md``), but a notebook that imported TensorFlow first loaded them
    with TensorFlow's default, and the same seed then gave other weights than the CLI's,
    without a word. The environment tells: sentigru's load sets ``TF_ENABLE_ONEDNN_OPTS``."""
    if "tensorflow" in sys.modules and "TF_ENABLE_ONEDNN_OPTS" not in os.environ:
        log(
            "note: TensorFlow was loaded before sentigru could turn its oneDNN kernels off "
            "(TensorFlow's default is on, on x86 CPUs): this run's weights may differ in "
            "their last bits from the same command's; set TF_ENABLE_ONEDNN_OPTS=0 before "
            "TensorFlow loads for the same weights"
        )


def _why_fewer(dropped: int, floor: int, held: int, asked: int, pieces: bool = False) -> str:
    """Why a vocabulary of ``held`` entries is smaller than the ``asked``: the text's
    words, or the floor on rare ones (``--min-count``; ``pieces``: a SentencePiece
    model's ``--piece-min-count``, uses counted in the sample it learns from), or both."""
    if not dropped:
        return "the training text gives no more"
    if pieces:
        why = (
            f"{dropped} more {'piece' if dropped == 1 else 'pieces'} of two characters or "
            f"more {'occurs' if dropped == 1 else 'occur'} fewer than "
            f"--piece-min-count {floor} times in the texts the pieces are learnt from "
            "(--piece-min-count 1 keeps them, and ships them in the phone file as plain text)"
        )
    else:
        why = (
            f"{dropped} more {'word occurs' if dropped == 1 else 'words occur'} fewer than "
            f"--min-count {floor} times (--min-count 1 "
            "keeps them, and ships them in the phone file as plain text; with few rows of "
            "English, --init bundled starts from the bundled model's words)"
        )
    if held + dropped < asked:  # both: no floor would reach the size asked
        why += f"; with them the text gives {held + dropped}, no more"
    return why


def note_rare_words(rare: int, floor: int, log: Log, pieces: bool = False) -> None:
    """The vocabulary ships in the phone file as plain text: its words seen once or twice
    are the likeliest to be a name, an address, an order or phone number of the training
    text (a privacy review found all of those planted once in a file); so are a piece
    model's whole words learnt as pieces (``pieces``)."""
    if rare and floor < RARE:
        of, option = (
            ("pieces of two characters or more", "--piece-min-count")
            if pieces
            else (
                "words",
                "--min-count",
            )
        )
        log(
            f"note: {rare} {of} of the vocabulary occur fewer than {RARE} times in the "
            "training text; the phone file carries every one as plain text (unzip it), "
            f"names and numbers too: {option} {RARE} keeps them out"
        )


def log_start(
    init: Any, base: Any, labels: list[str], log: Log, given: dict[str, str] | None = None
) -> None:
    """The start named; labels other than its model's said, with the map (composed with
    ``given``, the one they were read with) that keeps the model's."""
    log(f"starting from {init}: its vocabulary ({len(base.vocab)} ids) and weights")
    if labels != base.labels:
        present = [x for x in labels if x in base.labels]
        unknown = [x for x in labels if x not in base.labels]
        free = [x for x in base.labels if x not in labels]
        pairs = composed_hint(unknown, free, given, present) if unknown else TEMPLATE
        keep = f" (to keep its own: --label-map {pairs})" if pairs != TEMPLATE else ""
        log(
            f"a new output layer, from random weights, for the labels {', '.join(labels)}: "
            f"the starting model's are {', '.join(base.labels)}{keep}"
        )


STRAY_LABEL_ROWS = 10
"""A label with at most this many rows, and under 1 % of them, is likely a typo."""


def note_number_labels(counts: dict[str, int], log: Log) -> None:
    """Labels that are numbers (``0``/``1``, as many sets ship) are the names an app's
    classifier and the web page show: say how to give them words, before training."""
    labels = label_order(counts)
    if all(label.isdigit() for label in labels):
        words = ",".join(f"{label}=NAME" for label in labels)
        ordered = " (the labels keep the order the map names them in)"
        log(
            f"note: the labels are {', '.join(labels)}, the names apps and the web page "
            f"show; --label-map {words} (label_map=) gives them words"
            + (ordered if len(labels) > 2 else "")
        )


def note_stray_labels(counts: dict[str, int], log: Log, weighed: bool = False) -> None:
    """A label with a handful of rows among thousands is most often a typo or another
    file's label (``1`` among ``negative``/``positive``): it still gets an output, which
    the model can hardly learn, so say so before the training time is spent."""
    total = sum(counts.values())
    stray = {label: n for label, n in counts.items() if n <= STRAY_LABEL_ROWS and n < total / 100}
    if len(stray) > STRAY_NOTES:  # one line, not one a label
        log(
            f"note: {len(stray)} labels have at most {STRAY_LABEL_ROWS} of {total} training "
            f"rows each ({', '.join(map(repr, list(stray)[:3]))} …): typos, or another "
            "file's labels? (--label-map renames labels)"
        )
    for label, count in counts.items():
        if label in stray:
            if len(stray) <= STRAY_NOTES:
                log(
                    f"note: label {label!r} has {count} of {total} training rows: a typo, "
                    "or another file's labels? (--label-map renames labels)"
                )
        elif count < total * RARE_LABEL_SHARE:
            log(
                f"note: label {label!r} has {count} of {total} training rows "
                f"({count / total:.1%}): too few for the model to learn it well; more of its "
                "rows help" + ("" if weighed else " (--class-weight balanced weighs it up)")
            )


STRAY_NOTES = 3
"""More stray labels than this are said in one line."""

RARE_LABEL_SHARE = 0.02
"""Under this share of the rows, a label is too rare to learn well (a class of 11 rows
among 1,600 was never predicted), whatever its count."""


def note_majority(metrics: dict[str, float], counts: dict[str, int], log: Log) -> None:
    """A model that answers the commonest label to everything scores that label's share
    (0.90 on 90/10 data) and looks trained: say so when its validation accuracy is no
    better."""
    accuracy, total = metrics.get("val_accuracy"), sum(counts.values())
    if accuracy is None or len(counts) < 2 or not total:
        return
    label, most = max(sorted(counts.items()), key=lambda item: item[1])
    if most / total >= MAJORITY_SHARE and accuracy <= most / total + MAJORITY_MARGIN:
        log(
            f"note: validation accuracy {accuracy:.4f} is no better than answering "
            f"{label!r} to every text ({most / total:.0%} of the training rows): the model "
            "may have learnt little beyond the commonest label; evaluate gives each "
            "label's recall; more rows of the other labels help, and --class-weight "
            "balanced (class_weight=) weighs them up"
        )


def note_swapped(labels: list[str], answers: Any, log: Log) -> None:
    """Validation answers that fit the labels far better read another way: a model
    started from another (``--init``) whose labels mean the opposite of the data's kept
    them (29 % on balanced swapped reviews, silently). A model trained from scratch
    learns any naming, so this speaks only where something outside the data disagrees."""
    if swap := label_swap(answers):
        log(swap_note(swap, labels, "the validation rows'"))


def note_early_stop(history: dict[str, list[float]], spec: Spec, log: Log) -> None:
    """A run that stopped before its epochs says so: asked for 20 epochs, a run that
    stopped at the sixth said nothing (Keras' own line only at ``verbose`` 2, the history
    alone in the folder). ``spec`` is the spec as run (:func:`sized_for`'s epochs)."""
    training = spec.training
    monitor = "val_loss" if history.get("val_loss") else "loss"
    ran = len(history.get(monitor, []))
    if ran and ran < training.epochs:
        log(
            f"stopped early after {ran} of {training.epochs} epochs: {monitor} had not "
            f"improved for {training.patience} epochs (the patience)"
        )


def note_unanswered(labels: list[str], answers: Any, weighed: bool, log: Log) -> None:
    """A label the validation rows hold that the trained model never answered: its
    recall is 0 however the accuracy reads. ``answers`` is :func:`validation_answers`'."""
    rows, answered = answers.sum(axis=1), answers.sum(axis=0)
    never = [(label, int(n)) for label, n, a in zip(labels, rows, answered) if n and not a]
    if not never:
        return
    shown = ", ".join(f"{label!r} ({n} {'row' if n == 1 else 'rows'})" for label, n in never[:3])
    if len(never) > 3:  # ten star labels: the note named three, as if there were no more
        shown += f" and {len(never) - 3} more label{'s' if len(never) > 4 else ''}"
    # rare: under half its share, or where one label holds most rows (as the note on a
    # model no better than the commonest label counts it)
    rare = rows.max() >= MAJORITY_SHARE * rows.sum() or any(
        n < rows.sum() / (2 * len(labels)) for _, n in never
    )
    more = (
        "; --class-weight balanced (class_weight=) weighs rare labels up"
        if rare and not weighed
        else "; not a rare label: more training (epochs, rows) or a lower learning rate"
        if not rare
        else ""
    )
    log(
        f"note: on the {int(rows.sum())} validation rows the model never answered {shown}: "
        f"{'its recall is' if len(never) == 1 else 'their recall is'} 0{more}"
    )


MAJORITY_SHARE = 0.6
"""From this share of the rows, one label dominates (balanced data at chance is noted
by its accuracy, not by a label)."""

MAJORITY_MARGIN = 0.005
"""How far above the commonest label's share validation accuracy must be to show the
model learnt more than that label."""


def note_piece_recipe(spec: Spec, log: Log) -> None:
    """``--tokenizer sentencepiece`` alone trains without the character n-gram teacher
    that ``--preset sentencepiece`` adds, which read three languages of four better by a
    point (benchmarks/languages.md): name it, where the user may not know the preset."""
    training = spec.training
    pieces = spec.tokenizer.tokenizer == "sentencepiece"
    if pieces and not (training.ngram_teacher or training.stream):  # streamed: refused
        log(
            "note: --preset sentencepiece adds a character n-gram teacher (+1.0 to +1.4 "
            "points on 8,000-18,000 reviews in Japanese, Chinese and Korean, level in German; "
            "2-3x the training time) and smaller tables (phone files of 0.67-0.71 MB); "
            "--ngram-teacher adds the teacher"
        )


def warn_averaging(spec: Spec, log: Log) -> None:
    training = spec.training
    if training.average_epochs > training.epochs > 1:  # one epoch: nothing to average
        log(
            f"note: average_epochs {training.average_epochs} > epochs {training.epochs}: "
            f"the weights kept are the mean of all {training.epochs} epoch(s)"
        )
