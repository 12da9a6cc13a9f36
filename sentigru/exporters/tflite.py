"""TFLite conversion: quantize the phone graph, strip what the phone does not need, and
refuse anything but builtin operators.

Flex (Select TF) and custom operators are not in the phone runtimes, so the converter
is only allowed builtin ops, and the result is checked again by allocating it with
LiteRT's builtin-only resolver.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sentigru.errors import SentigruError
from sentigru.tf_quiet import import_tensorflow, quiet_stderr

tf = import_tensorflow()  # sentigru's settings (oneDNN off, quiet logs) wherever TF loads first


def convert(function: Any, quantize: str) -> bytes:
    """Convert a concrete function with static shapes to TFLite bytes."""
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], tf.Module())
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize == "dynamic":
        # Per-channel int8 weights (FULLY_CONNECTED version 12). Per-tensor scales would
        # keep version 9 for the old Task Library, but stray 15x further from Keras
        # (max score difference 0.17 against 0.012 measured here); float16 serves it.
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantize == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantize != "none":
        raise SentigruError(f"unknown quantization {quantize!r}")
    try:
        with quiet_stderr():
            return bytes(converter.convert())
    except Exception as exc:  # the converter raises ConverterError and others
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SentigruError(f"TFLite conversion failed ({quantize}): {first}") from None


def strip_strings(model: bytes) -> bytes:
    """Drop tensor and subgraph names and the description: the phone needs none of them,
    and an unrolled graph has thousands."""
    from tensorflow.lite.tools import flatbuffer_utils

    parsed = flatbuffer_utils.read_model_from_bytearray(bytearray(model))
    flatbuffer_utils.strip_strings(parsed)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(parsed))


def operator_counts(model: bytes) -> dict[str, Counter[str]]:
    """Operators per subgraph: ``{"main": Counter({"FULLY_CONNECTED": 512, ...}), ...}``."""
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    parsed = flatbuffer_utils.read_model_from_bytearray(bytearray(model))
    codes = []
    for code in parsed.operatorCodes:
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        name = names.get(builtin, str(builtin))
        codes.append(f"CUSTOM:{code.customCode.decode()}" if name == "CUSTOM" else name)
    counts = {}
    for i, subgraph in enumerate(parsed.subgraphs):
        counts["main" if i == 0 else f"subgraph{i}"] = Counter(
            codes[op.opcodeIndex] for op in subgraph.operators or []
        )
    return counts


def check_builtin_only(model: bytes) -> None:
    """Refuse Flex or custom operators, then allocate with LiteRT's builtin-only resolver."""
    from sentigru.tf_quiet import litert

    runtime = litert()
    Interpreter, OpResolverType = runtime.Interpreter, runtime.OpResolverType

    for counts in operator_counts(model).values():
        foreign = sorted(op for op in counts if op.startswith(("CUSTOM", "FlexDelegate")))
        if foreign:
            raise SentigruError(f"the model needs non-builtin operators: {', '.join(foreign)}")
    try:
        with quiet_stderr():
            interpreter = Interpreter(
                model_content=model,
                experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
            )
            interpreter.allocate_tensors()
    except (RuntimeError, ValueError) as exc:
        raise SentigruError(f"the exported model does not load with builtin ops: {exc}") from None
