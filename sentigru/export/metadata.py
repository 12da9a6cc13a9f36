"""TFLite model metadata for a sentigru text classifier, as the phone runtimes read it.

MediaPipe Tasks ``TextClassifier`` and the TFLite Task Library ``NLClassifier`` take a
model whose single input is ``int32 [1, L]`` token ids only if the model carries TFLite
metadata (a ``ModelMetadata`` flatbuffer, file identifier ``M001``, stored in a model
buffer named ``TFLITE_METADATA``) that describes:

* on the input tensor, a ``RegexTokenizer`` process unit: the delimiter regex (RE2
  syntax) and an associated ``VOCABULARY`` file with one ``token id`` pair per line;
* on the output tensor, an associated ``TENSOR_AXIS_LABELS`` file, one label per line.

The associated files themselves are appended to the ``.tflite`` flatbuffer as an
uncompressed zip archive, which is how both runtimes find them by name.

The flatbuffers are built and read with the generated schema modules that Google ships
(``metadata_schema_py_generated`` for the metadata, ``schema_py_generated`` for the
model), never by hand. This module must not import TensorFlow: the CLI reads metadata on
a fast path. See :func:`_schema_modules` for where the schema modules come from.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import flatbuffers

__all__ = [
    "DEFAULT_DELIM_REGEX",
    "LABELS_FILE",
    "MIN_PARSER_VERSION",
    "SPECIAL_TOKENS",
    "VOCAB_FILE",
    "check_mediapipe_compatible",
    "read_metadata",
    "write_metadata",
]

DEFAULT_DELIM_REGEX = r"[^\w']+"
"""Delimiter regex (RE2) of the regex tokenizer; RE2's ``\\w`` is ASCII-only."""

VOCAB_FILE = "vocab.txt"
LABELS_FILE = "labels.txt"
SPECIAL_TOKENS = ("<PAD>", "<START>", "<UNKNOWN>")
"""Ids 0, 1, 2. The runtimes look these three names up in the vocabulary file."""

MIN_PARSER_VERSION = "1.2.1"
"""Lowest metadata parser that understands ``RegexTokenizerOptions`` (schema 1.2.1).

The official populators compute this from the fields in use; the only post-1.0 feature
written here is the regex tokenizer, so the value is fixed.
"""

_METADATA_BUFFER_NAME = "TFLITE_METADATA"
_MODEL_IDENTIFIER = b"TFL3"
_METADATA_IDENTIFIER = b"M001"
# Zip entries get a fixed timestamp so that the same inputs give the same bytes.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# Characters that would corrupt the line-oriented ``token id`` / label files: the
# runtimes split lines on "\n", strip one trailing "\r" and split a vocab line on " ".
_VOCAB_FORBIDDEN = (" ", "\n", "\r")
_LABEL_FORBIDDEN = ("\n", "\r")
# Texts on which a delimiter regex must not produce an empty match (see _validate_regex).
_REGEX_PROBES = ("", "a", " ", "a b", "a, b.", "don't", "caf\u00e9 \u043c\u0438\u0440 1_2")


# --------------------------------------------------------------------------- schemas


