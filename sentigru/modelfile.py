"""A sentigru ``.tflite`` file: its metadata, its packed files, and checks of its structure.

MediaPipe Tasks ``TextClassifier`` and the TFLite Task Library ``NLClassifier`` take a
model whose single input is ``int32 [1, L]`` token ids only if the model carries TFLite
metadata (a ``ModelMetadata`` flatbuffer, file identifier ``M001``, stored in a model
buffer named ``TFLITE_METADATA``) that describes:

* on the input tensor, a ``RegexTokenizer`` process unit: the delimiter regex (RE2
  syntax) and an associated ``VOCABULARY`` file (see :mod:`sentigru.contract`);
* on the output tensor, an associated ``TENSOR_AXIS_LABELS`` file, one label per line.

A model with a SentencePiece tokenizer (:mod:`sentigru.pieces`) instead has three
``int32 [1, L]`` inputs whose tensor metadata are named ``ids``, ``mask`` and
``segment_ids`` (in input order), and a subgraph-level input process unit
``SentencePieceTokenizerOptions`` naming the packed ``sentencepiece.model``.

The associated files are appended to the flatbuffer as a zip archive, which is how both
runtimes find them by name.

The metadata tables are read and written here with the ``flatbuffers`` package, from the
layout that ``metadata_schema.fbs`` (TFLite Support / MediaPipe, schema 1.2.1) documents:
a table's fields take vtable slots in declaration order, a union field takes two (its
type byte, then the value), and union members are numbered from 1 in declaration order.
So sentigru needs neither MediaPipe nor TensorFlow to read or write a phone file.

Model files travel, so everything read from one is bounds-checked: a damaged or hostile
file gives a one-line :class:`ModelFileError`, never an exception from deep inside a
parser, an unbounded allocation, or a file LiteRT would crash on for a reason checked
here (:func:`check_model`). The model flatbuffer is rebuilt on writing with the object
API of ``ai_edge_litert.schema_py_generated``; reading it never needs that module.

This module must not import TensorFlow, Keras or MediaPipe: ``sentigru predict`` reads
metadata on its fast path.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn, Protocol

import flatbuffers

from sentigru import contract, limits
from sentigru.contract import (
    DELIM_REGEX,
    LABELS_FILE,
    SENTENCEPIECE_FILE,
    SENTENCEPIECE_INPUTS,
    VOCAB_FILE,
)
from sentigru.errors import SentigruError

__all__ = [
    "MIN_PARSER_VERSION",
    "AssociatedFile",
    "ModelFileError",
    "ModelMetadata",
    "RegexTokenizerOptions",
    "SentencePieceTokenizerOptions",
    "Stats",
    "SubGraphMetadata",
    "TensorMetadata",
    "check_mediapipe_compatible",
    "check_model",
    "read_metadata",
    "write_metadata",
]

MIN_PARSER_VERSION = "1.2.1"
"""Lowest metadata parser that understands ``RegexTokenizerOptions`` (schema 1.2.1).

The official populators compute this from the fields in use; the only post-1.0 feature
written here is the regex tokenizer, so the value is fixed.
"""

_METADATA_BUFFER_NAME = "TFLITE_METADATA"
_MODEL_IDENTIFIER = b"TFL3"
_METADATA_IDENTIFIER = b"M001"
_SCHEMA_VERSION = 3  # tflite schema.fbs: Model.version
# Zip entries get a fixed timestamp so that the same inputs give the same bytes.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# Texts on which a delimiter regex must not produce an empty match (see _validate_regex).
_REGEX_PROBES = ("", "a", " ", "a b", "a, b.", "don't", "caf\u00e9 \u043c\u0438\u0440 1_2")
# Entries of any one list in the metadata (tensors, process units, files): a few each.
_METADATA_ITEMS = 256


class ModelFileError(SentigruError, ValueError):
    """A ``.tflite`` that sentigru will not read: damaged, hostile, or not one of its
    phone files. One line; callers add the file's name."""


# =========================================================================== reading


_U8, _I8, _U16, _I32, _U32, _U64 = (struct.Struct(f) for f in ("<B", "<b", "<H", "<i", "<I", "<Q"))


class _Reader:
    """Bounds-checked access to one flatbuffer: every read is checked against the
    buffer, and every vector's length against the bytes it would need, so a damaged
    buffer raises :class:`ModelFileError` instead of reading garbage or looping."""

    __slots__ = ("data", "size", "vtables", "what")

    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.size = len(data)
        self.what = what
        self.vtables: dict[int, tuple[int, ...]] = {}  # shared by many tables: read once

    def fail(self, problem: str) -> NoReturn:
        raise ModelFileError(f"{self.what} is damaged: {problem}")

    def get(self, fmt: struct.Struct, pos: int) -> Any:
        if pos < 0 or pos + fmt.size > self.size:
            self.fail(f"offset {pos} is outside its {self.size} bytes")
        return fmt.unpack_from(self.data, pos)[0]

    def vtable(self, at: int) -> tuple[int, ...]:
        """The field offsets of the vtable at ``at``, by slot."""
        fields = self.vtables.get(at)
        if fields is None:
            size = self.get(_U16, at)
            if size < 4 or size % 2 or at + size > self.size:
                self.fail(f"bad vtable at {at}")
            fields = struct.unpack_from(f"<{size // 2 - 2}H", self.data, at + 4)
            self.vtables[at] = fields
        return fields

    def root(self, identifier: bytes) -> _Table:
        if self.size < 8 or self.data[4:8] != identifier:
            self.fail(f"no {identifier.decode()} file identifier")
        return _Table(self, self.get(_U32, 0))


