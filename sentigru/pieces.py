"""The SentencePiece tokenizer: text in any script to the ids MediaPipe computes.

The phone's regex tokenizer sees ASCII words only; a model made with ``--tokenizer
sentencepiece`` carries a SentencePiece model instead, which MediaPipe Tasks'
``TextClassifier`` runs in C++ (see :mod:`sentigru.contract` for what it feeds the
model). :class:`SentencePieceTokenizer` computes the same ids in Python with the
``sentencepiece`` package, whose segmentation must match the phone's:
:func:`check_version` refuses versions known to break ties otherwise.

The piece model is learnt from the training text (:meth:`Pieces.train`): unigram,
normalised with ``nmt_nfkc_cf`` (NFKC and case folding), byte fallback so that no
character is unknown, ``<pad>`` 0, ``<unk>`` 1, ``[CLS]`` 2, ``[SEP]`` 3. Pieces made of
one repeated unit (``★★``, ``==``) are marked unused: where several segmentations of a
periodic string score the same, implementations may pick differently, and without such
pieces there is only one. Pieces of two characters or more that the sample uses fewer
than ``min_count`` times are left out (:func:`_without_rare`): the piece model ships in
the phone file, readable, and such a piece is the likeliest to be a name or a number of
the training text. The normalisation map keeps only the rules whose result the
model can read (:func:`_readable_rules`): the whole map is two thirds of the piece model.
"""

from __future__ import annotations

import functools
import io
import itertools
import random
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sentigru import contract, limits
from sentigru.contract import CLS, CLS_ID, PIECE_SPECIALS, SEP, SEP_ID, KnownIds, phone_text
from sentigru.errors import SentigruError
from sentigru.spec import MIN_PIECES

SAMPLE_TEXTS = 50_000
"""The most training texts the piece model is learnt from (a seeded sample)."""
SAMPLE_CHARS = 2_000
"""Characters of each sampled text used to learn pieces (a bound on memory)."""


def _processor() -> Any:
    try:
        import sentencepiece
    except ImportError:
        raise SentigruError(
            "this model uses a SentencePiece tokenizer: pip install "
            f"'sentencepiece>={'.'.join(map(str, contract.SENTENCEPIECE_MIN_VERSION))}'"
        ) from None
    check_version(sentencepiece.__version__)
    return sentencepiece


def check_version(version: str) -> None:
    """Refuse a ``sentencepiece`` whose segmentation differs from the phone's."""
    parts = []
    for part in version.split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits) if digits else 0)
    if tuple(parts) < contract.SENTENCEPIECE_MIN_VERSION:
        want = ".".join(map(str, contract.SENTENCEPIECE_MIN_VERSION))
        raise SentigruError(
            f"sentencepiece {version} breaks ties between segmentations unlike MediaPipe, "
            f'so Python and the phone would disagree: pip install "sentencepiece>={want}"'
        )


