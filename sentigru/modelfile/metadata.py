"""The TFLite metadata tables of a phone file, packed and read.

The metadata tables are read and written here with the ``flatbuffers`` package, from the
layout that ``metadata_schema.fbs`` (TFLite Support / MediaPipe, schema 1.2.1) documents:
a table's fields take vtable slots in declaration order, a union field takes two (its
type byte, then the value), and union members are numbered from 1 in declaration order.
So sentigru needs neither MediaPipe nor TensorFlow to read or write a phone file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import flatbuffers

from sentigru.modelfile.flat import (
    _I8,
    _INT8,
    _METADATA_ITEMS,
    _OFFSET,
    _U8,
    _UINT8,
    _floats,
    _offsets,
    _Reader,
    _string,
    _Table,
    _table,
)

MIN_PARSER_VERSION = "1.2.1"
"""Lowest metadata parser that understands ``RegexTokenizerOptions`` (schema 1.2.1).

The official populators compute this from the fields in use; the only post-1.0 feature
written here is the regex tokenizer, so the value is fixed.
"""

_METADATA_IDENTIFIER = b"M001"


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