class _Table:
    """One table of a :class:`_Reader`; fields are addressed by vtable slot."""

    __slots__ = ("fields", "pos", "r")

    def __init__(self, r: _Reader, pos: int) -> None:
        self.r, self.pos = r, pos
        self.fields = r.vtable(pos - r.get(_I32, pos))

    def _field(self, slot: int) -> int:
        return self.fields[slot] if slot < len(self.fields) else 0

    def has(self, slot: int) -> bool:
        """True when the field is present (an empty list is present; a missing one not)."""
        return bool(self._field(slot))

    def scalar(self, slot: int, fmt: struct.Struct, default: Any = 0) -> Any:
        fields = self.fields
        if slot >= len(fields) or not fields[slot]:
            return default
        return self.r.get(fmt, self.pos + fields[slot])

    def _target(self, slot: int) -> int | None:
        fields = self.fields
        if slot >= len(fields) or not fields[slot]:
            return None
        at = self.pos + fields[slot]
        return at + self.r.get(_U32, at)

    def table(self, slot: int) -> _Table | None:
        at = self._target(slot)
        return None if at is None else _Table(self.r, at)

    def _vector(self, slot: int, item_size: int, limit: int) -> tuple[int, int] | None:
        at = self._target(slot)
        if at is None:
            return None
        count = self.r.get(_U32, at)
        if count > limit:
            self.r.fail(f"a list of {count} items, over the limit of {limit}")
        if at + 4 + count * item_size > self.r.size:
            self.r.fail(f"a list of {count} items runs past the end")
        return at + 4, count

    def string(self, slot: int) -> str | None:
        found = self._vector(slot, 1, self.r.size)
        if found is None:
            return None
        start, count = found
        try:
            return self.r.data[start : start + count].decode("utf-8")
        except UnicodeDecodeError:
            self.r.fail(f"a string at {start} is not UTF-8")

    def blob(self, slot: int) -> bytes:
        """A ``[ubyte]`` field; empty when absent."""
        found = self._vector(slot, 1, self.r.size)
        return b"" if found is None else bytes(self.r.data[found[0] : found[0] + found[1]])

    def numbers(self, slot: int, code: str, limit: int) -> tuple[Any, ...]:
        """A vector of scalars (``code`` a struct letter: "i" int32, "f" float32, ...)."""
        size = struct.calcsize(code)
        found = self._vector(slot, size, limit)
        if found is None:
            return ()
        start, count = found
        return struct.unpack_from(f"<{count}{code}", self.r.data, start)

    def nth(self, slot: int, index: int, limit: int) -> _Table | None:
        """Table ``index`` of a vector of tables; None when the vector is shorter."""
        found = self._vector(slot, 4, limit)
        if found is None or not 0 <= index < found[1]:
            return None
        at = found[0] + 4 * index
        return _Table(self.r, at + self.r.get(_U32, at))

    def tables(self, slot: int, limit: int) -> list[_Table]:
        found = self._vector(slot, 4, limit)
        if found is None:
            return []
        start, count = found
        return [
            _Table(self.r, at + self.r.get(_U32, at)) for at in range(start, start + 4 * count, 4)
        ]


# =========================================================================== writing


_OFFSET, _INT8, _UINT8 = "offset", "int8", "uint8"


def _table(b: flatbuffers.Builder, slots: int, fields: Sequence[tuple[int, str, Any]]) -> int:
    """A table of ``slots`` slots. ``fields`` are ``(slot, kind, value)``, children
    already built (offsets); None values and defaults (0) are left out, as the official
    builders do. Fields are added in slot order, which fixes the byte layout."""
    b.StartObject(slots)
    for slot, kind, value in sorted(fields, key=lambda field: field[0]):
        if value is None:
            continue
        if kind == _OFFSET:
            b.PrependUOffsetTRelativeSlot(slot, value, 0)
        elif kind == _INT8:
            b.PrependInt8Slot(slot, value, 0)
        else:
            b.PrependUint8Slot(slot, value, 0)
    return b.EndObject()


def _string(b: flatbuffers.Builder, value: str | None) -> int | None:
    return None if value is None else b.CreateString(value)


def _offsets(b: flatbuffers.Builder, items: Sequence[int] | None) -> int | None:
    """A vector of tables already built (None stays absent; ``[]`` is written empty)."""
    if items is None:
        return None
    b.StartVector(4, len(items), 4)
    for item in reversed(items):
        b.PrependUOffsetTRelative(item)
    return b.EndVector()


def _floats(b: flatbuffers.Builder, values: Sequence[float]) -> int | None:
    if not values:
        return None
    b.StartVector(4, len(values), 4)
    for value in reversed(values):
        b.PrependFloat32(value)
    return b.EndVector()


# =========================================================================== metadata schema
#
# metadata_schema.fbs, as far as sentigru uses it. Each class below is one table; its
# ``pack`` builds the children in field order, then the table (the order the official
# object API uses, so equal metadata gives equal bytes), and its ``read`` takes the
# fields it models from a table, ignoring the others.

# enum AssociatedFileType : byte
FILE_UNKNOWN, FILE_DESCRIPTIONS, FILE_TENSOR_AXIS_LABELS = 0, 1, 2
FILE_TENSOR_VALUE_LABELS, FILE_SCORE_CALIBRATION, FILE_VOCABULARY = 3, 4, 5
# union ContentProperties { FeatureProperties, ImageProperties, BoundingBoxProperties,
# AudioProperties }: 0 is NONE.
CONTENT_FEATURE_PROPERTIES = 1


@dataclass(frozen=True)
class AssociatedFile:
    """``table AssociatedFile { name; description; type:AssociatedFileType; locale;
    version }`` (locale and version are not used)."""

    name: str
    description: str | None = None
    type: int = FILE_UNKNOWN

    def pack(self, b: flatbuffers.Builder) -> int:
        name, description = _string(b, self.name), _string(b, self.description)
        return _table(b, 5, [(0, _OFFSET, name), (1, _OFFSET, description), (2, _INT8, self.type)])

    @classmethod
    def read(cls, t: _Table) -> AssociatedFile:
        return cls(t.string(0) or "", t.string(1), t.scalar(2, _I8))


def _pack_files(b: flatbuffers.Builder, files: Sequence[AssociatedFile] | None) -> int | None:
    return None if files is None else _offsets(b, [file.pack(b) for file in files])


def _read_files(t: _Table, slot: int) -> tuple[AssociatedFile, ...] | None:
    if not t.has(slot):
        return None
    return tuple(AssociatedFile.read(f) for f in t.tables(slot, _METADATA_ITEMS))


class ProcessUnitOptions(Protocol):
    """One member of ``union ProcessUnitOptions``. A new kind (``SentencePieceTokenizer
    Options``, union id 5: ``sentencePiece_model:[AssociatedFile]; vocab_file:
    [AssociatedFile]``) is one such dataclass, listed in :data:`_PROCESS_UNITS`."""

    UNION_ID: ClassVar[int]

    def pack(self, b: flatbuffers.Builder) -> int: ...


@dataclass(frozen=True)
class RegexTokenizerOptions:
    """``table RegexTokenizerOptions { delim_regex_pattern:string;
    vocab_file:[AssociatedFile] }``, member 6 of ``union ProcessUnitOptions``
    (NormalizationOptions, ScoreCalibrationOptions, ScoreThresholdingOptions,
    BertTokenizerOptions, SentencePieceTokenizerOptions, RegexTokenizerOptions)."""

    UNION_ID: ClassVar[int] = 6
    delim_regex: str
    vocab_files: tuple[AssociatedFile, ...] = ()

    def pack(self, b: flatbuffers.Builder) -> int:
        pattern, files = _string(b, self.delim_regex), _pack_files(b, self.vocab_files)
        return _table(b, 2, [(0, _OFFSET, pattern), (1, _OFFSET, files)])

    @classmethod
    def read(cls, t: _Table) -> RegexTokenizerOptions:
        return cls(t.string(0) or "", _read_files(t, 1) or ())


@dataclass(frozen=True)
class SentencePieceTokenizerOptions:
    """``table SentencePieceTokenizerOptions { sentencePiece_model:[AssociatedFile];
    vocab_file:[AssociatedFile] }``, member 5 of ``union ProcessUnitOptions``."""

    UNION_ID: ClassVar[int] = 5
    model_files: tuple[AssociatedFile, ...] = ()
    vocab_files: tuple[AssociatedFile, ...] = ()

    def pack(self, b: flatbuffers.Builder) -> int:
        models = _pack_files(b, self.model_files)
        vocab = _pack_files(b, self.vocab_files) if self.vocab_files else None
        return _table(b, 2, [(0, _OFFSET, models), (1, _OFFSET, vocab)])

    @classmethod
    def read(cls, t: _Table) -> SentencePieceTokenizerOptions:
        return cls(_read_files(t, 0) or (), _read_files(t, 1) or ())


