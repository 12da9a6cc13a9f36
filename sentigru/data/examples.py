"""Labelled texts in memory, and what is done to them before the model sees ids.

Kept free of TensorFlow: readers produce :class:`Examples`, training turns them into a
``tf.data`` pipeline.
"""

from __future__ import annotations

import hashlib
import random
import re
import shlex
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sentigru.contract import validate_labels
from sentigru.errors import SentigruError
from sentigru.limits import note


def label_order(labels: Iterable[str], named: Sequence[str] = ()) -> list[str]:
    """Labels in a stable order. ``named`` is the order a ``--label-map`` names them in:
    when it names every label, it is kept (``1=awful,…,5=great`` keeps the scale's
    order in ``labels.txt``, the scores and the confusion matrix). Otherwise they are
    sorted: numerically when every label is an integer (so ``2`` comes before ``10``),
    else as strings. Labels ``labels.txt`` cannot hold (a line break in one) are refused
    here, before a training, not when it is saved."""
    unique = set(labels)
    numbers = all(_is_int(label) for label in unique)  # ties (1, 01, １) by their text
    if unique and unique <= set(named):
        order = [x for x in dict.fromkeys(named) if x in unique]
    elif numbers:
        order = sorted(unique, key=lambda x: (int(x), x))
    else:
        order = sorted(unique)
    validate_labels(order, "the data's labels")
    return order


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def check_label_sets(label_sets: dict[str, set[str]]) -> None:
    """Two sources that each hold two labels or more, and none in common, may name the
    same labels two ways. Numbers beside words (``0``/``1`` and ``negative``/``positive``)
    surely do: read together they would train a model with both, half of whose outputs
    no text of the other source teaches, so that is refused. Other disjoint sets (star
    ratings 1, 2 in one file and 4, 5 in another) may be meant: a note."""
    named = [(name, labels) for name, labels in label_sets.items() if len(labels) >= 2]
    for i, (first, ours) in enumerate(named):
        for second, theirs in named[i + 1 :]:
            if ours & theirs:
                continue
            found = (
                f"{first} has the labels {', '.join(sorted(ours))} and {second} "
                f"{', '.join(sorted(theirs))}, none in common"
            )
            if _numbers(ours) != _numbers(theirs):
                raise SentigruError(
                    f"{found}: rename one set with --label-map (label_map=), for example "
                    "0=negative,1=positive"
                )
            note(f"note: {found}; the model learns all of them")


def check_label_spellings(
    counts: Counter[str], label_map: dict[str, str] | None = None, known: Sequence[str] = ()
) -> None:
    """Refuse labels that differ only in case or in how a number is written
    (``Positive``/``positive``, ``1``/``1.0`` as pandas writes a column with a gap): one
    label spelt two ways would train two outputs, each taught half of its texts. The fix
    named merges each into its commonest spelling; a label that another spelling of which
    ``label_map`` renames is named with the map's name for it. With ``known`` (a model's
    labels, when its data is evaluated) the spellings of a known label merge into it."""
    label_map = label_map or {}
    _check_unmapped_spellings(counts, label_map)
    spellings: dict[str, list[str]] = {}
    for label in counts:
        if label_map.get(label) != label:  # X=X in the map: keep X apart
            spellings.setdefault(_spelling_key(label), []).append(label)
    for short in [key for key in spellings if _is_shortening(key)]:  # neg beside negative
        full = [key for key in spellings if _shortens(short, key)]
        if len(full) == 1:
            spellings[full[0]] += spellings.pop(short)
    groups = [
        _target_first(sorted(g, key=lambda x: _merge_rank(x, counts)), known)
        for g in spellings.values()
        if len(g) > 1
    ]
    if not groups:
        return
    pairs = [(other, group[0]) for group in groups for other in group[1:]]
    shown = ", ".join(f"{a!r} and {b!r}" for a, b in pairs[:3])
    raise SentigruError(  # with the map given: one map to give in its place
        f"labels {shown} differ only in case, width, number format or as a word and its "
        f"shortening: one label written two ways? Merge them with --label-map "
        f"{_map_option(_composed(label_map, pairs))} (label_map=) (or keep one apart "
        "with X=X)"
    )


def _merge_rank(label: str, counts: Counter[str]) -> tuple[bool, bool, int, str]:
    """Which spelling a label's others merge into: a word before its shortening, a
    whole number before its decimal form (``1`` for ``1.0``, whichever is commoner: the
    other files' and an app's), then the commonest."""
    return _is_shortening(label.lower()), not _is_int(label), -counts[label], label


