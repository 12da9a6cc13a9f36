"""The real phone client on a SentencePiece model: MediaPipe Tasks' TextClassifier must
feed the ids, mask and segment ids sentigru computes, and give the scores sentigru
gives, on text in any script."""

from __future__ import annotations

import os
import random
import tempfile
import unicodedata

import numpy as np
import pytest

from sentigru.errors import SentigruError
from sentigru.pieces import (
    Pieces,
    SentencePieceTokenizer,
    _periodic,
    check_version,
    with_normaliser,
)

SEQ_LEN = 32

FRAGMENTS = (
    "この映画は本当に素晴らしかった",
    "最悪のサービスでした。二度と買いません",
    "商品が届くのが遅い",
    "这个产品质量很好，非常满意",
    "太差了，不推荐购买",
    "物流很快",
    "정말 재미있는 영화였어요",
    "배우들의 연기가 별로였다",
    "최고의 작품",
    "Die Qualität ist großartig, ich bin sehr zufrieden",
    "Überhaupt nicht empfehlenswert, völlig enttäuscht",
    "Straße, Größe, Bär, Öl, Übung",
    "Le café était délicieux et le crème brûlée parfait",
    "Très déçu, c'est trop cher pour ce que c'est",
    "Noël à l'hôtel, où l'été est long",
    "A wonderful, heartfelt film. I LOVED every minute!",
    "It wasn't worth the $12 ticket.",
    "😀😀 so much fun 🎉",
    "👍🏽 ok 👎",
    "★★★★★",
    "★★★☆☆",
    "=====",
    "!!!!!!!!",
    "hahahahaha",
    "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ　１２３",
    "Ⅻ ﬁ ㍻ ①",
    "<br /><br />",
    "10/10",
)


def corpus() -> list[str]:
    """Text to learn pieces from: the fragments in many combinations."""
    rng = random.Random(3)
    return [" ".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 6))) for _ in range(3000)]


QUOTED = ["Ich bin „sehr“ zufrieden, “great” ‚ok‘ ‛x‟ « très bien » ‹ oui ›", "„“«»"]
"""The typographic quotes the piece model's normalisation writes as " and ' (kept out of
:func:`parity_texts`, from which the tests' small models learn)."""


def parity_texts(n: int = 320) -> list[str]:
    """The corners of the SentencePiece path, then seeded mixtures: over 300 texts."""
    rng = random.Random(11)
    texts = [
        "",
        " ",
        "\u3000",
        "cut at\0the nul",
        "\0",
        "日本語\0テキスト",
        "★" * 7,
        "=" * 40,
        "ab" * 30,
        "草" * 100,
        "がんばって " * 60,  # far longer than SEQ_LEN pieces
        unicodedata.normalize("NFD", "Crème brûlée, Übermäßig, Noël, 가나다"),
        unicodedata.normalize("NFC", "Crème brûlée, Übermäßig, Noël, 가나다"),
        "ÄÖÜ äöü ß ẞ",
        "İstanbul ǅ Σίσυφος",
        "ΣΑΣ ПРИВЕТ Привет ＰＲＩＶＥＴ ℌ𝔢𝔩𝔩𝔬 ㎏ ½ ﬃ",  # rules the pieces' map leaves out
        "🏳️‍🌈👨‍👩‍👧 emoji joiners",
        "\ud7a3\uffff\U0010fffd",
        "J’ai adoré l’hôtel, ‘génial’ et ＇pas cher＇ ʼ `",  # the apostrophe rule's marks
        *FRAGMENTS,
    ]
    while len(texts) < n:
        k = rng.randint(1, 8)
        separator = rng.choice([" ", "", ", ", "\u3000", "\t"])
        text = separator.join(rng.choice(FRAGMENTS) for _ in range(k))
        if rng.random() < 0.2:
            text = unicodedata.normalize("NFD", text)
        if rng.random() < 0.2:
            text = text.upper()
        texts.append(text)
    return texts


@pytest.fixture(scope="module")
def pieces(parity_pieces: Pieces) -> Pieces:
    return parity_pieces


def test_the_installed_sentencepiece_segments_as_the_phone() -> None:
    """Versions that break ties otherwise are refused with the fix, so Python and the
    phone cannot drift apart unnoticed."""
    import sentencepiece

    check_version(sentencepiece.__version__)  # the installed one must pass
    for old in ("0.2.1", "0.2.0", "0.1.99"):
        with pytest.raises(SentigruError, match=r'pip install "sentencepiece>=0\.2\.2"'):
            check_version(old)
    check_version("0.2.2")
    check_version("1.0.0rc1")


def test_pieces_follow_the_contract(pieces: Pieces) -> None:
    tokenizer = SentencePieceTokenizer(pieces, SEQ_LEN)
    ids = tokenizer.ids("Die Qualität ist großartig")
    assert ids[0] == 2 and ids[-1] == 3 and 1 not in ids  # [CLS] ... [SEP], no <unk>
    assert tokenizer.ids("") == [2, 3]
    assert tokenizer.ids("ABC") == tokenizer.ids("abc")
    assert tokenizer.ids("x\0anything") == tokenizer.ids("x")
    assert len(tokenizer.ids("がんばって " * 60)) == SEQ_LEN
    assert tokenizer.known("") == 0 and tokenizer.known("最高の作品") > 0
    unused = [p for p, i in pieces.entries() if pieces.processor.IsUnused(i)]
    assert unused and all(_periodic(p.replace(" ", "\u2581")) for p in unused)


