"""The phone file's metadata, written and read by sentigru's own code: byte for byte what
MediaPipe's generated schema module reads and writes, the contract's line formats as the
C++ runtimes read them, and a predict path that imports no TensorFlow, Keras or MediaPipe."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from sentigru import contract, modelfile
from sentigru.contract import ContractError
from sentigru.modelfile import (
    AssociatedFile,
    ModelFileError,
    ModelMetadata,
    RegexTokenizerOptions,
    Stats,
    SubGraphMetadata,
    TensorMetadata,
    read_metadata,
    write_metadata,
)
from sentigru.presets import MODELS

BUNDLED = MODELS / "default" / "model.tflite"


def _mediapipe_schema() -> ModuleType:
    """MediaPipe's generated ``metadata_schema_py_generated``, loaded by path: importing
    ``mediapipe`` itself would pull in all of MediaPipe Tasks (and TensorFlow)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("mediapipe (a test dependency) is not installed")
    for root in spec.submodule_search_locations:
        path = Path(root, "tasks", "metadata", "metadata_schema_py_generated.py")
        if path.is_file():
            file_spec = importlib.util.spec_from_file_location("_mp_metadata_schema", path)
            module = importlib.util.module_from_spec(file_spec)
            file_spec.loader.exec_module(module)
            return module
    pytest.skip("mediapipe ships no metadata_schema_py_generated.py")


def _metadata() -> ModelMetadata:
    return modelfile.packing._metadata(
        name="sentiment",
        description="a test model",
        version="9.9",
        delim_regex=contract.DELIM_REGEX,
        seq_len=16,
    )


def test_mediapipe_reads_our_metadata_field_for_field() -> None:
    fb = _mediapipe_schema()
    ours = _metadata()
    data = ours.to_bytes()
    assert fb.ModelMetadata.ModelMetadataBufferHasIdentifier(data, 0)
    theirs = fb.ModelMetadataT.InitFromPackedBuf(data, 0)
    assert (theirs.name, theirs.description, theirs.version) == (
        b"sentiment",
        b"a test model",
        b"9.9",
    )
    assert theirs.minParserVersion == b"1.2.1" and theirs.author is None
    (graph,) = theirs.subgraphMetadata
    (given,), (out,) = graph.inputTensorMetadata, graph.outputTensorMetadata
    (unit,) = given.processUnits
    assert unit.optionsType == fb.ProcessUnitOptions.RegexTokenizerOptions
    assert unit.options.delimRegexPattern == contract.DELIM_REGEX.encode()
    (vocab,) = unit.options.vocabFile
    assert (vocab.name, vocab.type) == (b"vocab.txt", fb.AssociatedFileType.VOCABULARY)
    assert given.content.contentPropertiesType == fb.ContentProperties.FeatureProperties
    assert given.stats.max is None and given.associatedFiles is None
    assert list(out.stats.max) == [1.0] and list(out.stats.min) == [0.0]
    (labels,) = out.associatedFiles
    assert (labels.name, labels.type) == (b"labels.txt", fb.AssociatedFileType.TENSOR_AXIS_LABELS)
    assert out.processUnits is None


def test_bytes_equal_mediapipes_own_builder() -> None:
    """Re-packing what MediaPipe read gives our bytes exactly, and we read its bytes back
    to the same metadata: one layout, two implementations."""
    import flatbuffers

    fb = _mediapipe_schema()
    data = _metadata().to_bytes()
    builder = flatbuffers.Builder(1024)
    builder.Finish(fb.ModelMetadataT.InitFromPackedBuf(data, 0).Pack(builder), b"M001")
    assert bytes(builder.Output()) == data
    assert ModelMetadata.from_bytes(bytes(builder.Output())) == _metadata()


def test_other_process_units_are_kept_by_kind() -> None:
    meta = ModelMetadata(
        subgraphs=(
            SubGraphMetadata(
                inputs=(
                    TensorMetadata(
                        process_units=(RegexTokenizerOptions("x+", (AssociatedFile("v"),)),),
                        associated_files=(AssociatedFile("a", "d", 3),),
                        stats=Stats((2.5,), (-1.0, 0.0)),
                    ),
                )
            ),
        ),
        author="someone",
    )
    again = ModelMetadata.from_bytes(meta.to_bytes())
    assert again.author == "someone"
    assert again.subgraphs[0].inputs[0] == dataclasses.replace(
        meta.subgraphs[0].inputs[0], name=None, description=None
    )


