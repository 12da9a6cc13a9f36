"""The phone contract: the tokenizer rules and file formats a phone applies to a model.

MediaPipe Tasks ``TextClassifier`` and the TFLite Task Library ``NLClassifier`` run a
sentigru model with a "regex tokenizer" described in the model's metadata. What they do
with it is fixed by their C++ code, so it is written down here once, and every part of
sentigru that tokenizes, writes or reads these files uses this module:

* the delimiter regex :data:`DELIM_REGEX`, run by RE2, whose ``\\w`` is ASCII only;
* the special tokens ``<PAD>`` 0, ``<START>`` 1 and ``<UNKNOWN>`` 2;
* ``vocab.txt``: one ``token id`` line per word. The runtimes split the file on "\\n",
  skip empty lines, drop one trailing "\\r", split a line on " " and map its first field
  to the number in its second (further fields are ignored). Several lines may carry one
  id: the first line for an id is the word, the others are its aliases (sentigru uses
  them for other spellings of a word, such as ``Great`` for ``great``);
* ``labels.txt``: one label per line, in output order, read the same way.

A line the C++ reader cannot take (no space, no number) crashes or silently corrupts
the phone's tokenizer, so :func:`parse_vocab` refuses it with the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sentigru.errors import SentigruError

__all__ = [
    "CLS",
    "DELIM_REGEX",
    "DELIM_SPELLINGS",
    "LABELS_FILE",
    "PAD",
    "PAD_ID",
    "REGEX_KNOWN_IDS",
    "SENTENCEPIECE_FILE",
    "SENTENCEPIECE_INPUTS",
    "SEP",
    "SPECIAL_TOKENS",
    "START",
    "START_ID",
    "TOKENIZERS",
    "TOKEN_REGEX",
    "UNKNOWN",
    "UNKNOWN_ID",
    "VOCAB_FILE",
    "ContractError",
    "KnownIds",
    "decode",
    "format_labels",
    "format_vocab",
    "parse_labels",
    "parse_vocab",
    "phone_text",
    "readable",
    "readable_end",
    "validate_labels",
    "validate_vocab",
]

DELIM_REGEX = r"[^\w']+"
"""The delimiter written into the model's metadata, as RE2 on the phone reads it."""
assert DELIM_REGEX.startswith("[^") and DELIM_REGEX.endswith("]+"), DELIM_REGEX
TOKEN_REGEX = "[" + DELIM_REGEX[2:]
"""A word, the delimiter's complement: what Python's ``re.ASCII`` and JavaScript (no
``u`` flag) match as the phone's RE2 splits."""
DELIM_SPELLINGS = (DELIM_REGEX, r"[^\w\']+")
"""The delimiters a phone file may hold: this one, as sentigru writes it and as MediaPipe
Model Maker does (``\'`` is ``'`` in RE2). Python splits as they do; any other regex
would split otherwise on the phone."""

PAD, START, UNKNOWN = "<PAD>", "<START>", "<UNKNOWN>"
SPECIAL_TOKENS = (PAD, START, UNKNOWN)
"""Ids 0, 1, 2. The runtimes look these three names up in the vocabulary file."""
PAD_ID, START_ID, UNKNOWN_ID = 0, 1, 2

VOCAB_FILE = "vocab.txt"
LABELS_FILE = "labels.txt"
PHONE_FILE = "model.tflite"
"""A model folder's phone file, which carries the two files above as metadata."""

SENTENCEPIECE_FILE = "sentencepiece.model"
"""The SentencePiece model, in a model folder and packed in the phone file."""
SENTENCEPIECE_INPUTS = ("ids", "mask", "segment_ids")
"""The phone file's inputs with a SentencePiece tokenizer, in input order."""
PIECE_PAD, PIECE_UNKNOWN, CLS, SEP = "<pad>", "<unk>", "[CLS]", "[SEP]"
PIECE_SPECIALS = (PIECE_PAD, PIECE_UNKNOWN, CLS, SEP)
"""Ids 0, 1, 2, 3 of a sentigru piece model."""
PIECE_PAD_ID, PIECE_UNKNOWN_ID, CLS_ID, SEP_ID = 0, 1, 2, 3
SENTENCEPIECE_MIN_VERSION = (0, 2, 2)
"""The oldest ``sentencepiece`` whose segmentation matches MediaPipe 1.2.3's: 0.2.0 and
0.2.1 break ties between equally scored segmentations otherwise (as MediaPipe 0.10.21
does), so Python's ids and the phone's would differ on some texts."""
TOKENIZERS = ("regex", "sentencepiece")