def _target_first(group: list[str], known: Sequence[str]) -> list[str]:
    """``group`` (one label's spellings, the one to merge into first) led by the known
    label it spells, where there is one: the model's, when its data is evaluated (its
    ``neg`` for the data's ``negative`` and ``Neg``, its ``negative`` for ``Neg``)."""
    ours = [k for k in known if any(_spells(x, k) for x in group)]
    if not ours:
        return group
    return [ours[0], *(x for x in group if x != ours[0])]


SHORTENINGS = {"neg": "negative", "pos": "positive", "neu": "neutral", "neut": "neutral"}
"""How sentiment datasets shorten their labels. A fixed list: a rule by letters merged
``pos`` into ``pos_strong`` and ``fake`` into ``fake_news``."""


def _spells(label: str, other: str) -> bool:
    """Whether ``label`` is ``other`` written otherwise: in other case or number format,
    or as its shortening."""
    return _spelling_key(label) == _spelling_key(other) or _shortens(label, other)


def _shortens(short: str, label: str) -> bool:
    """Whether ``short`` is a dataset's shortening of ``label`` (``neg`` of *negative*),
    case aside."""
    return SHORTENINGS.get(_folded(short)) == _folded(label)


def _is_shortening(label: str) -> bool:
    """A label as datasets shorten one (``neg``, ``pos``, ``neu``)."""
    return _folded(label) in SHORTENINGS


TEMPLATE = "OLD=NEW,OLD=NEW"
"""The ``--label-map`` given where the labels cannot be paired or spelt in one."""


def _map_option(pairs: list[tuple[str, str]]) -> str:
    """``OLD=NEW,…`` as the shell takes it (a comma in a label written ``\\,``), or a
    template where a label holds ``=``, which the option cannot spell."""
    if any("=" in x or x.endswith("\\") for pair in pairs for x in pair):
        return TEMPLATE
    return shlex.quote(",".join(f"{a}={b}".replace(",", "\\,") for a, b in pairs))


REPEATS_NOTED = 0.02
"""The share of validation texts that are training texts too that a run notes (IMDB's
validation split holds 0.6 % such copies, SST-2's 1.2 %)."""


def copy_key(text: str) -> str:
    """What two copies of a review share: its words, whatever their case and the white
    space between them (the vocabulary gives case variants one id)."""
    return " ".join(text.casefold().split())


def note_validation_seen(train: Examples, val: Examples, given: bool) -> int:
    """A note when many validation texts are training texts too (a review posted twice,
    one file in both ``--data`` and ``--val-data``): validation reads them as seen, and
    its figures run high; or, where the copies carry other labels than in training,
    low. Returns how many."""
    seen = ValidationCopies()
    for text, label in zip(val.texts, val.labels):
        seen.hold(text, label)
    for text, label in zip(train.texts, train.labels):
        seen.add(text, label)
    return seen.note(given)


class ValidationCopies:
    """Validation texts found among the training rows, case and spacing aside, counted
    as the training rows pass (read once, as a streamed run reads them): only the
    validation side is held, as 16-byte hashes of its texts."""

    def __init__(self) -> None:
        self.val: list[tuple[bytes, str]] = []
        self.held: set[bytes] = set()
        self.seen: dict[bytes, set[str]] = {}  # of the training rows: their labels

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.blake2b(
            copy_key(text).encode("utf-8", "surrogatepass"), digest_size=16
        ).digest()

    def hold(self, text: str, label: str) -> None:
        """A validation row."""
        key = self._key(text)
        self.val.append((key, label))
        self.held.add(key)

    def add(self, text: str, label: str) -> None:
        """A training row."""
        if (key := self._key(text)) in self.held:
            self.seen.setdefault(key, set()).add(label)

    def note(self, given: bool) -> int:
        """Say so where they are many (:data:`REPEATS_NOTED`); return how many."""
        copies = other = 0
        for key, label in self.val:
            labels = self.seen.get(key)
            copies += labels is not None
            other += labels is not None and label not in labels
        if self.val and copies >= REPEATS_NOTED * len(self.val):
            where = "--val-data repeats training rows" if given else "copies in the data"
            reads = (
                "validation reads them as seen, so its figures run high"
                if not other
                else f"{other} of them with another label there: contradicting labels, which "
                "make its figures run low"
                if other == copies
                else f"{other} of them with another label there: its figures run high on the "
                "copies and low on the contradictions"
            )
            note(
                f"note: {copies} of the {len(self.val)} validation texts are training texts "
                f"too (case and spacing aside; {where}): {reads}; drop the copies"
            )
        return copies


