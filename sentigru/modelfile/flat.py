"""Flatbuffers, read with bounds checks and built with a few helpers.

Model files travel, so everything read from one is bounds-checked: a damaged or hostile
file gives a one-line :class:`ModelFileError`, never an exception from deep inside a
parser or an unbounded allocation. :class:`_Reader` and :class:`_Table` read any
flatbuffer by vtable slot; :func:`_table` and its companions build tables with the
``flatbuffers`` package. The underscored names are shared by the modules of
:mod:`sentigru.modelfile` and are not part of its API.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any, NoReturn

import flatbuffers

from sentigru.errors import SentigruError


class ModelFileError(SentigruError, ValueError):
    """A ``.tflite`` that sentigru will not read: damaged, hostile, or not one of its
    phone files. One line; callers add the file's name."""


# Entries of any one list in the metadata (tensors, process units, files): a few each.
_METADATA_ITEMS = 256


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
