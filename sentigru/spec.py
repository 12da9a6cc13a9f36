"""Every setting that makes a model, in one validated spec.

The spec is split the way MediaPipe Model Maker splits its text classifier: what the
tokenizer does, what the network looks like, how it is trained, and how it is exported
are separate dataclasses, so that a change to one cannot silently alter another. Each
field is declared with :func:`setting`, whose one-line help and choices are what the CLI
shows: a new setting is added here and nowhere else. The CLI and the Python API only
fill a :class:`Spec`; the spec is saved as ``spec.json`` beside the model so that a model
folder says exactly how it was made.

The defaults are the recipe of the bundled model (chosen on 92,000 IMDB reviews and SST-2
phrases, then trained on 147,904 rows of wider data; see ``benchmarks/bundled_model.md``),
with its seed, and two settings measured after it was built: ``curly_share`` (contractions
also taught as phones type them) and ``min_count`` 3 (rare words, which the phone file
would carry as plain text, left out), which ``--preset bundled`` sets to 0 and 1. A plain
``sentigru train --data FILE`` therefore trains a recipe that was measured.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sentigru import __version__
from sentigru.contract import SPECIAL_TOKENS, TOKENIZERS
from sentigru.errors import SentigruError, UsageError
from sentigru.limits import MAX_SEQ_LEN

MIN_PIECES = 384
"""Fewest pieces a SentencePiece model may ask for: 256 byte pieces, the specials, and
some text."""

CELLS = ("gru", "lstm")
POOLINGS = ("maxmean", "max", "mean")
QUANTIZATIONS = ("dynamic", "float16", "none")
RUNTIMES = ("mediapipe", "litert")
SCHEDULES = ("constant", "cosine")
WORD_INITS = ("random", "ppmi")
CLASS_WEIGHTS = ("none", "balanced")
VOCAB_COUNTS = ("words", "texts")
MIN_STEPS = 0
"""Steps a run takes at least (see ``training.sized_for``). Off by default, as measured
on the 432 rows of ``data/reviews.tsv`` (benchmarks/small_data.md): more steps fitted
reviews written like the training rows better, but not reviews from other sources."""

CURLY_SHARE = 0.25
"""Measured on a user's product reviews (benchmarks/curly_share.md) and on the bundled
model's rows (candidate Ca, benchmarks/candidates.md): the checks typed with ’ read
better by more than the seed spread, nothing else worse beyond it. The bundled model
was trained without it and then one epoch more with it (candidates Cl and Cm; its ``spec.json``
holds that epoch's settings, its manifest the recipe)."""

INTRODUCED = {
    ("training", "curly_share"): 0.0,
    ("model", "unknown_rate"): 0.0,
    ("tokenizer", "piece_min_count"): 1,
    # sentigru 0.1.0's first folders: case-sensitive ids, a random word table, the best
    # epoch's weights
    ("tokenizer", "alias_min_count"): 0,
    ("training", "word_init"): "random",
    ("training", "average_epochs"): 0,
}
"""Settings added after ``spec.json`` files were first written, with the value that means
what older sentigru versions did: a saved spec without one reads as that value, not as
today's default, so an old model folder still says how it was made."""

RETIRED = {
    ("model", "bigram_dropout"): True,
    ("training", "adversarial"): 0.0,
    ("tokenizer", "piece_chars"): 16,  # SentencePiece's longest piece; 0.4.0 wrote it
}
"""Settings that older sentigru versions wrote into ``spec.json`` and that no longer
exist, with the one value that means the network and training of today. A saved spec
holding that value still loads; any other value is refused, since today's sentigru
would rebuild a different model from it."""


def setting(default: Any, help: str, choices: tuple[str, ...] = ()) -> Any:
    """A spec field with the one-line ``help`` and the ``choices`` the CLI shows."""
    return field(default=default, metadata={"help": help, "choices": choices})


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SentigruError(message)


def _kind_of(default: Any) -> tuple[str, Any]:
    """What a setting's values must be, judged by its default's type."""
    if isinstance(default, bool):
        return "true or false", lambda v: isinstance(v, bool)
    if isinstance(default, int):
        return "an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)
    if isinstance(default, float):
        return "a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    return "a string", lambda v: isinstance(v, str)


INT_MAX = 2**31 - 1
"""The largest integer setting: TensorFlow takes counts, sizes and seeds as int32 or
uint32, and a larger one (``--seed $(date +%s%N)``) failed inside it with a page of
traceback."""
VOCAB_MAX = 2**26
"""The most words or pieces a vocabulary may hold (the bundled model's holds 11,000). This
and the two below are far beyond any model trained, and apply to saved specs as well:
they keep TensorFlow's shapes within what it represents, and memory that runs out below
them is one line (``training.OUT_OF_MEMORY``)."""
BUCKETS_MAX = 2**28
"""The most word-pair buckets (the bundled model's 32,768)."""
WIDTH_MAX = 65_536
"""The widest embedding or recurrent layer (the bundled model's are 32 and 64)."""


def _check_types(section: Any) -> None:
    """Refuse a value of another type than the setting's (``curly_share=True``), which a
    JSON file or a Python call can give and the range checks would not all catch, and an
    integer beyond :data:`INT_MAX`."""
    for item in dataclasses.fields(section):
        value = getattr(section, item.name)
        kind, fits = _kind_of(item.default)
        _check(fits(value), f"{item.name} must be {kind}, got {value!r}")
        if kind == "an integer":
            _check(value <= INT_MAX, f"{item.name} must be at most {INT_MAX}, got {value}")


def _check_choice(value: str, name: str, choices: tuple[str, ...]) -> None:
    _check(value in choices, f"{name} must be one of {', '.join(choices)}, got {value!r}")


@dataclass(frozen=True)
class TokenizerSpec:
    """How text becomes ids: the contract shared with the phone (see ``tokenizer.py``)."""

    tokenizer: str = setting(
        "regex",
        "regex: ASCII words (the phone's regex tokenizer); sentencepiece: pieces learnt "
        "from the training text, for any language",
        TOKENIZERS,
    )
    vocab_size: int = setting(
        11000, "Words kept (regex: besides <PAD>, <START>, <UNKNOWN>; sentencepiece: all pieces)"
    )
    seq_len: int = setting(1024, "Ids fed to the model, <START> included; longer texts are cut")
    min_count: int = setting(
        3, "Least count for a word to enter the vocabulary (it ships readable in the phone file)"
    )
    # 3, not 1: the phone file carries the vocabulary as plain text, and a word seen once
    # or twice is the likeliest to be a name or a number of the training text; keeping
    # them out cost no accuracy on hotel or short reviews (benchmarks/min_count.md). The
    # bundled preset keeps the bundled model's 1 (on its 147,904 rows it changes no word).
    piece_min_count: int = setting(
        3,
        "SentencePiece: least uses for a learnt piece of 2+ characters to stay in the "
        "piece model (it ships readable in the phone file)",
    )
    # SentencePiece learns whole words as pieces too, and the same floor keeps them out,
    # counted in the sample the pieces are learnt from (sentigru.pieces._without_rare).
    # A setting of its own, not min_count's: specs saved before it (whose min_count 3 did
    # nothing to pieces) read as 1, so their models retrain and resume as they were made.
    alias_min_count: int = setting(
        2, "Case variants seen this often share their word's id; 0: case-sensitive ids"
    )
    # Case without lowercasing: words are counted regardless of case, each kept word's
    # lowercase form gets the id, and every other spelling seen at least this often
    # ("Great", "GREAT") becomes an alias line with that id in the vocabulary file, which
    # the phone reads as it is.
    word_capacity: int = setting(
        500_000, "With --stream: most distinct words counted at once (bounded memory)"
    )
    vocab_count: str = setting(
        "words",
        "What ranks words for the vocabulary (regex): words, every occurrence; texts, the "
        "texts a word is in",
        VOCAB_COUNTS,
    )
    # Ranked by occurrences, a name repeated through one long review (a film's cast)
    # outranks a word that many short reviews use once ("overpriced"): by texts, it does
    # not.

    @property
    def per_text(self) -> bool:
        """Whether a word counts once per text it is in (``vocab_count="texts"``)."""
        return self.vocab_count == "texts"

    def __post_init__(self) -> None:
        _check_types(self)
        _check_choice(self.tokenizer, "tokenizer", TOKENIZERS)
        _check_choice(self.vocab_count, "vocab_count", VOCAB_COUNTS)
        _check(
            1 <= self.vocab_size <= VOCAB_MAX,
            f"vocab_size must be between 1 and {VOCAB_MAX}, got {self.vocab_size}",
        )
        _check(
            self.tokenizer != "sentencepiece" or self.vocab_size >= MIN_PIECES,
            f"vocab_size must be at least {MIN_PIECES} with tokenizer sentencepiece (256 byte "
            f"pieces are always there), got {self.vocab_size}",
        )
        _check(
            self.alias_min_count >= 0,
            f"alias_min_count must be >= 0, got {self.alias_min_count}",
        )
        _check(
            self.word_capacity >= 2 * self.vocab_size,
            f"word_capacity must be at least twice vocab_size, got {self.word_capacity}",
        )
        _check(self.seq_len >= 2, f"seq_len must be at least 2, got {self.seq_len}")
        _check(  # refused now, not by the phone file's export after the training
            self.seq_len <= MAX_SEQ_LEN,
            f"seq_len must be at most {MAX_SEQ_LEN} (what a phone file takes), got {self.seq_len}",
        )
        _check(self.min_count >= 1, f"min_count must be at least 1, got {self.min_count}")
        _check(
            self.piece_min_count >= 1,
            f"piece_min_count must be at least 1, got {self.piece_min_count}",
        )


@dataclass(frozen=True)
class ModelSpec:
    """The network: embedding, bidirectional recurrent layer(s), pooling, softmax."""

    cell: str = setting("gru", "Recurrent cell", CELLS)
    embed_dim: int = setting(32, "Width of the word embedding")
    units: int = setting(64, "Units per direction of each recurrent layer")
    layers: int = setting(1, "Stacked bidirectional layers (1-4)")
    dropout: float = setting(0.4, "Dropout on the embeddings and before the output layer")
    unknown_rate: float = setting(
        0.0, "In training, the share of words shown to the model as <UNKNOWN>"
    )
    # A word the vocabulary lacks (a typo, an unseen capitalisation) is <UNKNOWN> to the
    # phone. Word dropout to <UNKNOWN>; 0.1 on the bundled recipe cost accuracy and left
    # the model about as sure of misspelt judgements (model.UnknownDropout).
    pooling: str = setting("maxmean", "Pooling over the real (unpadded) steps", POOLINGS)
    chunk_len: int = setting(64, "Read texts in independent chunks of this many ids; 0: whole")
    # The phone graph unrolls the recurrence over one chunk and runs all chunks as a
    # batch, so a long text costs operators (file size) for chunk_len steps, not seq_len.
    bigram_buckets: int = setting(32768, "Hashed word-pair features; 0: none")
    # (id[t] * vocab + id[t+1]) mod buckets indexes an embedding averaged over the text,
    # fastText style, computed inside the model: the phone still sends only word ids.
    bigram_dim: int = setting(4, "Width of the word-pair embedding")

    def __post_init__(self) -> None:
        _check_types(self)
        _check_choice(self.cell, "cell", CELLS)
        _check_choice(self.pooling, "pooling", POOLINGS)
        for name in ("embed_dim", "units", "bigram_dim"):
            width = getattr(self, name)
            _check(
                1 <= width <= WIDTH_MAX,
                f"{name} must be between 1 and {WIDTH_MAX}, got {width}",
            )
        _check(1 <= self.layers <= 4, f"layers must be between 1 and 4, got {self.layers}")
        _check(0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), got {self.dropout}")
        _check(
            0.0 <= self.unknown_rate < 1.0,
            f"unknown_rate must be in [0, 1), got {self.unknown_rate}",
        )
        _check(
            self.chunk_len == 0 or self.chunk_len >= 4,
            f"chunk_len must be 0 or at least 4, got {self.chunk_len}",
        )
        _check(
            self.bigram_buckets == 0 or 16 <= self.bigram_buckets <= BUCKETS_MAX,
            f"bigram_buckets must be 0 or between 16 and {BUCKETS_MAX}, got {self.bigram_buckets}",
        )


@dataclass(frozen=True)
class TrainingSpec:
    """Hyperparameters of one training run."""

    epochs: int = setting(5, "Most epochs; early stopping may end sooner")
    min_steps: int = setting(
        MIN_STEPS, "Train at least this many steps: small data gets more epochs; 0: off"
    )
    batch_size: int = setting(64, "Examples per batch")
    learning_rate: float = setting(0.002, "Adam learning rate")
    lr_schedule: str = setting(
        "cosine", "cosine: the rate falls along a cosine to a tenth over the epochs", SCHEDULES
    )
    patience: int = setting(2, "Epochs without a better validation loss before stopping")
    val_split: float = setting(
        0.1,
        "Share held out for validation when no --val-data is given (seeded, stratified; "
        "streamed: each text by its hash, so about this share)",
    )
    label_smoothing: float = setting(0.1, "Label smoothing of the loss")
    class_weight: str = setting(
        "none",
        "balanced: weigh each label's rows by its rarity in training, so the loss counts "
        "every label alike (imbalanced data: rare labels get more recall)",
        CLASS_WEIGHTS,
    )
    word_init: str = setting(
        "ppmi",
        "Start the word table at random, or from the training text's word neighbours",
        WORD_INITS,
    )
    # ppmi: positive-PMI + SVD vectors of the training text itself (word_vectors.py); no
    # outside data, and the phone file is the same.
    average_epochs: int = setting(
        3, "Keep the mean weights of the last N epochs run; 0: the epoch with the best val loss"
    )
    curly_share: float = setting(
        CURLY_SHARE,
        "Share of training texts with a contraction written as phones type it (isn’t: the "
        "tokenizer splits on ’), so the model reads both forms",
    )
    # iOS types ’ for the apostrophe; the phone's tokenizer splits on it, so "isn’t"
    # reaches the model as "isn" + "t". A seeded share of the training texts with a
    # contraction is written so (data/apostrophes.py), unlabelled ones included;
    # validation texts are not.
    seed: int = setting(9, "Seed for the split, the shuffling and the weights")
    # 9: the recipe's, the median on SST-2 dev of its first step's builds with seeds 7, 8
    # and 9 (scripts/median_build.py); the default is the bundled recipe, seed included.
    stream: bool = setting(
        False,
        "Read --data files once per epoch instead of holding them in memory (without the "
        "notes that need every text held: repeated texts, unread texts)",
    )
    # Validation rows are then chosen by a seeded hash of the text.
    shuffle_buffer: int = setting(4096, "With --stream: rows held to shuffle the stream")
    ngram_teacher: bool = setting(
        False, "Also learn each training text from a character n-gram model's scores"
    )
    # Out-of-fold scores of TF-IDF character 1-4-grams + logistic regression
    # (ngram_teacher.py): small data, any script. The phone file is the same.

    def __post_init__(self) -> None:
        _check_types(self)
        _check_choice(self.word_init, "word_init", WORD_INITS)
        _check_choice(self.lr_schedule, "lr_schedule", SCHEDULES)
        _check_choice(self.class_weight, "class_weight", CLASS_WEIGHTS)
        _check(self.average_epochs >= 0, f"average_epochs must be >= 0, got {self.average_epochs}")
        _check(
            self.shuffle_buffer >= 1,
            f"shuffle_buffer must be at least 1, got {self.shuffle_buffer}",
        )
        _check(self.epochs >= 1, f"epochs must be at least 1, got {self.epochs}")
        _check(self.min_steps >= 0, f"min_steps must be >= 0, got {self.min_steps}")
        _check(self.batch_size >= 1, f"batch_size must be at least 1, got {self.batch_size}")
        _check(  # inf, or past float32's range: read, counted and set up, then NaN at once
            0 < self.learning_rate <= 1e6,
            f"learning_rate must be > 0 and at most 1e6, got {self.learning_rate}",
        )
        _check(self.patience >= 0, f"patience must be >= 0, got {self.patience}")
        _check(0.0 <= self.val_split < 1.0, f"val_split must be in [0, 1), got {self.val_split}")
        _check(
            0.0 <= self.label_smoothing < 1.0,
            f"label_smoothing must be in [0, 1), got {self.label_smoothing}",
        )
        _check(self.seed >= 0, f"seed must be >= 0, got {self.seed}")
        _check(
            0.0 <= self.curly_share <= 1.0,
            f"curly_share must be in [0, 1], got {self.curly_share}",
        )
        _check(
            not (self.stream and self.ngram_teacher),
            "ngram_teacher (part of --preset sentencepiece) holds the training texts in "
            "memory: drop --stream, or add --no-ngram-teacher",
        )


@dataclass(frozen=True)
class ExportSpec:
    """How the phone file is made."""

    quantize: str = setting("dynamic", "Weight quantization of the phone file", QUANTIZATIONS)
    runtime: str = setting(
        "mediapipe",
        "mediapipe: one unrolled subgraph (MediaPipe Tasks, Task Library); "
        "litert: a WHILE loop, smaller but slower",
        RUNTIMES,
    )

    def __post_init__(self) -> None:
        _check_types(self)
        _check_choice(self.quantize, "quantize", QUANTIZATIONS)
        _check_choice(self.runtime, "runtime", RUNTIMES)


SECTIONS: dict[str, type] = {
    "tokenizer": TokenizerSpec,
    "model": ModelSpec,
    "training": TrainingSpec,
    "export": ExportSpec,
}


def fields_of(section: str) -> tuple[dataclasses.Field, ...]:
    """The settings of one section, in declaration order (what the CLI lists)."""
    return dataclasses.fields(SECTIONS[section])


def section_of(name: str) -> str:
    """The section holding setting ``name``; setting names are unique across sections."""
    for section in SECTIONS:
        if any(f.name == name for f in fields_of(section)):
            return section
    raise SentigruError(unknown_setting(name))


def setting_names() -> list[str]:
    return [f.name for section in SECTIONS for f in fields_of(section)]


def unknown_setting(name: str, others: Iterable[str] = ()) -> str:
    """The message for a setting no section holds, with the likeliest it was meant
    to be (``epoch``: ``epochs``) among the settings and ``others``."""
    known = [*setting_names(), *others]
    close = [ALIASES[name]] if ALIASES.get(name) in known else []
    close = close or difflib.get_close_matches(str(name), known, 1)
    return f"unknown setting {name!r}" + (f" ({close[0]}?)" if close else "")


ALIASES = {
    "lr": "learning_rate",
    "num_epochs": "epochs",
    "batch": "batch_size",
    "hidden_size": "units",
    "hidden_units": "units",
    "maxlen": "seq_len",
    "max_len": "seq_len",
    "max_length": "seq_len",
    "sequence_length": "seq_len",
    "max_tokens": "vocab_size",
    "num_words": "vocab_size",
    "validation_split": "val_split",
    "validation_data": "val_data",
    "embedding_dim": "embed_dim",
    "random_state": "seed",
}
"""Names other libraries (Keras, scikit-learn) give settings sentigru names otherwise,
which spelling alone does not find (``lr``: ``learning_rate``)."""


@dataclass(frozen=True)
class Spec:
    """All settings of a model; validated when built."""

    tokenizer: TokenizerSpec = field(default_factory=TokenizerSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    export: ExportSpec = field(default_factory=ExportSpec)

    def __post_init__(self) -> None:
        for name, kind in SECTIONS.items():
            value = getattr(self, name)
            _check(
                isinstance(value, kind),
                f"Spec({name}=...) takes a {kind.__name__}, not {type(value).__name__}; "
                f'from settings by name: Spec().replace({name}={{"...": ...}}) or Spec.from_dict',
            )
        chunk, length = self.model.chunk_len, self.tokenizer.seq_len
        if chunk and length % chunk:
            common = math.gcd(length, chunk)  # a chunk that divides both, if one is allowed
            either = f"chunk_len {common} " if common >= 4 else ""
            raise SentigruError(
                f"seq_len ({length}) must be a multiple of chunk_len ({chunk}): give seq_len "
                f"{-(-length // chunk) * chunk}, or {either}"
                f"{'(' if either else ''}chunk_len 0{': ' if either else ', '}the whole length "
                f"in one piece{')' if either else ''}"
            )
        ids = self.tokenizer.vocab_size + len(SPECIAL_TOKENS)
        _check(
            not self.model.bigram_buckets or ids * ids < 2**31,
            f"with bigram features the vocabulary must stay under 46338 words (int32 "
            f"pair codes), got {self.tokenizer.vocab_size}",
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], saved: bool = False, made_by: str | None = None
    ) -> Spec:
        """Build a spec from a dict such as ``spec.json``; unknown keys are an error, so a
        typo never passes for a default. Sections or settings left out take defaults, but
        in a spec ``saved`` with a model, the settings of :data:`INTRODUCED` it lacks take
        the value that means what the version that saved it did. ``made_by``: the sentigru
        version that saved it; one newer than this one may have settings this one lacks,
        and its error says to upgrade."""
        try:
            return cls._from_dict(data, saved)
        except SentigruError as exc:
            if isinstance(made_by, str) and made_by in WITHDRAWN:  # no upgrade reads it
                raise SentigruError(
                    f"{exc}: it was saved by sentigru {made_by}, a release since withdrawn, "
                    f"whose model this one ({__version__}) cannot rebuild; its phone file "
                    "still predicts and evaluates: train the model again to export or start "
                    "from it"
                ) from None
            if made_by is None or not is_newer(made_by):
                raise
            raise SentigruError(
                f"{exc}: it was saved by sentigru {made_by}, newer than this one "
                f"({__version__}); upgrade sentigru to read it"
            ) from None

    @classmethod
    def _from_dict(cls, data: dict[str, Any], saved: bool) -> Spec:
        _check(isinstance(data, dict), "spec must be a JSON object")
        unknown = set(data) - set(SECTIONS)
        _check(not unknown, f"unknown spec section(s): {', '.join(sorted(unknown))}")
        built = {}
        for name, kind in SECTIONS.items():
            values = data.get(name, {})
            _check(isinstance(values, dict), f"spec section {name!r} must be an object")
            values = _drop_retired(name, values)
            values = {**_introduced(name), **values} if saved else values
            known = {f.name for f in dataclasses.fields(kind)}
            extra = set(values) - known
            _check(not extra, f"unknown setting(s) in {name}: {', '.join(sorted(extra))}")
            try:
                built[name] = kind(**values)
            except TypeError as exc:
                raise SentigruError(f"bad spec section {name!r}: {exc}") from None
        return cls(**built)

    @classmethod
    def from_json(cls, text: str, saved: bool = False, made_by: str | None = None) -> Spec:
        _check(isinstance(text, (str, bytes)), f"spec JSON is text, not {type(text).__name__}")
        try:
            return cls.from_dict(json.loads(text), saved, made_by)
        except json.JSONDecodeError as exc:
            raise SentigruError(f"spec is not valid JSON: {exc}") from None
        except RecursionError:  # '[' nested thousands deep
            raise SentigruError("spec is not valid JSON: nested too deeply") from None

    def replace(self, **sections: Any) -> Spec:
        """Return a copy with some sections' fields overridden: ``replace(model={"units": 8})``."""
        updated = {}
        for name, changes in sections.items():
            _check(name in SECTIONS, f"unknown spec section {name!r}")
            current = getattr(self, name)
            try:
                updated[name] = dataclasses.replace(current, **changes)
            except TypeError as exc:
                raise SentigruError(f"bad setting in {name}: {exc}") from None
        return dataclasses.replace(self, **updated)

    def with_settings(self, settings: dict[str, Any]) -> Spec:
        """A copy with flat settings applied (``{"units": 8, "epochs": 3}``); None values
        are left alone, so unset CLI options keep what the spec has."""
        _check(isinstance(settings, dict), "settings are a dict of setting names and values")
        sections: dict[str, dict[str, Any]] = {}
        for name, value in settings.items():
            if value is not None:
                sections.setdefault(section_of(name), {})[name] = value
        return self.replace(**sections)


WITHDRAWN = frozenset({"0.4.0"})
"""Releases since undone (0.4.0 added one-character SentencePiece pieces, taken back):
a folder one saved is not from a newer sentigru, and no upgrade reads it."""


def is_newer(version: object) -> bool:
    """Whether ``version`` names a sentigru release after this one. A folder's format
    number changes only when older code could not read it at all; a newer release may
    still add settings, and its user is better told to upgrade than shown a setting's
    name this release does not know. Only a version as releases spell it counts: the
    string is shown in the message, and a folder from anywhere may claim any."""
    return (
        isinstance(version, str)
        and _VERSION.fullmatch(version) is not None
        and _release(version) > _release(__version__)
    )


_VERSION = re.compile(r"\d{1,6}(?:\.\d{1,6}){0,3}[a-z0-9.+-]{0,16}", re.ASCII)


def _release(version: str) -> tuple[int, ...]:
    """``"0.3.0rc1"`` → ``(0, 3, 0)``: the release numbers, marks after them ignored."""
    numbers = re.match(r"\d{1,6}(?:\.\d{1,6}){0,3}", version)
    return tuple(int(part) for part in numbers.group(0).split(".")) if numbers else ()


def _introduced(section: str) -> dict[str, Any]:
    return {name: value for (where, name), value in INTRODUCED.items() if where == section}


def _drop_retired(section: str, values: dict[str, Any]) -> dict[str, Any]:
    kept = dict(values)
    for (where, name), neutral in RETIRED.items():
        if where == section and name in kept:
            _check(
                kept.pop(name) == neutral,
                f"spec setting {section}.{name} is no longer supported except as {neutral!r}",
            )
    return kept


REGEX_VOCABULARY = ("min_count", "alias_min_count", "vocab_count")
"""Settings of the regex tokenizer's word vocabulary, which SentencePiece does not use."""


UNUSED_WITH = {
    "sentencepiece": {
        "curly_share": "--curly-share teaches contractions typed with ’ as well as '; a "
        "SentencePiece model reads ’ as ' already (its normalisation, on the phone too): "
        "drop it",
    },
    "regex": {
        "piece_min_count": "--piece-min-count is SentencePiece's floor on pieces; the regex "
        "tokenizer's on words is --min-count: drop it",
    },
}
"""Settings one tokenizer does not use (besides the regex vocabulary's, refused together
with SentencePiece), with the line that refuses them."""


STREAM_ONLY = {
    "shuffle_buffer": "sizes the buffer that shuffles rows read in turn",
    "word_capacity": "bounds the words counted in one pass over the files",
}
"""Settings only a streamed run uses, with what they do."""


def check_trainable(spec: Spec) -> None:
    """Refuse settings that train a model wrongly together (a model saved with them still
    loads: its spec is valid). Word dropout writes the regex tokenizer's <UNKNOWN> id
    (2), which SentencePiece gives [CLS]: pieces would be taught as the text's start."""
    _check(
        not spec.model.unknown_rate or spec.tokenizer.tokenizer != "sentencepiece",
        "unknown_rate shows words as <UNKNOWN>, an id of the regex vocabulary; with "
        "tokenizer sentencepiece (no unknown piece: bytes spell any text) give unknown_rate 0",
    )


def check_settings_used(spec: Spec, settings: dict[str, Any], val_data: bool) -> None:
    """Refuse settings given away from their defaults that the run would record in
    ``spec.json`` and not use: ``val_split`` beside validation data, the regex
    vocabulary's settings with SentencePiece. ``train`` and ``compare`` (before its cells
    start) check them."""
    given = [
        name
        for name, value in settings.items()
        if value is not None and value != getattr(getattr(Spec(), section_of(name)), name)
    ]
    if "val_split" in given and val_data:
        raise UsageError(
            "--val-data (val_data=) gives the validation rows, so no share is held out: "
            "drop --val-split"
        )
    check_trainable(spec)
    streamed = [name for name in STREAM_ONLY if name in given]
    if streamed and not spec.training.stream:
        option = "--" + streamed[0].replace("_", "-")
        raise UsageError(
            f"{option} ({streamed[0]}=) {STREAM_ONLY[streamed[0]]}: without --stream "
            f"(stream=True) the data is held in memory, and it would be recorded unused: "
            f"drop it, or add --stream"
        )
    unused = [name for name in UNUSED_WITH[spec.tokenizer.tokenizer] if name in given]
    if unused:
        raise UsageError(UNUSED_WITH[spec.tokenizer.tokenizer][unused[0]])
    if spec.tokenizer.tokenizer != "sentencepiece":
        return
    regex = [name for name in REGEX_VOCABULARY if name in given]
    if regex:
        options = " and ".join(f"--{name.replace('_', '-')}" for name in regex)
        verb, them = ("shapes", "it") if len(regex) == 1 else ("shape", "them")
        floor = "; its floor on rare pieces is --piece-min-count" if "min_count" in regex else ""
        raise UsageError(
            f"{options} {verb} the regex tokenizer's word vocabulary; SentencePiece learns "
            f"its pieces without {them}: drop {them}{floor}"
        )