@dataclass(frozen=True)
class OtherProcessUnit:
    """A process unit of a kind sentigru does not model, kept by its union id."""

    UNION_ID: int


_PROCESS_UNITS: dict[int, Any] = {
    RegexTokenizerOptions.UNION_ID: RegexTokenizerOptions,
    SentencePieceTokenizerOptions.UNION_ID: SentencePieceTokenizerOptions,
}
"""Process unit kinds read back as themselves; others become :class:`OtherProcessUnit`."""


def _pack_unit(b: flatbuffers.Builder, unit: ProcessUnitOptions) -> int:
    """``table ProcessUnit { options:ProcessUnitOptions }``: slots 0 (type), 1 (value)."""
    options = unit.pack(b)
    return _table(b, 2, [(0, _UINT8, unit.UNION_ID), (1, _OFFSET, options)])


def _read_unit(t: _Table) -> Any:
    kind = t.scalar(0, _U8)
    options = t.table(1)
    reader = _PROCESS_UNITS.get(kind)
    if reader is None or options is None:
        return OtherProcessUnit(kind)
    return reader.read(options)


@dataclass(frozen=True)
class Stats:
    """``table Stats { max:[float]; min:[float] }``."""

    max: tuple[float, ...] = ()
    min: tuple[float, ...] = ()

    def pack(self, b: flatbuffers.Builder) -> int:
        high, low = _floats(b, self.max), _floats(b, self.min)
        return _table(b, 2, [(0, _OFFSET, high), (1, _OFFSET, low)])

    @classmethod
    def read(cls, t: _Table) -> Stats:
        return cls(t.numbers(0, "f", _METADATA_ITEMS), t.numbers(1, "f", _METADATA_ITEMS))


@dataclass(frozen=True)
class TensorMetadata:
    """``table TensorMetadata { name; description; dimension_names:[string];
    content:Content; process_units:[ProcessUnit]; stats:Stats;
    associated_files:[AssociatedFile] }`` (dimension names are not used).

    ``content`` is the ``ContentProperties`` union id of ``Content.content_properties``
    (``table Content { content_properties:ContentProperties; range:ValueRange }``);
    only FeatureProperties (an empty table) is written. ``None`` lists are left out."""

    name: str | None = None
    description: str | None = None
    content: int | None = None
    process_units: tuple[Any, ...] | None = None
    stats: Stats | None = None
    associated_files: tuple[AssociatedFile, ...] | None = None

    def pack(self, b: flatbuffers.Builder) -> int:
        name, description = _string(b, self.name), _string(b, self.description)
        content = None if self.content is None else _pack_content(b, self.content)
        units = (
            None
            if self.process_units is None
            else _offsets(b, [_pack_unit(b, unit) for unit in self.process_units])
        )
        stats = None if self.stats is None else self.stats.pack(b)
        files = _pack_files(b, self.associated_files)
        return _table(
            b,
            7,
            [
                (0, _OFFSET, name),
                (1, _OFFSET, description),
                (3, _OFFSET, content),
                (4, _OFFSET, units),
                (5, _OFFSET, stats),
                (6, _OFFSET, files),
            ],
        )

    @classmethod
    def read(cls, t: _Table) -> TensorMetadata:
        content, stats = t.table(3), t.table(5)
        return cls(
            name=t.string(0),
            description=t.string(1),
            content=None if content is None else content.scalar(0, _U8),
            process_units=(
                tuple(_read_unit(u) for u in t.tables(4, _METADATA_ITEMS)) if t.has(4) else None
            ),
            stats=None if stats is None else Stats.read(stats),
            associated_files=_read_files(t, 6),
        )


def _pack_content(b: flatbuffers.Builder, kind: int) -> int:
    if kind != CONTENT_FEATURE_PROPERTIES:
        raise ValueError(f"only FeatureProperties content is written, not union id {kind}")
    properties = _table(b, 0, [])  # table FeatureProperties {}
    return _table(b, 3, [(0, _UINT8, kind), (1, _OFFSET, properties)])


@dataclass(frozen=True)
class SubGraphMetadata:
    """``table SubGraphMetadata { name; description; input_tensor_metadata:
    [TensorMetadata]; output_tensor_metadata:[TensorMetadata]; associated_files;
    input_process_units:[ProcessUnit]; ... }`` (10 fields; the tensor lists and the
    input process units, where a tokenizer for several inputs lives, are used)."""

    inputs: tuple[TensorMetadata, ...] = ()
    outputs: tuple[TensorMetadata, ...] = ()
    input_process_units: tuple[Any, ...] | None = None

    def pack(self, b: flatbuffers.Builder) -> int:
        inputs = _offsets(b, [tensor.pack(b) for tensor in self.inputs])
        outputs = _offsets(b, [tensor.pack(b) for tensor in self.outputs])
        units = (
            None
            if self.input_process_units is None
            else _offsets(b, [_pack_unit(b, unit) for unit in self.input_process_units])
        )
        return _table(b, 10, [(2, _OFFSET, inputs), (3, _OFFSET, outputs), (5, _OFFSET, units)])

    @classmethod
    def read(cls, t: _Table) -> SubGraphMetadata:
        return cls(
            tuple(TensorMetadata.read(x) for x in t.tables(2, _METADATA_ITEMS)),
            tuple(TensorMetadata.read(x) for x in t.tables(3, _METADATA_ITEMS)),
            tuple(_read_unit(u) for u in t.tables(5, _METADATA_ITEMS)) if t.has(5) else None,
        )


@dataclass(frozen=True)
class ModelMetadata:
    """``table ModelMetadata { name; description; version; subgraph_metadata:
    [SubGraphMetadata]; author; license; associated_files; min_parser_version }``,
    the root of a metadata flatbuffer (file identifier ``M001``)."""

    name: str | None = None
    description: str | None = None
    version: str | None = None
    subgraphs: tuple[SubGraphMetadata, ...] = ()
    author: str | None = None
    min_parser_version: str | None = None

    def to_bytes(self) -> bytes:
        """The metadata flatbuffer, finished with the ``M001`` identifier."""
        b = flatbuffers.Builder(1024)
        name, description = _string(b, self.name), _string(b, self.description)
        version = _string(b, self.version)
        subgraphs = _offsets(b, [graph.pack(b) for graph in self.subgraphs])
        author = _string(b, self.author)
        min_parser = _string(b, self.min_parser_version)
        root = _table(
            b,
            8,
            [
                (0, _OFFSET, name),
                (1, _OFFSET, description),
                (2, _OFFSET, version),
                (3, _OFFSET, subgraphs),
                (4, _OFFSET, author),
                (7, _OFFSET, min_parser),
            ],
        )
        b.Finish(root, _METADATA_IDENTIFIER)
        return bytes(b.Output())

    @classmethod
    def from_bytes(cls, data: bytes) -> ModelMetadata:
        """Read a metadata flatbuffer; a damaged one raises :class:`ModelFileError`."""
        t = _Reader(bytes(data), "the TFLite metadata").root(_METADATA_IDENTIFIER)
        return cls(
            name=t.string(0),
            description=t.string(1),
            version=t.string(2),
            subgraphs=tuple(SubGraphMetadata.read(g) for g in t.tables(3, _METADATA_ITEMS)),
            author=t.string(4),
            min_parser_version=t.string(7),
        )


