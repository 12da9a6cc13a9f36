"""A "probe" model that shows which token ids MediaPipe feeds a sentigru model.

MediaPipe's TextClassifier tokenizes in C++ (RE2 regex tokenizer from the model
metadata), so the ids it computes are not observable directly. The probe makes them
observable: its output is its input, ``float32 [1, L] = cast(int32 [1, L] ids)``, and its
labels are ``p0 .. p{L-1}``, so the score of category ``k`` is the id at position ``k``.
Parity tests compare those ids with sentigru's Python tokenizer.

Building the probe needs TensorFlow (the converter); running it needs MediaPipe, a
test-only dependency.
"""

from __future__ import annotations

import os
import tempfile

from sentigru.modelfile import write_metadata

__all__ = ["build_probe_tflite", "mediapipe_ids", "small_sentencepiece_file"]


def build_probe_tflite(
    seq_len: int, vocab: list[str], aliases: tuple[tuple[str, int], ...] = ()
) -> bytes:
    """Return a ``.tflite`` whose output echoes its ``int32 [1, seq_len]`` input ids.

    The model carries sentigru's metadata (via :func:`write_metadata`, so the probe also
    exercises the writer) with ``vocab`` and the labels ``p0 .. p{seq_len-1}``. Ids are
    exact as float32 up to 2**24, far above any vocabulary size.
    """
    if seq_len < 1:
        raise ValueError(f"seq_len must be positive, got {seq_len}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Imported here: TensorFlow is heavy and only building the probe needs it.
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([1, seq_len], tf.int32, name="input_ids")])
    def echo(ids: tf.Tensor) -> tf.Tensor:
        return tf.cast(ids, tf.float32)

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [echo.get_concrete_function()], echo
    )
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    plain = converter.convert()
    return write_metadata(
        plain,
        vocab=vocab,
        aliases=aliases,
        labels=[f"p{k}" for k in range(seq_len)],
        name="sentigru-probe",
        description="Echoes its input ids as scores: category pK = id at position K.",
        version="probe",
    )


def mediapipe_ids(tflite_bytes: bytes, texts: list[str], seq_len: int) -> list[list[int]]:
    """Run the real MediaPipe TextClassifier on ``texts``; return the ids it fed the model.

    The classifier is created from a file path rather than ``model_asset_buffer``: both
    work, but a path keeps the bytes out of the options struct and matches how apps
    ship models. ``max_results=-1`` returns every category; the ids are read back by
    category index (not name), so duplicated scores cannot confuse the mapping.

    MediaPipe passes the text to C++ as a NUL-terminated UTF-8 string, so it sees only
    the part before the first ``"\\x00"``, and a lone surrogate raises
    ``UnicodeEncodeError`` before reaching the model.
    """
    # Imported here: importing MediaPipe also imports TensorFlow when it is installed.
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.text import text_classifier

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.tflite")
        with open(path, "wb") as f:
            f.write(tflite_bytes)
        options = text_classifier.TextClassifierOptions(
            base_options=BaseOptions(model_asset_path=path), max_results=-1
        )
        rows: list[list[int]] = []
        with text_classifier.TextClassifier.create_from_options(options) as classifier:
            for text in texts:
                result = classifier.classify(text)
                ids = [0] * seq_len
                for category in result.classifications[0].categories:
                    ids[category.index] = round(category.score)
                rows.append(ids)
    return rows


def small_sentencepiece_file(pieces, texts: list[str], seq_len: int, chunk_len: int):  # type: ignore[no-untyped-def]
    """A small trained SentencePiece phone file (three int32 inputs, three labels) made
    from ``pieces``: two epochs on ``texts`` with labels by position, so its scores are
    far from uniform. Returns the file's bytes, the Keras model and its input ids.
    Needs TensorFlow."""
    from types import SimpleNamespace

    import keras
    import numpy as np

    from sentigru.exporters.phone import build_tflite
    from sentigru.model import build_model
    from sentigru.pieces import SentencePieceTokenizer
    from sentigru.spec import Spec

    spec = Spec().replace(
        tokenizer={"tokenizer": "sentencepiece", "seq_len": seq_len, "vocab_size": len(pieces)},
        model={"units": 8, "embed_dim": 8, "chunk_len": chunk_len, "bigram_buckets": 256},
    )
    keras.utils.set_random_seed(0)
    model = build_model(spec.model, len(pieces), 3)
    ids = SentencePieceTokenizer(pieces, seq_len).encode(texts)
    targets = np.eye(3, dtype=np.float32)[np.arange(len(texts)) % 3]
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(ids, targets, epochs=2, batch_size=64, verbose=0)
    folder = SimpleNamespace(model=model, spec=spec, vocab=pieces, labels=["neg", "mid", "pos"])
    return build_tflite(folder, quantize="dynamic", runtime="mediapipe"), model, ids
