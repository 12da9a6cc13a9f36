"""The hand-written phone graph computes exactly what the Keras model computes."""

from __future__ import annotations

import numpy as np
import pytest

from sentigru.contract import REGEX_KNOWN_IDS
from sentigru.spec import ModelSpec

tf = pytest.importorskip("tensorflow")

SPECS = [
    ModelSpec(units=8, embed_dim=6, chunk_len=0, bigram_buckets=0),
    ModelSpec(units=8, embed_dim=6, chunk_len=0, bigram_buckets=0, pooling="mean"),
    ModelSpec(cell="lstm", units=8, embed_dim=6, chunk_len=5, bigram_buckets=0, pooling="max"),
    ModelSpec(units=8, embed_dim=6, layers=2, chunk_len=4, bigram_buckets=37, bigram_dim=3),
    ModelSpec(units=8, embed_dim=6, chunk_len=4, bigram_buckets=37, bigram_dim=1, pooling="mean"),
    ModelSpec(units=8, embed_dim=6, chunk_len=4, bigram_buckets=37, unknown_rate=0.3),
]


def _random_model(spec: ModelSpec):  # type: ignore[no-untyped-def]
    from sentigru.model import build_model

    model = build_model(spec, 50, 3)
    rng = np.random.default_rng(0)
    for weight in model.weights:  # away from the initial zeros biases
        weight.assign(rng.normal(0, 0.5, weight.shape).astype("float32"))
    return model


def _rows(length: int, vocab: int) -> np.ndarray:
    """Rows as the tokenizer makes them: <START>, ids, then padding at the end only."""
    rng = np.random.default_rng(1)
    ids = np.zeros((4, length), np.int32)
    for i, n in enumerate([1, 5, length - 1, length]):
        ids[i, :n] = rng.integers(1, vocab, n)
        ids[i, 0] = 1
    return ids


def _gated(model, ids: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The model's scores, 1/n on rows with no word id (above <UNKNOWN>)."""
    scores = np.array(model(ids, training=False))
    scores[(ids <= 2).all(axis=1)] = np.float32(1 / scores.shape[1])
    return scores


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.cell}-{s.layers}-{s.chunk_len}")
@pytest.mark.parametrize("unroll", [True, False])
def test_phone_graph_equals_keras(spec: ModelSpec, unroll: bool) -> None:
    """The Keras model's scores on every row that holds a word; 1/n on the row of
    ``<START>`` alone, which gives the network nothing to read."""
    from sentigru.exporters.graph import PhoneWeights, phone_function

    model = _random_model(spec)
    ids = _rows(20, 50)
    expected = _gated(model, ids)
    assert (expected[0] == np.float32(1 / 3)).all()  # <START> alone
    function = phone_function(PhoneWeights.from_keras(model, spec, REGEX_KNOWN_IDS), 4, 20, unroll)
    np.testing.assert_allclose(function(tf.constant(ids)).numpy(), expected, atol=1e-5)


@pytest.mark.parametrize("unroll", [True, False])
def test_rows_of_no_known_id_score_every_label_alike(unroll: bool) -> None:
    """With a SentencePiece model's known ids (learnt pieces from ``first`` on, less
    punctuation pieces in ``never``), a row of specials, byte pieces and punctuation
    pieces gets exactly 1/n for each label, in the phone graph and in Keras with
    :func:`answer_gate`; a row with one learnt piece among them keeps its scores exactly."""
    from sentigru.contract import KnownIds
    from sentigru.exporters.graph import PhoneWeights, phone_function
    from sentigru.model import answer_gate

    spec = SPECS[3]
    model = _random_model(spec)
    known = KnownIds(first=6, never=(9, 30), size=50)
    ids = np.zeros((4, 20), np.int32)
    ids[0, :5] = [2, 4, 9, 30, 3]  # [CLS], a byte piece, two punctuation pieces, [SEP]
    ids[1, :2] = [2, 3]  # an empty text
    ids[2, :5] = [2, 4, 9, 31, 3]  # one learnt piece
    ids[3, :6] = [2, 7, 8, 40, 49, 3]
    function = phone_function(PhoneWeights.from_keras(model, spec, known), 4, 20, unroll)
    got = function(tf.constant(ids)).numpy()
    plain = np.asarray(model(ids, training=False))
    assert (got[:2] == np.float32(1 / 3)).all()
    np.testing.assert_allclose(got[2:], plain[2:], atol=1e-5)
    gated = np.asarray(answer_gate(model(ids, training=False), tf.constant(ids), known))
    assert (gated[:2] == np.float32(1 / 3)).all() and (gated[2:] == plain[2:]).all()


