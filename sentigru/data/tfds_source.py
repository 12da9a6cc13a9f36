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
import re
from pathlib import Path
from typing import Any

from sentigru.data.examples import Examples
from sentigru.data.files import label_name
from sentigru.errors import SentigruError
from sentigru.limits import note, one_line


def _pick_features(
    features: object, name: str, text_column: str = "text", label_column: str = "label"
) -> tuple[str, str, list[str]]:
    """The text feature's key, the class-label feature's key and the label names: the
    features named ``text_column`` and ``label_column``, or, where the set has no
    feature of that name and the name is the default, its only feature of the kind. A
    set with several leaves the choice to the user: the order tfds lists them in may
    change between processes (a set read from its files), so the first was not always
    the same feature."""
    import tensorflow_datasets as tfds

    found = dict(features.items())  # type: ignore[attr-defined]
    texts = sorted(k for k, f in found.items() if isinstance(f, tfds.features.Text))
    labels = sorted(k for k, f in found.items() if isinstance(f, tfds.features.ClassLabel))
    text_key = _one_feature(name, found, texts, text_column, "text", "--text-column")
    label_key = _one_feature(name, found, labels, label_column, "label", "--label-column")
    return text_key, label_key, list(found[label_key].names)


def _one_feature(
    name: str, found: dict, kind: list[str], given: str, default: str, option: str
) -> str:
    what = "text" if option == "--text-column" else "class-label"
    if given in kind:
        return given
    listed = ", ".join(sorted(found)) or "none"
    if given in found:
        raise SentigruError(f"dataset {name!r}: feature {given!r} is not a {what} feature")
    if given != default:
        raise SentigruError(f"dataset {name!r} has no feature {given!r} (its features: {listed})")
    if len(kind) == 1:
        return kind[0]
    if not kind:
        raise SentigruError(
            f"dataset {name!r} has no {what} feature (its features: {listed}); sentigru "
            "needs a text feature and a class label"
        )
    raise SentigruError(
        f"dataset {name!r} has {len(kind)} {what} features ({', '.join(kind)}): choose one "
        f"with {option}"
    )


def load_tfds(
    name: str,
    split: str = "train",
    data_dir: Path | None = None,
    text_column: str = "text",
    label_column: str = "label",
) -> Examples:
    """Read ``split`` of the prepared tfds dataset ``name`` into :class:`Examples`: the
    features ``text_column`` and ``label_column`` (see :func:`_pick_features`)."""
    from sentigru.tf_quiet import import_tensorflow

    import_tensorflow()
    import tensorflow_datasets as tfds

    _refuse_community(name)
    absl = logging.getLogger("absl")  # its warnings about missing folders say what we say
    level = absl.level
    absl.setLevel(logging.ERROR)
    try:
        builder = tfds.builder(name, data_dir=str(data_dir) if data_dir else None)
    except Exception as exc:  # tfds raises several kinds for an unknown name
        raise SentigruError(_unknown_dataset(name, exc, tfds)) from None
    finally:
        absl.setLevel(level)
    text_key, label_key, names = _pick_features(
        builder.info.features, name, text_column, label_column
    )
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
                f"download. Prepare it where there is network and pass --data-dir, or use "
                f"--data FILE{_too_deep(data_dir, name)}"
            ) from None
        raise SentigruError(f"tfds dataset {name!r}: {one_line(exc)}") from None
    examples, unlabelled = _read_records(dataset, name, split, text_key, label_key, names)
    splits = ", ".join(sorted(builder.info.splits)) or "none listed"
    if not examples.texts:
        raise SentigruError(
            f"tfds dataset {name!r} split {split!r} has no labelled examples (benchmarks "
            f"such as GLUE hold back their test labels; its splits: {splits}: --split)"
        )
    if unlabelled:
        note(f"{name}: skipped {unlabelled} unlabelled row(s) of {split!r} (label -1)")
    return examples


