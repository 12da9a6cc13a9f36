"""Phone export: builtin operators only, metadata the runtimes read, agreement with
Keras, clear refusals, and a fast predict path without TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import sentigru
from sentigru.cli import main
from sentigru.errors import SentigruError, UsageError

pytest.importorskip("tensorflow")
from ai_edge_litert.interpreter import Interpreter, OpResolverType

from sentigru.contract import REGEX_KNOWN_IDS


@pytest.fixture(scope="session")
def folder(trained_model: Path):
    from sentigru import bundle

    return bundle.load(trained_model)


@pytest.fixture(scope="session")
def exported(folder) -> dict[tuple[str, str], bytes]:
    from sentigru.exporters.phone import build_tflite

    return {
        (runtime, quantize): build_tflite(folder, quantize=quantize, runtime=runtime)
        for runtime, quantize in [
            ("mediapipe", "dynamic"),
            ("mediapipe", "float16"),
            ("mediapipe", "none"),
            ("litert", "dynamic"),
        ]
    }


def test_every_mode_loads_with_builtin_ops_only(exported) -> None:
    from sentigru.exporters.tflite import operator_counts

    for (runtime, _), content in exported.items():
        interpreter = Interpreter(
            model_content=content,
            experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
        )
        interpreter.allocate_tensors()
        detail = interpreter.get_input_details()[0]
        assert detail["dtype"] == np.int32 and list(detail["shape"]) == [1, 64]
        subgraphs = operator_counts(content)
        for counts in subgraphs.values():
            assert not [op for op in counts if op.startswith(("CUSTOM", "Flex"))]
        if runtime == "mediapipe":
            assert len(subgraphs) == 1  # MediaPipe refuses more than one
        else:
            assert subgraphs["main"]["WHILE"] == 2


def test_metadata_carries_tokenizer_vocab_and_labels(folder, exported) -> None:
    from sentigru.modelfile import check_mediapipe_compatible, read_metadata

    meta = read_metadata(exported[("mediapipe", "dynamic")])
    assert meta["delim_regex"] == r"[^\w']+"
    assert meta["vocab"] == list(folder.vocab.tokens)
    assert meta["labels"] == ["negative", "positive"]
    check_mediapipe_compatible(exported[("mediapipe", "dynamic")])
    with pytest.raises(ValueError, match="subgraphs"):
        check_mediapipe_compatible(exported[("litert", "dynamic")])


def test_tflite_agrees_with_keras(folder, exported) -> None:
    from sentigru.exporters.phone import compare, sample_texts

    texts = sample_texts(folder.vocab, n=100)
    for (_, quantize), content in exported.items():
        result = compare(folder, content, texts, None)
        assert result["label_agreement"] >= 0.98, quantize
        limit = {"none": 1e-5, "float16": 5e-3, "dynamic": 5e-2}[quantize]
        assert result["max_score_diff"] < limit, (quantize, result)


def test_a_phone_file_of_another_length_is_checked_at_its_own(folder) -> None:
    """``--seq-len`` other than the spec's (here 128 for a model trained at 64) reads the
    sample's long texts to another length: the check reads them as the file does, so
    the agreement line measures the conversion (the bundled model at ``--seq-len 64``
    read 76 % against Keras at full length: a short file looked like a bad one)."""
    from sentigru.exporters.phone import export_tflite

    assert folder.spec.tokenizer.seq_len == 64
    _, report = export_tflite(folder, quantize="none", seq_len=128)
    assert report.seq_len == 128 and report.label_agreement == 1.0, report
    assert report.max_score_diff < 1e-5, report


def test_dynamic_phone_file_keeps_a_scale_per_embedding_row(folder, exported) -> None:
    """The converter would give the gathered word table one scale for all its rows; the
    dynamic phone file holds it as int8 rows with their own scales, and the converter
    leaves that table as written (no scales of its own on it)."""
    from sentigru.exporters.graph import ROW_SCALES, RowInt8

    keras = folder.model.get_layer("embedding").embeddings.numpy()
    expected = RowInt8.of(keras)
    interpreter = Interpreter(model_content=exported[("mediapipe", "dynamic")])
    interpreter.allocate_tensors()
    details = interpreter.get_tensor_details()
    tables = [t for t in details if tuple(t["shape"]) == keras.shape]
    assert [t["dtype"] for t in tables] == [np.int8]
    assert len(tables[0]["quantization_parameters"]["scales"]) == 0
    np.testing.assert_array_equal(interpreter.get_tensor(tables[0]["index"]), expected.table)
    books = [t for t in details if tuple(t["shape"]) == (ROW_SCALES,)]
    assert [t["dtype"] for t in books] == [np.float32]  # the scales stay float
    np.testing.assert_array_equal(interpreter.get_tensor(books[0]["index"]), expected.book)


def test_unwritable_destination_fails_before_work(trained_model: Path, tmp_path: Path) -> None:
    """A missing folder is made, as ``--format web`` makes its own (``--out
    dist/m.tflite`` was refused); one that cannot be made fails first."""
    missing = tmp_path / "no" / "m.tflite"
    args = ["export", "--model", str(trained_model), "--out", str(missing)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0 and missing.read_bytes()[4:8] == b"TFL3", result.output
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "file" / "m.tflite")])
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = CliRunner().invoke(
            main, ["export", "--model", str(trained_model), "--out", str(locked / "m.tflite")]
        )
        assert result.exit_code == 1 and "not writable" in result.output


def test_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    from sentigru import atomic

    out = tmp_path / "m.tflite"
    out.write_bytes(b"old model")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(SentigruError, match=r"cannot write .*m\.tflite: disk full"):
        atomic.write_atomic(out, b"new model")  # the user's file named, not the temporary
    assert out.read_bytes() == b"old model"
    assert [p.name for p in tmp_path.iterdir()] == ["m.tflite"]


def test_export_check_data_with_other_labels_is_refused_before_conversion(
    trained_model: Path, tmp_path: Path
) -> None:
    """Labels written as SST-2 writes them (0/1) get the one-line fix, not a traceback,
    and no file; with --label-map the same data checks the file."""
    data = tmp_path / "numeric.tsv"
    data.write_text("label\ttext\n1\tgreat fun\n0\tdull and slow\n")
    out = tmp_path / "phone.tflite"
    args = ["export", "--model", str(trained_model), "--out", str(out), "--data", str(data)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "does not know: 0, 1" in result.output
    assert "--label-map, e.g. 0=negative,1=positive" in result.output  # the data's own
    assert "Traceback" not in result.output and not out.exists()
    mapped = CliRunner().invoke(main, [*args, "--label-map", "0=negative,1=positive"])
    assert mapped.exit_code == 0, mapped.output
    assert "accuracy on 2 labelled texts" in mapped.output
    import sentigru

    pair = (["great fun", "dull and slow"], ["positive", "negative"])
    report = sentigru.export(trained_model, tmp_path / "api.tflite", check_data=pair)
    assert report.accuracy["n"] == 2 and isinstance(report.accuracy["n"], int)  # a count


def test_export_command_prints_report_and_writes_file(
    trained_model: Path, tmp_path: Path, synthetic_files
) -> None:
    out = tmp_path / "phone.tflite"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "--model",
            str(trained_model),
            "--out",
            str(out),
            "--data",
            str(synthetic_files[1]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    assert "1 subgraph(s)" in result.output
    assert "agreement with keras on 200 texts" in result.output
    assert "accuracy on 200 labelled texts: keras" in result.output


def test_reexporting_a_folders_phone_file_says_how_and_mends_an_interrupted_one(
    trained_model: Path, tmp_path: Path
) -> None:
    """--quantize into the folder's own model.tflite: its manifest entry says how the
    file was made (spec.json stays how the model was). A re-export interrupted between
    the phone file and the manifest leaves a file the manifest does not vouch for: the
    same export again mends it (it refused the altered folder)."""
    import shutil

    from sentigru import __version__, bundle

    copy = Path(shutil.copytree(trained_model, tmp_path / "m"))
    keras = (copy / "model.keras").read_bytes()
    (copy / "model.tflite").write_bytes(b"TFL3 half of a phone file")  # the interruption
    with pytest.raises(SentigruError, match="model.tflite was altered"):
        bundle.load(copy)
    result = CliRunner().invoke(main, ["export", "--model", str(copy), "--quantize", "float16"])
    assert result.exit_code == 0, result.output
    loaded = bundle.load(copy)  # every hash checked
    assert loaded.manifest["files"]["model.tflite"]["export"]["quantize"] == "float16"
    assert loaded.manifest["files"]["model.tflite"]["export"]["sentigru"] == __version__
    assert loaded.spec.export.quantize == "dynamic"  # how the model was made, unchanged
    assert (copy / "model.keras").read_bytes() == keras


def test_predict_on_tflite_does_not_import_tensorflow(exported, tmp_path: Path) -> None:
    path = tmp_path / "m.tflite"
    path.write_bytes(exported[("mediapipe", "dynamic")])
    code = (
        "import sys\n"
        "from sentigru.cli import main\n"
        f"sys.argv = ['sentigru', 'predict', '--json', '--model', {str(path)!r}, 'loved it']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "leaked = [m for m in ('tensorflow', 'keras', 'mediapipe') if m in sys.modules]\n"
        "assert not leaked, leaked\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["label"] == "positive"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not a TFLite"),
        (os.urandom(4096), "not a TFLite"),
        (b"\0\0\0\0TFL3" + b"\0" * 64, "metadata|parse|TFLite"),
    ],
)
def test_bad_tflite_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    from sentigru.predictor import LiteRTPredictor

    path = tmp_path / "bad.tflite"
    path.write_bytes(content)
    with pytest.raises(SentigruError, match=message):
        LiteRTPredictor.load(path)


def test_tflite_without_metadata_is_refused(folder, tmp_path: Path) -> None:
    from sentigru.exporters.graph import PhoneWeights, phone_function
    from sentigru.exporters.tflite import convert
    from sentigru.predictor import LiteRTPredictor

    weights = PhoneWeights.from_keras(folder.model, folder.spec.model, REGEX_KNOWN_IDS)
    path = tmp_path / "plain.tflite"
    path.write_bytes(convert(phone_function(weights, 1, 64), "none"))
    with pytest.raises(SentigruError, match="metadata"):
        LiteRTPredictor.load(path)


def test_saved_model_takes_raw_strings(folder, tmp_path: Path) -> None:
    import tensorflow as tf
    from texts import varied_texts

    from sentigru.exporters.saved_model import export_saved_model
    from sentigru.predictor import KerasPredictor

    export_saved_model(folder, tmp_path / "sm")
    serve = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    texts = varied_texts(60, seed=5)
    # The phone's text ends at a NUL (a C string); a newline after it changes nothing.
    texts += ["superb film\0 awful awful boring", "\0awful", "fine\0\nawful dull"]
    texts += ["", "最悪の映画だった", "zzqx"]  # no word the model knows
    # The in-graph tokenizer is RE2 (TensorFlow's regex engine), like the phone's.
    out = serve(texts=tf.constant(texts))
    keras = KerasPredictor(folder)
    expected = keras.scores(texts)
    np.testing.assert_allclose(out["scores"].numpy(), expected, atol=1e-5)
    # Nothing read, no answer: every label 1/n, from both, as from the phone file.
    unread = keras.tokenizer.count_known(keras.tokenizer.encode(texts)) == 0
    assert unread[-3:].all() and not unread.all()
    uniform = np.float32(1 / len(folder.labels))
    assert (expected[unread] == uniform).all() and (out["scores"].numpy()[unread] == uniform).all()
    assert (expected[~unread].max(axis=1) > uniform).all()
    labels = [b.decode() for b in out["label"].numpy()]
    assert labels == [folder.labels[i] for i in expected.argmax(1)]


def test_a_saved_model_that_cannot_be_written_is_one_line(folder, tmp_path, monkeypatch) -> None:
    import tensorflow as tf

    from sentigru.exporters.saved_model import export_saved_model

    def full_disk(*args: object, **kwargs: object) -> None:
        raise tf.errors.ResourceExhaustedError(None, None, "sm/variables: No space left\n\tat")

    monkeypatch.setattr(tf.saved_model, "save", full_disk)
    with pytest.raises(SentigruError, match="^cannot write .*sm: sm/variables: No space left"):
        export_saved_model(folder, tmp_path / "sm")
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind

    def named_full(*args: object, **kwargs: object) -> None:  # as TensorFlow words it
        raise tf.errors.ResourceExhaustedError(
            None,
            None,
            "{{function_node __wrapped__SaveV2}} .sm.tmp-x/variables/part-0; "
            "No space left on device [Op:SaveV2]",
        )

    monkeypatch.setattr(tf.saved_model, "save", named_full)
    with pytest.raises(SentigruError, match=r"^cannot write \S*sm: No space left on device$"):
        export_saved_model(folder, tmp_path / "sm")


def test_a_saved_model_path_that_is_not_utf8_is_refused_in_one_line(folder, tmp_path) -> None:
    """A folder name of Latin-1 bytes (a terminal not in UTF-8) failed deep inside
    TensorFlow with a traceback; tflite and web exports take such paths."""
    from sentigru.exporters.saved_model import export_saved_model

    with pytest.raises(SentigruError, match="^cannot write .*paths that are UTF-8 text"):
        export_saved_model(folder, tmp_path / "sm-\udce9")
    assert list(tmp_path.iterdir()) == []


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    from sentigru.atomic import write_atomic

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "m.tflite", b"model")
    finally:
        os.umask(old)
    assert (tmp_path / "m.tflite").stat().st_mode & 0o777 == 0o644


def test_a_phone_file_over_the_budget_is_said_with_the_fix() -> None:
    from sentigru.exporters.phone import PHONE_BUDGET_BYTES, ExportReport, budget_note

    assert budget_note(PHONE_BUDGET_BYTES) == ""
    note = budget_note(PHONE_BUDGET_BYTES + 1)
    assert "over the 1.000 MB" in note and "--preset sentencepiece" in note
    unquantized = budget_note(PHONE_BUDGET_BYTES + 1, "none")
    assert "--quantize dynamic makes it smaller" in unquantized and "vocab" not in unquantized

    def report(size: int) -> str:
        return ExportReport(
            Path("m.tflite"), "mediapipe", "dynamic", 256, 1, 1, 1, size, {}
        ).as_text()

    assert "--vocab-size" in report(1_140_000)
    assert "--vocab-size" not in report(940_000)
    assert "(mediapipe, dynamic, ids [1, 256] int32)" in report(940_000)
    three = ExportReport(Path("m.tflite"), "mediapipe", "dynamic", 256, 1, 1, 1, 9, {},
                         inputs=("ids", "mask", "segment_ids")).as_text()  # fmt: skip
    assert "ids, mask, segment_ids [1, 256] int32" in three  # a SentencePiece file's


def test_a_file_mediapipe_refuses_is_said_so_when_written(folder, exported) -> None:
    """``--runtime litert`` writes a WHILE loop, whose subgraphs MediaPipe's
    TextClassifier refuses: the export's lines say so, not only the docs."""
    from sentigru.exporters.phone import ExportReport
    from sentigru.exporters.tflite import operator_counts

    def lines(runtime: str) -> str:
        counts = operator_counts(exported[(runtime, "dynamic")])
        return ExportReport(Path("m.tflite"), runtime, "dynamic", 64, 1, 1, 1, 9, counts).as_text()

    assert "refuses this file (it takes one subgraph; this has" in lines("litert")
    assert "--runtime mediapipe" in lines("litert") and "refuses" not in lines("mediapipe")


