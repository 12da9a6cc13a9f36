"""The Python API: everything the ``sentigru`` command does, one call each.

::

    import sentigru

    clf = sentigru.load()                       # the bundled model
    clf.predict(["A wonderful film.", "Cold food, rude staff."])
    # [{"label": "positive", "score": 0.90, "scores": [...], "known_tokens": 3, ...}, ...]

    mine = sentigru.train("reviews.tsv", "runs/mine", epochs=8)  # settings: spec fields
    mine.evaluate("reviews_test.tsv")           # accuracy, precision, recall, F1, confusion
    mine.export("site", format="web")           # or "tflite", "saved_model"

``load`` and ``predict`` on a ``.tflite`` (or on a model folder that holds its phone
file, as every folder ``train`` writes does) never import TensorFlow.

One module per call: :mod:`sentigru.classifier` (``load``, ``Classifier``),
:mod:`sentigru.train_api` (``train``, ``build_spec``) and :mod:`sentigru.export_api`
(``export``); this module gathers them.
"""

from __future__ import annotations

from sentigru.classifier import Classifier, load, read_file_texts
from sentigru.classifier import _load_again as _load_again  # named so by older pickles
from sentigru.export_api import FORMATS, export
from sentigru.train_api import build_spec, train

__all__ = ["FORMATS", "Classifier", "build_spec", "export", "load", "read_file_texts", "train"]
