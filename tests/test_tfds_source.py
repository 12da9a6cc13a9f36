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


_PREPARED: list[type] = []


def _prepared(tmp_path, labels=(0, 1, 1, 0, -1, -1)):  # type: ignore[no-untyped-def]
    """A tiny dataset prepared offline in ``tmp_path`` (no download: its rows are made
    here), with -1 rows as GLUE's test splits have; the name is registered in this
    process, which the in-process calls below use."""
    import tensorflow_datasets as tfds

    class TinyReviews(tfds.core.GeneratorBasedBuilder, skip_registration=True):
        VERSION = tfds.core.Version("1.0.0")

        def _info(self):  # type: ignore[no-untyped-def]
            return tfds.core.DatasetInfo(
                builder=self,
                features=tfds.features.FeaturesDict(
                    {
                        "text": tfds.features.Text(),
                        "label": tfds.features.ClassLabel(names=["1", "2"]),
                    }
                ),
            )

        def _split_generators(self, dl_manager):  # type: ignore[no-untyped-def]
            return {"train": self._generate_examples()}

        def _generate_examples(self):  # type: ignore[no-untyped-def]
            for i, label in enumerate(labels):
                yield i, {"text": f"review number {i}", "label": label}

    # registered under a name of its own for each call (tfds refuses a name twice)
    _PREPARED.append(type(f"SentigruTinyReviews{len(_PREPARED)}", (TinyReviews,), {}))
    builder = _PREPARED[-1](data_dir=str(tmp_path))
    builder.download_and_prepare()
    return builder.name, tmp_path


def test_a_damaged_prepared_copy_is_one_line(tmp_path) -> None:
    """A copy with a shard cut short (an interrupted copy) passed tfds' checks, which read
    lazily, and failed mid-read with 64 lines of TensorFlow's traceback."""
    from sentigru.data.tfds_source import load_tfds

    name, folder = _prepared(tmp_path)
    assert len(load_tfds(name, "train", folder)) == 4
    for shard in folder.rglob("*.tfrecord*"):
        shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])
    with pytest.raises(SentigruError, match="incomplete or damaged; prepare or copy") as caught:
        load_tfds(name, "train", folder)
    assert "\n" not in str(caught.value) and "{{" not in str(caught.value)


def test_unlabelled_rows_are_counted_and_a_label_map_is_checked_as_a_files(
    tmp_path, capsys
) -> None:
    """Rows labelled -1 were dropped without a word; a --label-map written for tfds'
    integers (0=negative) rather than its names (1, 2) trained on, silently half
    renamed. Both are noted, as for a file."""
    from sentigru.data.files import ReadOptions
    from sentigru.data.sources import load_sources

    name, folder = _prepared(tmp_path)
    options = ReadOptions(label_map={"0": "negative", "1": "positive"})
    examples = load_sources(dataset=name, split="train", data_dir=folder, options=options)
    assert sorted(set(examples.labels)) == ["2", "positive"]
    err = capsys.readouterr().err
    assert "skipped 2 unlabelled row(s)" in err
    assert "--label-map names 0, which no row has (the dataset's labels: 1, 2)" in err
    assert "leaves 2 as written" in err


def test_a_split_without_labels_and_a_config_typo_name_the_fix(tmp_path) -> None:
    from sentigru.data.tfds_source import load_tfds

    name, folder = _prepared(tmp_path, labels=(-1, -1))
    with pytest.raises(SentigruError, match=r"no labelled examples .*its splits: train"):
        load_tfds(name, "train", folder)
    with pytest.raises(SentigruError, match=r"glue has no config 'sst3' .*glue/sst2"):
        load_tfds("glue/sst3", "train", tmp_path)
    with pytest.raises(SentigruError, match="sentigru does not download; save the rows"):
        load_tfds("huggingface:imdb", "train", tmp_path)


def test_preparing_a_dataset_works_in_the_train_install() -> None:
    """data/README's preparing step failed before any download: tensorflow-datasets
    imports importlib_resources there but declares it for old Pythons only (the train
    extra now brings it)."""
    assert tfds.builder("imdb_reviews").code_path.name.endswith(".py")


def test_stream_with_a_tfds_set_is_refused_in_the_callers_words(tmp_path) -> None:
    import sentigru

    with pytest.raises(SentigruError, match=r"--stream \(stream=\) reads files .*\(dataset=\)"):
        sentigru.train(None, tmp_path / "m", dataset="imdb_reviews", stream=True)
    assert not (tmp_path / "m").exists()
