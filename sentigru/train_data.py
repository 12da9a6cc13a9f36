"""What training reads, prepared once: the vocabulary, the labels, the fingerprint, and a
way to build the ``tf.data`` pipelines, for data held in memory or streamed from files.

Preparing needs no TensorFlow, so the CLI can report what it read (and fail on bad data)
before seconds go into importing it; the pipelines are built later, inside the
distribution strategy, once per worker.
"""

from __future__ import annotations

import dataclasses
import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from sentigru.contract import SPECIAL_TOKENS, UNKNOWN_ID, token_unit
from sentigru.data.apostrophes import typed_on_phones
from sentigru.data.examples import (
    Examples,
    Fingerprint,
    check_known_labels,
    label_order,
    note_repeated,
    note_validation_seen,
)
from sentigru.data.sources import DataSource
from sentigru.data.stream import StreamSource, expand_paths, same_file_key, shuffled
from sentigru.errors import SentigruError, UsageError
from sentigru.pieces import RARE, Pieces, SentencePieceTokenizer, tokenizer_for
from sentigru.spec import Spec
from sentigru.tokenizer import Tokenizer, Vocabulary, WordCounter, split

Pipelines = Callable[[str, Any, int, tuple[int, int]], Any]
"""``(part, epoch variable, batch size, (worker, workers)) -> dataset``: part ``"train"``
or ``"val"`` (``None`` when there is no validation data). One part at a time, so a
caller that needs only one does not build, or hold, the other."""


NGRAM_TEACHER = "character n-gram teacher"
WORD_VECTORS = "none: the texts start the word vectors only"
"""What names the teacher of texts that only shape the word table's start."""
NGRAM_UNLABELLED = (
    "--unlabelled without --teacher MODEL or --ngram-teacher only starts the word vectors: "
    "it needs --word-init ppmi"
)
NO_STREAMED_UNLABELLED = (
    "--unlabelled holds its texts (and their scores) in memory; drop --stream or --unlabelled"
)


@dataclass(frozen=True)
class Unlabelled:
    """Texts without labels, with a teacher's scores as their targets (distillation):
    ``scores[i]`` holds one probability per name in ``labels``, the teacher's order.
    Without ``scores``, the character n-gram teacher (``ngram_teacher``) scores them, or,
    named by ``WORD_VECTORS``, they are not trained on: they count for the vocabulary
    and the word vectors the word table starts from, which they place better than the
    labelled texts alone where those are few or from another domain."""

    texts: list[str]
    scores: np.ndarray | None
    labels: list[str]
    teacher: str
    """What names the teacher: the sha256 of its phone file, or ``NGRAM_TEACHER``."""

    @classmethod
    def for_ngram_teacher(cls, texts: list[str]) -> Unlabelled:
        return cls(texts, None, [], NGRAM_TEACHER)

    @classmethod
    def for_word_vectors(cls, texts: list[str]) -> Unlabelled:
        return cls(texts, None, [], WORD_VECTORS)

    @property
    def trained_on(self) -> bool:
        return self.teacher != WORD_VECTORS

    def fingerprint(self) -> str:
        """Names the texts, the teacher and its scores, so a resumed run can tell (the
        n-gram teacher's scores follow from the labelled data and the seed)."""
        if self.scores is None:
            return self.identity()
        digest = self._named()
        for text, row in zip(self.texts, self.scores):
            digest.add(text, ",".join(f"{p:.6f}" for p in row))
        return digest.hexdigest()

    def identity(self) -> str:
        """Names the texts, in order, and the teacher, not its scores: what the workers
        of a run compare (each scores the texts itself, and other CPUs may round the
        scores otherwise in their last digits)."""
        digest = self._named()
        for text in self.texts:
            digest.add(text, "")
        return digest.hexdigest()

    def _named(self) -> Fingerprint:
        digest = Fingerprint()
        digest.add(self.teacher, "teacher")
        digest.add(",".join(self.labels), "labels")
        return digest

    def without(self, texts: set[str]) -> Unlabelled:
        """These texts but ``texts`` (compared with their white space made single spaces:
        a copy of a file with other line ends or trailing spaces), with their scores."""
        kept = [i for i, text in enumerate(self.texts) if _spaced(text) not in texts]
        scores = None if self.scores is None else self.scores[kept]
        return dataclasses.replace(self, texts=[self.texts[i] for i in kept], scores=scores)

    def targets(self, labels: list[str]) -> np.ndarray:
        """The scores as targets in the student's label order."""
        if self.scores is None:
            raise UsageError(NGRAM_UNLABELLED)
        if sorted(self.labels) != sorted(labels):
            raise SentigruError(
                f"the teacher's labels ({', '.join(self.labels)}) are not the training "
                f"data's ({', '.join(labels)})"
            )
        return self.scores[:, [self.labels.index(label) for label in labels]].astype(np.float32)


