"""Bulk prediction gives every text the answer the phone file gives it alone.

The reference is the file itself at its fixed ``[1, L]`` input, one text per invoke;
bulk runs each text at a shorter length, several per invoke, on several threads.
Labels must be identical and scores within 1e-5, for texts of every length and at the
edges of every length bulk uses (ids count L-1, L, L+1, ``<START>`` included).
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import shared_file
from texts import varied_texts

from sentigru.bulk import MIN_TEXTS, BucketRunner, Plan, available_cores, check_jobs
from sentigru.contract import REGEX_KNOWN_IDS
from sentigru.errors import SentigruError
from sentigru.predictor import LiteRTPredictor
from sentigru.presets import default_model
from sentigru.tokenizer import Tokenizer, Vocabulary

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def phone() -> LiteRTPredictor:
    return LiteRTPredictor.load(default_model())


def one_at_a_time(content: bytes, tokenizer: Tokenizer, texts: list[str]) -> np.ndarray:
    """The phone file at its own shape, one text per invoke: what a phone answers."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content, num_threads=1)
    interpreter.allocate_tensors()
    ids_in = interpreter.get_input_details()[0]["index"]
    scores_out = interpreter.get_output_details()[0]["index"]
    rows = []
    for text in texts:
        interpreter.set_tensor(ids_in, tokenizer.encode([text]))
        interpreter.invoke()
        rows.append(interpreter.get_tensor(scores_out)[0].copy())
    return np.array(rows)


