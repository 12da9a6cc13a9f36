"""tensorflow-datasets as a source: ``--dataset imdb_reviews`` and friends.

Only prepared copies are read (or, in tests, what ``tfds.testing.mock_data`` makes up).
Downloading needs the network, and without one tfds spends minutes in retries before it
fails; so a dataset that is not prepared in ``data_dir`` is a one-line error that says
what to do instead.
"""

from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path
from typing import Any

from sentigru.data.examples import Examples
from sentigru.errors import SentigruError
from sentigru.limits import one_line


def _pick_features(features: object, name: str) -> tuple[str, str, list[str]]:
    """The text feature's key, the class-label feature's key and the label names."""
    import tensorflow_datasets as tfds

    text_key = label_key = None
    names: list[str] = []
    for key, feature in features.items():  # type: ignore[attr-defined]
        if text_key is None and isinstance(feature, tfds.features.Text):
            text_key = key
        elif label_key is None and isinstance(feature, tfds.features.ClassLabel):
            label_key, names = key, list(feature.names)
    if text_key is None or label_key is None:
        raise SentigruError(
            f"dataset {name!r} has no text feature with a class label; sentigru needs one of each"
        )
    return text_key, label_key, names


def load_tfds(name: str, split: str = "train", data_dir: Path | None = None) -> Examples:
    """Read ``split`` of the prepared tfds dataset ``name`` into :class:`Examples`."""
    from sentigru.tf_quiet import import_tensorflow

    import_tensorflow()
    import tensorflow_datasets as tfds

    absl = logging.getLogger("absl")  # its warnings about missing folders say what we say
    level = absl.level
    absl.setLevel(logging.ERROR)
    try:
        builder = tfds.builder(name, data_dir=str(data_dir) if data_dir else None)
    except Exception as exc:  # tfds raises several kinds for an unknown name
        raise SentigruError(_unknown_dataset(name, exc, tfds)) from None
    finally:
        absl.setLevel(level)
    text_key, label_key, names = _pick_features(builder.info.features, name)
    try:  # reads only what is prepared (or what tfds.testing.mock_data makes up)
        dataset = builder.as_dataset(split=split)
    except Exception as exc:  # not prepared, or an unknown split name
        absl.setLevel(logging.ERROR)
        try:
            prepared = builder.is_prepared()
        finally:
            absl.setLevel(level)
        if not prepared:
            where = (
                data_dir
                or os.environ.get("TFDS_DATA_DIR")
                or ("the default tfds folder (~/tensorflow_datasets)")
            )
            raise SentigruError(
                f"tfds dataset {name!r} is not prepared in {where}; sentigru does not "
                "download. Prepare it where there is network and pass --data-dir, or use "
                "--data FILE"
            ) from None
        raise SentigruError(f"tfds dataset {name!r}: {one_line(exc)}") from None
    examples = Examples()
    for record in dataset.as_numpy_iterator():
        label = int(record[label_key])
        if label < 0:  # unlabelled rows (GLUE test splits use -1)
            continue
        examples.texts.append(record[text_key].decode("utf-8", "replace"))
        examples.labels.append(names[label] if names else str(label))
    if not examples.texts:
        raise SentigruError(f"tfds dataset {name!r} split {split!r} has no labelled examples")
    return examples


def _unknown_dataset(name: str, exc: Exception, tfds: Any) -> str:
    """Why ``name`` names no dataset; for a misspelt one, the names it is close to
    (tfds' own message lists all 1,000 or so)."""
    if type(exc).__name__ != "DatasetNotFoundError":
        return f"unknown tfds dataset {name!r}: {one_line(exc)}"
    try:
        known = tfds.list_builders()
    except Exception:  # the list is a help, not the error
        known = []
    bare = name.split("/")[0].split(":")[0]
    close = difflib.get_close_matches(bare, known, 3)
    hint = f" ({', '.join(close)}?)" if close else ""
    return f"unknown tfds dataset {name!r}{hint}; tfds.list_builders() names them all"
