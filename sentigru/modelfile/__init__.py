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

Model files travel, so everything read from one is bounds-checked: a damaged or hostile
file gives a one-line :class:`ModelFileError`. The package's modules, low to high:

* :mod:`~sentigru.modelfile.flat`: the bounds-checked flatbuffer reader, the builder
  helpers and :class:`ModelFileError`;
* :mod:`~sentigru.modelfile.metadata`: the metadata tables, packed and read;
* :mod:`~sentigru.modelfile.structure`: the model flatbuffer's structure and interface
  checks;
* :mod:`~sentigru.modelfile.packing`: metadata and packed files written into a model
  (:func:`write_metadata`) and read back (:func:`read_metadata`, :func:`check_model`,
  :func:`check_mediapipe_compatible`).

No module here may import TensorFlow, Keras or MediaPipe: ``sentigru predict`` reads
metadata on its fast path.
"""

from sentigru.modelfile.flat import ModelFileError
from sentigru.modelfile.metadata import (
    CONTENT_FEATURE_PROPERTIES,
    FILE_DESCRIPTIONS,
    FILE_SCORE_CALIBRATION,
    FILE_TENSOR_AXIS_LABELS,
    FILE_TENSOR_VALUE_LABELS,
    FILE_UNKNOWN,
    FILE_VOCABULARY,
    MIN_PARSER_VERSION,
    AssociatedFile,
    ModelMetadata,
    OtherProcessUnit,
    ProcessUnitOptions,
    RegexTokenizerOptions,
    SentencePieceTokenizerOptions,
    Stats,
    SubGraphMetadata,
    TensorMetadata,
)
from sentigru.modelfile.packing import (
    check_mediapipe_compatible,
    check_model,
    read_metadata,
    write_metadata,
)
from sentigru.modelfile.structure import BUILTIN_OPERATORS, TENSOR_TYPES

__all__ = [
    "BUILTIN_OPERATORS",
    "CONTENT_FEATURE_PROPERTIES",
    "FILE_DESCRIPTIONS",
    "FILE_SCORE_CALIBRATION",
    "FILE_TENSOR_AXIS_LABELS",
    "FILE_TENSOR_VALUE_LABELS",
    "FILE_UNKNOWN",
    "FILE_VOCABULARY",
    "MIN_PARSER_VERSION",
    "TENSOR_TYPES",
    "AssociatedFile",
    "ModelFileError",
    "ModelMetadata",
    "OtherProcessUnit",
    "ProcessUnitOptions",
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