def _import_optional(name: str) -> ModuleType | None:
    """Import ``name``, or return None when it (or its package) is not installed."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return None
        raise


def _load_mediapipe_file(filename: str) -> ModuleType | None:
    """Load one of MediaPipe's generated schema modules by file path.

    ``import mediapipe.tasks.metadata...`` would run ``mediapipe/__init__.py``, which
    imports all of MediaPipe Tasks and, when TensorFlow is installed, TensorFlow itself
    (seconds, and the reason this module exists). The generated files only need
    ``flatbuffers``, so they are loaded on their own under a private module name.
    """
    spec = importlib.util.find_spec("mediapipe")  # locates the package, does not run it
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root, "tasks", "metadata", filename)
        if path.is_file():
            name = f"_sentigru_mediapipe_{path.stem}"
            if name in sys.modules:
                return sys.modules[name]
            file_spec = importlib.util.spec_from_file_location(name, path)
            if file_spec is None or file_spec.loader is None:
                return None
            module = importlib.util.module_from_spec(file_spec)
            file_spec.loader.exec_module(module)
            sys.modules[name] = module
            return module
    return None


@functools.cache
def _schema_modules() -> tuple[Any, Any]:
    """Return ``(metadata_fb, model_fb)``: the generated flatbuffer schema modules.

    The model schema (``tflite.Model``) ships with ``ai-edge-litert``. The metadata
    schema (``tflite.ModelMetadata``) ships with MediaPipe, a sentigru dependency for
    exactly this reason, and with ``tflite-support`` (which pins ``protobuf<4`` and so
    cannot live next to TensorFlow 2.16+; it is still used when present).
    """
    metadata_fb = _import_optional(
        "tensorflow_lite_support.metadata.metadata_schema_py_generated"
    ) or _load_mediapipe_file("metadata_schema_py_generated.py")
    model_fb = (
        _import_optional("ai_edge_litert.schema_py_generated")
        or _import_optional("tensorflow_lite_support.metadata.schema_py_generated")
        or _load_mediapipe_file("schema_py_generated.py")
    )
    if metadata_fb is None or model_fb is None:
        missing = "metadata" if metadata_fb is None else "model"
        raise ImportError(
            f"no generated TFLite {missing} schema module found: reinstall sentigru "
            "(it depends on mediapipe, which ships it)"
        )
    return metadata_fb, model_fb


# --------------------------------------------------------------------------- helpers


def _check_tflite(model: bytes) -> None:
    if not isinstance(model, (bytes, bytearray, memoryview)):
        raise ValueError(f"model must be bytes, got {type(model).__name__}")
    if len(model) < 8 or bytes(model[4:8]) != _MODEL_IDENTIFIER:
        raise ValueError("not a TFLite model: missing the 'TFL3' flatbuffer file identifier")


def _signature(graph: Any, index: int) -> tuple[int, list[int]]:
    """(TensorType, shape) of tensor ``index`` of a ``tflite.SubGraph`` accessor."""
    tensor = graph.Tensors(index)
    return int(tensor.Type()), [int(tensor.Shape(j)) for j in range(tensor.ShapeLength())]


def _model_problems(model_fb: Any, root: Any, num_labels: int, *, mediapipe: bool) -> list[str]:
    """What is wrong with the model's interface, as readable sentences.

    Always required: subgraph 0 takes one ``int32 [batch, L]`` input and gives one
    ``float32 [batch, num_labels]`` output. With ``mediapipe``, also what MediaPipe's
    TextClassifier and the Task Library's NLClassifier require: exactly one subgraph
    ("Classification tflite models are assumed to have a single subgraph.": an RNN
    converted without unrolling has a WHILE loop and extra subgraphs) and batch 1.
    """
    if root.SubgraphsLength() < 1:
        return ["the model has no subgraph"]
    problems = []
    if mediapipe and root.SubgraphsLength() != 1:
        problems.append(
            f"it has {root.SubgraphsLength()} subgraphs; MediaPipe needs exactly one "
            "(unroll the recurrence: a WHILE loop adds subgraphs)"
        )
    graph = root.Subgraphs(0)
    if graph.InputsLength() != 1 or graph.OutputsLength() != 1:
        problems.append(
            f"it has {graph.InputsLength()} inputs and {graph.OutputsLength()} outputs; "
            "one of each is needed"
        )
        return problems
    types = model_fb.TensorType
    in_type, in_shape = _signature(graph, graph.Inputs(0))
    out_type, out_shape = _signature(graph, graph.Outputs(0))
    batch = 1 if mediapipe else (in_shape[0] if in_shape else -1)
    if in_type != types.INT32 or len(in_shape) != 2 or in_shape[1] < 1 or in_shape[0] < 1:
        problems.append(f"the input is type {in_type} {in_shape}, not int32 [batch, L]")
    elif in_shape[0] != batch:
        problems.append(f"the input batch is {in_shape[0]}; MediaPipe needs [1, L]")
    if out_type != types.FLOAT32 or out_shape != [batch, num_labels]:
        problems.append(
            f"the output is type {out_type} {out_shape}, not float32 "
            f"[{batch}, {num_labels}] (one score per label)"
        )
    return problems


def check_mediapipe_compatible(model: bytes) -> None:
    """Raise ``ValueError`` unless MediaPipe's TextClassifier can load ``model`` as is.

    Checks the sentigru metadata (via :func:`read_metadata`) and the model interface:
    one subgraph, input ``int32 [1, L]``, output ``float32 [1, len(labels)]``.
    """
    labels = read_metadata(model)["labels"]
    model_fb = _schema_modules()[1]
    root = model_fb.Model.GetRootAs(bytes(model), 0)
    problems = _model_problems(model_fb, root, len(labels), mediapipe=True)
    if problems:
        raise ValueError("not loadable by MediaPipe TextClassifier: " + "; ".join(problems))


def _validate_vocab(vocab: Sequence[str]) -> None:
    if tuple(vocab[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
        raise ValueError(f"vocab must start with {', '.join(SPECIAL_TOKENS)} (ids 0, 1, 2)")
    seen: set[str] = set()
    for i, token in enumerate(vocab):
        if not isinstance(token, str) or not token:
            raise ValueError(f"vocab entry {i} must be a non-empty string, got {token!r}")
        if any(c in token for c in _VOCAB_FORBIDDEN):
            raise ValueError(f"vocab entry {i} contains a space or line break: {token!r}")
        if token in seen:
            raise ValueError(f"vocab entry {i} is a duplicate: {token!r}")
        seen.add(token)


def _validate_labels(labels: Sequence[str]) -> None:
    if not labels:
        raise ValueError("labels must not be empty")
    for i, label in enumerate(labels):
        # The runtimes skip empty lines, which would shift every later label.
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"label {i} must be a non-blank string, got {label!r}")
        if any(c in label for c in _LABEL_FORBIDDEN):
            raise ValueError(f"label {i} contains a line break: {label!r}")
    if len(set(labels)) != len(labels):
        raise ValueError("labels must be unique")


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


def _associated_file(metadata_fb: Any, name: str, description: str, file_type: int) -> Any:
    file = metadata_fb.AssociatedFileT()
    file.name = name
    file.description = description
    file.type = file_type
    return file


def _feature_content(metadata_fb: Any) -> Any:
    content = metadata_fb.ContentT()
    content.contentPropertiesType = metadata_fb.ContentProperties.FeatureProperties
    content.contentProperties = metadata_fb.FeaturePropertiesT()
    return content


def _build_metadata(
    metadata_fb: Any,
    *,
    name: str,
    description: str,
    version: str,
    delim_regex: str,
    seq_len: int,
) -> bytes:
    """Serialize the ``ModelMetadata`` flatbuffer (with the ``M001`` identifier)."""
    tokenizer_options = metadata_fb.RegexTokenizerOptionsT()
    tokenizer_options.delimRegexPattern = delim_regex
    tokenizer_options.vocabFile = [
        _associated_file(
            metadata_fb,
            VOCAB_FILE,
            "Vocabulary, one 'token id' pair per line; <PAD>=0, <START>=1, <UNKNOWN>=2.",
            metadata_fb.AssociatedFileType.VOCABULARY,
        )
    ]
    tokenizer = metadata_fb.ProcessUnitT()
    tokenizer.optionsType = metadata_fb.ProcessUnitOptions.RegexTokenizerOptions
    tokenizer.options = tokenizer_options

    input_meta = metadata_fb.TensorMetadataT()
    input_meta.name = "input_ids"
    input_meta.description = (
        f"Token ids of the input text: <START>, the words split on {delim_regex!r}, "
        f"<UNKNOWN> for out-of-vocabulary words, padded with <PAD> to {seq_len}."
    )
    input_meta.content = _feature_content(metadata_fb)
    input_meta.stats = metadata_fb.StatsT()
    input_meta.processUnits = [tokenizer]

    output_meta = metadata_fb.TensorMetadataT()
    output_meta.name = "probability"
    output_meta.description = "Softmax probability of each label; the scores sum to 1."
    output_meta.content = _feature_content(metadata_fb)
    stats = metadata_fb.StatsT()
    stats.max = [1.0]
    stats.min = [0.0]
    output_meta.stats = stats
    output_meta.associatedFiles = [
        _associated_file(
            metadata_fb,
            LABELS_FILE,
            "Labels of the output scores, one per line, in output order.",
            metadata_fb.AssociatedFileType.TENSOR_AXIS_LABELS,
        )
    ]

    subgraph = metadata_fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [input_meta]
    subgraph.outputTensorMetadata = [output_meta]

    model_meta = metadata_fb.ModelMetadataT()
    model_meta.name = name
    model_meta.description = description
    model_meta.version = version
    model_meta.subgraphMetadata = [subgraph]
    model_meta.minParserVersion = MIN_PARSER_VERSION

    builder = flatbuffers.Builder(1024)
    builder.Finish(model_meta.Pack(builder), _METADATA_IDENTIFIER)
    return bytes(builder.Output())


def _pack_model(model_fb: Any, model: Any, metadata: bytes) -> bytes:
    """Store ``metadata`` in the ``TFLITE_METADATA`` buffer and serialize the model."""
    new_buffer = model_fb.BufferT()
    new_buffer.data = list(metadata)
    model.buffers = list(model.buffers or [])
    model.metadata = list(model.metadata or [])
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


def _append_zip(flatbuffer: bytes, files: dict[str, bytes]) -> bytes:
    """Append ``files`` to the flatbuffer as a stored (uncompressed) zip archive.

    Mode "w" on a stream positioned after the flatbuffer writes the archive there with
    offsets from the start of the file, exactly as the official populators' append does,
    but never tries to parse the flatbuffer as an existing archive.
    """
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


# --------------------------------------------------------------------------- public API


def write_metadata(
    model: bytes,
    *,
    vocab: list[str],
    labels: list[str],
    name: str,
    description: str,
    version: str,
    delim_regex: str = DEFAULT_DELIM_REGEX,
    aliases: Sequence[tuple[str, int]] = (),
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

    Raises:
        ValueError: ``model`` is not a TFLite flatbuffer of that shape, or the vocab or
            labels cannot be written in the line formats the runtimes read.
    """
    _check_tflite(model)
    _validate_vocab([*vocab, *(word for word, _ in aliases)])
    if any(not len(SPECIAL_TOKENS) <= i < len(vocab) for _, i in aliases):
        raise ValueError("an alias must carry the id of a word in vocab (not a special token)")
    _validate_labels(labels)
    _validate_regex(delim_regex)
    for field, value in (("name", name), ("description", description), ("version", version)):
        if not isinstance(value, str):
            raise ValueError(f"{field} must be a string, got {type(value).__name__}")

    metadata_fb, model_fb = _schema_modules()
    data = bytes(model)
    try:
        root = model_fb.Model.GetRootAs(data, 0)
        problems = _model_problems(model_fb, root, len(labels), mediapipe=False)
        model_obj = None if problems else model_fb.ModelT.InitFromObj(root)
    except Exception as exc:  # a corrupt flatbuffer raises anything from struct/numpy
        raise ValueError(f"cannot parse the TFLite model: {exc}") from exc
    if model_obj is None:
        raise ValueError("unsupported model: " + "; ".join(problems))
    for i, buffer in enumerate(model_obj.buffers or []):
        if getattr(buffer, "offset", 0) > 1:
            raise ValueError(
                f"model buffer {i} is stored outside the flatbuffer (a >2 GiB model); "
                "such models are not supported"
            )
    graph = root.Subgraphs(0)
    seq_len = _signature(graph, graph.Inputs(0))[1][1]

    metadata = _build_metadata(
        metadata_fb,
        name=name,
        description=description,
        version=version,
        delim_regex=delim_regex,
        seq_len=seq_len,
    )
    packed = _pack_model(model_fb, model_obj, metadata)
    entries = [*((token, i) for i, token in enumerate(vocab)), *aliases]
    vocab_text = "".join(f"{token} {i}\n" for token, i in entries)
    labels_text = "".join(f"{label}\n" for label in labels)
    return _append_zip(
        packed,
        {VOCAB_FILE: vocab_text.encode("utf-8"), LABELS_FILE: labels_text.encode("utf-8")},
    )