def _read_records(
    dataset: Any, name: str, split: str, text_key: str, label_key: str, names: list[str]
) -> tuple[Examples, int]:
    """The labelled rows of ``dataset`` and how many had none (label -1, as GLUE's test
    splits). tfds reads its files as it goes: a prepared copy with a shard missing or
    cut short fails here, with TensorFlow's traceback unless caught."""
    examples = Examples()
    unlabelled = 0
    try:
        for record in dataset.as_numpy_iterator():
            label = int(record[label_key])
            if label < 0:
                unlabelled += 1
                continue
            examples.texts.append(record[text_key].decode("utf-8", "replace"))
            examples.labels.append(label_name(names[label]) if names else str(label))
    except Exception as exc:  # tf.errors.NotFoundError, DataLossError: files gone or cut
        if not type(exc).__module__.startswith("tensorflow"):
            raise
        said = re.sub(r"\{\{.*?\}\}\s*|\s*\[Op:\w+\].*", "", str(exc))  # TF's node names
        raise SentigruError(
            f"tfds dataset {name!r} split {split!r} cannot be read ({one_line(said, 200)}): "
            "its prepared copy is incomplete or damaged; prepare or copy it again"
        ) from None
    return examples, unlabelled


COMMUNITY = ("huggingface", "kaggle")
"""tfds' community namespaces (``huggingface:imdb``): their builders download when read."""


def _refuse_community(name: str) -> None:
    """A community dataset is refused before tfds tries it (it printed its own banner on
    stdout, into ``--json`` output, before a missing module's error)."""
    namespace = name.split(":", 1)[0] if ":" in name.split("/")[0] else ""
    if namespace in COMMUNITY:
        raise SentigruError(
            f"tfds dataset {name!r}: {namespace} datasets are downloaded when read, and "
            "sentigru does not download; save the rows to a file and use --data FILE"
        )


def _too_deep(data_dir: Path | None, name: str) -> str:
    """A hint where ``--data-dir`` names the dataset's own folder (or one inside it),
    not the folder that holds the datasets."""
    if data_dir is None:
        return ""
    bare = name.split("/")[0].split(":")[0]
    parts = Path(data_dir).parts
    if bare not in parts:
        parts = Path(data_dir).resolve().parts  # a relative folder inside it (.)
    if bare in parts:
        above = Path(*parts[: parts.index(bare)])
        return f" ({data_dir} is inside the dataset's own folder: give --data-dir {above})"
    return ""


def _unknown_dataset(name: str, exc: Exception, tfds: Any) -> str:
    """Why ``name`` names no dataset; for a misspelt one, the names it is close to
    (tfds' own message lists all 1,000 or so)."""
    if type(exc).__name__ != "DatasetNotFoundError":
        # tfds' own message for a config typo ends in a list of close names, often empty
        typo = _config_typo(name, tfds) if "BuilderConfig" in str(exc) else ""
        return f"unknown tfds dataset {name!r}: {typo or one_line(exc)}"
    try:
        known = tfds.list_builders()
    except Exception:  # the list is a help, not the error
        known = []
    bare = name.split("/")[0].split(":")[0]
    close = difflib.get_close_matches(bare, known, 3)
    hint = f" ({', '.join(close)}?)" if close else ""
    return f"unknown tfds dataset {name!r}{hint}; tfds.list_builders() names them all"


def _config_typo(name: str, tfds: Any) -> str:
    """For ``name`` with a config the dataset lacks (``glue/sst3``), what it lacks and
    the configs it has ("" where they cannot be listed)."""
    bare, _, config = name.split(":")[0].partition("/")
    if not config:
        return ""
    try:
        configs = [c.name for c in tfds.builder_cls(bare).builder_configs.values()]
    except Exception:  # no such dataset, or one without configs: nothing to add
        return ""
    close = difflib.get_close_matches(config, configs, 3, 0.5) or configs[:6]
    if not close:
        return ""
    shown = ", ".join(f"{bare}/{c}" for c in close)
    return f"{bare} has no config {config!r} (its configs include {shown})"