@dataclass
class Prepared:
    vocab: Vocabulary | Pieces
    """The regex tokenizer's vocabulary, or the SentencePiece model."""
    labels: list[str]
    fingerprint: str
    counts: dict[str, int]
    """Training rows per label."""
    val_rows: int
    streamed: bool
    pipelines: Pipelines
    train_ids: Callable[[], Iterable[Sequence[int]]]
    """The training texts' ids (validation rows left out) and the unlabelled texts', each
    text once, one pass per call: what the word vectors count, however often a text
    appears in the epochs."""
    unlabelled_rows: int = 0
    """Rows trained on a teacher's scores, beside the labelled ``counts``."""
    teacher_accuracy: float | None = None
    """With ``ngram_teacher``: the share of training texts its out-of-fold scores get right."""
    split_seed: int | None = None
    """The seed that drew the validation split (None: no split drawn)."""
    data_fingerprint: str = ""
    """The labelled rows' own fingerprint (``fingerprint`` may combine others into it)."""
    unlabelled_texts: int = 0
    """The unlabelled texts kept (validation texts among them are left out)."""
    unlabelled_identity: str = ""
    """:meth:`Unlabelled.identity` of those texts ("" without any)."""
    words: WordTally = field(default_factory=lambda: WordTally())
    """What the word counts said of a regex vocabulary learnt here."""
    train_batches: Callable[[int], int] | None = None
    """The batches an epoch makes of the training rows at a batch size (each length
    bucket ends in a partial batch); None where not known up front (a stream)."""

    @property
    def train_rows(self) -> int:
        return sum(self.counts.values()) + self.unlabelled_rows


def _spaced(text: str) -> str:
    """``text`` with its runs of white space one space, none at its ends."""
    return " ".join(text.split())


def _unseen(
    unlabelled: Unlabelled, val_set: Examples | None, log: Callable[[str], None]
) -> Unlabelled:
    """The unlabelled texts but those that are validation texts (the training file given
    as ``--unlabelled`` too): trained on with a teacher's scores, or in the word vectors,
    they made the validation figures read high, as the teacher knew those rows."""
    held = {_spaced(t) for t in val_set.texts} if val_set is not None and len(val_set) else set()
    kept = unlabelled.without(held) if held else unlabelled
    if len(kept.texts) < len(unlabelled.texts):
        dropped = len(unlabelled.texts) - len(kept.texts)
        log(
            f"note: {dropped} of the {len(unlabelled.texts)} unlabelled texts are validation "
            "texts: left out of training, so that validation reads texts the model did not see"
        )
    if not kept.texts:
        raise SentigruError("every unlabelled text is a validation text: give other texts")
    return kept


def _silent(line: str) -> None:
    """The default ``log``: says nothing."""


@dataclass(frozen=True)
class HeldOut:
    """The validation rows a model held out: the data it was trained on, the seed and
    share of its split, and whether it was streamed (a hash of each text) or held in
    memory (a stratified draw). A run from the model on the same rows, split the same
    way, holds out the same rows, so its validation figures are of rows neither run
    trained on (another seed would hold out rows the model learnt)."""

    seed: int
    share: float
    streamed: bool
    fingerprint: str
    """The data's fingerprint, or with ``via``, that fingerprint combined with ``via``."""
    via: str | None = None
    """Set where only the combined fingerprint is known (a model trained from another
    before the data's own fingerprint was recorded): the start's model hash."""

    def matches(self, fingerprint: str, spec: Spec) -> bool:
        data = combined(fingerprint, self.via) if self.via else fingerprint
        split = (spec.training.val_split, spec.training.stream)
        return data == self.fingerprint and split == (self.share, self.streamed) and self.share > 0


@dataclass(frozen=True)
class Start:
    """A trained model's vocabulary and labels, which a run that starts from its weights
    (``--init``) keeps, so that the ids mean what they meant. Data whose labels are all
    the model's keeps its output layer too; data with other labels gets a new one."""

    vocab: Vocabulary | Pieces
    labels: list[str]
    held_out: HeldOut | None = None
    """The validation split the model trained beside, where it is known."""

    def split_seed(self, fingerprint: str, spec: Spec) -> int | None:
        """The seed to hold out with on data of ``fingerprint`` under ``spec``: the
        model's, when it is the data the model was trained on, split the same way."""
        held = self.held_out
        return held.seed if held is not None and held.matches(fingerprint, spec) else None

    def note_split(self, fingerprint: str, spec: Spec, log: Callable[[str], None]) -> None:
        """Say when the validation split of the data the model was trained on is drawn
        another way than its own (another share, streamed or not) or the model trained
        on every row of it: the run validates, stops early and averages epochs on rows
        the model learnt, which flatters it."""
        held = self.held_out
        if held is None or spec.training.val_split <= 0 or held.matches(fingerprint, spec):
            return
        if (combined(fingerprint, held.via) if held.via else fingerprint) != held.fingerprint:
            return
        if held.share <= 0:
            done, how = "on every row of this data", "--val-data (val_data=)"
        else:
            done = f"on this data, holding out {held.share:.0%}"
            done += ", streamed" if held.streamed else ""
            same = [f"--val-split {held.share:g} (val_split=)"]
            same = same if spec.training.val_split != held.share else []
            if spec.training.stream != held.streamed:
                same.append("--stream (stream=True)" if held.streamed else "no --stream")
            how = " and ".join(same) + ", or --val-data (val_data=)"
        log(
            f"note: --init: the starting model was trained {done}; this run's validation "
            f"rows include rows it learnt, so its validation figures read high: to keep "
            f"them unseen, give {how}"
        )

    def label_order(self, found: Iterable[str], named: Sequence[str] = ()) -> list[str]:
        """The model's labels when the data holds no other, else the data's own (in a
        label map's order where it names them all)."""
        found = set(found)
        return list(self.labels) if found <= set(self.labels) else label_order(found, named)


