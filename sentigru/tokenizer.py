"""The one tokenizer: text to ids exactly as the phone does it.

MediaPipe Tasks ``TextClassifier`` and the TFLite Task Library ``NLClassifier`` read a
"regex tokenizer" from the model's metadata and run it in C++ with RE2:

* split the text on the delimiter regex ``[^\\w']+`` and drop empty pieces. RE2's ``\\w``
  is ASCII only (``[0-9A-Za-z_]``), unlike Python's, so every non-ASCII character
  (accents, other scripts, emoji, curly quotes) is a delimiter: ``café`` gives ``caf``;
* no lowercasing and no other normalisation; the text ends at a NUL character;
* ``<START>`` first, then each word's id (``<UNKNOWN>`` when it is not in the
  vocabulary), cut or padded with ``<PAD>`` to the model's sequence length.

Python must produce the same ids, so nothing else in sentigru tokenizes in Python, and
this module does nothing the phone does not do. The parity test against MediaPipe holds
it to that. (The SavedModel export tokenizes in its graph with TensorFlow's RE2 ops, as
a server has no Python: ``sentigru.exporters.saved_model``, held to these ids by
``tests/test_export.py``.)
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentigru import contract, limits
from sentigru.contract import (  # noqa: F401  (re-exported: the tokenizer's names)
    DELIM_REGEX,
    PAD,
    PAD_ID,
    REGEX_KNOWN_IDS,
    SPECIAL_TOKENS,
    START,
    START_ID,
    TOKEN_REGEX,
    UNKNOWN,
    UNKNOWN_ID,
    KnownIds,
    readable,
    readable_end,
)
from sentigru.errors import SentigruError

# The words DELIM_REGEX leaves, for Python's `re`; RE2's \w is ASCII, so re.ASCII.
_TOKEN = re.compile(TOKEN_REGEX, re.ASCII)
_APOSTROPHES = re.compile("'+")
_WORD_CHAR = re.compile(r"\w", re.ASCII)


def _quote_words(body: str) -> Iterator[re.Match[str]]:
    """The words of apostrophes alone (``'``, ``''``) in ``body``: the phone's tokenizer
    keeps ``'`` in words, so quote marks are words, and a vocabulary may hold them; they
    say nothing of the text. Runs of ``'`` with no word character beside them (a run
    found whole: no ``'`` beside it either), as fast as a search for ``'`` itself: most
    reviews hold one, inside *don't*."""
    for match in _APOSTROPHES.finditer(body):
        start, stop = match.span()
        if not (start and _WORD_CHAR.match(body, start - 1)) and not _WORD_CHAR.match(body, stop):
            yield match


SYMBOL_BLOCKS = (
    (0x200D, 0x200D),  # zero-width joiner, inside emoji sequences (👨‍👩‍👧)
    (0x20E3, 0x20E3),  # combining keycap (1️⃣)
    (0x2300, 0x23FF),  # Miscellaneous Technical: ⌛ ⏰
    (0x2600, 0x27BF),  # Miscellaneous Symbols, Dingbats: ☺ ★ ♥ ✨ ❤ ✅ ❌
    (0x2B00, 0x2BFF),  # Miscellaneous Symbols and Arrows: ⭐ ⭕
    (0x3297, 0x3297),  # ㊗
    (0x3299, 0x3299),  # ㊙
    (0xFE0E, 0xFE0F),  # variation selectors: text or emoji form (❤️)
    (0x1F000, 0x1FAFF),  # the emoji blocks: 😍 👎 🔥 💩 🙄, skin tones, flags
    (0xE0020, 0xE007F),  # tags (subdivision flags)
)
"""Emoji and the symbols used as emoji, by Unicode block: none is a word character to
the phone's tokenizer, so a review's 👎 or ⭐⭐⭐⭐⭐ never reaches the model. A run of
them counts as one word the model did not read (:meth:`Tokenizer.unread_words`), as a run
of letters in another script does, so that *Amazing 🙄* is noted as read in part."""

_SYMBOLS = "".join(f"{chr(low)}-{chr(high)}" for low, high in SYMBOL_BLOCKS)
_UNREAD_RUN = re.compile(rf"(?:[^\W\x00-\x7f]|[{_SYMBOLS}])++")
"""Runs of what the tokenizer drops whole: word characters beyond ASCII, and emoji.
Possessive: ``re`` keeps no way back through a run, which took 1 GB on a run of ten
million letters."""

READ_CHARS = 64
"""Characters per id of the model's length within which the counts of what a text's
reader did not read look (65,536 for 1,024 ids): a thousand words are never longer, and
a text of millions of characters costs no more than that. Those counts stop at the
model's length too."""

FACE = r"(?:[:;=][-'^]?[()\[\]DPpOo3/\\|*]|</?3)(?![\w'])"
"""An emoticon but for the look behind of :data:`EMOTICON`, which the places that
match it check themselves (Safari before 16.4 has no look behind in its regexes)."""
EMOTICON = r"(?<![\w'])" + FACE
"""Emoticons such as ``:)``, ``;-)``, ``:'(``, ``:D``, ``:/`` and ``<3``, standing
alone (``10:30`` and ``C:/`` are none): punctuation to the tokenizer, which reads
nothing of ``:(`` (and only ``3`` of ``<3``, ``'`` of ``:'(``, fragments it does not
know). One with no word character or apostrophe counts as a word the model did not
read. ASCII only, so the web page's JavaScript regex matches the same."""

_FACE_AHEAD = re.compile(FACE, re.ASCII)


def _faces(body: str) -> list[tuple[int, int]]:
    """Where :data:`EMOTICON` matches in ``body``, in order. Only where one of its first
    characters stands (found by ``str.find``) is the pattern tried, its look behind
    checked here: scanning every position of a long review with ``re`` cost 8 times
    as much, as much as tokenizing it."""
    spans = []
    for mark in ":;=<":
        at = body.find(mark)
        while at >= 0:
            match = _FACE_AHEAD.match(body, at)
            if match and not (at and _TOKEN.match(body, at - 1, at)):
                spans.append(match.span())
            at = body.find(mark, at + 1)
    return sorted(spans)


def iter_tokens(text: str) -> Iterator[str]:
    """Yield the words of ``text`` lazily, so a huge text costs only what is read.

    MediaPipe passes the text on as a C string, so it ends at the first NUL character;
    so does this."""
    for match in _TOKEN.finditer(text, 0, readable_end(text)):
        yield match.group()


FINDALL_CHARS = 1 << 16
"""Texts up to this long are split in one ``findall`` (some 1.7x faster than iterating
over matches); longer ones lazily, so a huge text costs only the words kept."""


def split(text: str, limit: int | None = None) -> list[str]:
    """The words of ``text`` as the phone splits them; at most ``limit`` of them."""
    if len(text) <= FINDALL_CHARS:
        words = _TOKEN.findall(text, 0, readable_end(text))
        return words if limit is None else words[:limit]
    tokens = iter_tokens(text)
    if limit is None:
        return list(tokens)
    return [token for _, token in zip(range(limit), tokens)]


@dataclass(frozen=True)
class Vocabulary:
    """Word list whose index is the id: the three special tokens, then words by frequency.

    ``aliases`` are extra ``(word, id)`` pairs: other spellings that share a word's id.
    sentigru uses them for case: "Great" and "GREAT" get the id of "great", so a model is
    case-insensitive although neither Python nor the phone lowercases anything. The
    phone runtimes read them from the same ``token id`` vocabulary file, where several
    lines may carry one id."""

    tokens: tuple[str, ...]
    aliases: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        contract.validate_vocab(self.tokens, self.aliases)

    def __len__(self) -> int:
        """The number of ids (aliases add words, not ids)."""
        return len(self.tokens)

    @property
    def index(self) -> dict[str, int]:
        # Not cached on the frozen instance on purpose: callers that encode many texts
        # use a Tokenizer, which builds the dict once.
        index = dict(zip(self.tokens, range(len(self.tokens))))
        index.update(self.aliases)
        return index

    def entries(self) -> list[tuple[str, int]]:
        """Every ``(word, id)`` pair: the words in id order, then the aliases."""
        return [*((token, i) for i, token in enumerate(self.tokens)), *self.aliases]

    @classmethod
    def build(
        cls,
        texts: Iterable[str],
        size: int,
        min_count: int = 1,
        alias_min_count: int = 0,
        per_text: bool = False,
    ) -> Vocabulary:
        """The ``size`` most frequent words of ``texts`` (ties broken alphabetically, so
        the same data always gives the same ids), after the special tokens; with
        ``per_text``, a word counts once per text it is in."""
        counter = WordCounter(per_text=per_text)
        for text in texts:
            counter.add(text)
        return cls.from_counts(counter.counts, size, min_count, alias_min_count)

    @classmethod
    def from_counts(
        cls, counts: dict[str, int], size: int, min_count: int = 1, alias_min_count: int = 0
    ) -> Vocabulary:
        """The ``size`` words with the highest counts, ties broken alphabetically.

        With ``alias_min_count`` > 0, words are counted without regard to case, each
        kept word's id is given to its lowercase form, and every other spelling of it
        seen at least ``alias_min_count`` times becomes an alias of that id."""
        folded: dict[str, int] = counts
        if alias_min_count:
            folded = Counter()
            for word, count in counts.items():
                folded[word.lower()] += count
        ranked = sorted(
            (item for item in folded.items() if item[1] >= min_count),
            key=lambda item: (-item[1], item[0]),
        )
        tokens = SPECIAL_TOKENS + tuple(word for word, _ in ranked[:size])
        if not alias_min_count:
            return cls(tokens)
        ids = {word: i for i, word in enumerate(tokens)}
        aliases = sorted(
            (ids[word.lower()], word)
            for word, count in counts.items()
            if count >= alias_min_count and word != word.lower() and word.lower() in ids
        )
        return cls(tokens, tuple((word, i) for i, word in aliases)).with_contraction_heads()

    def with_contraction_heads(self) -> Vocabulary:
        """This vocabulary with the head of each contracted word (``wasn`` of ``wasn't``,
        ``Didn`` of ``Didn't``) as an alias of it, where the head is no word of its own.

        Phone keyboards type ’ (U+2019) for the apostrophe, which the phone's tokenizer
        splits on, as Python does: *wasn’t* arrives as ``wasn`` and ``t``. Read as
        *wasn't*, the head keeps the negation; unknown, it loses it. A text typed with
        ``'`` holds such a head only where one was typed alone (``isn t``), so its ids
        barely change: on the bundled model, no label of SST-2 dev or of the checks."""
        index = self.index
        heads: dict[str, int] = {}
        for word, i in self.entries():
            head = word.split("'", 1)[0]
            known = head in index or head.lower() in index  # "WON": "won" is a word
            if i > UNKNOWN_ID and "'" in word and head and not known:
                heads.setdefault(head, i)
        added = tuple(sorted(heads.items(), key=lambda item: (item[1], item[0])))
        return Vocabulary(self.tokens, self.aliases + added) if added else self

    def to_text(self) -> str:
        """``vocab.txt`` in the ``token id`` line format the phone runtimes read."""
        return contract.format_vocab(self.tokens, self.aliases)

    def save(self, path: Path) -> None:
        path.write_text(self.to_text(), encoding="utf-8", newline="\n")

    @classmethod
    def from_text(cls, text: str, source: str = "vocabulary") -> Vocabulary:
        """Read ``token id`` lines as the phone does (see :func:`contract.parse_vocab`)."""
        tokens, aliases = contract.parse_vocab(text, source)
        return cls(tuple(tokens), tuple(aliases))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        """Read a ``vocab.txt``, refusing one larger than :data:`limits.VOCAB_BYTES`."""
        data = limits.read_file(Path(path), limits.VOCAB_BYTES)
        return cls.from_text(contract.decode(data, str(path)), source=str(path))


class WordCounter:
    """Word counts in bounded memory, for building a vocabulary in one streaming pass.

    Without a ``capacity`` it counts exactly. With one, it never holds more than
    ``capacity`` distinct words: when it would, every count drops by the count of the
    median word and words left at zero are forgotten (a batched Misra-Gries summary).
    What that costs is bounded: over ``n`` words, each count is at most
    ``2 * n / capacity`` too low, so a word making up more than ``2 / capacity`` of the
    text is always kept. Only the rare tail, where the vocabulary is cut anyway, can
    change; :attr:`undercount` says by how much at most (0: the counts are exact).
    With ``per_text``, a word counts once per text it is in (document frequency)."""

    def __init__(self, capacity: int | None = None, per_text: bool = False) -> None:
        if capacity is not None and capacity < 2:
            raise SentigruError(f"word counter capacity must be at least 2, got {capacity}")
        self.capacity = capacity
        self.per_text = per_text
        self.counts: Counter[str] = Counter()
        self.words = 0
        self.undercount = 0
        """The most any count is too low: the sum of the prunes' drops."""

    def add(self, text: str) -> None:
        words = list(iter_tokens(text))
        self.words += len(words)
        self.counts.update(dict.fromkeys(words, 1) if self.per_text else words)
        if self.capacity is not None and len(self.counts) > self.capacity:
            self._prune()

    def _prune(self) -> None:
        assert self.capacity is not None  # only a bounded counter prunes
        values = sorted(self.counts.values())
        drop = values[len(values) - self.capacity // 2 - 1]  # leaves <= capacity/2 words
        self.undercount += drop
        self.counts = Counter({w: c - drop for w, c in self.counts.items() if c > drop})


def count_known_ids(rows: np.ndarray, known: KnownIds) -> np.ndarray:
    """How many ids of each row of ``rows`` ``[N, L]`` are ``known``: the one count that
    says whether the model read anything of a text (and the phone file's answer gate)."""
    hits = rows >= known.first
    if known.never:
        hits &= ~np.isin(rows, known.never)
    return np.count_nonzero(hits, axis=1)


class Tokenizer:
    """Encodes texts to fixed-length id rows, as the phone's regex tokenizer does."""

    def __init__(self, vocab: Vocabulary, seq_len: int) -> None:
        if seq_len < 2:
            raise SentigruError(f"seq_len must be at least 2, got {seq_len}")
        self.vocab = vocab
        self.seq_len = seq_len
        self._index = vocab.index

    def ids(self, text: str) -> list[int]:
        """``<START>`` and the word ids, unpadded, at most ``seq_len`` long."""
        lookup = self._index.get
        words = split(text, self.seq_len - 1)
        return [START_ID, *(lookup(word, UNKNOWN_ID) for word in words)]

    def encode(self, texts: Iterable[str]) -> np.ndarray:
        """An ``int32`` array ``[len(texts), seq_len]``, padded with ``<PAD>`` at the end."""
        return padded([self.ids(text) for text in texts], self.seq_len)

    def is_cut(self, text: str) -> bool:
        """Whether ``text`` has more words than the model reads (the phone cuts it too)."""
        return len(split(text, self.seq_len)) >= self.seq_len

    def known(self, text: str) -> int:
        """Words of ``text`` within the model's length that have an id of their own."""
        return self.known_in(self.ids(text))

    def known_in(self, ids: Sequence[int]) -> int:
        """:meth:`known` of a text's ids (:meth:`ids`), where they are at hand."""
        return sum(1 for i in ids if i >= REGEX_KNOWN_IDS.first)

    def count_known(self, rows: np.ndarray) -> np.ndarray:
        """:meth:`known` of each padded id row of ``rows`` ``[N, L]``, counted at once."""
        return count_known_ids(rows, self.known_ids())

    def known_ids(self) -> KnownIds:
        """The ids :meth:`known` counts: every word of the vocabulary."""
        return REGEX_KNOWN_IDS

    def unknown(self, text: str) -> int:
        """Words of ``text`` within the model's length that it reads as ``<UNKNOWN>``."""
        return sum(1 for i in self.ids(text) if i == UNKNOWN_ID)

    def count_unknown(self, rows: np.ndarray) -> np.ndarray:
        """:meth:`unknown` of each padded id row of ``rows`` ``[N, L]``, counted at once."""
        return np.count_nonzero(rows == UNKNOWN_ID, axis=1)

    def cut_known(self, text: str) -> int:
        """Words within the model's length that have an id but are fragments: of a word
        cut at a letter the phone's tokenizer cannot read (``caf`` of *café*, ``f`` of
        *für*; :func:`cuts_word`), or of an emoticon (``3`` of *<3*, ``D`` of *:D*), and
        quote marks (``'`` and ``''`` alone: :func:`_quote_words`). The model knows the
        fragment, not the word, so the counts that say how much of a text it read take
        them as unknown (``' '`` alone read all, positive 0.89). The ids are as the
        phone's."""
        body = readable(text)
        faces = _faces(self._looked_at(body))
        if body.isascii():  # no letter to cut at: words of emoticons, and quote marks
            return self._known_in_faces(body, faces) + self._known_quotes(body, faces)
        starts = [low for low, _ in faces]
        cut = 0
        for _, match in zip(range(self.seq_len - 1), _TOKEN.finditer(body)):
            start, stop = match.span()
            edges = body[start - 1 : start] + text[stop : stop + 1]
            face = bisect.bisect_right(starts, start) - 1  # the last face opening before
            fragment = any(cuts_word(c) for c in edges) or (face >= 0 and stop <= faces[face][1])
            fragment = fragment or _hidden_cut(body, start, stop)
            fragment = fragment or not match.group().strip("'")
            if fragment and self._index.get(match.group(), 0) > UNKNOWN_ID:
                cut += 1
        return cut

    def _known_in_faces(self, body: str, faces: list[tuple[int, int]]) -> int:
        """Known words inside ``faces`` and within the model's length, counted in one pass
        from face to face, not over every word (a review rarely holds an emoticon). No
        word crosses a face's edge: a face stands alone (:data:`EMOTICON`)."""
        cut = read = seen = 0
        for low, high in faces:
            read += len(_TOKEN.findall(body, seen, low))
            if read >= self.seq_len - 1:
                break
            for match in _TOKEN.finditer(body, low, high):
                cut += read < self.seq_len - 1 and self._index.get(match.group(), 0) > UNKNOWN_ID
                read += 1
            seen = high
        return cut

    def _known_quotes(self, body: str, faces: list[tuple[int, int]]) -> int:
        """Known words of quote marks alone (:func:`_quote_words`) within the model's length,
        but in ``faces`` (the ``'`` of *:'(*, counted there). Found by their pattern, not
        word by word: few texts hold one."""
        found = [m for m in _quote_words(body) if self._index.get(m.group(), 0) > UNKNOWN_ID]
        if not found:
            return 0
        starts = [low for low, _ in faces]
        if len(body) >= 2 * (self.seq_len - 1) - 1:  # may hold more words than are read
            read = 0  # where the last word the model reads ends
            for _, word in zip(range(self.seq_len - 1), _TOKEN.finditer(body)):
                read = word.end()
            found = [m for m in found if m.start() < read]
        count = 0
        for match in found:
            face = bisect.bisect_right(starts, match.start()) - 1
            count += not (face >= 0 and match.end() <= faces[face][1])
        return count

    def _looked_at(self, body: str) -> str:
        """What the counts of words not read look through: :data:`READ_CHARS`."""
        return body[: READ_CHARS * self.seq_len]

    def unread_words(self, text: str) -> int:
        """Words of ``text`` the phone's tokenizer drops whole, none of which reaches the
        model: runs of word characters beyond ASCII (Korean, Japanese, Arabic …), so that
        *10점 만점에 10점* is read as *10 10*; runs of emoji (:data:`SYMBOL_BLOCKS`); and
        emoticons (:data:`EMOTICON`). A run is one word, or in Chinese, Japanese or Thai
        one for every two letters (:func:`words_in_run`). A run of cut letters touching
        an ASCII word (the *é* of *café*) is not one: :meth:`cut_known` counts that word,
        as it counts the ``3`` of *<3*. Counted in the text's first :data:`READ_CHARS`
        characters an id, and at most as many as the model reads words."""
        body = self._looked_at(readable(text))
        most = self.seq_len - 1  # counted no further than the model's length
        # an emoticon with a word in it (<3, :D) counts there, as a fragment (cut_known)
        count = sum(not _TOKEN.search(body, low, high) for low, high in _faces(body))
        if body.isascii() or count >= most:
            return min(count, most)
        for match in _UNREAD_RUN.finditer(body):
            start, stop = match.span()
            left = start > 0 and _TOKEN.match(body, start - 1) and cuts_word(body[start])
            right = stop < len(body) and _TOKEN.match(body, stop) and cuts_word(body[stop - 1])
            count += 0 if left or right else words_in_run(match.group())
            if count >= most:
                break
        return min(count, most)


UNSPACED_SCRIPTS = (
    "CJK UNIFIED IDEOGRAPH",
    "CJK COMPATIBILITY IDEOGRAPH",
    "HIRAGANA",
    "KATAKANA",
    "HALFWIDTH KATAKANA",
    "THAI",
    "LAO",
    "KHMER",
    "MYANMAR",
)
"""Scripts written without spaces between words (Chinese, Japanese, Thai …), by the
start of their letters' Unicode names. A run of them is a sentence, not a word: counted
as one, *Great product, fast shipping* followed by fifteen Chinese characters that say
it broke in two days read as four words known to one unread, "all", and answered
positive 0.97."""


def _unspaced(char: str) -> bool:
    return unicodedata.name(char, "").startswith(UNSPACED_SCRIPTS)


writes_without_spaces = functools.lru_cache(maxsize=4096)(_unspaced)
"""Whether ``char`` is a letter of :data:`UNSPACED_SCRIPTS` (a bounded cache: a text's
letters repeat; :func:`unspaced_table` walks every code point uncached)."""


def words_in_run(run: str) -> int:
    """The words a run the tokenizer drops whole (:meth:`Tokenizer.unread_words`) counts
    as: one, or for a run in a script written without spaces one for every two of its
    letters (a Chinese word is one to two characters long), so that the share of a
    mixed text the model did not read is not understated."""
    letters = sum(1 for char in run if writes_without_spaces(char))
    return max(1, (letters + 1) // 2)


PART_RATIO = 2
"""A text is read only in part when it has at least one word the model cannot read
(unknown, unread or cut) for every ``PART_RATIO`` it knows: a third of its words or
more. On English reviews from outside film, the bundled model's accuracy on such texts
was 3 to 18 points below that on the others; German, which shares spellings with
English (*Das Hotel war nicht gut*: *Das*, *Hotel*, *war* known), gets the note too."""


def reads_part(known: int, unknown: int) -> bool:
    """Whether a text with ``known`` words the model knows and ``unknown`` it cannot
    read is read only in part (:data:`PART_RATIO`); the web page applies the same rule."""
    return known > 0 and unknown * PART_RATIO >= known


def read_verdict(known: int, unknown: int) -> str:
    """How much of a text the model read, as results say it: ``"none"`` (no word it
    knows: its score means nothing), ``"part"`` (:func:`reads_part`) or ``"all"``."""
    return "none" if not known else "part" if reads_part(known, unknown) else "all"


CUT_ALPHABETS = ("LATIN", "GREEK", "CYRILLIC")
"""Alphabets written with spaces between words, whose letters beyond ASCII the phone's
tokenizer drops mid-word (*café*, *für*, *naïve*). A Japanese, Chinese or Thai letter
beside an ASCII word is no cut: those scripts put no space before an English word
(この映画はgreatでした reads *great* whole)."""

COMBINING_DIACRITICS = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20DC),
    (0xFE20, 0xFE2F),
)
"""Unicode's blocks of combining diacritical marks: accents typed as characters of their
own (NFD *cafe\u0301*). Other marks (an emoji's variation selector in ❤️, Thai and
Devanagari vowel signs, the keycap) cut no English word."""


def _hidden_cut(body: str, start: int, stop: int) -> bool:
    """Whether the word ``body[start:stop]`` meets an invisible character
    (:func:`hides_in_words`) with the word going on past it: half of a word cut by it."""
    before = start >= 2 and hides_in_words(body[start - 1]) and _is_word_char(body[start - 2])
    after = stop + 1 < len(body) and hides_in_words(body[stop]) and _is_word_char(body[stop + 1])
    return before or after


def _is_word_char(char: str) -> bool:
    return _TOKEN.match(char) is not None


def has_unread_letters(text: str) -> bool:
    """Whether ``text`` holds a letter or digit outside ASCII, which the regex tokenizer
    cuts or drops (accents, other scripts): where a tokenizer for any language reads
    more."""
    return any(not c.isascii() and c.isalnum() for c in text)


def cuts_word(char: str) -> bool:
    """Whether ``char`` beside an ASCII word means that word was cut out of a longer
    one: a letter of :data:`CUT_ALPHABETS` outside ASCII (by its Unicode name), or a
    combining diacritic. (An invisible character cuts a word only with the word going on
    past it: :func:`hides_in_words`.) The web page is given this Python's own answers
    (:func:`cut_table`), not its browser's Unicode."""
    if char.isascii():
        return False
    point = ord(char)
    if any(low <= point <= high for low, high in COMBINING_DIACRITICS):
        return True
    return unicodedata.category(char)[0] == "L" and unicodedata.name(char, "").startswith(
        CUT_ALPHABETS
    )


def hides_in_words(char: str) -> bool:
    """Whether ``char`` is an invisible format character (Unicode's ``Cf``: the soft
    hyphen that text copied from a hyphenated web page keeps, the zero-width space,
    joiners, direction marks) that can sit inside a word unseen. The phone's tokenizer
    splits there, so *la\u00adugh* is read as *la* and *ugh*, words of their own that
    can flip the answer: with an ASCII word character on both sides such a character
    makes both fragments (:meth:`Tokenizer.cut_known`); beside a space or at the text's
    ends (a direction mark after *Excellent*) it cuts nothing. Not U+FEFF, a byte order
    mark, nor the joiner and tags that build emoji (:data:`SYMBOL_BLOCKS`)."""
    point = ord(char)
    return (
        unicodedata.category(char) == "Cf"
        and point != 0xFEFF
        and not any(low <= point <= high for low, high in SYMBOL_BLOCKS)
    )


@functools.cache
def cut_table() -> tuple[int, ...]:
    """The code points :func:`cuts_word` holds, as runs, for the web page: for each run,
    its first code point less the last of the run before (0 before the first run), then
    its last less its first (59 runs, under 0.5 KB as JSON)."""
    return _runs(cuts_word)


@functools.cache
def unspaced_table() -> tuple[int, ...]:
    """The letters of :data:`UNSPACED_SCRIPTS`, as :func:`cut_table` gives its own, for
    the web page's :func:`words_in_run`."""
    return _runs(_unspaced)


@functools.cache
def hidden_table() -> tuple[int, ...]:
    """The characters of :func:`hides_in_words`, as :func:`cut_table` gives its own."""
    return _runs(hides_in_words)


@functools.cache
def unread_table() -> tuple[int, ...]:
    """The characters of :meth:`Tokenizer.unread_words`' runs (word characters beyond
    ASCII, and emoji), as :func:`cut_table` gives its own: this Python's Unicode, not
    the browser's (some 740 runs, 5 KB as JSON)."""
    return _runs(lambda char: _UNREAD_RUN.match(char) is not None)


def _runs(holds: Callable[[str], bool]) -> tuple[int, ...]:
    flat: list[int] = []
    start, previous = None, 0
    for point in range(128, sys.maxunicode + 2):
        inside = point <= sys.maxunicode and holds(chr(point))
        if inside and start is None:
            start = point
        elif not inside and start is not None:
            flat += [start - previous, point - 1 - start]
            start, previous = None, point - 1
    return tuple(flat)


def padded(rows: Sequence[Sequence[int]], seq_len: int) -> np.ndarray:
    """Id rows as an ``int32`` array ``[len(rows), seq_len]``, padded with 0 (``<PAD>``,
    and SentencePiece's pad) at the end: the layout every phone runtime feeds."""
    out = np.zeros((len(rows), seq_len), dtype=np.int32)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out
