"""A TensorFlow SavedModel that takes raw strings, for TF Serving.

The tokenizer runs inside the graph: TensorFlow's regex ops are RE2, the engine the
phone uses, so ``[^\\w']+`` means exactly what it means on the phone (ASCII ``\\w``).
The ids then go through the same Keras model that ``sentigru predict`` runs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentigru.atomic import replace_path, staging_folder
from sentigru.contract import REGEX_KNOWN_IDS
from sentigru.errors import SentigruError
from sentigru.limits import os_reason_in
from sentigru.model import answer_gate
from sentigru.tf_quiet import import_tensorflow
from sentigru.tokenizer import DELIM_REGEX, START_ID, UNKNOWN_ID

if TYPE_CHECKING:  # TensorFlow's names in annotations (it has no type hints of its own)
    import tensorflow as tf
else:  # sentigru's settings (oneDNN off, quiet logs) wherever TF loads first
    tf = import_tensorflow()


class _Serving(tf.Module):
    def __init__(self, folder: Any) -> None:
        super().__init__()
        if folder.spec.tokenizer.tokenizer != "regex":
            raise SentigruError(
                "--format saved_model runs the regex tokenizer in the graph; a SentencePiece "
                "model exports to tflite (phones, predict) or web"
            )
        self.model = folder.model
        self.seq_len = folder.spec.tokenizer.seq_len
        words, ids = zip(*folder.vocab.entries())  # aliases included
        self.table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(words), tf.constant(ids, dtype=tf.int64)
            ),
            default_value=UNKNOWN_ID,
        )
        self.labels = tf.constant(folder.labels)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="texts")])
    def serve(self, texts: tf.Tensor) -> dict[str, tf.Tensor]:
        # The phone gets the text as a C string: it ends at the first NUL.
        texts = tf.strings.regex_replace(texts, r"(?s)\x00.*", "")
        spaced = tf.strings.regex_replace(texts, DELIM_REGEX, " ")
        words = tf.strings.split(spaced)  # on whitespace, empty pieces dropped
        words = words[:, : self.seq_len - 1]
        ids = tf.cast(tf.ragged.map_flat_values(self.table.lookup, words), tf.int32)
        start = tf.fill([tf.shape(texts)[0], 1], START_ID)
        ids = tf.concat([start, ids], axis=1).to_tensor(0)
        scores = answer_gate(self.model(ids, training=False), ids, REGEX_KNOWN_IDS)
        return {"scores": scores, "label": tf.gather(self.labels, tf.argmax(scores, axis=1))}


def export_saved_model(folder: Any, out: Path) -> None:
    """Write the SavedModel to a temporary folder beside ``out``, then rename it."""
    out = Path(out)
    try:  # TensorFlow encodes paths as UTF-8: one holding other bytes fails deep inside it
        os.fspath(out.absolute()).encode("utf-8")
    except UnicodeEncodeError:
        raise SentigruError(
            f"cannot write {out}: TensorFlow writes only to paths that are UTF-8 text "
            "(a name typed in a terminal not set to UTF-8?); choose another --out"
        ) from None
    module = _Serving(folder)
    staged = staging_folder(out)
    try:
        tf.saved_model.save(module, str(staged), signatures={"serving_default": module.serve})
        replace_path(staged, out, force=True)
    except tf.errors.OpError as exc:  # a full disk, mostly: TensorFlow's message is pages
        shutil.rmtree(staged, ignore_errors=True)
        raise SentigruError(f"cannot write {out}: {os_reason_in(exc.message)}") from None
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