@dataclass(frozen=True)
class KnownIds:
    """The ids that stand for a word (a piece) the model learnt: ``first`` and above, but
    for those in ``never``. A row with none of them gave the model nothing of the text
    (another script, emoji, an empty text), and a sentigru phone file then scores every
    label 1/n (:func:`sentigru.model.answer_gate`): an app that gets 1/n as its top
    score shows no answer. Regex tokenizer: ids above ``<UNKNOWN>``. SentencePiece: the
    learnt pieces that hold more than punctuation (specials and byte pieces come first);
    ``size``, the number of pieces, bounds the ids where ``never`` is not empty.
    """

    first: int
    never: tuple[int, ...] = ()
    size: int = 0

    def __post_init__(self) -> None:
        if self.never and not self.first < min(self.never) <= max(self.never) < self.size:
            raise ValueError(f"ids {self.first} < never < {self.size} expected")

    def flags(self) -> list[int]:
        """1 for each id below :attr:`size` that is known, 0 for the others."""
        never = set(self.never)
        return [int(i >= self.first and i not in never) for i in range(self.size)]


REGEX_KNOWN_IDS = KnownIds(UNKNOWN_ID + 1)
"""The regex tokenizer's :class:`KnownIds`: every word of the vocabulary."""

_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def readable_end(text: str) -> int:
    """Where a phone stops reading ``text``: at its first NUL, as the text is passed on as
    a C string, by both tokenizers (or at its end)."""
    end = text.find("\0")
    return len(text) if end < 0 else end


def readable(text: str) -> str:
    """``text`` as far as a phone reads it (:func:`readable_end`)."""
    return text[: readable_end(text)]


def phone_text(text: str) -> str:
    """What MediaPipe's SentencePiece path tokenizes: ``text`` up to its first NUL, with
    ASCII letters (only those) lowercased. A lone surrogate (bytes that were not UTF-8,
    kept by Python's ``surrogateescape``) is U+FFFD, as a UTF-8 encoder such as the
    browser's writes it: a phone is handed UTF-8, which cannot hold one. (The regex
    tokenizer splits on either alike.)"""
    text = readable(text).translate(_ASCII_UPPER)
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


NUL_BLANKS = "\0 \t\n\r\v\f"
"""What may follow a NUL without the text counting as cut there (the web page uses the
same characters, so that it notes the same texts)."""


def token_unit(tokenizer: object) -> str:
    """What a tokenizer's tokens are called in messages: pieces for SentencePiece (whose
    unknown characters it spells in bytes), words for the regex tokenizer."""
    return "piece" if tokenizer == "sentencepiece" else "word"


def cut_at_nul(text: str) -> bool:
    """Whether ``text`` holds more than :data:`NUL_BLANKS` after a NUL character: phones
    pass the text on as a C string, so they stop reading there, and both tokenizers do
    too."""
    end = text.find("\0")
    return end >= 0 and bool(text[end + 1 :].strip(NUL_BLANKS))


# Characters that would corrupt the line formats: lines end at "\n" (a "\r" before it
# is dropped), and a vocab line splits on " ".
_VOCAB_FORBIDDEN = (" ", "\n", "\r")
_LABEL_FORBIDDEN = ("\n", "\r")


class ContractError(SentigruError, ValueError):
    """A vocabulary or label list that breaks the phone contract; one line that names
    the file (and line) at fault. A ``ValueError`` too, for callers of the metadata API."""


def decode(data: bytes, source: str) -> str:
    """``data`` as UTF-8 text, or a one-line error naming ``source``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContractError(f"{source} is not UTF-8 text (byte {exc.start})") from None


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` as the C++ readers see them: split on "\\n", empty lines
    skipped, then one trailing "\\r" dropped (so a line of just "\\r" is kept, empty).

    A vocabulary line is the token, one space, the id in ASCII digits (C++ ``std::stoi``
    would also take a sign or leading spaces, which nothing sentigru writes)."""
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw:
            yield number, raw[:-1] if raw[-1] == "\r" else raw


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:60] + "...")


