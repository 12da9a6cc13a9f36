"""Every setting that makes a model, in one validated spec.

The spec is split the way MediaPipe Model Maker splits its text classifier: what the
tokenizer does, what the network looks like, how it is trained, and how it is exported
are separate dataclasses, so that a change to one cannot silently alter another. The CLI
only fills a :class:`Spec`; the spec is saved as ``spec.json`` beside the model so that a
model folder says exactly how it was made.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from sentigru.errors import SentigruError

CELLS = ("gru", "lstm")
POOLINGS = ("maxmean", "max", "mean")
QUANTIZATIONS = ("dynamic", "float16", "int8", "none")
RUNTIMES = ("mediapipe", "litert")
SCHEDULES = ("constant", "cosine")
WORD_INITS = ("random", "ppmi")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SentigruError(message)


@dataclass(frozen=True)
class TokenizerSpec:
    """How text becomes ids: the contract shared with the phone (see ``tokenizer.py``)."""

    vocab_size: int = 20000
    """Words kept, not counting the three special tokens."""
    seq_len: int = 256
    """Ids fed to the model, ``<START>`` included; longer texts are cut, shorter padded."""
    min_count: int = 1
    """A word seen fewer times in the training data is left out of the vocabulary."""
    alias_min_count: int = 2
    """Case without lowercasing: words are counted regardless of case, each kept word's
    lowercase form gets the id, and every other spelling seen at least this often
    ("Great", "GREAT") becomes an alias with that id in the vocabulary file, which the
    phone reads as it is. 0: case-sensitive ids, no aliases."""
    word_capacity: int = 500_000
    """Streaming only: the most distinct words counted at once while the vocabulary is
    built (bounded memory; see ``WordCounter``). In-memory training counts exactly."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _check(self.vocab_size >= 1, f"vocab_size must be at least 1, got {self.vocab_size}")
        _check(
            self.alias_min_count >= 0,
            f"alias_min_count must be >= 0, got {self.alias_min_count}",
        )
        _check(
            self.word_capacity >= 2 * self.vocab_size,
            f"word_capacity must be at least twice vocab_size, got {self.word_capacity}",
        )
        _check(self.seq_len >= 2, f"seq_len must be at least 2, got {self.seq_len}")
        _check(self.min_count >= 1, f"min_count must be at least 1, got {self.min_count}")


@dataclass(frozen=True)
class ModelSpec:
    """The network: embedding, bidirectional recurrent layer(s), pooling, softmax."""

    cell: str = "gru"
    embed_dim: int = 64
    units: int = 64
    """Units per direction of each recurrent layer."""
    layers: int = 1
    dropout: float = 0.3
    """Spatial dropout on the embeddings and dropout before the output layer."""
    pooling: str = "maxmean"
    """How the per-step outputs become one vector; pooling over the real (unpadded)
    steps keeps short texts from drowning in padding."""
    chunk_len: int = 0
    """Read the text in independent chunks of this many ids (0: one piece). The phone
    graph unrolls the recurrence over one chunk and runs all chunks as a batch, so a
    long text costs operators (file size) for ``chunk_len`` steps, not ``seq_len``."""
    bigram_buckets: int = 0
    """Hashed word-pair features computed inside the model from the ids (0: none):
    ``(id[t] * vocab + id[t+1]) mod buckets`` indexes an embedding that is averaged over
    the text, fastText style. The phone still sends only word ids."""
    bigram_dim: int = 16
    bigram_dropout: bool = True
    """Whether the dropout before the output layer also drops the word-pair features.
    ``False`` joins them after it, so every training step sees the pair evidence whole
    (inference is the same either way)."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _check(self.cell in CELLS, f"cell must be one of {', '.join(CELLS)}, got {self.cell!r}")
        _check(self.embed_dim >= 1, f"embed_dim must be at least 1, got {self.embed_dim}")
        _check(self.units >= 1, f"units must be at least 1, got {self.units}")
        _check(1 <= self.layers <= 4, f"layers must be between 1 and 4, got {self.layers}")
        _check(0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), got {self.dropout}")
        _check(
            self.pooling in POOLINGS,
            f"pooling must be one of {', '.join(POOLINGS)}, got {self.pooling!r}",
        )
        _check(
            self.chunk_len == 0 or self.chunk_len >= 4,
            f"chunk_len must be 0 or at least 4, got {self.chunk_len}",
        )
        _check(
            self.bigram_buckets == 0 or self.bigram_buckets >= 16,
            f"bigram_buckets must be 0 or at least 16, got {self.bigram_buckets}",
        )
        _check(self.bigram_dim >= 1, f"bigram_dim must be at least 1, got {self.bigram_dim}")
        _check(
            isinstance(self.bigram_dropout, bool),
            f"bigram_dropout must be true or false, got {self.bigram_dropout!r}",
        )


@dataclass(frozen=True)
class TrainingSpec:
    """Hyperparameters of one training run."""

    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    patience: int = 2
    """Epochs without a better validation loss before training stops (best weights kept)."""
    val_split: float = 0.1
    """Share of the training data held out (seeded, stratified) when no validation file
    is given."""
    label_smoothing: float = 0.0
    adversarial: float = 0.0
    """Adversarial training: each step also trains on the word (and pair) tables moved
    this far (L2 norm per table) the way that hurts most (0: off; a step costs two).
    One device only (``--strategy one``)."""
    word_init: str = "random"
    """How the word table starts: ``random``, or ``ppmi``, vectors of how the training
    text itself places words near each other (see ``word_vectors.py``; no outside data,
    and the phone file is unchanged)."""
    lr_schedule: str = "constant"
    """``cosine``: the learning rate falls along a cosine to a tenth over ``epochs``."""
    seed: int = 42
    average_epochs: int = 0
    """The model kept is the mean of the weights at the end of the last this-many epochs
    (stochastic weight averaging); 0 keeps the epoch with the best validation loss."""
    stream: bool = False
    """Read the files once per epoch instead of holding them in memory (for corpora
    larger than memory); validation rows are then chosen by a seeded hash of the text."""
    shuffle_buffer: int = 4096
    """Streaming only: rows held to shuffle the stream (with 16 files read in turn). The
    memory it takes is this many texts (some 5 MB of IMDB reviews)."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _check(self.average_epochs >= 0, f"average_epochs must be >= 0, got {self.average_epochs}")
        _check(
            self.shuffle_buffer >= 1,
            f"shuffle_buffer must be at least 1, got {self.shuffle_buffer}",
        )
        _check(self.epochs >= 1, f"epochs must be at least 1, got {self.epochs}")
        _check(self.batch_size >= 1, f"batch_size must be at least 1, got {self.batch_size}")
        _check(self.learning_rate > 0, f"learning_rate must be > 0, got {self.learning_rate}")
        _check(self.patience >= 0, f"patience must be >= 0, got {self.patience}")
        _check(0.0 <= self.val_split < 1.0, f"val_split must be in [0, 1), got {self.val_split}")
        _check(
            0.0 <= self.label_smoothing < 1.0,
            f"label_smoothing must be in [0, 1), got {self.label_smoothing}",
        )
        _check(self.adversarial >= 0, f"adversarial must be >= 0, got {self.adversarial}")
        _check(self.seed >= 0, f"seed must be >= 0, got {self.seed}")
        _check(
            self.word_init in WORD_INITS,
            f"word_init must be one of {', '.join(WORD_INITS)}, got {self.word_init!r}",
        )
        _check(
            self.lr_schedule in SCHEDULES,
            f"lr_schedule must be one of {', '.join(SCHEDULES)}, got {self.lr_schedule!r}",
        )


