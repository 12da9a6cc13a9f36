"""The model flatbuffer's structure: what sentigru reads from it, and what it refuses.

Read with the bounds-checked reader of :mod:`sentigru.modelfile.flat`, never with
``ai_edge_litert.schema_py_generated``: the interface of subgraph 0, the metadata buffer,
and every index, shape, size, tensor type and operator, so that a file LiteRT would
crash on for a reason checked here is refused with a one-line :class:`ModelFileError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sentigru import limits
from sentigru.modelfile.flat import (
    _I8,
    _I32,
    _METADATA_ITEMS,
    _U8,
    _U32,
    _U64,
    ModelFileError,
    _Reader,
    _Table,
)

_METADATA_BUFFER_NAME = "TFLITE_METADATA"
_MODEL_IDENTIFIER = b"TFL3"
_SCHEMA_VERSION = 3  # tflite schema.fbs: Model.version


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


# =========================================================================== the file's bytes


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