def note_repeated(examples: Examples) -> None:
    """A note when the training data gives one text two labels (case and spacing aside):
    the model is taught both, and nothing else said so; or when many rows repeat a text,
    each copy weighing it once more. Hashes of the texts only: no copy is kept."""
    labels: dict[int, str | None] = {}  # a text's label, None once it had two
    example = ""  # the first text given two labels, to show
    repeats = 0
    for text, label in zip(examples.texts, examples.labels):
        key = hash(copy_key(text))
        if key not in labels:
            labels[key] = label
            continue
        repeats += 1
        if labels[key] is not None and labels[key] != label:
            labels[key] = None
            example = example or text
    twice = sum(label is None for label in labels.values())
    if twice:
        note(
            f"note: {twice} text(s) of the training data occur with two labels or more (case and "
            f"spacing aside), e.g. {example!r:.80}: the model is taught both; fix or "
            "drop them"
        )
    elif repeats >= REPEATS_NOTED * max(len(examples.texts), 1):
        note(
            f"note: {repeats} of the {len(examples.texts)} rows of the training data repeat "
            "a text read before (case and spacing aside): each copy weighs its text once more"
        )


def _check_unmapped_spellings(counts: Counter[str], label_map: dict[str, str]) -> None:
    renamed = {_spelling_key(old): new for old, new in label_map.items() if old != new}
    pairs = [
        (label, renamed[_spelling_key(label)])
        for label in counts
        if label not in label_map.values() and _spelling_key(label) in renamed
    ]
    if pairs:
        shown = ", ".join(f"{a!r} as {b!r}" for a, b in pairs[:3])
        raise SentigruError(
            f"--label-map renames other spellings of {shown}, but not these: add "
            f"{_map_option(pairs)} to it"
        )


_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0+)?")  # any script's digits: 1 and １ too


_WIDTH_FORMS = re.compile("[\uff00-\uffef]+")
"""Full-width and half-width forms (``ｐｏｓ``, ``１．０``, ``ﾎﾟｼﾞ``), as Japanese, Chinese
and Korean input methods type them."""


def _folded(label: str) -> str:
    """``label`` in lowercase, its width forms as the plain letters they stand for (and
    half-width kana composed: ``ﾎﾟ`` as ``ポ``). Other compatibility forms (``①``, ``²``,
    ``Ⅱ``, jamo) are different text, and stay."""
    return _WIDTH_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), label).lower()


def _spelling_key(label: str) -> str:
    """What spellings of one label share: its text folded (:func:`_folded`: case and
    width), or its value when it is a whole number, as written or as pandas writes it
    (``1``, ``1.0``, ``01``, ``１``, ``１．０``); other numbers stay as written (``1.1`` and
    ``1.10`` may be codes)."""
    folded = _folded(label)
    if _WHOLE_NUMBER.fullmatch(folded):
        return str(int(folded.split(".")[0]))
    return folded


def _numbers(labels: set[str]) -> bool:
    return all(label.strip().lstrip("-").isdigit() for label in labels)


def check_two_labels(counts: Counter[str], source: str) -> None:
    """Refuse data with a single label: a classifier cannot learn from it; or whose
    labels are mostly one row each: the label column is the text or an id (it trained a
    400-label model on 400 rows, with a note per label)."""
    if len(counts) == 1:
        only = next(iter(counts))
        raise SentigruError(f"{source}: every example has the label {only!r}; need two labels")
    single = sum(1 for n in counts.values() if n == 1)
    if len(counts) >= LABELS_LIKE_IDS and 2 * single > sum(counts.values()):
        shown = ", ".join(repr(label[:30]) for label in list(counts)[:3])
        raise SentigruError(
            f"{source}: {len(counts)} labels in {sum(counts.values())} rows, {single} of "
            f"them on one row only ({shown} …): is the label column an id or the text? "
            "choose it with --label-column (label_column=)"
        )


LABELS_LIKE_IDS = 20
"""From this many labels, most rows holding a label of their own means the label column
is not one: no classifier learns a label from its one row."""