# =========================================================================== model schema
#
# tflite schema.fbs (version 3), the fields the checks read: vtable slots and enums.

# table Model
_MODEL_VERSION, _MODEL_CODES, _MODEL_SUBGRAPHS, _MODEL_BUFFERS, _MODEL_METADATA = 0, 1, 2, 4, 6
_MODEL_SIGNATURES, _MODEL_EXTERNAL_GROUPS, _MODEL_EXTERNAL_BUFFERS = 7, 8, 9
# table OperatorCode
_CODE_DEPRECATED, _CODE_CUSTOM, _CODE_BUILTIN = 0, 1, 3
# table SubGraph
_GRAPH_TENSORS, _GRAPH_INPUTS, _GRAPH_OUTPUTS, _GRAPH_OPERATORS = 0, 1, 2, 3
# table Tensor
_TENSOR_SHAPE, _TENSOR_TYPE, _TENSOR_BUFFER, _TENSOR_QUANT, _TENSOR_VARIABLE = 0, 1, 2, 4, 5
_TENSOR_SPARSITY, _TENSOR_VARIANTS, _TENSOR_EXTERNAL = 6, 9, 10
# table QuantizationParameters
_QUANT_SCALE, _QUANT_ZERO_POINT, _QUANT_DETAILS_TYPE, _QUANT_DIMENSION = 2, 3, 4, 6
# table Operator
_OP_CODE, _OP_INPUTS, _OP_OUTPUTS, _OP_OPTIONS_TYPE, _OP_OPTIONS = 0, 1, 2, 3, 4
_OP_CUSTOM_OPTIONS, _OP_MUTATING, _OP_INTERMEDIATES, _OP_LARGE_CUSTOM = 5, 7, 8, 9
_OP_OPTIONS_2_TYPE = 11
_OP_UNUSED = (_OP_CUSTOM_OPTIONS, _OP_MUTATING, _OP_LARGE_CUSTOM, _OP_OPTIONS_2_TYPE)
# table Buffer / table Metadata / table WhileOptions
_BUFFER_DATA, _BUFFER_OFFSET = 0, 1
_METADATA_NAME, _METADATA_BUFFER = 0, 1
_SIGNATURE_INPUTS, _SIGNATURE_OUTPUTS, _SIGNATURE_GRAPH, _TENSOR_MAP_INDEX = 0, 1, 4, 1
_WHILE_OPTIONS = 93  # member of union BuiltinOptions
_WHILE_COND, _WHILE_BODY = 0, 1

# enum TensorType : byte, with element sizes in bytes.
FLOAT32, FLOAT16, INT32, INT64, BOOL, INT8 = 0, 1, 2, 4, 6, 9
TENSOR_TYPES = {FLOAT32: "float32", FLOAT16: "float16", INT32: "int32", INT64: "int64",
                BOOL: "bool", INT8: "int8"}  # fmt: skip
"""The tensor types sentigru's exporter emits; others are refused."""
_TYPE_SIZES = {FLOAT32: 4, FLOAT16: 2, INT32: 4, INT64: 8, BOOL: 1, INT8: 1}

# enum BuiltinOperator: the operators in phone files sentigru's exporter writes, every
# runtime (mediapipe, litert) and quantization (dynamic, float16, none).
BUILTIN_OPERATORS = {
    0: "ADD",
    2: "CONCATENATION",
    6: "DEQUANTIZE",
    9: "FULLY_CONNECTED",
    14: "LOGISTIC",
    18: "MUL",
    22: "RESHAPE",
    25: "SOFTMAX",
    28: "TANH",
    36: "GATHER",
    39: "TRANSPOSE",
    41: "SUB",
    42: "DIV",
    45: "STRIDED_SLICE",
    49: "SPLIT",
    53: "CAST",
    55: "MAXIMUM",
    58: "LESS",
    72: "NOT_EQUAL",
    74: "SUM",
    82: "REDUCE_MAX",
    83: "PACK",
    86: "LOGICAL_AND",
    88: "UNPACK",
    95: "FLOOR_MOD",
    105: "REVERSE_V2",
    119: "WHILE",
    122: "SCATTER_ND",
    130: "BROADCAST_TO",
}
"""Operator codes allowed in a model sentigru runs (anything else, custom operators
included, is refused): the ones in the bundled model and in ``--runtime litert`` and
float16 / unquantized exports."""
_WHILE, _CUSTOM = 119, 32


@dataclass(frozen=True)
class _Signature:
    """Type and shape of a tensor of subgraph 0."""

    type: int
    shape: tuple[int, ...]

    def __str__(self) -> str:
        return f"{TENSOR_TYPES.get(self.type, f'type {self.type}')} {list(self.shape)}"


@dataclass(frozen=True)
class _Model:
    """What sentigru reads from a model flatbuffer (all bounds-checked)."""

    subgraphs: int
    inputs: tuple[_Signature, ...]
    outputs: tuple[_Signature, ...]
    metadata: bytes | None


def _root(data: bytes) -> _Table:
    root = _Reader(data, "the TFLite model").root(_MODEL_IDENTIFIER)
    version = root.scalar(_MODEL_VERSION, _U32)
    if version != _SCHEMA_VERSION:
        raise ModelFileError(f"TFLite schema version {version}, not {_SCHEMA_VERSION}")
    return root


def _signatures(graph: _Table, slot: int) -> tuple[_Signature, ...]:
    """Signatures of subgraph 0's inputs or outputs, indices checked against its tensors."""
    found = graph._vector(_GRAPH_TENSORS, 4, limits.MAX_GRAPH_ITEMS)
    start, count = found or (0, 0)
    result = []
    for index in graph.numbers(slot, "i", limits.MAX_GRAPH_ITEMS):
        if not 0 <= index < count:
            raise ModelFileError(f"a subgraph input or output is tensor {index} of {count}")
        at = start + 4 * index
        tensor = _Table(graph.r, at + graph.r.get(_U32, at))
        shape = tensor.numbers(_TENSOR_SHAPE, "i", 16)
        result.append(_Signature(tensor.scalar(_TENSOR_TYPE, _I8), shape))
    return tuple(result)


def _metadata_buffer(root: _Table) -> bytes | None:
    for entry in root.tables(_MODEL_METADATA, _METADATA_ITEMS):
        if entry.string(_METADATA_NAME) != _METADATA_BUFFER_NAME:
            continue
        index = entry.scalar(_METADATA_BUFFER, _U32)
        buffer = root.nth(_MODEL_BUFFERS, index, limits.MAX_GRAPH_ITEMS)
        if buffer is None:
            raise ModelFileError(f"the metadata is in buffer {index}, which does not exist")
        if buffer.scalar(_BUFFER_OFFSET, _U64) > 1:
            raise ModelFileError("the metadata is stored outside the flatbuffer (unsupported)")
        return buffer.blob(_BUFFER_DATA)
    return None