# --------------------------------------------------------------------------- vocabulary


def validate_vocab(
    tokens: Sequence[str], aliases: Sequence[tuple[str, int]] = (), source: str = "vocabulary"
) -> None:
    """Refuse a vocabulary the runtimes would read differently from sentigru.

    ``tokens[i]`` is the word with id ``i``; it must start with :data:`SPECIAL_TOKENS`.
    ``aliases`` are ``(word, id)`` pairs giving a further word the id of a word (not of
    a special token). Every word is non-empty, free of spaces and line breaks, and
    appears once (the C++ reader keeps a repeated word's last id, Python its first).
    """
    if tuple(tokens[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
        raise ContractError(f"{source} must start with {', '.join(SPECIAL_TOKENS)} (ids 0, 1, 2)")
    words = [*tokens, *(word for word, _ in aliases)]
    if not _words_clean(words):  # the slow search for the culprit, only when there is one
        _word_problem(words, source)
    ids = [i for _, i in aliases]
    fast = ids and set(map(type, ids)) <= {int}  # C speed; the loop names a culprit
    if fast and len(SPECIAL_TOKENS) <= min(ids) and max(ids) < len(tokens):
        return
    for word, i in aliases:
        if not isinstance(i, int) or not len(SPECIAL_TOKENS) <= i < len(tokens):
            raise ContractError(f"{source}: the alias {word!r} {i} points to no word")


def _words_clean(words: list[str]) -> bool:
    """True when every word is a non-empty string without " ", "\\n", "\\r", and none
    repeats (a fast check over the whole list)."""
    if not set(map(type, words)) <= {str}:
        return False
    joined = "\0".join(words)
    unique = set(words)
    return (
        len(unique) == len(words)
        and "" not in unique
        and not any(c in joined for c in _VOCAB_FORBIDDEN)
    )


def _word_problem(words: list[str], source: str) -> None:
    seen: set[str] = set()
    for i, word in enumerate(words):
        if not isinstance(word, str) or not word:
            raise ContractError(f"{source} entry {i} must be a non-empty string, got {word!r}")
        if any(c in word for c in _VOCAB_FORBIDDEN):
            raise ContractError(f"{source} entry {i} contains a space or line break: {word!r}")
        if word in seen:
            raise ContractError(f"{source} has a word twice: {word!r}")
        seen.add(word)


def format_vocab(tokens: Sequence[str], aliases: Sequence[tuple[str, int]] = ()) -> str:
    """``vocab.txt``: the words in id order, then the aliases, one ``token id`` a line."""
    validate_vocab(tokens, aliases)
    entries = [*((token, i) for i, token in enumerate(tokens)), *aliases]
    return "".join(f"{token} {i}\n" for token, i in entries)


def parse_vocab(text: str, source: str = VOCAB_FILE) -> tuple[list[str], list[tuple[str, int]]]:
    """Read ``vocab.txt`` as the runtimes do: the words indexed by id (the first line for
    each id) and the aliases (the later lines for an id), in file order.

    Lines in any order are accepted, as on the phone; ids must cover 0..n-1.
    Raises :class:`ContractError` naming ``source`` and the line at fault.
    """
    fast = _parse_plain_vocab(text)
    return fast if fast is not None else _parse_vocab_lines(text, source)


# One "token id" line as sentigru writes it; a file of only these is read in one pass.
_PLAIN_FILE = re.compile(r"(?:[^ \n\r]+ [0-9]{1,9}\n)+")


def _parse_plain_vocab(text: str) -> tuple[list[str], list[tuple[str, int]]] | None:
    """:func:`parse_vocab` of a file in the exact format sentigru writes (one "token id"
    line each, no empty lines or CRs), in a few passes at C speed; None for any other
    file or any problem, which the line-by-line reader then names."""
    if not _PLAIN_FILE.fullmatch(text):
        return None
    # The file matched: words hold no " " or line break, so it splits into word, id,
    # word, id, ... on those alone (str.split() would also split on tabs and the like).
    fields = text[:-1].replace("\n", " ").split(" ")
    words, ids = fields[0::2], list(map(int, fields[1::2]))
    if len(set(words)) != len(words):
        return None
    # Reversed, the last pair kept for an id is its first line: the word with that id.
    by_id = dict(zip(reversed(ids), reversed(words)))
    n = len(by_id)
    if n < len(SPECIAL_TOKENS) or max(by_id) != n - 1:
        return None
    aliases = [(word, i) for word, i in zip(words, ids) if by_id[i] != word]
    tokens = [by_id[i] for i in range(n)]
    if tuple(tokens[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
        return None
    if any(token_id < len(SPECIAL_TOKENS) for _, token_id in aliases):
        return None
    return tokens, aliases


def _parse_vocab_lines(text: str, source: str) -> tuple[list[str], list[tuple[str, int]]]:
    by_id: dict[int, tuple[str, int]] = {}  # id -> (word, line number)
    aliases: list[tuple[str, int, int]] = []
    lines_of: dict[str, int] = {}
    for number, line in _lines(text):
        word, _, rest = line.partition(" ")
        digits = rest.partition(" ")[0]
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
            raise ContractError(f"{source} line {number} is not 'token id': {_show(line)}")
        if not word or "\r" in word:
            raise ContractError(f"{source} line {number} has no usable token: {_show(line)}")
        if word in lines_of:
            raise ContractError(
                f"{source} line {number}: {word!r} is in the vocabulary twice "
                f"(first at line {lines_of[word]})"
            )
        lines_of[word] = number
        token_id = int(digits)
        if token_id in by_id:
            aliases.append((word, token_id, number))
        else:
            by_id[token_id] = (word, number)
    if len(by_id) < len(SPECIAL_TOKENS):
        raise ContractError(f"{source} has too few entries ({len(by_id)})")
    if max(by_id) != len(by_id) - 1:
        missing = min(set(range(len(by_id))) - set(by_id))
        raise ContractError(f"{source}: ids are not 0..{len(by_id) - 1}: no line has id {missing}")
    tokens = [by_id[i][0] for i in range(len(by_id))]
    for i, special in enumerate(SPECIAL_TOKENS):
        if tokens[i] != special:
            raise ContractError(
                f"{source} line {by_id[i][1]}: id {i} must be {special}, got {tokens[i]!r}"
            )
    for word, token_id, number in aliases:
        if token_id < len(SPECIAL_TOKENS):
            raise ContractError(
                f"{source} line {number}: the alias {word!r} {token_id} points to no word "
                "(ids 0-2 are the special tokens)"
            )
    return tokens, [(word, token_id) for word, token_id, _ in aliases]


# --------------------------------------------------------------------------- labels


def validate_labels(labels: Sequence[str], source: str = "labels") -> None:
    """Refuse labels that do not survive ``labels.txt``: the runtimes skip empty lines,
    which would shift every later label, and names must tell the outputs apart."""
    if not labels:
        raise ContractError(f"{source} must not be empty")
    for i, label in enumerate(labels):
        if not isinstance(label, str) or not label.strip():
            raise ContractError(f"{source}: label {i} must be a non-blank string, got {label!r}")
        if any(c in label for c in _LABEL_FORBIDDEN):
            raise ContractError(f"{source}: the label {label!r} contains a line break")
        if _SURROGATE.search(label):  # labels.txt is UTF-8: it would fail when saved
            raise ContractError(
                f"{source}: the label {label!r} holds bytes that are not UTF-8 text (a "
                "file read with another --encoding, or a terminal not set to UTF-8?)"
            )
    if len(set(labels)) != len(labels):
        raise ContractError(f"{source}: labels must be unique")


def format_labels(labels: Sequence[str]) -> str:
    """``labels.txt``: one label a line, in output order."""
    validate_labels(labels)
    return "".join(f"{label}\n" for label in labels)


def parse_labels(text: str, source: str = LABELS_FILE) -> list[str]:
    """Read ``labels.txt`` as the runtimes do (empty lines skipped, "\\r" dropped)."""
    labels = []
    seen: dict[str, int] = {}
    for number, label in _lines(text):
        if not label.strip():
            raise ContractError(f"{source} line {number}: blank label")
        if label in seen:
            raise ContractError(
                f"{source} line {number}: label {label!r} repeats line {seen[label]}"
            )
        seen[label] = number
        labels.append(label)
    if not labels:
        raise ContractError(f"{source} has no labels")
    return labels