def check_known_labels(
    labels: Iterable[str], known: Iterable[str], given: Mapping[str, str] | None = None
) -> None:
    """Refuse validation labels the training data never had: the model has no output
    for them. ``given``: the map they were read with, which the hint's map replaces."""
    labels = list(labels)
    known, unknown = list(known), sorted(set(labels) - set(known))
    if not unknown:
        return
    pairs = [(label, ours) for label in unknown for ours in known if _spells(label, ours)]
    if len(pairs) == len(unknown) == len({label for label, _ in pairs}):  # each one way
        hint = _map_option(_composed(given or {}, pairs))
    else:
        hint = composed_hint(unknown, _lacking(known, labels), given, set(labels) & set(known))
    raise SentigruError(
        f"validation data has label(s) not in the training data: {', '.join(unknown[:5])}; "
        f"rename them as read with --label-map (label_map=), e.g. {hint}"
    )


def label_indices(
    labels: Iterable[str], model_labels: list[str], given: Mapping[str, str] | None = None
) -> list[int]:
    """Each label's output index in the model; data labelled otherwise (SST-2's ``0`` and
    ``1``, say) is refused with the labels the model has and the option that renames.
    ``given`` is the map the labels were read with: the hint then renames the file's own
    labels (``0=negative``), not the map's results (``neg=negative``), which the map
    would not find in the file."""
    index = {label: i for i, label in enumerate(model_labels)}
    for i, label in enumerate(model_labels):  # a folder saved with decomposed labels
        index.setdefault(unicodedata.normalize("NFC", label), i)
    labels = list(labels)
    unknown = sorted(set(labels) - set(index))
    if unknown:
        present = set(labels) & set(index)
        hint = composed_hint(unknown, _lacking(model_labels, labels), given, present)
        raise SentigruError(
            f"the data has label(s) the model does not know: {', '.join(unknown[:5])} "
            f"(model labels: {', '.join(model_labels)}); rename them as read with --label-map "
            f"(label_map=), e.g. {hint}"
        )
    return [index[label] for label in labels]


def _lacking(model_labels: list[str], labels: list[str]) -> list[str]:
    """The model's labels the data lacks, in the model's order: integer labels are
    paired with them in that order (sorted by name, Korean *긍정* came before *부정*
    and the hint mapped ``0`` onto the positive label)."""
    present = set(labels)
    return [label for label in model_labels if label not in present]


def composed_hint(
    unknown: list[str],
    free: list[str],
    given: Mapping[str, str] | None,
    present: Collection[str] = (),
) -> str:
    """:func:`label_map_hint` for labels read through the map ``given``: one map of the
    file's own labels. ``present``: the data's labels the model has too."""
    pairs = _hint_pairs(unknown, free, present)
    return _map_option(_composed(given or {}, pairs)) if pairs else TEMPLATE