def prepare(
    data: Examples | StreamSource,
    spec: Spec,
    val_examples: Examples | None = None,
    unlabelled: Unlabelled | None = None,
    log: Callable[[str], None] = _silent,
    start: Start | None = None,
    named: Sequence[str] = (),
    given: Mapping[str, str] | None = None,
) -> Prepared:
    """Split, count and build the vocabulary, from memory or in one streaming pass.
    ``unlabelled`` rows join the training rows (never validation) with the teacher's
    scores as targets, and their words count for the vocabulary. With ``start``, its
    vocabulary and labels are kept instead. ``log`` hears of the steps that take long
    before training starts. ``named``: the labels in the order a label map names them,
    kept when it names them all."""
    if isinstance(data, StreamSource):
        if unlabelled is not None:
            raise UsageError(NO_STREAMED_UNLABELLED)
        return _prepare_stream(data, spec, start, log)
    return _prepare_examples(data, val_examples, spec, unlabelled, log, start, named, given)


BLIND_SHOWN = 40
"""How much of a text a note shows."""


def _note_unread_rows(
    texts: Sequence[str],
    ids: Sequence[Sequence[int]],
    tokenizer: Any,
    spec: Spec,
    log: Callable[[str], None],
    learnt: bool = True,
) -> None:
    """Training texts the model reads nothing of (an emoji, a URL, a number alone: each
    teaches a label for text it cannot read), and, from 1 % of them, texts that reach
    the model's length (what follows is not read); ``predict`` and ``evaluate`` say the
    same of the texts they are given."""
    seq_len = spec.tokenizer.seq_len
    # where <UNKNOWN> stands for a word rarer than --min-count (a vocabulary learnt here)
    regex = spec.tokenizer.tokenizer == "regex" and learnt
    min_count = spec.tokenizer.min_count if regex else 1
    blind = [(text, row) for text, row in zip(texts, ids) if not tokenizer.known_in(row)]
    if blind:
        unit = token_unit(spec.tokenizer.tokenizer)
        log(
            f"note: {len(blind)} training text(s) hold no {unit} the vocabulary keeps, e.g. "
            f"{blind[0][0]!r:.{BLIND_SHOWN}}: each teaches a label for text the model cannot "
            f"read{_why_unread(blind, min_count, regex=spec.tokenizer.tokenizer == 'regex')}"
        )
    cut = sum(len(row) >= seq_len and tokenizer.is_cut(text) for text, row in zip(texts, ids))
    if cut and cut >= 0.01 * len(texts):
        log(
            f"note: {cut} of {len(texts)} training texts reach the model's length (--seq-len "
            f"{seq_len} tokens): what follows is not read"
        )


def _why_unread(blind: Sequence[tuple[str, Sequence[int]]], min_count: int, regex: bool) -> str:
    """Why training texts give no known token, by kind (the regex tokenizer's): words
    the vocabulary lacks (rarer than ``min_count`` where it was learnt here), letters
    the tokenizer cannot read (another script: Korean rows among English ones), nothing
    but emoji and punctuation. A SentencePiece model's are to drop."""
    if not regex:
        return "; drop them"
    unknown = sum(UNKNOWN_ID in row for _, row in blind)
    letters = sum(  # no id, not even <UNKNOWN>: what letters the text has were cut away
        UNKNOWN_ID not in row and any(c.isalpha() for c in text) for text, row in blind
    )
    rest = len(blind) - unknown - letters
    if not (unknown or letters):
        return "; drop them"
    lacking = (
        f"words rarer than --min-count {min_count} (--min-count 1 keeps them)"
        if min_count > 1
        else "words the vocabulary lacks"
    )
    parts = [
        f"{unknown} with {lacking}" if unknown else "",
        f"{letters} with only letters the regex tokenizer cannot read (another script: "
        "--preset sentencepiece reads any)"
        if letters
        else "",
        f"{rest} with nothing but emoji or punctuation (drop them)" if rest else "",
    ]
    return "; of them, " + ", ".join(p for p in parts if p)


def split_validation(
    train: Examples, val: Examples | None, spec: Spec, split_seed: int | None = None
) -> tuple[Examples, Examples | None]:
    """Use the given validation data, or hold out ``val_split`` of the training data,
    drawn by ``split_seed`` (default: the spec's seed)."""
    if val is not None and len(val):
        note_validation_seen(train, val, given=True)
        return train, val
    if spec.training.val_split > 0:
        seed = spec.training.seed if split_seed is None else split_seed
        train, held = train.stratified_split(spec.training.val_split, seed)
        note_validation_seen(train, held, given=False)
        return train, held
    return train, None


