"""``--class-weight balanced``: on imbalanced data each label weighs alike in the loss,
so the rare label is learnt instead of drowned by the commonest."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from conftest import FILLER, NEGATIVE, POSITIVE, write_tsv

from sentigru.spec import Spec

BALANCED = Spec().replace(training={"class_weight": "balanced"})


def test_balanced_weights_give_every_label_the_same_share_of_the_loss() -> None:
    from sentigru.train_data import class_weights

    counts = {"negative": 10, "positive": 90}
    weights = class_weights(counts, ["negative", "positive"], BALANCED)
    assert weights == pytest.approx([5.0, 100 / 180])
    shares = [w * counts[label] for w, label in zip(weights, ["negative", "positive"])]
    assert shares == pytest.approx([50.0, 50.0])  # each label: half of the 100 rows' weight
    assert class_weights(counts, ["negative", "positive"], Spec()) is None
    # a label of a starting model that the data lacks has no rows to weigh
    three = class_weights(counts, ["negative", "neutral", "positive"], BALANCED)
    assert three == pytest.approx([5.0, 1.0, 100 / 180])


def _imbalanced(positive: int, negative: int, seed: int) -> list[tuple[str, str]]:
    """Short reviews whose cue word says the label, two in five with a cue of the other
    label too: learnable, but on 19 to 1 data a model that says ``positive`` to all
    scores 95 %."""
    rng = random.Random(seed)
    rows = []
    for label, count in (("positive", positive), ("negative", negative)):
        cue, other = (POSITIVE, NEGATIVE) if label == "positive" else (NEGATIVE, POSITIVE)
        for _ in range(count):
            words = [rng.choice(FILLER) for _ in range(rng.randint(4, 20))]
            words.insert(rng.randrange(len(words) + 1), rng.choice(cue))
            if rng.random() < 0.4:
                words.insert(rng.randrange(len(words) + 1), rng.choice(other))
            rows.append((label, " ".join(words)))
    rng.shuffle(rows)
    return rows


@pytest.mark.parametrize("stream", [False, True])
def test_each_training_and_validation_row_carries_its_labels_weight(
    tmp_path: Path, stream: bool
) -> None:
    import tensorflow as tf

    from sentigru.data import DataSource
    from sentigru.train_data import prepare_source

    data = write_tsv(tmp_path / "train.tsv", _imbalanced(90, 30, seed=1))
    spec = BALANCED.replace(training={"stream": stream, "val_split": 0.25})
    prepared = prepare_source(DataSource.of(data), spec)
    counts, total = prepared.counts, sum(prepared.counts.values())
    expected = {i: total / 2 / counts[label] for i, label in enumerate(prepared.labels)}
    assert expected[prepared.labels.index("negative")] > 1.8  # the rare label weighs more
    for part in ("train", "val"):
        seen = 0
        epoch = tf.Variable(0, dtype=tf.int64)
        for _, targets, weights in prepared.pipelines(part, epoch, 8, (0, 1)):
            labels = np.argmax(targets.numpy(), axis=1)
            assert weights.numpy() == pytest.approx([expected[x] for x in labels])
            seen += len(labels)
        assert seen == (prepared.train_rows if part == "train" else prepared.val_rows)
    plain = prepare_source(DataSource.of(data), Spec().replace(training={"stream": stream}))
    batch = next(iter(plain.pipelines("train", tf.Variable(0, dtype=tf.int64), 8, (0, 1))))
    assert len(batch) == 2  # no weights: Keras and the workers' loop see (ids, targets)


def test_a_teachers_soft_scores_weigh_as_the_mean_of_their_labels_weights() -> None:
    from sentigru.pipeline import make_dataset

    targets = np.array([[0.0, 1.0], [0.25, 0.75], [1.0, 0.0]], np.float32)
    dataset = make_dataset(
        [[1, 5], [1, 6, 7], [1, 8]],
        targets,
        batch_size=4,
        seq_len=8,
        seed=0,
        class_weights=[3.0, 0.6],
    )
    weights = {
        tuple(t): w for _, ts, ws in dataset for t, w in zip(ts.numpy().tolist(), ws.numpy())
    }
    assert weights[(0.25, 0.75)] == pytest.approx(0.25 * 3.0 + 0.75 * 0.6)
    assert weights[(1.0, 0.0)] == pytest.approx(3.0)


def _recalls(model: object, rows: list[tuple[str, str]]) -> dict[str, float]:
    answers = model.predict([text for _, text in rows])  # type: ignore[attr-defined]
    hits: dict[str, list[bool]] = {}
    for (label, _), answer in zip(rows, answers):
        hits.setdefault(label, []).append(answer["label"] == label)
    return {label: float(np.mean(h)) for label, h in hits.items()}


SMALL = {
    "epochs": 6,
    "min_steps": 0,
    "seed": 7,
    "units": 8,
    "embed_dim": 8,
    "seq_len": 64,
    "learning_rate": 0.01,
    "lr_schedule": "constant",
    "label_smoothing": 0.0,
    "average_epochs": 0,
    "bigram_buckets": 0,
    "word_init": "random",
}


@pytest.mark.parametrize("strategy", ["one", pytest.param("mirrored", marks=pytest.mark.e2e)])
def test_balanced_weights_learn_the_rare_label_the_plain_loss_drowns(
    tmp_path: Path, strategy: str
) -> None:
    """19 positive rows to 1 negative: the plain loss is lowest saying ``positive`` to
    everything (no negative review found); weighed, the model finds most of them."""
    import sentigru

    train = _imbalanced(570, 30, seed=1)
    test = _imbalanced(200, 200, seed=2)
    recalls, heard = {}, {}
    for weight in ("none", "balanced"):
        heard[weight] = lines = []
        model = sentigru.train(
            ([t for _, t in train], [label for label, _ in train]),
            tmp_path / weight,
            class_weight=weight,
            strategy=strategy,
            phone_file=False,
            log=lines.append,
            verbose=0,
            **SMALL,
        )
        recalls[weight] = _recalls(model, test)
    # The plain loss's model answers "positive" to every validation row, and is told so
    # (its accuracy, the commonest label's share, reads as learnt).
    never = [line for line in heard["none"] if "never answered 'negative'" in line]
    assert len(never) == 1 and "--class-weight balanced" in never[0], heard["none"]
    assert not any("never answered" in line for line in heard["balanced"])
    assert recalls["none"]["negative"] < 0.2, recalls
    assert recalls["balanced"]["negative"] > recalls["none"]["negative"] + 0.3, recalls
    assert recalls["balanced"]["positive"] > 0.6, recalls


def test_a_label_never_answered_is_told_the_fix_its_share_calls_for() -> None:
    """A model that never answers a label common in its data is undertrained, and was
    told to weigh rare labels up; a rare one is told so."""
    import numpy as np

    from sentigru.training_notes import note_unanswered

    heard: list[str] = []
    note_unanswered(["negative", "positive"], np.array([[0, 14], [0, 20]]), False, heard.append)
    assert "never answered 'negative' (14 rows)" in heard[0]
    assert "not a rare label" in heard[0] and "--class-weight" not in heard[0]
    heard.clear()
    note_unanswered(["negative", "positive"], np.array([[0, 2], [0, 30]]), False, heard.append)
    assert "--class-weight balanced" in heard[0]
    heard.clear()  # 35/65: one label holds most rows, as the majority note counts it
    note_unanswered(["negative", "positive"], np.array([[0, 35], [0, 65]]), False, heard.append)
    assert "--class-weight balanced" in heard[0]
    heard.clear()
    note_unanswered(["negative", "positive"], np.array([[0, 2], [0, 30]]), True, heard.append)
    assert "--class-weight" not in heard[0] and "not a rare label" not in heard[0]
    heard.clear()  # ten star labels, five never answered: all counted, not three alone
    stars, answers = [str(n) for n in range(1, 11)], np.zeros((10, 10), int)
    answers[:5, 9], answers[5:, 5:] = 1, np.eye(5, dtype=int) * 9
    note_unanswered(stars, answers, True, heard.append)
    assert "'1' (1 row), '2' (1 row), '3' (1 row) and 2 more labels: their" in heard[0]