def test_bundled_file_reads_as_its_folder_and_rewrites_byte_for_byte() -> None:
    """The shipped file was written by the generated-module writer this code replaced:
    rewriting its metadata from what we read gives the very same bytes."""
    content = BUNDLED.read_bytes()
    meta = read_metadata(content)
    folder_vocab = (MODELS / "default" / "vocab.txt").read_text("utf-8")
    assert contract.format_vocab(meta["vocab"], meta["aliases"]) == folder_vocab
    assert meta["labels"] == ["negative", "positive"] and meta["seq_len"] == 1024
    assert meta["delim_regex"] == r"[^\w']+" and meta["min_parser_version"] == "1.2.1"
    again = write_metadata(
        content,
        vocab=meta["vocab"],
        aliases=meta["aliases"],
        labels=meta["labels"],
        name=meta["name"],
        description=meta["description"],
        version=meta["version"],
    )
    assert again == content
    modelfile.check_mediapipe_compatible(content)


def test_predict_path_imports_no_tensorflow_keras_or_mediapipe() -> None:
    code = (
        "import sys\n"
        "import sentigru.modelfile, sentigru.predictor, sentigru.trust\n"
        "from sentigru.predictor import LiteRTPredictor\n"
        f"LiteRTPredictor.load({str(BUNDLED)!r}).scores(['a fine film'])\n"
        "leaked = [m for m in ('tensorflow', 'keras', 'mediapipe') if m in sys.modules]\n"
        "assert not leaked, leaked\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nword\n", "line 4 is not 'token id'"),
        ("<PAD> 0\n<START> 1\n\n<UNKNOWN> two\n", "line 4 is not 'token id'"),
        ("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nx \u0663\n", "line 4 is not 'token id'"),  # not ASCII
        ("<PAD> 0\n<START> 1\n<UNKNOWN> 2\n 3\n", "line 4 has no usable token"),
        ("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nw 3\nw 3\n", "line 5: 'w' is in the vocabulary twice"),
        ("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nw 4\n", "no line has id 3"),
        ("<START> 0\n<PAD> 1\n<UNKNOWN> 2\n", "line 1: id 0 must be <PAD>"),
        ("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nw 3\nW 2\n", "line 5: the alias 'W' 2 points to no"),
        ("<PAD> 0\n<START> 1\n<UNKNOWN> 2\nw 99999999999\n", "line 4 is not 'token id'"),
    ],
)
def test_vocab_lines_the_runtimes_cannot_take_are_refused_with_file_and_line(
    text: str, where: str
) -> None:
    with pytest.raises(ContractError) as caught:
        contract.parse_vocab(text, "my/vocab.txt")
    message = str(caught.value)
    assert message.startswith("my/vocab.txt") and where in message and "\n" not in message


def test_vocab_parses_as_the_cpp_reader_does() -> None:
    """Lines in any order, CRLF, empty lines skipped, fields after the id ignored; the
    first line of an id is the word, later ones are aliases."""
    text = "Great 3\r\n<PAD> 0\n\n<START> 1 extra\n<UNKNOWN> 2\ngreat 3\nmovie 4\n"
    tokens, aliases = contract.parse_vocab(text)
    assert tokens == ["<PAD>", "<START>", "<UNKNOWN>", "Great", "movie"]
    assert aliases == [("great", 3)]
    assert contract.parse_vocab(contract.format_vocab(tokens, aliases)) == (tokens, aliases)


def test_labels_are_read_and_refused_as_the_phone_sees_them() -> None:
    assert contract.parse_labels("neg\r\n\npos\n") == ["neg", "pos"]
    for text, where in [("a\n\r\nb\n", "line 2: blank label"), ("a\nb\na\n", "line 3")]:
        with pytest.raises(ContractError, match=where):
            contract.parse_labels(text, "labels.txt")
    with pytest.raises(ContractError, match="unique"):
        contract.format_labels(["a", "a"])
    with pytest.raises(ContractError, match="line break"):
        contract.format_labels(["a\nb"])


def test_tokenizer_uses_the_contract() -> None:
    from sentigru import tokenizer

    assert tokenizer.DELIM_REGEX is contract.DELIM_REGEX
    assert tokenizer.SPECIAL_TOKENS is contract.SPECIAL_TOKENS
    assert (tokenizer.PAD_ID, tokenizer.START_ID, tokenizer.UNKNOWN_ID) == (0, 1, 2)
    with pytest.raises(ContractError, match="space or line break"):
        tokenizer.Vocabulary(("<PAD>", "<START>", "<UNKNOWN>", "two words"))


def test_damaged_metadata_is_one_line() -> None:
    content = bytearray(BUNDLED.read_bytes())
    meta_at = bytes(content).find(b"M001") - 4
    content[meta_at : meta_at + 4] = (10**9).to_bytes(4, "little")  # root offset far away
    with pytest.raises(ModelFileError) as caught:
        read_metadata(bytes(content))
    assert "metadata is damaged" in str(caught.value) and "\n" not in str(caught.value)
