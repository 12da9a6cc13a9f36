"""Contractions taught as phones type them (``--curly-share``): which texts change, that
the in-memory and streamed paths teach the same, and that validation text is left as
written. None of these needs TensorFlow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import write_tsv

from sentigru.data import Examples
from sentigru.data.apostrophes import CURLY, typed_on_phones
from sentigru.data.stream import StreamSource
from sentigru.errors import SentigruError
from sentigru.spec import Spec
from sentigru.tokenizer import Tokenizer, Vocabulary
from sentigru.train_data import Unlabelled, as_taught, prepare

NEGATED = [f"the {i}th one wasn't good and I didn't like it" for i in range(400)]
PLAIN = [f"the {i}th one was great" for i in range(400)]


def test_only_contractions_typed_by_people_change() -> None:
    assert typed_on_phones("I wasn't happy", 1.0, 3) == f"I wasn{CURLY}t happy"
    assert typed_on_phones("It's fine, don't", 1.0, 3) == f"It{CURLY}s fine, don{CURLY}t"
    # SST-2 writes contractions split (Penn Treebank): nobody types that, so it stays.
    assert typed_on_phones("It is n't good", 1.0, 3) == "It is n't good"
    assert typed_on_phones("the 'quoted' word", 1.0, 3) == "the 'quoted' word"
    assert typed_on_phones("I wasn't happy", 0.0, 3) == "I wasn't happy"
    # Python text may hold a lone surrogate: the seeded draw raised UnicodeEncodeError
    assert typed_on_phones("I wasn't \udcff happy", 1.0, 3) == f"I wasn{CURLY}t \udcff happy"


def test_the_share_is_a_seeded_draw_per_text() -> None:
    curled = {seed: {t for t in NEGATED if typed_on_phones(t, 0.25, seed) != t} for seed in (1, 2)}
    assert all(0.18 * 400 < len(chosen) < 0.32 * 400 for chosen in curled.values())
    assert curled[1] != curled[2]  # another seed, other texts
    again = {t for t in NEGATED if typed_on_phones(t, 0.25, 1) != t}
    assert again == curled[1]  # a resumed run or another worker picks the same texts


def _spec(share: float) -> Spec:
    return Spec().replace(
        training={"curly_share": share, "val_split": 0.25, "seed": 5},
        tokenizer={"seq_len": 64, "vocab_size": 500},
    )


def test_training_learns_the_split_form_and_validation_stays_as_written() -> None:
    data = Examples([*NEGATED, *PLAIN], ["negative"] * 400 + ["positive"] * 400)
    plain, taught = prepare(data, _spec(0.0)), prepare(data, _spec(0.5))
    # Without it, "wasn" is only an alias of "wasn't"; with it, "wasn" and "t" are words
    # the model learns, so "wasn’t" no longer reads as unknown pieces.
    assert "t" not in plain.vocab.index and "t" in taught.vocab.index
    ids = Tokenizer(taught.vocab, 64).ids(f"it wasn{CURLY}t good")
    assert 2 not in ids  # no <UNKNOWN>
    train, val = data.stratified_split(0.25, 5)
    assert as_taught(train, _spec(0.5)).texts != train.texts
    assert as_taught(val, _spec(0.0)).texts == val.texts  # prepare teaches training rows only


def test_unlabelled_texts_are_taught_the_split_form_too() -> None:
    data = Examples(PLAIN[:200] + [f"the {i}th one was bad" for i in range(200)],
                    ["positive"] * 200 + ["negative"] * 200)  # fmt: skip
    scores = np.tile(np.float32([[0.9, 0.1]]), (len(NEGATED), 1))
    unlabelled = Unlabelled(NEGATED, scores, ["negative", "positive"], "a teacher")
    plain = prepare(data, _spec(0.0), unlabelled=unlabelled)
    taught = prepare(data, _spec(0.5), unlabelled=unlabelled)
    # The contractions are only in the unlabelled texts: with the share, the split form
    # "wasn" "t" is learnt from them as from labelled rows.
    assert "t" not in plain.vocab.index and "t" in taught.vocab.index
    assert taught.unlabelled_rows == plain.unlabelled_rows == len(NEGATED)


def test_streamed_training_rows_are_taught_as_in_memory(tmp_path: Path) -> None:
    rows = [("negative", t) for t in NEGATED] + [("positive", t) for t in PLAIN]
    source = StreamSource([write_tsv(tmp_path / "d.tsv", rows)], val_fraction=0.2, seed=5)
    source.curly_share = 0.5
    train, val = list(source.rows("train")), list(source.rows("val"))
    assert any(CURLY in text for text, _ in train)
    assert not any(CURLY in text for text, _ in val)
    originals = [(text, label) for text, label in StreamSource(source.paths, seed=5).rows("all")]
    expected = Examples(*map(list, zip(*[(t, lab) for t, lab in originals if (t, lab) not in val])))
    assert [t for t, _ in train] == as_taught(expected, _spec(0.5)).texts
    scan = source.scan(word_capacity=10_000)
    assert Vocabulary.from_counts(scan.words.counts, 500) == Vocabulary.build(
        [t for t, _ in train], 500
    )


def test_the_share_is_checked() -> None:
    with pytest.raises(SentigruError, match="curly_share"):
        Spec().replace(training={"curly_share": 1.5})
