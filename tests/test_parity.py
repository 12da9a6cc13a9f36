"""The real phone client: MediaPipe Tasks' TextClassifier, the same C++ task that runs on
Android and iOS, must tokenize as sentigru does and give the scores sentigru gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mediapipe")
pytest.importorskip("tensorflow")

from probe_model import build_probe_tflite, mediapipe_ids
from texts import varied_texts

from sentigru.tokenizer import Tokenizer, Vocabulary

TEXTS = varied_texts(300, seed=11)


def test_mediapipe_feeds_the_ids_sentigru_computes() -> None:
    words = [
        "great",
        "movie",
        "don't",
        "'quoted'",
        "caf",
        "10",
        "br",
        "CaSe",
        "__init__",
        "it",
        "s",
        "e",
        "cole",
        "Stra",
        "not",
        "bad",
        "hated",
        "loved",
        "x",
    ]
    vocab = Vocabulary(("<PAD>", "<START>", "<UNKNOWN>", *words))
    for seq_len in (4, 48):
        probe = build_probe_tflite(seq_len, list(vocab.tokens))
        texts = [*TEXTS, "cut at\0the nul"]
        ours = Tokenizer(vocab, seq_len).encode(texts).tolist()
        theirs = mediapipe_ids(probe, texts, seq_len)
        mismatched = [t for t, a, b in zip(texts, ours, theirs) if a != b]
        assert not mismatched, mismatched[:5]


def test_mediapipe_reads_case_aliases_as_sentigru_does() -> None:
    """Several vocabulary lines with one id: the phone maps each spelling to that id,
    as the Python tokenizer does, without lowercasing anything else."""
    counts = {"great": 5, "Great": 4, "GREAT": 3, "GrEaT": 1, "Movie": 6, "not": 2, "NOT": 2}
    vocab = Vocabulary.from_counts(counts, 10, alias_min_count=2)
    assert ("GrEaT", 3) not in vocab.aliases and len(vocab.aliases) == 4
    texts = [
        "Great movie, GREAT movie, great MOVIE",
        "NOT great. not Great! GrEaT?",
        "Movie movie MOVIE mOvIe",
        *TEXTS[:50],
    ]
    probe = build_probe_tflite(12, list(vocab.tokens), vocab.aliases)
    ours = Tokenizer(vocab, 12).encode(texts).tolist()
    assert ours[0][:4] == [1, ours[0][1], ours[0][2], ours[0][1]]
    assert mediapipe_ids(probe, texts, 12) == ours


def test_mediapipe_scores_match_sentigru_predict(trained_model: Path, tmp_path: Path) -> None:
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.text import text_classifier

    from sentigru import bundle
    from sentigru.exporters.phone import build_tflite
    from sentigru.predictor import LiteRTPredictor

    path = tmp_path / "model.tflite"
    path.write_bytes(
        build_tflite(bundle.load(trained_model), quantize="dynamic", runtime="mediapipe")
    )
    ours = LiteRTPredictor.load(path)
    unread = ["", "最悪の映画だった", "😀 😡", "??? !!!", "zzqx qqzv"]  # no word it knows
    texts = [*TEXTS, *unread]
    expected = ours.scores(texts)
    options = text_classifier.TextClassifierOptions(
        base_options=BaseOptions(model_asset_path=str(path)), max_results=-1
    )
    phone = {}
    with text_classifier.TextClassifier.create_from_options(options) as classifier:
        for text, row in zip(texts, expected):
            categories = classifier.classify(text).classifications[0].categories
            scores = {c.category_name: c.score for c in categories}
            phone[text] = got = np.array([scores[label] for label in ours.labels])
            if text not in unread:
                assert categories[0].category_name == ours.labels[int(row.argmax())], text
            np.testing.assert_allclose(got, row, atol=1e-3, err_msg=text)
    # The phone gets no answer where the model read nothing: every label 1/n, which is
    # how an app tells (it cannot count known words itself).
    for text in unread:
        assert (phone[text] == np.float32(1 / len(ours.labels))).all(), text
