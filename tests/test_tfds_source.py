"""The tfds path: read with mocked data, and fail fast when a dataset is not prepared."""

from __future__ import annotations

import numpy as np
import pytest

from sentigru.errors import SentigruError

tfds = pytest.importorskip("tensorflow_datasets")


def test_reads_text_and_class_names_from_mock_data(tmp_path) -> None:
    from sentigru.data.tfds_source import load_tfds

    with tfds.testing.mock_data(num_examples=12):  # as a user's own tests mock it
        examples = load_tfds("imdb_reviews", "train", tmp_path)
    assert len(examples) == 12
    assert all(isinstance(t, str) for t in examples.texts)
    assert set(examples.labels) <= {"neg", "pos"}


def test_glue_sst2_text_feature_is_found(tmp_path) -> None:
    from sentigru.data.tfds_source import load_tfds

    with tfds.testing.mock_data(num_examples=5):
        examples = load_tfds("glue/sst2", "validation", tmp_path)
    assert set(examples.labels) <= {"negative", "positive"}


def test_unprepared_dataset_fails_fast_with_advice(tmp_path) -> None:
    from sentigru.data.tfds_source import load_tfds

    with pytest.raises(SentigruError, match="not prepared.*--data FILE"):
        load_tfds("imdb_reviews", "train", tmp_path)


def test_unknown_dataset(tmp_path) -> None:
    from sentigru.data.tfds_source import load_tfds

    with pytest.raises(SentigruError, match="unknown tfds dataset") as caught:
        load_tfds("no_such_dataset_xyz", "train", tmp_path)
    assert "abstract_reasoning" not in str(caught.value)  # not tfds' list of them all
    with pytest.raises(SentigruError, match=r"'imdb_reveiws' \(imdb_reviews"):
        load_tfds("imdb_reveiws", "train", tmp_path)  # a typo gets the name it is close to


def test_the_folder_tfds_looked_in_is_named(tmp_path, monkeypatch, capsys) -> None:
    """With TFDS_DATA_DIR set, that folder is where tfds looked, and the error says so,
    in one line and without absl's warnings before it."""
    from sentigru.data.tfds_source import load_tfds

    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path))
    with pytest.raises(SentigruError, match=f"not prepared in {tmp_path}"):
        load_tfds("imdb_reviews", "train")
    assert "Variant folder" not in capsys.readouterr().err


def test_the_text_and_label_features_are_the_users_to_choose(tmp_path) -> None:
    """--text-column and --label-column were ignored with --dataset: the first text
    feature was read, and for a set read from its files the first one could change
    from one process to the next (a run trained on another feature than it evaluated
    on). They now choose; a set with several text features asks which."""
    from sentigru.data.tfds_source import _pick_features, load_tfds

    with tfds.testing.mock_data(num_examples=6):  # title and description
        with pytest.raises(SentigruError, match=r"2 text features \(description, title\)"):
            load_tfds("ag_news_subset", "train", tmp_path)
        chosen = load_tfds("ag_news_subset", "train", tmp_path, text_column="description")
        assert len(chosen) == 6
        with pytest.raises(SentigruError, match="has no feature 'body'"):
            load_tfds("imdb_reviews", "train", tmp_path, text_column="body")
    features = {
        "review": tfds.features.Text(),
        "stars": tfds.features.ClassLabel(names=["bad", "good"]),
        "id": tfds.features.Tensor(shape=(), dtype=np.int64),
    }
    assert _pick_features(features, "mine") == ("review", "stars", ["bad", "good"])
    with pytest.raises(SentigruError, match="feature 'id' is not a class-label feature"):
        _pick_features(features, "mine", label_column="id")
    features.pop("stars")
    with pytest.raises(SentigruError, match=r"no class-label feature \(its features: id, review"):
        _pick_features(features, "mine")


def test_file_reading_options_beside_a_tfds_set_are_refused() -> None:
    """tfds decodes and checks its own rows: ``--encoding`` and ``--skip-bad-rows`` with
    ``--dataset`` were taken and did nothing."""
    from sentigru.data import DataSource, ReadOptions
    from sentigru.data.sources import refuse_unused_reading

    for options in (ReadOptions(encoding="latin-1"), ReadOptions(skip_bad_rows=True)):
        source = DataSource(dataset="imdb_reviews", options=options)
        with pytest.raises(SentigruError, match="--dataset reads a tensorflow-datasets set"):
            refuse_unused_reading(source)
        refuse_unused_reading(source, files_too=True)  # --val-data files read them
    mapped = ReadOptions(label_map={"0": "negative"}, encoding="UTF8")  # both used or default
    refuse_unused_reading(DataSource(dataset="imdb_reviews", options=mapped))