def test_a_length_the_model_cannot_read_in_chunks_is_one_line(
    trained_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model reads text in chunks of 64 ids (the default chunk_len, fixed by its
    training): a length that is not a whole number of them is bad usage, named as the
    option, before the Keras model is loaded (it took seconds of loading)."""
    from sentigru import bundle

    monkeypatch.setattr(bundle, "load", lambda *a, **k: pytest.fail("loaded the model first"))
    args = ["export", "--model", str(trained_model), "--out", "x.tflite", "--seq-len", "100"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "--seq-len (100): this model reads 64 ids at a time" in result.output
    assert "such as 128" in result.output and "--chunk-len" not in result.output
    args[-1] = str(1 << 20)  # beyond any length a phone file takes: the most, as --help says
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "2<=x<=65536" in result.output, result.output
    assert "2<=x<=65536" in CliRunner().invoke(main, ["export", "--help"]).output
    with pytest.raises(UsageError, match="seq_len must be at most 65536"):  # not 99968
        sentigru.export(trained_model, "x.tflite", seq_len=100000)  # over it, no multiple
    with pytest.raises(SentigruError, match=r"^seq_len \(100\): this model reads 64"):
        sentigru.export(trained_model, "x.tflite", seq_len=100)  # Python's name for it


def test_a_site_for_a_file_the_page_cannot_load_is_refused(trained_model: Path, tmp_path: Path):
    """A batch above 1 (or a WHILE loop) runs in LiteRT but never in MediaPipe: the web
    export says so in one line instead of writing a page that cannot load."""
    batched = tmp_path / "b2.tflite"
    args = ["export", "--model", str(trained_model), "--out", str(batched), "--batch", "2"]
    assert CliRunner().invoke(main, args).exit_code == 0
    site = ["export", "--format", "web", "--model", str(batched), "--out", str(tmp_path / "s")]
    result = CliRunner().invoke(main, site)
    assert result.exit_code == 1 and "MediaPipe needs [1, L]" in result.output
    assert not (tmp_path / "s").exists()


def test_exporting_leaves_pythons_logging_as_it_was(folder, caplog) -> None:
    """TensorFlow's converter gave the root logger a handler, after which TensorFlow's
    warnings printed twice and a notebook's own logging.info calls started to print; its
    advice on retraced functions, which every export after the fifth in a process gave,
    is dropped during exports only."""
    import logging

    from sentigru.exporters.phone import export_tflite

    root, absl = logging.getLogger(), logging.getLogger("absl")
    before, absl_level = root.handlers[:], absl.level
    for handler in before:
        root.removeHandler(handler)
    absl.setLevel(logging.INFO)  # a program's own absl.logging.info lines
    try:
        export_tflite(folder)
        assert root.handlers == []
        assert absl.level == logging.INFO  # TensorFlow's save left it at WARNING
    finally:
        for handler in before:
            root.addHandler(handler)
        absl.setLevel(absl_level)
    from sentigru.tf_quiet import logging_kept

    tf_logger = logging.getLogger("tensorflow")
    advice = "5 out of the last 9 calls to <f> triggered tf.function retracing."
    with caplog.at_level(logging.WARNING):
        with logging_kept():  # as around an export and its check
            tf_logger.warning(advice)
            tf_logger.warning("something else")
        tf_logger.warning(advice)  # the user's own code: their advice, kept
    seen = [r.getMessage() for r in caplog.records if r.name == "tensorflow"]
    assert seen == ["something else", advice]


@pytest.mark.parametrize("quantize", ["dynamic", "float16", "none"])
def test_a_phone_file_answers_exactly_one_nth_where_it_reads_nothing(quantize: str) -> None:
    """1/n is computed in the graph, not stored: a float16 file stored it as 0.33325 for
    three labels. A text with no word id gets exactly float32(1/3) from every export; a
    text with one keeps the network's scores."""
    from types import SimpleNamespace

    from sentigru.exporters.phone import build_tflite
    from sentigru.model import build_model
    from sentigru.predictor import LiteRTPredictor
    from sentigru.spec import Spec
    from sentigru.tokenizer import Vocabulary

    spec = Spec().replace(
        tokenizer={"seq_len": 32}, model={"units": 8, "embed_dim": 8, "chunk_len": 16}
    )
    vocab = Vocabulary(("<PAD>", "<START>", "<UNKNOWN>", "good", "bad", "film"), ())
    model = build_model(spec.model, len(vocab.tokens), 3)
    folder = SimpleNamespace(model=model, spec=spec, vocab=vocab, labels=["a", "b", "c"])
    scores = LiteRTPredictor(build_tflite(folder, quantize=quantize, runtime="mediapipe"))
    got = scores.scores(["", "zzz qqq", "😀", "good film"])
    assert (got[:3] == np.float32(1 / 3)).all()
    assert not (got[3] == np.float32(1 / 3)).all()