def assert_same_answers(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.shape == expected.shape
    assert (got.argmax(1) == expected.argmax(1)).all()
    assert np.abs(got - expected).max() <= TOLERANCE


def edge_texts(tokenizer: Tokenizer, lengths: tuple[int, ...], seed: int = 0) -> list[str]:
    """Texts whose ids (``<START>`` included) number exactly L-1, L and L+1 for every
    length L, plus the longest and some random lengths, of vocabulary words."""
    rng = random.Random(seed)
    words = list(tokenizer.vocab.tokens[3:])
    counts = {1, 2, tokenizer.seq_len + 5}
    for length in lengths:
        counts |= {length - 1, length, length + 1}
    counts |= {rng.randint(1, tokenizer.seq_len) for _ in range(60)}
    texts = [" ".join(rng.choices(words, k=n - 1)) for n in sorted(c for c in counts if c >= 1)]
    assert sorted({len(tokenizer.ids(t)) for t in texts})[-1] == tokenizer.seq_len
    return texts


def test_the_bundled_file_resizes_to_whole_chunks(phone: LiteRTPredictor) -> None:
    runner = BucketRunner(phone._content, phone.tokenizer, jobs=1)
    plan = runner.plan
    assert plan.resizable and plan.lengths[0] == 64 and plan.lengths[-1] == 1024
    assert all(length % 64 == 0 for length in plan.lengths)
    assert plan.batches[0] > 1  # short texts share an invoke


@pytest.mark.parametrize("jobs", [1, 2])
def test_bulk_answers_as_the_phone_file_does(phone: LiteRTPredictor, jobs: int) -> None:
    runner = BucketRunner(phone._content, phone.tokenizer, jobs=jobs, window=97)
    texts = edge_texts(phone.tokenizer, runner.plan.lengths)
    texts += [*varied_texts(120, seed=3), "", "zzqx unknownword", "\0hidden after a NUL"]
    random.Random(1).shuffle(texts)  # lengths mixed within each window
    expected = one_at_a_time(phone._content, phone.tokenizer, texts)
    with runner:
        assert_same_answers(runner.scores(texts), expected)
        assert_same_answers(runner.scores(texts[::-1]), expected[::-1])  # order kept


def test_results_stream_in_order_with_bounded_reading(phone: LiteRTPredictor) -> None:
    texts = varied_texts(50, seed=5)
    expected = one_at_a_time(phone._content, phone.tokenizer, texts)
    pulled = []

    def source() -> Iterator[str]:
        for text in texts:
            pulled.append(text)
            yield text

    runner = BucketRunner(phone._content, phone.tokenizer, jobs=2, window=8)
    stream = runner.iter_scores(source())
    first = next(stream)
    assert len(first) == 8 and len(pulled) <= 2 * 8  # one window ahead at most
    got = np.concatenate([first, *stream])
    runner.close()
    assert_same_answers(got, expected)


@pytest.mark.parametrize("chunk_size", [8, MIN_TEXTS, 100])
def test_a_stream_holds_the_chunks_it_is_asked_for(phone: LiteRTPredictor, chunk_size: int) -> None:
    """``predict_stream(chunk_size=…)`` answers after a chunk or two and holds no more:
    a stream of large texts read 4,096 before its first answer, whatever the size."""
    predictor = LiteRTPredictor(phone._content, jobs=2)
    texts = varied_texts(3 * chunk_size + 5, seed=9)
    pulled = []

    def source() -> Iterator[str]:
        for text in texts:
            pulled.append(text)
            yield text

    stream = predictor.classify_stream(source(), chunk_size=chunk_size)
    next(stream)
    assert len(pulled) <= 2 * chunk_size
    answers = [result for _, result in stream]
    assert len(answers) == len(texts) - 1
    predictor.close()


@pytest.mark.parametrize("chunk_size", [8, MIN_TEXTS, 100])
def test_a_failing_stream_answers_every_whole_chunk_it_read_first(
    phone: LiteRTPredictor, chunk_size: int
) -> None:
    """A cursor that dies midway: the chunks already read and sent off are answered
    before its error, on the bulk path as on the simple one (the bulk path lost the
    chunk it held, and so a server lost work it had done)."""
    predictor = LiteRTPredictor(phone._content, jobs=2)
    texts = varied_texts(2 * chunk_size + 3, seed=11)

    def source() -> Iterator[str]:
        yield from texts
        raise ValueError("the cursor died")

    answered = []
    with pytest.raises(ValueError, match="cursor died"):
        for text, _ in predictor.classify_stream(source(), chunk_size=chunk_size):
            answered.append(text)
    predictor.close()
    assert answered == texts[: 2 * chunk_size]


def test_predictor_scores_many_texts_through_bulk(phone: LiteRTPredictor) -> None:
    predictor = LiteRTPredictor(phone._content, jobs=2, few_to_bulk=False)  # texts alone
    few = varied_texts(MIN_TEXTS - 1, seed=7)
    predictor.scores(few)
    assert predictor._bulk is None  # a few texts run at the file's own shape
    texts = varied_texts(MIN_TEXTS + 40, seed=8)
    expected = np.concatenate([predictor.scores([t]) for t in texts])
    assert_same_answers(predictor.scores(texts), expected)
    assert predictor._bulk is not None
    assert predictor.scores([]).shape == (0, 2)


def test_results_in_bulk_are_the_results_one_at_a_time(phone: LiteRTPredictor) -> None:
    """classify, classify_stream and evaluate's counts through bulk: the same labels,
    scores and ``known_tokens`` (counted from the ids bulk makes) as text by text."""
    predictor = LiteRTPredictor(phone._content, jobs=2, few_to_bulk=False)  # texts alone
    fits = "great " * (phone.tokenizer.seq_len - 1)  # <START> and these fill the model
    accented = ["a greaté film", "great cafe\u0301 great", "great Ωgreat", "ΩΩ qqzzé"]
    texts = [*varied_texts(MIN_TEXTS + 60, seed=9), *accented, fits, fits + "bad", "",
             "zzqx qqzz", "\0after a NUL", "Great!"]  # fmt: skip
    alone = [predictor.classify([t], top_k=2)[0] for t in texts]
    assert predictor._bulk is None
    tokenizer = phone.tokenizer
    # great of greaté, cafe of cafe + a combining accent (NFD); not an unknown fragment
    assert [tokenizer.cut_known(t) for t in accented] == [1, 1, 1, 0]
    assert [r["known_tokens"] for r in alone] == [
        tokenizer.known(t) - tokenizer.cut_known(t) for t in texts
    ]
    assert [r["known_tokens"] for r in alone[-4:]] == [0, 0, 0, 1]
    assert [r["unknown_tokens"] for r in alone[-4:]] == [0, 2, 0, 0]
    # Only the text with a word past the model's length is cut, and the one that goes on
    # after a NUL (the phone cuts them too).
    assert [i for i, r in enumerate(alone) if r["truncated"]] == [len(texts) - 5, len(texts) - 2]
    for got in (
        predictor.classify(texts, top_k=2),
        [r for _, r in predictor.classify_stream(iter(texts), top_k=2)],
    ):
        for key in ("known_tokens", "unknown_tokens", "truncated"):
            assert [r[key] for r in got] == [r[key] for r in alone]
        assert [r["label"] for r in got] == [r["label"] for r in alone]
        scores = np.array([[s["score"] for s in r["scores"]] for r in got])
        assert (
            np.abs(scores - [[s["score"] for s in r["scores"]] for r in alone]).max() <= TOLERANCE
        )
    assert predictor._bulk is not None
    streamed = [text for text, _ in predictor.classify_stream(iter(texts))]
    assert streamed == texts
    few = list(predictor.classify_stream(iter(texts[:3]), chunk_size=1))
    assert [r["label"] for _, r in few] == [r["label"] for r in alone[:3]]


def test_jobs_are_checked() -> None:
    assert check_jobs(None) == available_cores() >= 1
    assert check_jobs(3) == 3
    for bad in (0, -1, 1.5, "2", True):
        with pytest.raises(SentigruError, match="jobs"):
            check_jobs(bad)  # type: ignore[arg-type]


def test_a_containers_cpu_quota_bounds_the_cores(tmp_path: Path, monkeypatch) -> None:
    """docker run --cpus 2 on a 64-core host leaves all 64 in the affinity: bulk work
    started an interpreter per core. cgroup v2 and v1 quotas are read; none means none."""
    from sentigru import limits

    (tmp_path / "cpu.max").write_text("150000 100000\n")  # v2: 1.5 cores
    assert limits.cpu_quota(tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert limits.cpu_quota(tmp_path) is None
    v1 = tmp_path / "v1" / "cpu"
    v1.mkdir(parents=True)
    (v1 / "cpu.cfs_quota_us").write_text("200000\n")
    (v1 / "cpu.cfs_period_us").write_text("100000\n")
    assert limits.cpu_quota(tmp_path / "v1") == 2.0
    (v1 / "cpu.cfs_quota_us").write_text("-1\n")
    assert limits.cpu_quota(tmp_path / "v1") is None
    assert limits.cpu_quota(tmp_path / "none") is None
    monkeypatch.setattr(limits, "cpu_quota", lambda: None)
    cores = available_cores()
    monkeypatch.setattr(limits, "cpu_quota", lambda: 0.5)  # half a core: one worker
    assert available_cores() == 1
    monkeypatch.setattr(limits, "cpu_quota", lambda: cores + 0.5)  # above the affinity
    assert available_cores() == cores


def test_bucket_lengths_must_be_whole_chunks(phone: LiteRTPredictor) -> None:
    runner = BucketRunner(phone._content, phone.tokenizer, buckets=[100], jobs=1)
    with pytest.raises(SentigruError, match="whole chunks of 64"):
        _ = runner.plan
    runner = BucketRunner(phone._content, phone.tokenizer, buckets=[128, 512], jobs=1)
    assert runner.plan.lengths == (128, 512, 1024)
    texts = edge_texts(phone.tokenizer, runner.plan.lengths, seed=4)[::4]
    expected = one_at_a_time(phone._content, phone.tokenizer, texts)
    assert_same_answers(runner.scores(texts), expected)


def test_a_file_that_does_not_resize_runs_at_its_own_shape() -> None:
    """A fixed-shape graph (here the WHILE graph of ``--runtime litert``) is found out
    by the probe: every text then runs at the file's shape, with the same answers."""
    pytest.importorskip("tensorflow")
    from sentigru.exporters.graph import PhoneWeights, phone_function
    from sentigru.exporters.tflite import convert
    from sentigru.model import build_model
    from sentigru.spec import ModelSpec

    spec = ModelSpec(units=8, embed_dim=6, chunk_len=4, bigram_buckets=37, bigram_dim=3)
    model = build_model(spec, 50, 2)
    rng = np.random.default_rng(0)
    for weight in model.weights:
        weight.assign(rng.normal(0, 0.5, weight.shape).astype("float32"))
    weights = PhoneWeights.from_keras(model, spec, REGEX_KNOWN_IDS)
    tokenizer = Tokenizer(Vocabulary(("<PAD>", "<START>", "<UNKNOWN>", *_words(47))), 20)
    texts = edge_texts(tokenizer, (4, 8, 12, 16, 20), seed=2)
    for unroll, resizable in ((True, True), (False, False)):
        content = convert(phone_function(weights, 1, 20, unroll=unroll), "none")
        runner = BucketRunner(content, tokenizer, jobs=2)
        assert runner.plan.resizable is resizable
        if resizable:
            assert runner.plan.lengths == (4, 8, 12, 16, 20)
        else:
            assert runner.plan == Plan.fixed((1, 20))
        with runner:
            assert_same_answers(runner.scores(texts), one_at_a_time(content, tokenizer, texts))


def _words(n: int) -> list[str]:
    return [f"w{i}" for i in range(n)]


def _texts(path: Path, n: int | None = None, seed: int = 0) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        next(stream)
        texts = [line.rstrip("\n").split("\t", 1)[1] for line in stream]
    return random.Random(seed).sample(texts, n) if n else texts


@pytest.mark.slow
def test_bulk_answers_as_the_phone_file_does_on_real_text(phone: LiteRTPredictor) -> None:
    """IMDB reviews (a seeded 3,000 of train), SST-2 dev sentences and tweets: every
    label identical, every score within 1e-5, on every core."""
    texts = _texts(shared_file("imdb", "train.tsv.gz"), 3000, seed=11)
    texts += _texts(shared_file("sst2", "dev.tsv.gz"))
    texts += _texts(shared_file("reviews-en", "tweets.tsv.gz"), 1000, seed=12)
    expected = one_at_a_time(phone._content, phone.tokenizer, texts)
    with BucketRunner(phone._content, phone.tokenizer, jobs=None) as runner:
        assert_same_answers(runner.scores(texts), expected)


def test_sentencepiece_files_run_in_buckets_with_the_answers_one_at_a_time(
    parity_pieces: Any,
) -> None:
    """A three-input file (ids, mask, segment ids) resizes like a one-input one: every
    text in any script, at every bucket edge, answers as it does alone."""
    pytest.importorskip("tensorflow")
    from probe_model import small_sentencepiece_file
    from test_parity_sentencepiece import FRAGMENTS, parity_texts

    from sentigru.pieces import SentencePieceTokenizer, phone_inputs

    pieces = parity_pieces
    seq_len, chunk = 96, 16
    content, _, _ = small_sentencepiece_file(pieces, parity_texts(), seq_len, chunk)
    tokenizer = SentencePieceTokenizer(pieces, seq_len)
    rng = random.Random(5)
    texts = [" ".join(rng.choices(FRAGMENTS, k=rng.randint(1, 30))) for _ in range(300)]
    texts += parity_texts(100)
    # A word that is one piece each time it recurs gives texts of exactly n ids.
    word = next(
        w
        for w in (pieces.processor.IdToPiece(i).lstrip("\u2581") for i in range(4, len(pieces)))
        if w and len(tokenizer.ids(f"{w} {w} {w}")) == 5
    )
    edges = [n for length in range(chunk, seq_len + 1, chunk) for n in (length, length + 1)]
    texts += [" ".join([word] * (n - 2)) for n in edges]
    assert [len(tokenizer.ids(t)) for t in texts[-len(edges) :]] == [min(n, seq_len) for n in edges]

    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content, num_threads=1)
    interpreter.allocate_tensors()
    inputs = [d["index"] for d in interpreter.get_input_details()]
    expected = []
    for text in texts:
        for index, array in zip(inputs, phone_inputs(tokenizer.encode([text]), 3)):
            interpreter.set_tensor(index, array)
        interpreter.invoke()
        expected.append(interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0])
    with BucketRunner(content, tokenizer, jobs=2) as runner:
        assert runner.plan.resizable and runner.plan.lengths[0] == chunk
        windows = list(runner.iter_windows(texts))
    assert_same_answers(np.concatenate([w[1] for w in windows]), np.array(expected))
    read = np.concatenate([w[2] for w in windows])
    assert read[:, :2].tolist() == [[tokenizer.known(t), tokenizer.unknown(t)] for t in texts]
    assert read[-len(edges) :, 2].tolist() == [int(n > seq_len) for n in edges]  # cut


def test_an_interpreter_that_cannot_be_set_up_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `ulimit -v`, LiteRT's XNNPACK failed to prepare as predict set up its
    graphs: a 67-line traceback. It is one line naming the limit and --jobs 1."""
    from sentigru import bulk
    from sentigru.errors import SentigruError

    class Short:
        def __init__(self, **_: object) -> None:
            raise RuntimeError("failed to create XNNPACK runtime\nNode number 1528 failed")

    monkeypatch.setattr(bulk, "litert", lambda: type("Runtime", (), {"Interpreter": Short}))
    with pytest.raises(SentigruError, match=r"could not set the model up .*--jobs 1") as caught:
        bulk._Graph(default_model().read_bytes(), (1, 16))
    assert "\n" not in str(caught.value)