def split_seed_of(spec: Spec, start: Start | None, fingerprint: str) -> int:
    """The seed that draws the validation split: the starting model's on the data it was
    trained on, else the run's."""
    kept = start.split_seed(fingerprint, spec) if start is not None else None
    return spec.training.seed if kept is None else kept


def as_taught(examples: Examples, spec: Spec) -> Examples:
    """The training rows as the model is taught them: a seeded ``curly_share`` of the
    texts with a contraction written as phone keyboards type it (``isn’t``)."""
    if spec.training.curly_share <= 0:
        return examples
    return Examples(taught_texts(examples.texts, spec), list(examples.labels))


def taught_texts(texts: Sequence[str], spec: Spec) -> list[str]:
    """``texts`` as :func:`as_taught` teaches them; unlabelled texts are training texts
    too, and their split contractions need the same lesson."""
    share, seed = spec.training.curly_share, spec.training.seed
    if share <= 0:
        return list(texts)
    return [typed_on_phones(text, share, seed) for text in texts]


def class_weights(counts: Mapping[str, int], labels: list[str], spec: Spec) -> list[float] | None:
    """With ``class_weight`` balanced, each label's weight in the loss: the rows there
    are over the rows it has, shared by the labels trained on (``N / (K n_k)``), so every
    label weighs as much in all and the mean row weight is 1; None otherwise. A label of
    the model the data lacks (a run from another model) has no row to weigh: 1. The
    validation loss is weighed alike: it chooses when to stop and which epochs to keep,
    and unweighed it would rise as the model learns the rare labels."""
    if spec.training.class_weight != "balanced":
        return None
    present = [label for label in labels if counts.get(label, 0) > 0]
    total = sum(counts[label] for label in present)
    return [total / (len(present) * counts[label]) if label in present else 1.0 for label in labels]


def _targets(
    examples: Examples, labels: list[str], given: Mapping[str, str] | None = None
) -> np.ndarray:
    """One-hot rows of the model's ``labels``; a label it lacks is refused with a map
    composed with ``given``, the one the rows were read with."""
    check_known_labels(examples.labels, labels, given)
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(examples), len(labels)), dtype=np.float32)
    out[np.arange(len(examples)), [index[label] for label in examples.labels]] = 1.0
    return out


READABLE_SHARE = 0.5
"""Training stops when the tokenizer reads less than this share of the letters and
digits of the training text: a model trained on what is left is noise."""


READABLE_SAMPLE = 10_000
"""How many texts (the first) the readable-text checks read."""


def readable_share(texts: Sequence[str], sample: int = READABLE_SAMPLE) -> float:
    """The share of letters and digits (in any script) that the phone's tokenizer keeps
    in words, over the first ``sample`` texts. English is near 1; text in a script
    other than Latin, near 0 (RE2's ``\\w`` is ASCII)."""
    kept = total = 0
    for text in texts[:sample]:
        total += sum(1 for c in text if c.isalnum())
        kept += sum(len(word) for word in split(text)) - text.count("'") - text.count("_")
    return kept / total if total else 1.0


def check_readable(
    texts: Sequence[str],
    spec: Spec | None = None,
    start_vocab: Vocabulary | Pieces | None = None,
    log: Callable[[str], None] = _silent,
    what: str = "the training text",
) -> None:
    """Refuse text the regex tokenizer cannot read, and say so where it reads only part
    of its words (German, French). SentencePiece spells any text, but a starting
    model's pieces (``start_vocab``: ``--init``'s, which the run keeps) may know none
    of it: a Korean model's, Japanese text. ``what`` names the texts (unlabelled ones
    are trained on too: a teacher's scores of text neither model reads)."""
    if spec is not None and spec.tokenizer.tokenizer == "sentencepiece":
        if isinstance(start_vocab, Pieces):
            _check_pieces_read(texts, start_vocab, what)
        return
    fix = "train without --init, with" if start_vocab is not None else "train with"
    share = readable_share(texts)
    if share < READABLE_SHARE:
        raise SentigruError(
            f"the regex tokenizer reads only {share:.0%} of {what}'s letters "
            "and digits: it splits on ASCII letters, digits, _ and ' (what the phone runs), "
            f"so accented letters, other scripts and emoji are invisible to it; {fix} "
            "--preset sentencepiece, which reads text in any language"
        )
    cut, example = cut_word_share(texts)
    if cut >= MOSTLY_CUT_SHARE and example is not None:
        pieces = ", ".join(split(example)) or "nothing"
        raise SentigruError(
            f"the regex tokenizer cuts {cut:.0%} of {what}'s words, which hold "
            f"letters outside ASCII ({example} gives {pieces}): a model of their fragments "
            f"reads little; {fix} --preset sentencepiece, which reads text in any language"
        )
    if cut >= CUT_WORD_SHARE and example is not None:
        pieces = ", ".join(split(example)) or "nothing"
        log(
            f"note: {cut:.0%} of {what}'s words hold letters the regex tokenizer "
            f"cannot read, so it learns their ASCII fragments ({example} gives {pieces}), "
            f"as the phone reads them; {fix} --preset sentencepiece to read them whole"
        )
    if isinstance(start_vocab, Vocabulary):
        _note_words_known(texts, start_vocab, what, log)