def test_row_int8_gives_every_row_its_own_step() -> None:
    """Rows three orders of magnitude apart each keep nearly their own int8 resolution:
    a row's step is at most one codebook ratio above its own max/127, every weight is
    within half a step, and a zero row stays zero."""
    from sentigru.exporters.graph import ROW_SCALES, RowInt8

    rng = np.random.default_rng(3)
    table = rng.normal(0, 1, (300, 8)) * np.geomspace(1e-3, 1.0, 300)[:, None]
    table[7] = 0.0
    table = table.astype(np.float32)
    quantized = RowInt8.of(table)
    assert quantized.table.dtype == np.int8 and quantized.codes.shape == (300, 1)
    step = quantized.book[quantized.codes[:, 0].astype(int) + 128]
    needed = np.abs(table).max(axis=1) / 127
    ratio = (quantized.book[-1] / quantized.book[0]) ** (1 / (ROW_SCALES - 1))
    rows = needed > 0
    assert np.all(step[rows] >= needed[rows] * (1 - 1e-6))
    assert np.all(step[rows] <= needed[rows] * ratio * (1 + 1e-5))
    error = np.abs(quantized.dequantized() - table)
    assert np.all(error <= step[:, None] / 2 * (1 + 1e-5))
    assert not quantized.dequantized()[7].any()


@pytest.mark.parametrize("unroll", [True, False])
def test_phone_graph_with_row_int8_equals_keras_on_the_dequantized_table(unroll: bool) -> None:
    from sentigru.exporters.graph import PhoneWeights, phone_function

    spec = SPECS[3]
    model = _random_model(spec)
    weights = PhoneWeights.from_keras(model, spec, REGEX_KNOWN_IDS, row_int8=True)
    model.get_layer("embedding").embeddings.assign(weights.embedding.dequantized())
    ids = _rows(20, 50)
    expected = _gated(model, ids)
    function = phone_function(weights, 4, 20, unroll)
    np.testing.assert_allclose(function(tf.constant(ids)).numpy(), expected, atol=1e-5)


def test_seq_len_must_be_whole_chunks() -> None:
    from sentigru.exporters.graph import PhoneWeights, phone_function
    from sentigru.model import build_model

    spec = ModelSpec(units=4, embed_dim=4, chunk_len=8)
    weights = PhoneWeights.from_keras(build_model(spec, 20, 2), spec, REGEX_KNOWN_IDS)
    with pytest.raises(ValueError, match="multiple of chunk_len"):
        phone_function(weights, 1, 20)


def _interpreter(content: bytes, shape: tuple[int, int]):  # type: ignore[no-untyped-def]
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content, num_threads=1)
    interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], list(shape))
    interpreter.allocate_tensors()
    return interpreter


def _invoke(interpreter, ids: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], ids)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).copy()


@pytest.mark.parametrize("spec", [SPECS[2], SPECS[3]], ids=["lstm-chunk5", "gru-2layers-chunk4"])
def test_resized_phone_file_answers_as_the_file_does(spec: ModelSpec) -> None:
    """One [1, 20] phone file, resized by LiteRT to other batches and to every length
    that is a whole number of chunks, gives each row the scores the file itself gives
    (what sentigru.bulk relies on), down to rows exactly filling the length."""
    from sentigru.exporters.graph import PhoneWeights, phone_function
    from sentigru.exporters.tflite import convert

    weights = PhoneWeights.from_keras(_random_model(spec), spec, REGEX_KNOWN_IDS, row_int8=True)
    content = convert(phone_function(weights, 1, 20), "dynamic")
    fixed = _interpreter(content, (1, 20))
    rng = np.random.default_rng(2)
    for length in range(spec.chunk_len, 21, spec.chunk_len):
        ids = np.zeros((3, length), np.int32)
        for row, n in enumerate([length, length - 1, 1 + length // 3]):
            ids[row, :n] = rng.integers(1, 50, n)
            ids[row, 0] = 1
        expected = np.concatenate(
            [_invoke(fixed, np.pad(r[None], ((0, 0), (0, 20 - length)))) for r in ids]
        )
        for batch in (3, 1):
            got = np.concatenate(
                [
                    _invoke(_interpreter(content, (batch, length)), ids[i : i + batch])
                    for i in range(0, 3, batch)
                ]
            )
            np.testing.assert_allclose(got, expected, atol=1e-6)


def test_resizing_to_a_part_of_a_chunk_is_refused() -> None:
    """A length that is not whole chunks cannot allocate, so a runner that tries one
    learns the chunk length instead of computing something else."""
    from sentigru.exporters.graph import PhoneWeights, phone_function
    from sentigru.exporters.tflite import convert

    spec = SPECS[3]
    weights = PhoneWeights.from_keras(_random_model(spec), spec, REGEX_KNOWN_IDS)
    content = convert(phone_function(weights, 1, 20), "none")
    for length in (2, 6, 18):
        with pytest.raises((RuntimeError, ValueError)):
            _interpreter(content, (1, length))