def _read_model(root: _Table) -> _Model:
    graphs = root.tables(_MODEL_SUBGRAPHS, limits.MAX_SUBGRAPHS)
    if not graphs:
        raise ModelFileError("the model has no subgraph")
    return _Model(
        subgraphs=len(graphs),
        inputs=_signatures(graphs[0], _GRAPH_INPUTS),
        outputs=_signatures(graphs[0], _GRAPH_OUTPUTS),
        metadata=_metadata_buffer(root),
    )


def _interface_problems(
    model: _Model, num_labels: int, *, mediapipe: bool, inputs: int = 1
) -> list[str]:
    """What is wrong with the model's interface, as readable sentences.

    Always required: subgraph 0 takes ``inputs`` ``int32 [batch, L]`` inputs of one shape
    (one: ids; three: ids, mask, segment ids) and gives one ``float32 [batch,
    num_labels]`` output. With ``mediapipe``, also what MediaPipe's
    TextClassifier and the Task Library's NLClassifier require: exactly one subgraph
    ("Classification tflite models are assumed to have a single subgraph.": an RNN
    converted without unrolling has a WHILE loop and extra subgraphs) and batch 1.
    """
    problems = []
    if mediapipe and model.subgraphs != 1:
        problems.append(
            f"it has {model.subgraphs} subgraphs; MediaPipe needs exactly one "
            "(unroll the recurrence: a WHILE loop adds subgraphs)"
        )
    if len(model.inputs) != inputs or len(model.outputs) != 1:
        problems.append(
            f"it has {len(model.inputs)} inputs and {len(model.outputs)} outputs; "
            f"{inputs} input(s) and one output are needed"
        )
        return problems
    given, out = model.inputs[0], model.outputs[0]
    if any(other != given for other in model.inputs[1:]):
        problems.append(
            f"its inputs are {', '.join(map(str, model.inputs))}; they must be alike "
            "(ids, mask, segment ids)"
        )
    shape = given.shape
    batch = 1 if mediapipe else (shape[0] if shape else -1)
    if given.type != INT32 or len(shape) != 2 or min(shape) < 1:
        problems.append(f"the input is {given}, not int32 [batch, L]")
    elif shape[0] != batch:
        problems.append(f"the input batch is {shape[0]}; MediaPipe needs [1, L]")
    elif shape[1] > limits.MAX_SEQ_LEN:
        problems.append(f"the input length {shape[1]} is over the limit of {limits.MAX_SEQ_LEN}")
    if out.type != FLOAT32 or list(out.shape) != [batch, num_labels]:
        problems.append(
            f"the output is {out}, not float32 [{batch}, {num_labels}] (one score per label)"
        )
    return problems


# =========================================================================== structure


def _buffer_sizes(root: _Table) -> list[int]:
    """Bytes of data in each model buffer; data outside the flatbuffer is refused."""
    sizes = []
    for i, buffer in enumerate(root.tables(_MODEL_BUFFERS, limits.MAX_GRAPH_ITEMS)):
        if buffer.scalar(_BUFFER_OFFSET, _U64) > 1:
            raise ModelFileError(f"buffer {i} is stored outside the flatbuffer (unsupported)")
        data = buffer._vector(_BUFFER_DATA, 1, limits.TFLITE_BYTES)
        sizes.append(data[1] if data else 0)
    return sizes


def _tensor_problem(tensor: _Table, sizes: list[int]) -> str | None:
    """What makes one tensor unsafe to hand to LiteRT, or None."""
    kind = tensor.scalar(_TENSOR_TYPE, _I8)
    if kind not in TENSOR_TYPES:
        return f"type {kind}, which sentigru models never use"
    shape = tensor.numbers(_TENSOR_SHAPE, "i", 16)
    elements = 1
    for dim in shape:
        if not 0 <= dim <= limits.MAX_DIM:
            return f"shape {list(shape)}: a dimension outside 0..{limits.MAX_DIM}"
        elements *= dim
    if elements > limits.MAX_TENSOR_ELEMENTS:
        return f"shape {list(shape)}: over the limit of {limits.MAX_TENSOR_ELEMENTS} elements"
    fields = tensor.fields
    if any(fields[_TENSOR_VARIABLE : _TENSOR_SPARSITY + 1]) or any(
        fields[_TENSOR_VARIANTS : _TENSOR_EXTERNAL + 1]
    ):  # rare: look closer
        if tensor.has(_TENSOR_SPARSITY) or tensor.tables(_TENSOR_VARIANTS, 16):
            return "sparse or variant tensors are not supported"
        if tensor.scalar(_TENSOR_EXTERNAL, _U32) or tensor.scalar(_TENSOR_VARIABLE, _U8):
            return "external or variable tensors are not supported"
    index = tensor.scalar(_TENSOR_BUFFER, _U32)
    if index >= len(sizes):
        return f"buffer {index} of {len(sizes)}"
    if sizes[index] and sizes[index] != elements * _TYPE_SIZES[kind]:
        return f"{sizes[index]} bytes of data for {list(shape)} {TENSOR_TYPES[kind]}"
    quantization = tensor.table(_TENSOR_QUANT)
    if quantization is None or not any(quantization.fields):
        return None
    return _quantization_problem(quantization, shape)


def _quantization_problem(q: _Table, shape: tuple[int, ...]) -> str | None:
    if q.scalar(_QUANT_DETAILS_TYPE, _U8):
        return "custom quantization is not supported"
    scales = q._vector(_QUANT_SCALE, 4, limits.MAX_DIM)
    zeros = q._vector(_QUANT_ZERO_POINT, 8, limits.MAX_DIM)
    count = scales[1] if scales else 0
    if zeros and zeros[1] not in (0, count):
        return f"{count} quantization scales but {zeros[1]} zero points"
    if count > 1:
        axis = q.scalar(_QUANT_DIMENSION, _I32)
        if not 0 <= axis < len(shape) or shape[axis] != count:
            return f"{count} per-channel scales on axis {axis} of shape {list(shape)}"
    return None


def _operator_problem(
    op: _Table, codes: list[int], tensors: int, graph: int, graphs: int
) -> str | None:
    """What makes one operator unsafe to hand to LiteRT, or None."""
    code = op.scalar(_OP_CODE, _U32)
    if code >= len(codes):
        return f"operator code {code} of {len(codes)}"
    builtin = codes[code]
    if builtin not in BUILTIN_OPERATORS:
        what = "a custom operator" if builtin == _CUSTOM else f"builtin operator {builtin}"
        return f"{what}, which sentigru models never use"
    for slot, low in ((_OP_INPUTS, -1), (_OP_OUTPUTS, 0), (_OP_INTERMEDIATES, 0)):
        for index in op.numbers(slot, "i", limits.MAX_GRAPH_ITEMS):
            if not low <= index < tensors:
                return f"{BUILTIN_OPERATORS[builtin]} uses tensor {index} of {tensors}"
    if any(op._field(slot) for slot in _OP_UNUSED):
        return f"{BUILTIN_OPERATORS[builtin]} has options sentigru models never use"
    if builtin == _WHILE:
        options = op.table(_OP_OPTIONS)
        if op.scalar(_OP_OPTIONS_TYPE, _U8) != _WHILE_OPTIONS or options is None:
            return "WHILE without its options"
        for slot in (_WHILE_COND, _WHILE_BODY):
            target = options.scalar(slot, _I32)
            if not graph < target < graphs:  # later subgraphs only: no loop can recurse
                return f"WHILE runs subgraph {target} from subgraph {graph} of {graphs}"
    return None