START_KNOWN_SHARE = 0.5
"""Under this share of a text's words known to an ``--init`` model's vocabulary, the
start is said to fit other text (German reviews on the bundled model: 16 % known)."""


def _note_words_known(
    texts: Sequence[str], vocab: Vocabulary, what: str, log: Callable[[str], None]
) -> None:
    """Say where the starting model (``--init``, whose vocabulary the run keeps) knows
    under half the words: its words and weights were learnt from other text, and a
    German run started from the bundled English model read 59 % where one from scratch
    read 75 %, with no word of it (train's own hint had named ``--init bundled``)."""
    index = vocab.index
    words = [word for text in texts[:1_000] for word in split(text)]
    known = sum(index.get(word, 0) > 2 for word in words) / len(words) if words else 1.0
    if known < START_KNOWN_SHARE:
        log(
            f"note: the starting model (--init) knows {known:.0%} of {what}'s words (its "
            "vocabulary is kept): it was learnt from other text, and training without "
            "--init may read this text better"
        )


def _check_pieces_read(
    texts: Sequence[str], pieces: Pieces, what: str = "the training text", sample: int = 1_000
) -> None:
    """Refuse text of which a starting model's pieces know under half the letters and
    digits (the rest it spells in bytes, as it does emoji): its weights know nothing of
    that language."""
    tokenizer = SentencePieceTokenizer(pieces, PIECES_CHECK_LENGTH)
    total = unknown = 0
    for text in texts[:sample]:
        head = text[:PIECES_CHECK_LENGTH]  # a piece holds a character or more
        total += sum(1 for c in head if c.isalnum())
        unknown += tokenizer.unknown(head)
    share = 1.0 - unknown / total if total else 1.0
    if share < READABLE_SHARE:
        raise SentigruError(
            f"the starting model's SentencePiece pieces know only {share:.0%} of "
            f"{what}'s letters and digits (it learnt another language): train "
            "without --init, with --preset sentencepiece, to learn this text's pieces"
        )


PIECES_CHECK_LENGTH = 512
"""Characters of each text the check of a starting model's pieces reads."""


MOSTLY_CUT_SHARE = 0.5
"""From this share of words with a letter outside ASCII, ``train`` refuses the regex
tokenizer: most words would be fragments (Vietnamese, 89 % in a set of reviews; Turkish
reviews, 47 %, and German, 8-10 %, get the note of :data:`CUT_WORD_SHARE`). Letters
alone do not show it: a Vietnamese word loses one or two of its letters."""


CUT_WORD_SHARE = 0.02
"""From this share of words with a letter outside ASCII, ``train`` says the regex
tokenizer cuts them (German and French text are above it; English reviews far below:
IMDB's share is under 0.5 %)."""


def _unread(char: str) -> bool:
    """A letter, number or mark outside ASCII: part of a word the phone's tokenizer
    cannot read, whether it cuts the word (*für*) or drops it whole (Arabic, Hebrew)."""
    return not char.isascii() and (char.isalnum() or unicodedata.category(char)[0] == "M")


def cut_word_share(texts: Sequence[str], sample: int = READABLE_SAMPLE) -> tuple[float, str | None]:
    """The share of whitespace-separated words that hold a letter, number or mark
    outside ASCII (which the phone's tokenizer drops, cutting the word or losing it),
    over the first ``sample`` texts, and the most frequent such word."""
    words = cut = 0
    seen: dict[str, int] = {}
    for text in texts[:sample]:
        for word in text.split():
            words += 1
            if not word.isascii() and any(_unread(c) for c in word):
                cut += 1
                core = word.strip(".,;:!?()[]{}\"'«»„“”‚‘’¡¿-")
                seen[core] = seen.get(core, 0) + 1
    example = max(seen, key=seen.__getitem__) if seen else None
    return (cut / words if words else 0.0), example


def build_vocab(texts: Iterable[str], spec: Spec) -> tuple[Vocabulary | Pieces, WordTally]:
    """The regex tokenizer's vocabulary, or a SentencePiece model, learnt from ``texts``;
    with what the word counts say of the words kept and left out."""
    tokenizer = spec.tokenizer
    if tokenizer.tokenizer == "sentencepiece":
        pieces = Pieces.train(
            texts, tokenizer.vocab_size, spec.training.seed, tokenizer.piece_min_count
        )
        return _with_pieces(pieces), WordTally(*pieces.tally)
    counter = WordCounter(per_text=tokenizer.per_text)
    for text in texts:
        counter.add(text)
    return vocab_from_counts(counter.counts, spec)


def vocab_from_counts(counts: dict[str, int], spec: Spec) -> tuple[Vocabulary, WordTally]:
    """The regex vocabulary of word ``counts`` (a run's in memory, or a streamed scan's),
    refused when it holds no word, and its :class:`WordTally`."""
    tokenizer = spec.tokenizer
    vocab = Vocabulary.from_counts(
        counts, tokenizer.vocab_size, tokenizer.min_count, tokenizer.alias_min_count
    )
    folded: dict[str, int] = counts
    if tokenizer.alias_min_count:  # as from_counts ranks them: case folded
        folded = Counter()
        for word, count in counts.items():
            folded[word.lower()] += count
    words = vocab.tokens[len(SPECIAL_TOKENS) :]
    tally = WordTally(
        rare=sum(folded.get(word, 0) < RARE for word in words),
        dropped=sum(count < tokenizer.min_count for count in folded.values()),
    )
    return _with_words(vocab, spec), tally