@dataclass(frozen=True)
class Pieces:
    """A SentencePiece model (the bytes of ``sentencepiece.model``), checked to follow
    sentigru's piece contract. ``len()`` is the number of ids."""

    model: bytes
    source: str = "sentencepiece model"
    _sp: Any = field(default=None, compare=False, repr=False)
    tally: tuple[int, int] = field(default=(0, 0), compare=False)
    """What learning the pieces found (0, 0 for a model read from a file): pieces kept
    that the sample uses fewer than :data:`RARE` times, and pieces left out for being
    used fewer than ``min_count`` times."""

    def __post_init__(self) -> None:
        sp = _processor().SentencePieceProcessor()
        try:
            sp.LoadFromSerializedProto(self.model)
        except Exception:  # the C++ loader raises RuntimeError or OSError
            raise SentigruError(f"{self.source} is not a SentencePiece model") from None
        found = tuple(sp.IdToPiece(i) for i in range(min(4, sp.GetPieceSize())))
        if found != PIECE_SPECIALS or sp.unk_id() != contract.PIECE_UNKNOWN_ID:
            raise SentigruError(
                f"{self.source} must have the pieces {', '.join(PIECE_SPECIALS)} as ids 0-3"
            )
        object.__setattr__(self, "_sp", sp)

    def __len__(self) -> int:
        return int(self._sp.GetPieceSize())

    @property
    def processor(self) -> Any:
        return self._sp

    def entries(self) -> list[tuple[str, int]]:
        """``(piece, id)`` of every piece, ``▁`` (the word boundary) shown as a space."""
        return [(self._sp.IdToPiece(i).replace("\u2581", " "), i) for i in range(len(self))]

    def to_bytes(self) -> bytes:
        return self.model

    def characters(self) -> tuple[str, str]:
        """The characters of the pieces the model learnt, in code point order: those
        :meth:`SentencePieceTokenizer.known` counts (a piece that holds one is known) and
        the rest (punctuation, spaces). A normalised text with none of the first within
        the model's length has no known piece. The web page tells from them that the
        model cannot read a text, having no SentencePiece: a character outside both is
        spelt in byte pieces, one per UTF-8 byte, which bounds where the model stops."""
        sp = self._sp
        chars = {
            char
            for i in range(len(self))
            if not (sp.IsByte(i) or sp.IsControl(i) or sp.IsUnknown(i) or sp.IsUnused(i))
            for char in sp.IdToPiece(i)
            if char != "\u2581"
        }
        counted = {c for c in chars if unicodedata.category(c)[0] not in "PZC"}
        return "".join(sorted(counted)), "".join(sorted(chars - counted))

    def save(self, path: Path) -> None:
        Path(path).write_bytes(self.model)

    @classmethod
    def load(cls, path: Path) -> Pieces:
        """Read a ``sentencepiece.model``, refusing one over :data:`limits.VOCAB_BYTES`."""
        return cls(limits.read_file(Path(path), limits.VOCAB_BYTES), str(path))

    @classmethod
    def train(cls, texts: Iterable[str], size: int, seed: int = 0, min_count: int = 1) -> Pieces:
        """A piece model of ``size`` pieces (fewer if the text has not that many) learnt
        from a seeded sample of ``texts`` of at most :data:`SAMPLE_TEXTS` texts, read in
        one pass, so a streamed corpus costs bounded memory; without the pieces of two
        characters or more that the sample uses fewer than ``min_count`` times."""
        if size < MIN_PIECES:
            raise SentigruError(
                f"a SentencePiece model has at least {MIN_PIECES} pieces (256 byte pieces are "
                f"always there), not {size}"
            )
        # each text cut as it is sampled, not after: the sample held whole texts (1.1 GB
        # for 50,000 of 20,000 characters); phone_text keeps a prefix a prefix
        sample = [
            phone_text(t)[:SAMPLE_CHARS].translate(_AS_TYPED_ON_A_KEYBOARD)
            for t in _reservoir((t[:SAMPLE_CHARS] for t in texts), SAMPLE_TEXTS, seed)
        ]
        sample = [t for t in sample if t.strip()]
        if not sample:
            raise SentigruError("no text to learn SentencePiece pieces from")
        model = _unused_periodic(_train_model(sample, size))
        model, tally = _without_rare(model, sample, min_count)
        return cls(_readable_rules(model, sample), tally=tally)


APOSTROPHES = ("\u2019", "\u2018")
"""Marks typed for ``'``: iOS types *isn’t* and *l’hôtel* with U+2019 unless Smart
Punctuation is off. NFKC keeps them apart from ``'``, so a model learnt from text typed
one way read the other as unknown bytes (a French model turned *J’ai adoré l’hôtel*
negative); the piece model's normalisation writes them as ``'``, in Python and on the
phone alike, and its pieces are learnt from the sample so written."""

QUOTES = ("\u201c", "\u201d", "\u201e", "\u201f", "\u00ab", "\u00bb", "\u2039", "\u203a")
"""Marks typed for ``"``: iOS types “…” in English and „…“ in German, French keyboards
« … ». NFKC keeps them apart from ``"``: a German model that rarely saw „ read it as
byte pieces, and the word inside lost its piece (*Ich bin „sehr“ zufrieden* turned
negative; quoting one word of each review flipped a third of them), so they are
written as ``"`` as the apostrophes are as ``'``. ‚ and ‛ are single quotes: ``'``."""

TYPED = {**dict.fromkeys((*APOSTROPHES, "\u201a", "\u201b"), "'"), **dict.fromkeys(QUOTES, '"')}
"""What the piece model's normalisation writes each typographic quote as."""
_AS_TYPED_ON_A_KEYBOARD = str.maketrans(TYPED)


def _reservoir(texts: Iterable[str], n: int, seed: int) -> list[str]:
    """A uniform sample of ``n`` texts (all of them when there are fewer), kept in
    input order (algorithm R, seeded)."""
    rng = random.Random(f"sentigru-pieces:{seed}")
    kept: list[tuple[int, str]] = []
    for i, text in enumerate(texts):
        if i < n:
            kept.append((i, text))
        else:
            j = rng.randrange(i + 1)
            if j < n:
                kept[j] = (i, text)
    return [text for _, text in sorted(kept)]