def _structure_problem(root: _Table) -> str | None:
    """The first thing that makes ``data`` unsafe to hand to LiteRT, or None.

    Indices (tensors, buffers, operator codes, subgraphs) in range, shapes and sizes
    within :mod:`sentigru.limits`, constant data the size its shape says, tensor types
    and operators only those sentigru's exporter emits, nothing custom, external, sparse
    or variable.
    """
    for slot in (_MODEL_EXTERNAL_GROUPS, _MODEL_EXTERNAL_BUFFERS):
        if root.tables(slot, limits.MAX_GRAPH_ITEMS):
            return "external buffers, which sentigru models never use"
    sizes = _buffer_sizes(root)
    codes = [
        max(code.scalar(_CODE_BUILTIN, _I32), code.scalar(_CODE_DEPRECATED, _I8))
        for code in root.tables(_MODEL_CODES, 1024)
    ]
    graphs = root.tables(_MODEL_SUBGRAPHS, limits.MAX_SUBGRAPHS)
    for g, graph in enumerate(graphs):
        tensors = graph.tables(_GRAPH_TENSORS, limits.MAX_GRAPH_ITEMS)
        for i, tensor in enumerate(tensors):
            problem = _tensor_problem(tensor, sizes)
            if problem:
                return f"subgraph {g} tensor {i}: {problem}"
        for slot in (_GRAPH_INPUTS, _GRAPH_OUTPUTS):
            for index in graph.numbers(slot, "i", limits.MAX_GRAPH_ITEMS):
                if not 0 <= index < len(tensors):
                    return f"subgraph {g}: an input or output is tensor {index} of {len(tensors)}"
        for i, op in enumerate(graph.tables(_GRAPH_OPERATORS, limits.MAX_GRAPH_ITEMS)):
            problem = _operator_problem(op, codes, len(tensors), g, len(graphs))
            if problem:
                return f"subgraph {g} operator {i}: {problem}"
    for i, signature in enumerate(root.tables(_MODEL_SIGNATURES, _METADATA_ITEMS)):
        problem = _signature_problem(signature, graphs)
        if problem:
            return f"signature {i}: {problem}"
    return None


def _signature_problem(signature: _Table, graphs: list[_Table]) -> str | None:
    """``table SignatureDef { inputs:[TensorMap]; outputs:[TensorMap]; signature_key;
    deprecated_tag; subgraph_index:uint }``, ``table TensorMap { name; tensor_index:uint }``:
    the subgraph and tensors named must exist."""
    index = signature.scalar(_SIGNATURE_GRAPH, _U32)
    if index >= len(graphs):
        return f"subgraph {index} of {len(graphs)}"
    tensors = graphs[index]._vector(_GRAPH_TENSORS, 4, limits.MAX_GRAPH_ITEMS)
    count = tensors[1] if tensors else 0
    for slot in (_SIGNATURE_INPUTS, _SIGNATURE_OUTPUTS):
        for entry in signature.tables(slot, limits.MAX_GRAPH_ITEMS):
            tensor = entry.scalar(_TENSOR_MAP_INDEX, _U32)
            if tensor >= count:
                return f"tensor {tensor} of {count}"
    return None


# =========================================================================== packed files