def _metadata_buffer(model_fb: Any, model: bytes) -> bytes:
    root = model_fb.Model.GetRootAs(model, 0)
    for i in range(root.MetadataLength()):
        entry = root.Metadata(i)
        if entry.Name() is None or entry.Name().decode("utf-8") != _METADATA_BUFFER_NAME:
            continue
        buffer = root.Buffers(entry.Buffer())
        if buffer.DataLength():
            return buffer.DataAsNumpy().tobytes()
        offset, size = int(buffer.Offset()), int(buffer.Size())
        if offset > 1 and size:  # data stored after the flatbuffer (>2 GiB models)
            return bytes(model[offset : offset + size])
    raise ValueError("the model has no TFLite metadata (no TFLITE_METADATA buffer)")


def _str(value: bytes | None) -> str:
    return "" if value is None else value.decode("utf-8")


def _regex_tokenizer(metadata_fb: Any, tensor_meta: Any) -> tuple[str, str]:
    """(delimiter regex, vocab file name) of the tensor's RegexTokenizer process unit."""
    for i in range(tensor_meta.ProcessUnitsLength()):
        unit = tensor_meta.ProcessUnits(i)
        if unit.OptionsType() != metadata_fb.ProcessUnitOptions.RegexTokenizerOptions:
            continue
        options = metadata_fb.RegexTokenizerOptions()
        table = unit.Options()
        options.Init(table.Bytes, table.Pos)
        if options.VocabFileLength() < 1:
            raise ValueError("the RegexTokenizer metadata names no vocabulary file")
        return _str(options.DelimRegexPattern()), _str(options.VocabFile(0).Name())
    raise ValueError("the input tensor metadata has no RegexTokenizer process unit")