@dataclass(frozen=True)
class ExportSpec:
    """How the phone file is made."""

    quantize: str = "dynamic"
    runtime: str = "mediapipe"
    """``mediapipe``: one subgraph (the recurrence unrolled), which MediaPipe Tasks and the
    Task Library accept. ``litert``: a smaller file with a ``WHILE`` loop, for apps that
    call the LiteRT interpreter themselves."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        _check(
            self.quantize in QUANTIZATIONS,
            f"quantize must be one of {', '.join(QUANTIZATIONS)}, got {self.quantize!r}",
        )
        _check(
            self.runtime in RUNTIMES,
            f"runtime must be one of {', '.join(RUNTIMES)}, got {self.runtime!r}",
        )


@dataclass(frozen=True)
class Spec:
    """All settings of a model; validated when built."""

    tokenizer: TokenizerSpec = field(default_factory=TokenizerSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    export: ExportSpec = field(default_factory=ExportSpec)

    def __post_init__(self) -> None:
        chunk = self.model.chunk_len
        _check(
            not chunk or self.tokenizer.seq_len % chunk == 0,
            f"seq_len ({self.tokenizer.seq_len}) must be a multiple of chunk_len ({chunk})",
        )
        ids = self.tokenizer.vocab_size + 3
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
    def from_dict(cls, data: dict[str, Any]) -> Spec:
        """Build a spec from a dict such as ``spec.json``; unknown keys are an error, so a
        typo never passes for a default."""
        parts = {
            "tokenizer": TokenizerSpec,
            "model": ModelSpec,
            "training": TrainingSpec,
            "export": ExportSpec,
        }
        _check(isinstance(data, dict), "spec must be a JSON object")
        unknown = set(data) - set(parts)
        _check(not unknown, f"unknown spec section(s): {', '.join(sorted(unknown))}")
        built = {}
        for name, kind in parts.items():
            values = data.get(name, {})
            _check(isinstance(values, dict), f"spec section {name!r} must be an object")
            known = {f.name for f in dataclasses.fields(kind)}
            extra = set(values) - known
            _check(not extra, f"unknown setting(s) in {name}: {', '.join(sorted(extra))}")
            try:
                built[name] = kind(**values)
            except TypeError as exc:
                raise SentigruError(f"bad spec section {name!r}: {exc}") from None
        return cls(**built)

    @classmethod
    def from_json(cls, text: str) -> Spec:
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise SentigruError(f"spec is not valid JSON: {exc}") from None

    def replace(self, **sections: Any) -> Spec:
        """Return a copy with some sections' fields overridden: ``replace(model={"units": 8})``."""
        updated = {}
        for name, changes in sections.items():
            current = getattr(self, name)
            updated[name] = dataclasses.replace(current, **changes)
        return dataclasses.replace(self, **updated)