def _train_model(sample: list[str], size: int) -> bytes:
    sentencepiece = _processor()
    out = io.BytesIO()
    try:
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(sample),
            model_writer=out,
            model_type="unigram",
            vocab_size=size,
            hard_vocab_limit=False,
            normalization_rule_name="nmt_nfkc_cf",
            byte_fallback=True,
            pad_id=contract.PIECE_PAD_ID,
            unk_id=contract.PIECE_UNKNOWN_ID,
            bos_id=-1,
            eos_id=-1,
            control_symbols=[CLS, SEP],
            max_sentence_length=4 * SAMPLE_CHARS + 16,
            num_threads=1,  # the same text gives the same pieces
            minloglevel=2,
        )
    except RuntimeError as exc:
        text = str(exc).strip()
        need = re.search(r"smaller than required_chars\. \d+ vs (\d+)", text)
        if need:  # SentencePiece's count holds the byte pieces and the 4 specials
            least = int(need.group(1))
            characters = least - 256 - len(PIECE_SPECIALS)
            raise SentigruError(
                f"vocab_size {size} is too small for the {characters} characters this text "
                f"needs as pieces: give --vocab-size {least} or more"
            ) from None
        first = text.splitlines()[0] if text else "failed"
        raise SentigruError(f"cannot learn SentencePiece pieces: {first}") from None
    return out.getvalue()


def _periodic(piece: str) -> bool:
    """True for a piece that is one unit repeated (``★★``, ``==``, ``hahaha``)."""
    n = len(piece)
    return n > 1 and any(n % k == 0 and piece[:k] * (n // k) == piece for k in range(1, n))


def _model_proto() -> Any:
    """SentencePiece's protobuf module, which edits a model's pieces and normaliser (its
    generated classes carry no type hints)."""
    from sentencepiece import sentencepiece_model_pb2

    return sentencepiece_model_pb2


def _unused_periodic(model: bytes) -> bytes:
    """``model`` with every normal piece made of a repeated unit marked unused (ids
    unchanged): no two segmentations of a periodic string then tie."""
    sentencepiece_model_pb2 = _model_proto()

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model)
    normal = sentencepiece_model_pb2.ModelProto.SentencePiece.NORMAL
    unused = sentencepiece_model_pb2.ModelProto.SentencePiece.UNUSED
    for piece in proto.pieces:
        if piece.type == normal and _periodic(piece.piece):
            piece.type = unused
    return proto.SerializeToString()


RARE = 3
"""Fewer occurrences than this make a word of a regex vocabulary rare, or fewer uses in
the sample a learnt piece (``WordTally.rare``, :attr:`Pieces.tally`)."""


def _without_rare(model: bytes, sample: list[str], min_count: int) -> tuple[bytes, tuple[int, int]]:
    """``model`` without the normal pieces of two characters or more (the word boundary
    ``▁`` not counted) that its segmentation of ``sample`` uses fewer than ``min_count``
    times; with :attr:`Pieces.tally`: how many kept pieces are used fewer than
    :data:`RARE` times, and how many it left out.

    SentencePiece learns whole words as pieces when the vocabulary is large for the text
    (on 2,000 hotel reviews and 11,000 pieces asked, 648 of 2,875 pieces occur in one
    review only: ``▁robert``, ``▁diana``), and the piece model rides in the phone file,
    readable by anyone who has it. This is ``--min-count`` for pieces: a piece left out
    is removed from the model, not marked unused, so its text is not in the file; the
    text it covered is read as shorter pieces, which can leave others rare in turn, so
    the sample is segmented again until none is. Single characters stay: they name no
    one, and without them a character is spelt in byte pieces the model does not count
    as read. Ids are given after this, before any weight is trained."""
    sentencepiece, pb2 = _processor(), _model_proto()
    proto = pb2.ModelProto()
    proto.ParseFromString(model)
    normal = pb2.ModelProto.SentencePiece.NORMAL
    dropped = 0
    while True:
        sp = sentencepiece.SentencePieceProcessor()
        sp.LoadFromSerializedProto(proto.SerializeToString())
        uses = np.zeros(len(proto.pieces), np.int64)
        for start in range(0, len(sample), 1_000):  # ids as Python lists: a bounded batch
            ids = itertools.chain.from_iterable(sp.encode(sample[start : start + 1_000]))
            uses += np.bincount(np.fromiter(ids, np.int64), minlength=len(uses))
        wordlike = [
            i
            for i, piece in enumerate(proto.pieces)
            if piece.type == normal and len(piece.piece.replace("\u2581", "")) > 1
        ]
        rare = {i for i in wordlike if uses[i] < min_count} if min_count > 1 else set()
        if not rare:
            rare_kept = int(sum(uses[i] < RARE for i in wordlike))
            return proto.SerializeToString(), (rare_kept, dropped)
        kept = [piece for i, piece in enumerate(proto.pieces) if i not in rare]
        del proto.pieces[:]
        proto.pieces.extend(kept)
        dropped += len(rare)


def _readable_rules(model: bytes, sample: list[str]) -> bytes:
    """``model`` with a normalisation map cut to the rules whose result is made of
    characters of the normalised ``sample`` or of ASCII.

    The full ``nmt_nfkc_cf`` map (about 0.25 MB, 226,000 rules) is most of the piece
    model and rides in every phone file, yet nearly all of its rules write characters
    the model never saw, which reach it as byte pieces either way. Every rule that
    fired on the sample is kept (its result is in the normalised sample), so the sample,
    and text like it, is normalised exactly as the whole map does; Python and the phone
    read this same map. A Japanese model's map is then about 0.02 MB.
    """
    sentencepiece = _processor()
    sentencepiece.set_min_log_level(2)  # as the trainer has it: no log line per map
    normaliser = sentencepiece.SentencePieceNormalizer(model_proto=model)
    readable = set(string.printable)
    for text in sample:
        readable.update(normaliser.Normalize(text))
    rules = [
        (source, result)
        for source, result in normaliser.Decompile()
        if readable >= set(result) and source not in TYPED
    ]
    rules += list(TYPED.items())
    return with_normaliser(model, sentencepiece.SentencePieceNormalizer(norm_map=rules))


def with_normaliser(model: bytes, normaliser: Any) -> bytes:
    """``model`` with the normalisation map of ``normaliser`` (a
    ``sentencepiece.SentencePieceNormalizer``); the pieces and their ids stay."""
    sentencepiece_model_pb2 = _model_proto()

    spec = sentencepiece_model_pb2.NormalizerSpec()
    spec.ParseFromString(normaliser.serialized_normalizer_spec())
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model)
    proto.normalizer_spec.precompiled_charsmap = spec.precompiled_charsmap
    proto.normalizer_spec.name = spec.name or "user_defined"  # SentencePiece's name for one
    return proto.SerializeToString()