@dataclass(frozen=True)
class WordTally:
    """What a vocabulary's word counts say, or a learnt piece model's piece counts (0 for
    a start's)."""

    rare: int = 0
    """Its words (pieces of two characters or more) seen fewer than :data:`RARE` times:
    the likeliest to be a name or a number of the training text, which the phone file
    carries as plain text."""
    dropped: int = 0
    """Words (pieces) of the text left out for being seen fewer than ``min_count`` times."""


def _with_words(vocab: Vocabulary, spec: Spec) -> Vocabulary:
    """Refuse a vocabulary of the special tokens alone: no word reached ``min_count``, and
    the model would have trained (and answered) reading nothing."""
    if len(vocab) > len(SPECIAL_TOKENS):
        return vocab
    raise SentigruError(
        f"no word of the training text reaches --min-count {spec.tokenizer.min_count}: "
        "the model would read nothing; lower --min-count (1 keeps every word, and ships it "
        "in the phone file), or start from the bundled model (--init bundled)"
    )


def _with_pieces(pieces: Pieces) -> Pieces:
    """Refuse a piece model that learnt punctuation and spaces alone, as a vocabulary of
    no word is refused: every text would be one the model cannot read (it trained, and
    answered 1/n to each of its own training texts)."""
    if pieces.characters()[0]:
        return pieces
    raise SentigruError(
        "the training text holds no letter, digit or symbol, only punctuation and spaces: "
        "the model would read nothing; train on text with words"
    )


def _prepare_examples(
    examples: Examples,
    val: Examples | None,
    spec: Spec,
    unlabelled: Unlabelled | None = None,
    log: Callable[[str], None] = _silent,
    start: Start | None = None,
    named: Sequence[str] = (),
    given: Mapping[str, str] | None = None,
) -> Prepared:
    examples.check_trainable("training data")
    note_repeated(examples)
    check_readable(examples.texts, spec, start.vocab if start else None, log)
    data_fingerprint = examples.fingerprint()  # hashes every row: once
    if start is not None and (val is None or not len(val)):
        start.note_split(data_fingerprint, spec, log)
    split_seed = split_seed_of(spec, start, data_fingerprint)
    train_set, val_set = split_validation(examples, val, spec, split_seed)
    train_set = as_taught(train_set, spec)
    if len(set(train_set.labels)) < 2:
        raise SentigruError("training data after the validation split has only one label")
    labels = (start.label_order if start else label_order)(train_set.labels, named)
    if unlabelled is not None:
        what = "the unlabelled text (--unlabelled)"
        check_readable(unlabelled.texts, spec, start.vocab if start else None, log, what)
        unlabelled = _unseen(unlabelled, val_set, log)
    extra = taught_texts(unlabelled.texts, spec) if unlabelled is not None else []
    vocab, tally = (
        (start.vocab, WordTally()) if start else build_vocab([*train_set.texts, *extra], spec)
    )
    tokenizer = tokenizer_for(vocab, spec.tokenizer.seq_len)
    train_ids = [tokenizer.ids(t) for t in [*train_set.texts, *extra]]
    _note_unread_rows(train_set.texts, train_ids, tokenizer, spec, log, learnt=start is None)
    train_targets = _targets(train_set, labels)
    fingerprint = validated_on(data_fingerprint, val)
    counted_only = unlabelled is not None and not unlabelled.trained_on
    ngram_scored = unlabelled is not None and unlabelled.scores is None and not counted_only
    if unlabelled is not None:
        fingerprint = combined(fingerprint, unlabelled.fingerprint())
    if unlabelled is not None and unlabelled.scores is not None:
        train_targets = np.concatenate([train_targets, unlabelled.targets(labels)])
    if (ngram_scored and not spec.training.ngram_teacher) or (
        counted_only and spec.training.word_init != "ppmi"
    ):
        raise UsageError(NGRAM_UNLABELLED)
    teacher_accuracy = None
    # what each epoch trains on; ``train_ids`` holds every text once
    rows = train_ids[: len(train_set)] if counted_only else train_ids
    trained_extra = 0 if counted_only else len(extra)
    if spec.training.ngram_teacher:
        taught, others, teacher_accuracy = _ngram_taught(
            train_set.texts, train_targets, extra if ngram_scored else [], spec, log
        )
        rows = train_ids + train_ids[: len(train_set)]
        train_targets = np.concatenate([train_targets, others, taught])
    val_ids = [tokenizer.ids(t) for t in val_set.texts] if val_set is not None else []
    val_targets = _targets(val_set, labels, given) if val_set is not None else None
    weights = class_weights(train_set.counts(), labels, spec)

    def pipelines(part: str, epoch: Any, batch_size: int, shard: tuple[int, int]) -> Any:
        from sentigru.pipeline import make_dataset

        common: dict[str, Any] = {
            "batch_size": batch_size,
            "seq_len": spec.tokenizer.seq_len,
            "seed": spec.training.seed,
            "shard": shard,
            "class_weights": weights,
        }
        if part == "train":
            return make_dataset(rows, train_targets, epoch=epoch, **common)
        return make_dataset(val_ids, val_targets, **common) if val_targets is not None else None

    return Prepared(
        vocab=vocab,
        labels=labels,
        fingerprint=with_label_order(fingerprint, labels),
        counts=dict(train_set.counts()),
        val_rows=len(val_set) if val_set is not None else 0,
        streamed=False,
        pipelines=pipelines,
        train_ids=lambda: train_ids,
        unlabelled_rows=trained_extra + (len(train_set) if teacher_accuracy is not None else 0),
        teacher_accuracy=teacher_accuracy,
        split_seed=split_seed if val_set is not None and val_set is not val else None,
        data_fingerprint=data_fingerprint,
        unlabelled_texts=len(unlabelled.texts) if unlabelled is not None else 0,
        unlabelled_identity=unlabelled.identity() if unlabelled is not None else "",
        words=tally,
        train_batches=lambda size: _batch_count(rows, size, spec.tokenizer.seq_len),
    )