def _labels_file(metadata_fb: Any, tensor_meta: Any) -> str:
    """Name of the first TENSOR_AXIS_LABELS file, the one the runtimes use for names."""
    for i in range(tensor_meta.AssociatedFilesLength()):
        file = tensor_meta.AssociatedFiles(i)
        if file.Type() == metadata_fb.AssociatedFileType.TENSOR_AXIS_LABELS:
            return _str(file.Name())
    raise ValueError("the output tensor metadata has no TENSOR_AXIS_LABELS file")


def _parse_vocab(text: str) -> tuple[list[str], list[tuple[str, int]]]:
    """Parse ``token id`` lines the way the runtimes do: the list of words indexed by id
    (the first line for each id) and the other lines, which are aliases.

    Empty lines are skipped and a trailing "\\r" is dropped, like the C++ reader.
    """
    by_id: dict[int, str] = {}
    aliases: list[tuple[str, int]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line:
            continue
        parts = line.split(" ")
        if len(parts) < 2 or not parts[1].isdigit():
            raise ValueError(f"{VOCAB_FILE} line {number} is not 'token id': {line[:60]!r}")
        if int(parts[1]) in by_id:
            aliases.append((parts[0], int(parts[1])))
        else:
            by_id[int(parts[1])] = parts[0]
    if sorted(by_id) != list(range(len(by_id))):
        raise ValueError(f"{VOCAB_FILE} ids are not 0..{len(by_id) - 1} without gaps")
    return [by_id[i] for i in range(len(by_id))], aliases


def read_metadata(model: bytes) -> dict[str, Any]:
    """Read back what :func:`write_metadata` wrote (or any regex-tokenizer metadata).

    Returns a dict with ``name``, ``description``, ``version``, ``author``,
    ``min_parser_version``, ``delim_regex``, ``vocab`` (list indexed by id), ``aliases``
    (other ``(word, id)`` lines), ``labels``
    and ``seq_len`` (``L`` of the ``[1, L]`` input, or None if it is not of that shape).

    Raises:
        ValueError: ``model`` is not a TFLite file, or has no metadata with a regex
            tokenizer, vocabulary and label file that sentigru can read.
    """
    _check_tflite(model)
    data = bytes(model)
    metadata_fb, model_fb = _schema_modules()
    try:
        buffer = _metadata_buffer(model_fb, data)
        if not metadata_fb.ModelMetadata.ModelMetadataBufferHasIdentifier(buffer, 0):
            raise ValueError("the TFLITE_METADATA buffer is not a ModelMetadata flatbuffer")
        meta = metadata_fb.ModelMetadata.GetRootAs(buffer, 0)
        if meta.SubgraphMetadataLength() < 1:
            raise ValueError("the metadata has no subgraph metadata")
        subgraph = meta.SubgraphMetadata(0)
        if subgraph.InputTensorMetadataLength() < 1 or subgraph.OutputTensorMetadataLength() < 1:
            raise ValueError("the metadata lacks input or output tensor metadata")
        delim_regex, vocab_name = _regex_tokenizer(metadata_fb, subgraph.InputTensorMetadata(0))
        labels_name = _labels_file(metadata_fb, subgraph.OutputTensorMetadata(0))
        root = model_fb.Model.GetRootAs(data, 0)
        seq_len: int | None = None
        if root.SubgraphsLength() >= 1 and root.Subgraphs(0).InputsLength() >= 1:
            graph = root.Subgraphs(0)
            shape = graph.Tensors(graph.Inputs(0)).ShapeAsNumpy()
            if not isinstance(shape, int) and len(shape) == 2:
                seq_len = int(shape[1])
        result: dict[str, Any] = {
            "name": _str(meta.Name()),
            "description": _str(meta.Description()),
            "version": _str(meta.Version()),
            "author": _str(meta.Author()),
            "min_parser_version": _str(meta.MinParserVersion()),
            "delim_regex": delim_regex,
            "seq_len": seq_len,
        }
    except ValueError:
        raise
    except Exception as exc:  # corrupt flatbuffers raise struct/Index/Unicode errors
        raise ValueError(f"cannot parse the TFLite metadata: {exc}") from exc

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            vocab_text = archive.read(vocab_name).decode("utf-8")
            labels_text = archive.read(labels_name).decode("utf-8")
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"cannot read the packed {vocab_name!r} / {labels_name!r} files: {exc}"
        ) from exc
    result["vocab"], result["aliases"] = _parse_vocab(vocab_text)
    # Like the C++ label reader: one label per line, empty lines skipped, "\r" dropped.
    result["labels"] = [
        line[:-1] if line.endswith("\r") else line for line in labels_text.split("\n") if line
    ]
    return result