def _append_zip(flatbuffer: bytes, files: dict[str, bytes]) -> bytes:
    """Append ``files`` to the flatbuffer as a stored (uncompressed) zip archive.

    Mode "w" on a stream positioned after the flatbuffer writes the archive there with
    offsets from the start of the file, as the official populators' append does, but
    never tries to parse the flatbuffer as an existing archive.
    """
    import zipfile

    stream = io.BytesIO()
    stream.write(flatbuffer)
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
        for file_name, data in files.items():
            info = zipfile.ZipInfo(file_name, date_time=_ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return stream.getvalue()


def _packed_files(data: bytes, vocab_name: str, labels_name: str) -> tuple[bytes, bytes]:
    """The packed vocabulary (or SentencePiece model) and labels files, each read
    through a bounded stream."""
    try:
        with limits.open_zip(io.BytesIO(data), "packed files", limits.PACKED_ENTRIES) as archive:
            vocab = limits.read_entry(archive, vocab_name, limits.VOCAB_BYTES, "")
            labels = limits.read_entry(archive, labels_name, limits.LABELS_BYTES, "")
    except ModelFileError:
        raise
    except SentigruError as exc:
        raise ModelFileError(str(exc)) from None
    return vocab, labels


# =========================================================================== public API


def _check_tflite(model: bytes) -> bytes:
    if not isinstance(model, (bytes, bytearray, memoryview)):
        raise ModelFileError(f"model must be bytes, got {type(model).__name__}")
    data = bytes(model)
    if len(data) < 8 or data[4:8] != _MODEL_IDENTIFIER:
        raise ModelFileError("not a TFLite model: missing the 'TFL3' flatbuffer file identifier")
    return data


def _check_readable(model: bytes) -> bytes:
    """:func:`_check_tflite`, and the size limit on what sentigru reads."""
    data = _check_tflite(model)
    if len(data) > limits.TFLITE_BYTES:
        raise limits.too_big("the model", limits.TFLITE_BYTES)
    return data


def _validate_regex(delim_regex: str) -> None:
    """Reject delimiter regexes that would break the runtimes.

    RE2 cannot be run from here without a new dependency, so the regex must also compile
    with Python's ``re`` (sentigru's own tokenizer is Python anyway). A regex that can
    match the empty string (``\\s*``, ``\\b``) makes MediaPipe's tokenizer loop forever,
    and one that RE2 cannot compile is only logged: the whole text becomes one token.
    """
    if not isinstance(delim_regex, str) or not delim_regex:
        raise ValueError("delim_regex must be a non-empty string")
    try:
        pattern = re.compile(delim_regex)
    except re.error as exc:
        raise ValueError(f"delim_regex {delim_regex!r} is not a valid regex: {exc}") from exc
    for text in _REGEX_PROBES:
        if any(m.start() == m.end() for m in pattern.finditer(text)):
            raise ValueError(
                f"delim_regex {delim_regex!r} can match the empty string, which makes the "
                "MediaPipe tokenizer loop forever"
            )


def _output_metadata() -> TensorMetadata:
    labels_file = AssociatedFile(
        LABELS_FILE,
        "Labels of the output scores, one per line, in output order.",
        FILE_TENSOR_AXIS_LABELS,
    )
    return TensorMetadata(
        name="probability",
        description="Softmax probability of each label; the scores sum to 1.",
        content=CONTENT_FEATURE_PROPERTIES,
        stats=Stats(max=(1.0,), min=(0.0,)),
        associated_files=(labels_file,),
    )


def _sentencepiece_metadata(
    *, name: str, description: str, version: str, seq_len: int
) -> ModelMetadata:
    """The ``ModelMetadata`` of a sentigru classifier with a SentencePiece tokenizer:
    three inputs and the tokenizer as the subgraph's input process unit."""
    what = {
        "ids": f"[CLS], the text's SentencePiece ids, [SEP], padded with 0 to {seq_len}.",
        "mask": "1 on the tokens of ids, 0 on padding.",
        "segment_ids": "All 0 (one segment).",
    }
    inputs = tuple(
        TensorMetadata(
            name=input_name,
            description=what[input_name],
            content=CONTENT_FEATURE_PROPERTIES,
            stats=Stats(),
        )
        for input_name in SENTENCEPIECE_INPUTS
    )
    model_file = AssociatedFile(
        SENTENCEPIECE_FILE,
        "SentencePiece model; <pad>=0, <unk>=1, [CLS]=2, [SEP]=3.",
        FILE_DESCRIPTIONS,
    )
    graph = SubGraphMetadata(
        inputs, (_output_metadata(),), (SentencePieceTokenizerOptions((model_file,)),)
    )
    return ModelMetadata(
        name=name,
        description=description,
        version=version,
        subgraphs=(graph,),
        min_parser_version=MIN_PARSER_VERSION,
    )


def _metadata(
    *, name: str, description: str, version: str, delim_regex: str, seq_len: int
) -> ModelMetadata:
    """The ``ModelMetadata`` of a sentigru text classifier."""
    vocab_file = AssociatedFile(
        VOCAB_FILE,
        "Vocabulary, one 'token id' pair per line; <PAD>=0, <START>=1, <UNKNOWN>=2.",
        FILE_VOCABULARY,
    )
    labels_file = AssociatedFile(
        LABELS_FILE,
        "Labels of the output scores, one per line, in output order.",
        FILE_TENSOR_AXIS_LABELS,
    )
    inputs = TensorMetadata(
        name="input_ids",
        description=(
            f"Token ids of the input text: <START>, the words split on {delim_regex!r}, "
            f"<UNKNOWN> for out-of-vocabulary words, padded with <PAD> to {seq_len}."
        ),
        content=CONTENT_FEATURE_PROPERTIES,
        process_units=(RegexTokenizerOptions(delim_regex, (vocab_file,)),),
        stats=Stats(),
    )
    outputs = TensorMetadata(
        name="probability",
        description="Softmax probability of each label; the scores sum to 1.",
        content=CONTENT_FEATURE_PROPERTIES,
        stats=Stats(max=(1.0,), min=(0.0,)),
        associated_files=(labels_file,),
    )
    return ModelMetadata(
        name=name,
        description=description,
        version=version,
        subgraphs=(SubGraphMetadata((inputs,), (outputs,)),),
        min_parser_version=MIN_PARSER_VERSION,
    )


def _pack_model(data: bytes, metadata: bytes) -> bytes:
    """``data`` rebuilt with ``metadata`` in its ``TFLITE_METADATA`` buffer (the object
    API of LiteRT's generated model schema; writing only)."""
    from ai_edge_litert import schema_py_generated as model_fb

    try:
        model = model_fb.ModelT.InitFromObj(model_fb.Model.GetRootAs(data, 0))
    except Exception as exc:  # a corrupt flatbuffer raises anything from struct/numpy
        raise ModelFileError(f"cannot parse the TFLite model: {limits.one_line(exc)}") from None
    new_buffer = model_fb.BufferT()
    new_buffer.data = list(metadata)
    model.buffers = list(model.buffers or [])
    model.metadata = list(model.metadata or [])
    for i, buffer in enumerate(model.buffers):
        if getattr(buffer, "offset", 0) > 1:
            raise ModelFileError(
                f"model buffer {i} is stored outside the flatbuffer (a >2 GiB model); "
                "such models are not supported"
            )
    for entry in model.metadata:
        entry_name = entry.name.decode() if isinstance(entry.name, bytes) else entry.name
        if entry_name == _METADATA_BUFFER_NAME:
            model.buffers[entry.buffer] = new_buffer
            break
    else:
        model.buffers.append(new_buffer)
        entry = model_fb.MetadataT()
        entry.name = _METADATA_BUFFER_NAME
        entry.buffer = len(model.buffers) - 1
        model.metadata.append(entry)
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), _MODEL_IDENTIFIER)
    return bytes(builder.Output())


def write_metadata(
    model: bytes,
    *,
    vocab: list[str] | None = None,
    labels: list[str],
    name: str,
    description: str,
    version: str,
    delim_regex: str = DELIM_REGEX,
    aliases: Sequence[tuple[str, int]] = (),
    sentencepiece: bytes | None = None,
) -> bytes:
    """Return ``model`` with TextClassifier/NLClassifier metadata and files packed in.

    ``model`` is a ``.tflite`` flatbuffer whose (first) subgraph takes one ``int32
    [batch, L]`` input and gives one ``float32 [batch, len(labels)]`` output. MediaPipe
    and the Task Library further need one subgraph and batch 1: this function does not
    insist (a ``WHILE``-loop model is still useful to the LiteRT interpreter), so call
    :func:`check_mediapipe_compatible` on the result where that matters.

    ``vocab[i]`` is the word with id ``i`` and must start with ``<PAD>``, ``<START>``,
    ``<UNKNOWN>``. ``aliases`` are more ``(word, id)`` lines: other words with an existing
    word's id (the runtimes map each line's word to its id). Any metadata or packed files
    already in ``model`` are replaced. The result is deterministic for equal inputs.

    With ``sentencepiece`` (the bytes of a SentencePiece model) instead of ``vocab``,
    ``model`` must take three alike ``int32 [batch, L]`` inputs (ids, mask, segment
    ids) and gets the SentencePiece metadata; the piece model is packed in.

    Raises:
        ValueError: ``model`` is not a TFLite flatbuffer of that shape, or the vocab or
            labels cannot be written in the line formats the runtimes read.
    """
    data = _check_tflite(model)
    labels_text = contract.format_labels(labels)
    for field, value in (("name", name), ("description", description), ("version", version)):
        if not isinstance(value, str):
            raise ValueError(f"{field} must be a string, got {type(value).__name__}")
    parsed = _read_model(_root(data))
    inputs = 1 if sentencepiece is None else len(SENTENCEPIECE_INPUTS)
    problems = _interface_problems(parsed, len(labels), mediapipe=False, inputs=inputs)
    if problems:
        raise ModelFileError("unsupported model: " + "; ".join(problems))
    if sentencepiece is not None:
        if not isinstance(sentencepiece, bytes) or not sentencepiece:
            raise ValueError("sentencepiece must be the bytes of a SentencePiece model")
        meta = _sentencepiece_metadata(
            name=name, description=description, version=version, seq_len=parsed.inputs[0].shape[1]
        )
        return _append_zip(
            _pack_model(data, meta.to_bytes()),
            {SENTENCEPIECE_FILE: sentencepiece, LABELS_FILE: labels_text.encode("utf-8")},
        )
    if vocab is None:
        raise ValueError("give vocab (regex tokenizer) or sentencepiece")
    vocab_text = contract.format_vocab(vocab, aliases)
    _validate_regex(delim_regex)
    metadata = _metadata(
        name=name,
        description=description,
        version=version,
        delim_regex=delim_regex,
        seq_len=parsed.inputs[0].shape[1],
    )
    packed = _pack_model(data, metadata.to_bytes())
    return _append_zip(
        packed,
        {VOCAB_FILE: vocab_text.encode("utf-8"), LABELS_FILE: labels_text.encode("utf-8")},
    )