def _batch_count(rows: Sequence[Sequence[int]], batch_size: int, seq_len: int) -> int:
    from sentigru.pipeline import batch_count

    return batch_count(np.fromiter(map(len, rows), np.int64, len(rows)), batch_size, seq_len)


def _ngram_taught(
    texts: Sequence[str],
    targets: np.ndarray,
    unlabelled: Sequence[str],
    spec: Spec,
    log: Callable[[str], None],
) -> tuple[np.ndarray, np.ndarray, float]:
    """The character n-gram teacher's out-of-fold scores of the labelled ``texts`` (the
    first rows of ``targets``), its scores of the ``unlabelled`` texts, and the share of
    labelled texts whose scores pick the label."""
    from sentigru.ngram_teacher import FOLDS, teach

    # Minutes on a hundred thousand texts, before the first epoch says anything.
    fits = FOLDS + (1 if len(unlabelled) else 0)
    log(
        f"character n-gram teacher: {fits} fits on {len(texts):,} training texts first "
        "(--no-ngram-teacher skips it)"
    )
    labelled = targets[: len(texts)]
    scores, others = teach(texts, labelled, spec.training.seed, unlabelled)
    return scores, others, float((scores.argmax(axis=1) == labelled.argmax(axis=1)).mean())


VALIDATED_ON = "validated on"
"""Marks the validation rows' fingerprint within a run's."""


def validated_on(fingerprint: str, val: Examples | None) -> str:
    """The run's fingerprint with its ``--val-data`` rows', which choose the epoch kept
    and when to stop, and so the weights: two runs on other validation rows had the
    same manifest, and one resumed the other's checkpoint."""
    return (
        combined(fingerprint, VALIDATED_ON, val.fingerprint()) if val is not None else fingerprint
    )


def with_label_order(fingerprint: str, labels: list[str]) -> str:
    """The run's fingerprint with its labels' order where it is not the sorted one (a
    label map's, or a starting model's): a run resumed with the map in another order
    would read the checkpoint's outputs as other labels. Sorted, the fingerprint is the
    data's alone, as it was before label maps kept their order."""
    return fingerprint if labels == label_order(labels) else combined(fingerprint, *labels)


def combined(*fingerprints: str) -> str:
    digest = Fingerprint()
    for part in fingerprints:
        digest.add(part, "part")
    return digest.hexdigest()