def test_pieces_are_the_same_for_the_same_text() -> None:
    assert Pieces.train(corpus(), 600, seed=0).model == Pieces.train(corpus(), 600, seed=0).model


def test_the_normalisation_map_keeps_only_rules_whose_result_the_model_reads(
    pieces: Pieces,
) -> None:
    """The map rides in every phone file: cut to the rules whose result the pieces can
    read, it is a fraction of the whole, and the training text, ASCII capitals and
    full-width or styled Latin letters are normalised exactly as the whole map does."""
    import sentencepiece

    whole_map = sentencepiece.SentencePieceNormalizer(rule_name="nmt_nfkc_cf")
    whole_model = with_normaliser(pieces.model, whole_map)
    assert len(pieces.model) * 4 < len(whole_model)
    whole = sentencepiece.SentencePieceProcessor(model_proto=whole_model)
    texts = [*corpus(), "ＦＵＬＬＷＩＤＴＨ ａｂｃ １２３", "𝐁𝐨𝐥𝐝 ﬁne ℌ𝔢𝔩𝔩𝔬", "LOUD CAPITALS"]
    assert [pieces.processor.encode(t) for t in texts] == [whole.encode(t) for t in texts]
    # A script the pieces never saw is left as typed: byte pieces either way.
    assert pieces.processor.encode("ΣΑΣ") != whole.encode("ΣΑΣ")


def _mediapipe_scores(model: bytes, texts: list[str]) -> np.ndarray:
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.text import text_classifier

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.tflite")
        with open(path, "wb") as stream:
            stream.write(model)
        options = text_classifier.TextClassifierOptions(
            base_options=BaseOptions(model_asset_path=path), max_results=-1
        )
        rows = []
        with text_classifier.TextClassifier.create_from_options(options) as classifier:
            for text in texts:
                categories = classifier.classify(text).classifications[0].categories
                row = np.zeros(len(categories), np.float32)
                for category in categories:
                    row[category.index] = category.score
                rows.append(row)
    return np.stack(rows)


def _probe(pieces: Pieces) -> bytes:
    """A phone file whose scores are its inputs: ids, then mask, then segment ids."""
    import tensorflow as tf

    from sentigru.exporters.graph import INPUT_NAMES
    from sentigru.exporters.phone import order_inputs
    from sentigru.exporters.tflite import convert
    from sentigru.modelfile import write_metadata

    specs = [tf.TensorSpec([1, SEQ_LEN], tf.int32, name=n) for n in INPUT_NAMES[3]]

    @tf.function(input_signature=specs)
    def echo(ids: tf.Tensor, mask: tf.Tensor, segment_ids: tf.Tensor) -> tf.Tensor:
        return tf.cast(tf.concat([ids, mask * 1, segment_ids + 0], axis=1), tf.float32)

    model = order_inputs(convert(echo.get_concrete_function(), "none"), INPUT_NAMES[3])
    return write_metadata(
        model,
        sentencepiece=pieces.to_bytes(),
        labels=[f"p{k}" for k in range(3 * SEQ_LEN)],
        name="probe",
        description="Echoes ids, mask and segment ids",
        version="probe",
    )


def _floored() -> Pieces:
    """Pieces learnt with a floor (``--min-count``) that removes some from the model, its
    ids renumbered: the file MediaPipe reads must segment as Python does all the same."""
    pieces = Pieces.train(corpus()[:150] + parity_texts(), 600, seed=0, min_count=10)
    assert pieces.tally[1] > 0
    return pieces


@pytest.mark.parametrize("floor", [False, True], ids=["pieces", "rare pieces left out"])
def test_mediapipe_feeds_the_ids_mask_and_segments_sentigru_computes(
    pieces: Pieces, floor: bool
) -> None:
    pytest.importorskip("mediapipe")
    pytest.importorskip("tensorflow")
    from sentigru.pieces import phone_inputs

    pieces = _floored() if floor else pieces
    texts = [*parity_texts(), *QUOTED]
    assert len(texts) >= 300
    ids = SentencePieceTokenizer(pieces, SEQ_LEN).encode(texts)
    ours = np.concatenate(phone_inputs(ids, 3), axis=1)
    theirs = np.rint(_mediapipe_scores(_probe(pieces), texts)).astype(np.int32)
    mismatched = [t for t, a, b in zip(texts, ours, theirs) if not np.array_equal(a, b)]
    assert not mismatched, mismatched[:5]


def test_mediapipe_gives_sentigru_scores_on_a_trained_model(pieces: Pieces) -> None:
    pytest.importorskip("mediapipe")
    pytest.importorskip("tensorflow")
    from probe_model import small_sentencepiece_file

    from sentigru.predictor import LiteRTPredictor

    texts = parity_texts()
    content, model, ids = small_sentencepiece_file(pieces, texts, SEQ_LEN, 16)
    lite = LiteRTPredictor(content).scores(texts)
    theirs = _mediapipe_scores(content, texts)
    assert np.abs(lite - theirs).max() < 1e-6
    unread = SentencePieceTokenizer(pieces, SEQ_LEN).count_known(ids) == 0
    assert 0 < unread.sum() < len(texts) / 4  # empty text, punctuation alone
    assert (lite.argmax(1) == theirs.argmax(1))[~unread].all()  # ties: no order to keep
    assert ((theirs == np.float32(1 / 3)).all(axis=1) == unread).all()  # "no answer"
    keras_scores = model.predict(ids, verbose=0)
    keras_scores[unread] = np.float32(1 / 3)  # as every runtime answers them
    assert np.abs(keras_scores - lite).max() < 0.05  # dynamic-range weights only