def _tokenizer_files(meta: ModelMetadata) -> tuple[str | None, str, str]:
    """(delimiter regex, vocab file name, labels file name) from the metadata: the
    input's RegexTokenizer and the output's first TENSOR_AXIS_LABELS file, the ones the
    runtimes use. With a SentencePiece tokenizer (the subgraph's input process unit),
    the regex is None and the file is the piece model."""
    if not meta.subgraphs:
        raise ModelFileError("the metadata has no subgraph metadata")
    graph = meta.subgraphs[0]
    if not graph.inputs or not graph.outputs:
        raise ModelFileError("the metadata lacks input or output tensor metadata")
    labels_name = _labels_file(graph)
    pieces = [
        u for u in graph.input_process_units or () if isinstance(u, SentencePieceTokenizerOptions)
    ]
    if pieces:
        names = tuple(tensor.name for tensor in graph.inputs)
        if names != SENTENCEPIECE_INPUTS:
            raise ModelFileError(
                f"a SentencePiece model's inputs must be named {', '.join(SENTENCEPIECE_INPUTS)}"
                f" in order, not {', '.join(map(str, names))}"
            )
        if not pieces[0].model_files:
            raise ModelFileError("the SentencePiece metadata names no model file")
        return None, pieces[0].model_files[0].name, labels_name
    units = [u for u in graph.inputs[0].process_units or () if isinstance(u, RegexTokenizerOptions)]
    if not units:
        raise ModelFileError("the input tensor metadata has no RegexTokenizer process unit")
    if not units[0].vocab_files:
        raise ModelFileError("the RegexTokenizer metadata names no vocabulary file")
    return units[0].delim_regex, units[0].vocab_files[0].name, labels_name


def _labels_file(graph: SubGraphMetadata) -> str:
    labels = [
        f for f in graph.outputs[0].associated_files or () if f.type == FILE_TENSOR_AXIS_LABELS
    ]
    if not labels:
        raise ModelFileError("the output tensor metadata has no TENSOR_AXIS_LABELS file")
    return labels[0].name


def _read(data: bytes, parsed: _Model) -> dict[str, Any]:
    if parsed.metadata is None:
        raise ModelFileError("the model has no TFLite metadata (no TFLITE_METADATA buffer)")
    meta = ModelMetadata.from_bytes(parsed.metadata)
    delim_regex, vocab_name, labels_name = _tokenizer_files(meta)
    vocab_data, labels_data = _packed_files(data, vocab_name, labels_name)
    if delim_regex is None:
        vocab, aliases, pieces = [], [], vocab_data
    else:
        vocab, aliases = contract.parse_vocab(
            contract.decode(vocab_data, f"packed {vocab_name}"), f"packed {vocab_name}"
        )
        pieces = None
    shape = parsed.inputs[0].shape if parsed.inputs else ()
    return {
        "tokenizer": "regex" if pieces is None else "sentencepiece",
        "sentencepiece": pieces,
        "name": meta.name or "",
        "description": meta.description or "",
        "version": meta.version or "",
        "author": meta.author or "",
        "min_parser_version": meta.min_parser_version or "",
        "delim_regex": delim_regex,
        "seq_len": shape[1] if len(shape) == 2 else None,
        "vocab": vocab,
        "aliases": aliases,
        "labels": contract.parse_labels(
            contract.decode(labels_data, f"packed {labels_name}"), f"packed {labels_name}"
        ),
    }


def read_metadata(model: bytes) -> dict[str, Any]:
    """Read back what :func:`write_metadata` wrote (or any regex-tokenizer metadata).

    Returns a dict with ``name``, ``description``, ``version``, ``author``,
    ``min_parser_version``, ``tokenizer`` (``regex`` or ``sentencepiece``),
    ``delim_regex`` (None with SentencePiece), ``vocab`` (list indexed by id; empty with
    SentencePiece), ``aliases`` (other ``(word, id)`` lines), ``sentencepiece`` (the
    packed piece model's bytes, or None), ``labels`` and ``seq_len`` (``L`` of the ``[1, L]``
    input, or None if it is not of that shape). The packed files are read through
    bounded streams (:mod:`sentigru.limits`).

    Raises:
        ModelFileError (a ValueError): ``model`` is not a TFLite file, or has no metadata
            with a regex tokenizer, vocabulary and label file that sentigru can read.
    """
    data = _check_readable(model)
    return _read(data, _read_model(_root(data)))


def check_model(model: bytes) -> dict[str, Any]:
    """Check everything sentigru can check before LiteRT sees ``model``, and return its
    metadata (as :func:`read_metadata`).

    The structure (indices in range, shapes and sizes bounded, builtin operators of
    :data:`BUILTIN_OPERATORS` only), the metadata and packed files, and the interface:
    one ``int32 [batch, L]`` input, ``L`` at most :data:`limits.MAX_SEQ_LEN`, and one
    ``float32 [batch, labels]`` output. Raises :class:`ModelFileError` with the first
    problem found, on one line.
    """
    data = _check_readable(model)
    root = _root(data)
    problem = _structure_problem(root)
    if problem:
        raise ModelFileError(f"unsafe model structure: {problem}")
    parsed = _read_model(root)
    meta = _read(data, parsed)
    problems = _interface_problems(
        parsed, len(meta["labels"]), mediapipe=False, inputs=_input_count(meta)
    )
    if problems:
        raise ModelFileError("unsupported model: " + "; ".join(problems))
    return meta


def check_mediapipe_compatible(model: bytes) -> None:
    """Raise ``ValueError`` unless MediaPipe's TextClassifier can load ``model`` as is.

    Checks the sentigru metadata (via :func:`read_metadata`) and the model interface:
    one subgraph, input ``int32 [1, L]``, output ``float32 [1, len(labels)]``.
    """
    data = _check_readable(model)
    parsed = _read_model(_root(data))
    meta = _read(data, parsed)
    problems = _interface_problems(
        parsed, len(meta["labels"]), mediapipe=True, inputs=_input_count(meta)
    )
    if problems:
        raise ModelFileError("not loadable by MediaPipe TextClassifier: " + "; ".join(problems))


def _input_count(meta: dict[str, Any]) -> int:
    """Inputs a model with this metadata has: ids, or ids, mask and segment ids."""
    return 1 if meta["tokenizer"] == "regex" else len(SENTENCEPIECE_INPUTS)
