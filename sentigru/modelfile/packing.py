"""Metadata and packed files written into a model, and read back.

:func:`write_metadata` builds the metadata, rebuilds the model flatbuffer with it in the
``TFLITE_METADATA`` buffer (with the object API of ``ai_edge_litert.schema_py_generated``,
imported only when writing) and appends the associated files as a zip archive.
:func:`read_metadata`, :func:`check_model` and :func:`check_mediapipe_compatible` read
them back and check the model's interface.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import flatbuffers

from sentigru import contract, limits
from sentigru.contract import (
    DELIM_REGEX,
    LABELS_FILE,
    PIECE_SPECIALS,
    SENTENCEPIECE_FILE,
    SENTENCEPIECE_INPUTS,
    SPECIAL_TOKENS,
    VOCAB_FILE,
)
from sentigru.errors import SentigruError
from sentigru.modelfile.flat import ModelFileError
from sentigru.modelfile.metadata import (
    CONTENT_FEATURE_PROPERTIES,
    FILE_DESCRIPTIONS,
    FILE_TENSOR_AXIS_LABELS,
    FILE_VOCABULARY,
    MIN_PARSER_VERSION,
    AssociatedFile,
    ModelMetadata,
    RegexTokenizerOptions,
    SentencePieceTokenizerOptions,
    Stats,
    SubGraphMetadata,
    TensorMetadata,
)
from sentigru.modelfile.structure import (
    _METADATA_BUFFER_NAME,
    _MODEL_IDENTIFIER,
    _check_readable,
    _check_tflite,
    _interface_problems,
    _Model,
    _read_model,
    _root,
    _structure_problem,
)

# Zip entries get a fixed timestamp so that the same inputs give the same bytes.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# Texts on which a delimiter regex must not produce an empty match (see _validate_regex).
_REGEX_PROBES = ("", "a", " ", "a b", "a, b.", "don't", "caf\u00e9 \u043c\u0438\u0440 1_2")


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
    """The one output of every sentigru phone file, either tokenizer: a score per label,
    the labels packed beside it."""
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
        f"SentencePiece model; {_ids(PIECE_SPECIALS)}.",
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


def _ids(specials: tuple[str, ...]) -> str:
    """``"<PAD>=0, <START>=1, <UNKNOWN>=2"``: the special tokens' ids, for a file's
    description."""
    return ", ".join(f"{token}={i}" for i, token in enumerate(specials))


def _metadata(
    *, name: str, description: str, version: str, delim_regex: str, seq_len: int
) -> ModelMetadata:
    """The ``ModelMetadata`` of a sentigru text classifier."""
    vocab_file = AssociatedFile(
        VOCAB_FILE,
        f"Vocabulary, one 'token id' pair per line; {_ids(SPECIAL_TOKENS)}.",
        FILE_VOCABULARY,
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
    return ModelMetadata(
        name=name,
        description=description,
        version=version,
        subgraphs=(SubGraphMetadata((inputs,), (_output_metadata(),)),),
        min_parser_version=MIN_PARSER_VERSION,
    )


def _pack_model(data: bytes, metadata: bytes) -> bytes:
    """``data`` rebuilt with ``metadata`` in its ``TFLITE_METADATA`` buffer (the object
    API of LiteRT's generated model schema; writing only)."""
    from sentigru.tf_quiet import litert

    model_fb = litert("schema_py_generated")

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
        vocab, aliases, pieces = list[str](), list[tuple[str, int]](), vocab_data
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
    regex = meta["delim_regex"]
    if regex is not None and regex not in contract.DELIM_SPELLINGS:  # Python splits as
        problems.append(  # the contract says; the phone would split on this one
            f"its tokenizer splits on {regex!r:.60}, not on {contract.DELIM_REGEX}, so "
            "Python would read texts otherwise than phones do"
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