def _composed(given: Mapping[str, str], pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The map ``given`` followed by ``pairs``, as one map of the file's labels."""
    renamed = dict(pairs)
    composed = {old: renamed.get(new, new) for old, new in given.items()}
    composed.update((a, b) for a, b in pairs if a not in given.values())
    return list(composed.items())


def _abbreviates(short: str, label: str) -> bool:
    """Whether ``short`` is how datasets shorten ``label``: ``neg`` for *negative*,
    ``Pos`` for *positive* (three letters or more, the start of the word)."""
    short, label = _folded(short), _folded(label)
    return len(short) >= 3 and len(short) < len(label) and label.startswith(short)


def label_map_hint(unknown: list[str], free: list[str]) -> str:
    """A ``--label-map`` for the data's unknown labels, quoted for the shell: each onto
    the model's label that it spells in other case or number format (``1.0`` for ``1``)
    or shortens (``neg`` for ``negative``),
    and integer labels in order onto the model's labels the data lacks (SST-2's ``0``,
    ``1`` onto ``negative``, ``positive``); else (words it cannot pair) a template."""
    return composed_hint(unknown, free, None)


def _hint_pairs(
    unknown: list[str], free: list[str], present: Collection[str] = ()
) -> list[tuple[str, str]]:
    """:func:`label_map_hint`'s pairs, or none where a label cannot be paired.
    ``present``: the data's labels the model has too."""
    whole = [x for x in present if _is_int(x)]
    numbers = whole and all(_is_int(x) for x in [*unknown, *free])
    if numbers and (shifted := _shifted([*unknown, *whole], [*whole, *free])):
        return shifted  # stars 0-4 for 1-5: the whole scale moved
    pairs, rest, free = [], [], list(free)  # the caller's list stays as given
    for label in unknown:
        same = [x for x in free if _spelling_key(x) == _spelling_key(label)] or [
            x for x in free if _abbreviates(label, x)
        ]
        if same:
            pairs.append((label, same[0]))
            free.remove(same[0])
        else:
            rest.append(label)
    if rest and len(rest) == len(free) and all(_is_int(x) for x in rest):
        paired = list(zip(label_order(rest), free))
        if not all(_in_place(a, b, whole) for a, b in paired):
            return []  # 0 onto 5 where 1-4 are the same on both sides: the scale turned
        pairs += paired
        rest = []
    return [] if rest else pairs


def _in_place(ours: str, theirs: str, whole: list[str]) -> bool:
    """Whether number ``ours`` onto ``theirs`` keeps its place among the numbers the data
    and the model share (0 onto -1 beside a shared 1 does; 0 onto 5 beside 1-4 does not);
    a word for a number is no number to compare."""
    if not _is_int(theirs):
        return True
    return all((int(ours) < int(x)) == (int(theirs) < int(x)) for x in whole)


def _shifted(data: list[str], model: list[str]) -> list[tuple[str, str]]:
    """Every data number onto the model's number one step apart, where one constant
    step pairs them all (0-4 onto 1-5, 0/1/2 onto -1/0/1), else none: pairing only the
    numbers the model lacks mapped a 0-star review onto 5 stars."""
    ours, theirs = sorted(set(data), key=int), sorted(set(model), key=int)
    steps = {int(b) - int(a) for a, b in zip(ours, theirs)}
    if len(ours) != len(theirs) or len(steps) != 1:
        return []
    return list(zip(ours, theirs)) if steps.pop() else []


class Fingerprint:
    """sha256 over (label, text) pairs, each part length-prefixed, fed one row at a time
    so that streamed data and data in memory get the same name."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def add(self, text: str, label: str) -> None:
        for part in (label, text):
            data = part.encode("utf-8", "surrogatepass")
            self._digest.update(len(data).to_bytes(8, "little"))
            self._digest.update(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@dataclass
class Examples:
    """Parallel lists of texts and their labels (labels kept as given, as strings)."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def extend(self, other: Examples) -> None:
        self.texts.extend(other.texts)
        self.labels.extend(other.labels)

    def counts(self) -> Counter[str]:
        return Counter(self.labels)

    def fingerprint(self) -> str:
        """sha256 of every (label, text) pair in order: names the exact training data."""
        digest = Fingerprint()
        for text, label in zip(self.texts, self.labels):
            digest.add(text, label)
        return digest.hexdigest()

    def subset(self, indices: Iterable[int]) -> Examples:
        chosen = list(indices)
        return Examples([self.texts[i] for i in chosen], [self.labels[i] for i in chosen])

    def stratified_split(self, fraction: float, seed: int) -> tuple[Examples, Examples]:
        """Hold out ``fraction`` of each label (at least one of each label when possible),
        chosen by ``seed``; returns (train, validation) keeping the original order."""
        if not 0.0 < fraction < 1.0:
            raise SentigruError(f"validation split must be between 0 and 1, got {fraction}")
        by_label: dict[str, list[int]] = {}
        for i, label in enumerate(self.labels):
            by_label.setdefault(label, []).append(i)
        rng = random.Random(f"sentigru-split:{seed}")
        held: set[int] = set()
        for label in sorted(by_label):
            indices = by_label[label]
            take = round(len(indices) * fraction)
            if take == 0 and len(indices) > 1:
                take = 1
            take = min(take, len(indices) - 1)
            held.update(rng.sample(indices, take))
        if not held:
            raise SentigruError(
                "too few examples to hold out a validation split: give validation data "
                "(--val-data (val_data=)) or train on them all (--val-split 0 (val_split=0))"
            )
        train = [i for i in range(len(self)) if i not in held]
        val = [i for i in range(len(self)) if i in held]
        return self.subset(train), self.subset(val)

    def check_trainable(self, source: str) -> None:
        """Refuse data a classifier cannot learn from, before any time is spent."""
        if not self.texts:
            raise SentigruError(f"{source}: no examples")
        check_two_labels(self.counts(), source)