class SentencePieceTokenizer:
    """Encodes texts to fixed-length id rows as MediaPipe's SentencePiece path does:
    ``[CLS]``, the first ``seq_len - 2`` pieces of :func:`contract.phone_text`, ``[SEP]``."""

    def __init__(self, vocab: Pieces, seq_len: int) -> None:
        if seq_len < 3:
            raise SentigruError(f"seq_len must be at least 3 with SentencePiece, got {seq_len}")
        self.vocab = vocab
        self.seq_len = seq_len
        sp = vocab.processor
        # Looked up by name, as the phone does (an undefined name gives the unknown id).
        self._cls, self._sep = sp.PieceToId(CLS), sp.PieceToId(SEP)
        self._encode = sp.EncodeAsIds

    def ids(self, text: str) -> list[int]:
        """The ids, unpadded, at most ``seq_len`` long."""
        pieces = self._encode(phone_text(text))[: self.seq_len - 2]
        return [self._cls, *pieces, self._sep]

    def encode(self, texts: Iterable[str]) -> np.ndarray:
        """An ``int32`` array ``[len(texts), seq_len]``, padded with 0 at the end."""
        from sentigru.tokenizer import padded

        return padded([self.ids(text) for text in texts], self.seq_len)

    def is_cut(self, text: str) -> bool:
        """Whether ``text`` has more pieces than the model reads (the phone cuts it too)."""
        return len(self._encode(phone_text(text))) > self.seq_len - 2

    def known(self, text: str) -> int:
        """Pieces of ``text`` within the model's length that the model learnt and that
        hold more than punctuation: not the specials, not the bare word boundary ``▁``,
        not byte pieces (a character with no piece of its own, spelt in UTF-8 bytes; an
        English model spells Japanese and emoji that way), and not ``!!!`` or ``,`` (the
        regex tokenizer's words hold no punctuation either, and a text of them alone,
        ``???``, has no word to read)."""
        return self.known_in(self.ids(text))

    def known_in(self, ids: Sequence[int]) -> int:
        """:meth:`known` of a text's ids (:meth:`ids`), where they are at hand."""
        return sum(1 for i in ids if i not in self._unknown)

    def count_known(self, rows: np.ndarray) -> np.ndarray:
        """:meth:`known` of each padded id row of ``rows`` ``[N, L]``, counted at once."""
        from sentigru.tokenizer import count_known_ids

        return count_known_ids(rows, self.known_ids())

    def known_ids(self) -> KnownIds:
        """The ids :meth:`known` counts, as the phone file's answer gate takes them: from
        the first learnt piece on (specials and byte pieces come before it), less the
        pieces of punctuation alone and any later special."""
        return self._known_ids

    @functools.cached_property
    def _known_ids(self) -> KnownIds:
        unknown = self._unknown
        first = next(i for i in range(len(self.vocab) + 1) if i not in unknown)
        never = tuple(sorted(i for i in unknown if first < i < len(self.vocab)))
        return KnownIds(first, never, len(self.vocab))

    def unknown(self, text: str) -> int:
        """Characters of ``text`` within the model's length that it has no piece for:
        ``<unk>`` pieces, and characters spelt in byte pieces (counted once each, by the
        byte that starts the character)."""
        weights = self._unread_weights
        return int(sum(weights[i] for i in self.ids(text)))

    def count_unknown(self, rows: np.ndarray) -> np.ndarray:
        """:meth:`unknown` of each padded id row of ``rows`` ``[N, L]``, counted at once."""
        return self._unread_weights[rows].sum(axis=1)

    def cut_known(self, text: str) -> int:
        """SentencePiece cuts no word at a letter it cannot read (byte fallback spells
        it): 0, as the regex tokenizer's :meth:`~sentigru.tokenizer.Tokenizer.cut_known`
        is where it does."""
        return 0

    def unread_words(self, text: str) -> int:
        """SentencePiece drops no word (byte fallback spells any character; pieces it
        never learnt count in :meth:`unknown`): 0."""
        return 0

    @functools.cached_property
    def _unread_weights(self) -> np.ndarray:
        """1 for the ids :meth:`unknown` counts, 0 for the others, indexed by id."""
        sp = self.vocab.processor
        weights = np.zeros(len(self.vocab), np.int64)
        for i in range(len(self.vocab)):
            if sp.IsByte(i):  # "<0xE3>": a UTF-8 continuation byte is 10xxxxxx
                weights[i] = int(sp.IdToPiece(i)[3:5], 16) & 0xC0 != 0x80
        if contract.PIECE_UNKNOWN_ID not in (self._cls, self._sep):
            weights[contract.PIECE_UNKNOWN_ID] = 1
        return weights

    @functools.cached_property
    def _unknown(self) -> frozenset[int]:
        """The ids :meth:`known` does not count: specials, byte pieces, and pieces of
        nothing but the word boundary ``▁`` and punctuation."""
        sp = self.vocab.processor
        specials = {contract.PIECE_PAD_ID, contract.PIECE_UNKNOWN_ID, CLS_ID, SEP_ID}
        specials |= {self._cls, self._sep}
        unlearnt = (
            i
            for i in range(len(self.vocab))
            if sp.IsByte(i) or not _holds_more_than_punctuation(sp.IdToPiece(i))
        )
        return frozenset(specials.union(unlearnt))


def _holds_more_than_punctuation(piece: str) -> bool:
    """Whether a piece holds a letter, digit or symbol (an emoji, ★), beyond the word
    boundary ``▁``, punctuation, spaces and controls."""
    body = piece.replace("\u2581", "")
    return any(unicodedata.category(c)[0] not in "PZC" for c in body)


def tokenizer_for(vocab: Any, seq_len: int) -> Any:
    """The tokenizer of a model's vocabulary: SentencePiece for :class:`Pieces`, the
    regex tokenizer for a :class:`~sentigru.tokenizer.Vocabulary`."""
    from sentigru.tokenizer import Tokenizer

    if isinstance(vocab, Pieces):
        return SentencePieceTokenizer(vocab, seq_len)
    return Tokenizer(vocab, seq_len)


def phone_inputs(ids: np.ndarray, count: int) -> Sequence[np.ndarray]:
    """The arrays a phone file with ``count`` inputs takes for the id rows ``ids``: the
    ids alone (regex tokenizer), or ids, mask (1 on tokens) and segment ids (0)."""
    if count == 1:
        return (ids,)
    return (ids, (ids != 0).astype(np.int32), np.zeros_like(ids))