def _prepare_stream(
    source: StreamSource,
    spec: Spec,
    start: Start | None = None,
    log: Callable[[str], None] = _silent,
) -> Prepared:
    def scanned() -> Any:
        return source.scan(
            spec.tokenizer.word_capacity,
            spec.training.shuffle_buffer,
            per_text=spec.tokenizer.per_text,
        )

    sample = list(islice((text for text, _ in source.rows("all")), READABLE_SAMPLE))
    check_readable(sample, spec, start.vocab if start else None, log)  # its file is closed
    scan = scanned()
    if start is not None and not source.val_paths:
        start.note_split(scan.fingerprint, spec, log)
    kept = start.split_seed(scan.fingerprint, spec) if start is not None else None
    if kept is not None and kept != source.held_out_seed() and not source.val_paths:
        source.split_seed = kept  # the data the start trained on: hold out its rows
        scan = scanned()  # the fingerprint is known only after a pass; one more counts
    vocab: Vocabulary | Pieces
    tally = WordTally()
    if start is not None:
        vocab = start.vocab
    elif spec.tokenizer.tokenizer == "sentencepiece":  # a bounded sample, in one more pass
        vocab, tally = build_vocab((text for text, _ in source.rows("train", (0, 1))), spec)
    else:
        vocab, tally = vocab_from_counts(scan.words.counts, spec)
    named = list(source.options.label_map.values())
    labels = (start.label_order if start else label_order)(scan.labels, named)
    tokenizer: Tokenizer | SentencePieceTokenizer = tokenizer_for(vocab, spec.tokenizer.seq_len)
    index = {label: i for i, label in enumerate(labels)}
    seed, buffer = spec.training.seed, spec.training.shuffle_buffer

    def encoded(rows: Iterator[tuple[str, str]]) -> Iterator[tuple[list[int], int]]:
        for text, label in rows:
            if label not in index:  # read when the files were scanned: one has changed
                raise SentigruError(
                    f"a row labelled {label!r}, a label the files did not hold when training "
                    "began: a file changed during training (restore it and --resume)"
                )
            yield tokenizer.ids(text), index[label]

    def pipelines(part: str, epoch: Any, batch_size: int, shard: tuple[int, int]) -> Any:
        from sentigru.pipeline import stream_dataset

        def train_rows(number: int) -> Iterator[tuple[list[int], int]]:
            files = random.Random(f"sentigru-files:{seed}:{number}")  # alike on all workers
            rows = source.rows("train", shard, order=files)
            rng = random.Random(f"sentigru-stream:{seed}:{number}:{shard[0]}")
            return encoded(shuffled(rows, buffer, rng))

        def val_rows(_: int) -> Iterator[tuple[list[int], int]]:
            return encoded(source.rows("val", shard))

        common: dict[str, Any] = {
            "labels": len(labels),
            "batch_size": batch_size,
            "seq_len": tokenizer.seq_len,
            "class_weights": class_weights(scan.labels, labels, spec),
        }
        if part == "train":
            return stream_dataset(train_rows, epoch=epoch, **common)
        return stream_dataset(val_rows, **common) if scan.val_rows else None

    return Prepared(
        vocab=vocab,
        labels=labels,
        fingerprint=with_label_order(
            combined(scan.fingerprint, VALIDATED_ON, scan.val_fingerprint)
            if source.val_paths
            else scan.fingerprint,
            labels,
        ),
        counts=dict(scan.labels),
        val_rows=scan.val_rows,
        streamed=True,
        pipelines=pipelines,
        train_ids=lambda: (tokenizer.ids(text) for text, _ in source.rows("train", (0, 1))),
        split_seed=source.held_out_seed() if scan.val_rows and not source.val_paths else None,
        data_fingerprint=scan.fingerprint,
        words=tally,
    )


def check_files(paths: Sequence[Path], val_data: Sequence[Path]) -> list[Path]:
    """The validation files, expanded, once the training and validation files are known
    not to repeat or overlap (before any is read: ``compare`` checks this before its
    children start)."""
    train = expand_paths(paths)
    val = expand_paths(val_data) if val_data else []
    _refuse_shared(train, val)
    return val


def _refuse_shared(train: Sequence[Path], val: Sequence[Path]) -> None:
    """A file both trained and validated on would make validation flatter the model
    and early stopping wait on rows it has learnt."""
    trained = {same_file_key(p) for p in train}
    for path in val:
        if same_file_key(path) in trained:
            raise SentigruError(
                f"{path} is both --data and --val-data: the model would be validated on "
                "rows it trains on"
            )


def prepare_source(
    source: DataSource,
    spec: Spec,
    val_data: Sequence[Path] = (),
    unlabelled: Unlabelled | None = None,
    log: Callable[[str], None] = _silent,
    start: Start | None = None,
    val_rows: Examples | None = None,
) -> Prepared:
    """The user's training data read (or, with ``spec.training.stream``, scanned) and
    checked, before TensorFlow is imported; ``val_data`` files and ``val_rows`` (in
    memory) replace the held-out share; ``unlabelled`` texts are trained on with a
    teacher's scores; ``start`` keeps a trained model's vocabulary and labels."""
    from sentigru.data.files import read_examples

    val_paths = check_files(source.paths, val_data)
    if not spec.training.stream:
        examples = source.load("train")
        val = Examples()
        for path in val_paths:  # skipped rows and an unused label map said, as for --data
            read = read_examples(path, source.options)
            read.report_skipped(path, source.options.label_map)
            val.extend(read.examples)
        if val_rows is not None:
            val.extend(val_rows)
        named = list(source.options.label_map.values())
        if len(val) and start is None:  # labels unknown to training: a map of the file's own
            order = label_order(examples.labels, named)  # the model's, which a hint follows
            check_known_labels(val.labels, order, source.options.label_map)
        val_set = val if len(val) else None
        given = source.options.label_map
        return prepare(examples, spec, val_set, unlabelled, log, start, named, given)
    if val_rows is not None:
        raise SentigruError(
            "stream reads validation data from files; rows (texts, labels) are in memory: "
            "give val_data as a file, or drop stream=True"
        )
    if source.dataset:
        raise SentigruError(
            "--stream (stream=) reads files (--data, data=); drop --dataset (dataset=) or --stream"
        )
    if source.rows is not None:
        raise SentigruError(
            "stream reads files in passes; rows (texts, labels) are in memory already: "
            "drop stream=True"
        )
    if not source.paths:
        raise UsageError("no data: give --data FILE (data=), one or more")
    stream = StreamSource(
        expand_paths(source.paths),
        source.options,
        val_paths=val_paths,
        val_fraction=spec.training.val_split,
        seed=spec.training.seed,
        curly_share=spec.training.curly_share,
    )
    return prepare(stream, spec, unlabelled=unlabelled, log=log, start=start)
