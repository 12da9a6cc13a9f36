"""The behaviour check files in data/checks: every label follows from how its sentence was
built, the kinds are balanced and distinct, and the generator rewrites them byte for byte.
The slow test holds the bundled model to them."""

from __future__ import annotations

import importlib.util
import re
import sys
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "data" / "checks"


def _checklist():  # type: ignore[no-untyped-def]
    """benchmarks/checklist.py (not a package); its generator needs only the stdlib."""
    spec = importlib.util.spec_from_file_location("checklist", ROOT / "benchmarks" / "checklist.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("checklist", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


checklist = _checklist()
POS, NEG = checklist.POS, checklist.NEG


@pytest.fixture(scope="module")
def checks() -> dict[str, list[dict[str, str]]]:
    return checklist.read_checks(CHECKS)


def test_regenerating_gives_the_same_bytes(tmp_path: Path) -> None:
    checklist.write_checks(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(f"{kind}.tsv" for kind in checklist.KINDS)
    for name in written:
        assert (tmp_path / name).read_bytes() == (CHECKS / name).read_bytes(), name


def test_kinds_are_large_and_balanced(checks: dict) -> None:
    def count(kind: str, label: str) -> int:
        return sum(row["label"] == label for row in checks[kind])

    for kind, rows in checks.items():
        assert len(rows) >= 300, kind
    one_label = {
        "plain_positive": POS,
        "plain_negative": NEG,
        "negated_positive": NEG,
        "negated_negative": POS,
    }
    for kind, label in one_label.items():
        assert count(kind, label) == len(checks[kind]), kind
    assert len(checks["plain_positive"]) == len(checks["plain_negative"])
    assert len(checks["negated_positive"]) == len(checks["negated_negative"])
    for kind in ("contraction", "contrast", "typo_case", "short_negation"):
        assert count(kind, POS) == count(kind, NEG), kind
    for kind in ("contraction", "typo_case"):  # and within each form or change
        for variant in {row["variant"] for row in checks[kind]}:
            labels = [row["label"] for row in checks[kind] if row["variant"] == variant]
            assert labels.count(POS) == labels.count(NEG), (kind, variant)


def test_no_sentence_occurs_twice(checks: dict) -> None:
    texts = [row["text"] for rows in checks.values() for row in rows]
    assert len(set(texts)) == len(texts)
    caseless = [
        row["text"].lower() for k, rows in checks.items() if k != "typo_case" for row in rows
    ]
    assert len(set(caseless)) == len(caseless)


def test_the_word_lists_do_not_contradict_each_other() -> None:
    lists = checklist.cue_lists()
    assert not lists[POS] & lists[NEG]
    assert checklist.cue_polarities("The Battery Is RELIABLE.") == {POS}
    assert checklist.cue_polarities("The breakfast was served.") == set()  # not "fast"


def test_labels_follow_from_the_construction(checks: dict) -> None:
    """Plain: sentiment words of the label's polarity, no negation. Negated: a negation
    and sentiment words of one polarity, the label the opposite. Contrast: the clause
    after "but" has the label's polarity, the one before the other, no negation."""
    flip = checklist.flip
    for kind in ("plain_positive", "plain_negative"):
        for row in checks[kind]:
            assert checklist.cue_polarities(row["text"]) == {row["label"]}, row
            assert not checklist.negated(row["text"]), row
    negations = (("negated_positive", POS), ("negated_negative", NEG), ("contraction", None))
    for kind, cue in (*negations, ("short_negation", None)):
        for row in checks[kind]:
            assert checklist.negated(row["text"]), row
            found = checklist.cue_polarities(row["text"])
            assert found == {flip(row["label"])}, row
            assert cue is None or found == {cue}, row
    for row in checks["contrast"]:
        first, second = row["text"].split(", but ")
        assert checklist.cue_polarities(second) == {row["label"]}, row
        assert checklist.cue_polarities(first) == {flip(row["label"])}, row
        assert not checklist.negated(row["text"]), row


def test_contraction_groups_differ_in_the_negation_only(checks: dict) -> None:
    rows = checks["contraction"]
    pairs = 0
    for row, after in pairwise(rows):
        if row["variant"] == "contracted":
            assert after["variant"] == "full", row
            assert checklist.full_form(row["text"]) == after["text"], row
            assert after["label"] == row["label"]
            pairs += 1
    assert pairs == sum(row["variant"] == "full" for row in rows) >= 100


def test_each_typing_change_is_the_one_its_row_names(checks: dict) -> None:
    for row in checks["typo_case"]:
        text, base, variant = row["text"], row["base"], row["variant"]
        assert text != base
        if variant == "upper":
            assert text == base.upper()
        elif variant == "lower":
            assert text == base.lower().rstrip(".")
        elif variant == "no_apostrophe":
            assert "n't" in base and checklist.negated(base)
            assert text == re.sub(r"n't\b", "nt", base)
        else:  # one swap of two neighbouring letters, in the word the variant names
            changed = [i for i, (a, b) in enumerate(zip(text, base)) if a != b]
            assert len(text) == len(base) and len(changed) == 2, row
            i, j = changed
            assert j == i + 1 and text[i] == base[j] and text[j] == base[i], row
            words = [k for k, (a, b) in enumerate(zip(text.split(), base.split())) if a != b]
            assert len(words) == 1, row
            last = words[0] == len(base.split()) - 1  # the sentiment word ends the sentence
            assert last == (variant == "typo_sentiment_word"), row
        if variant != "no_apostrophe":
            assert checklist.cue_polarities(base) == {row["label"]}, row
            assert not checklist.negated(base), row


NEGATION_FLOOR = 0.85


def bundled_accuracy(rows: list[dict[str, str]]) -> float:
    import sentigru

    predicted = sentigru.load().predict([row["text"] for row in rows])
    return sum(p["label"] == row["label"] for p, row in zip(predicted, rows)) / len(rows)


@pytest.mark.slow
def test_bundled_model_reads_negation(checks: dict) -> None:
    """Every negation kind at the floor or above, the sentences that hold one of the
    commonest judgements (words the training sentences also negate) included."""
    figures = {kind: bundled_accuracy(checks[kind]) for kind in checklist.NEGATION_KINDS}
    assert min(figures.values()) >= NEGATION_FLOOR, figures


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="negated negative words that no training sentence negates are read at 68.2 % "
    "(benchmarks/checklist.md, 'Words the training sentences teach'); when a model passes, "
    "this test fails as XPASS: remove the marker",
)
def test_bundled_model_reads_negation_of_words_never_taught(checks: dict) -> None:
    """The same floor on the negated sentences with none of those words: what the model
    carries over to words it never saw negated."""
    figures = {}
    for kind in ("negated_positive", "negated_negative"):
        held = [r for r in checklist.taught_or_held(checks[kind]) if r["words"] == "held out"]
        figures[kind] = bundled_accuracy(held)
    assert min(figures.values()) >= NEGATION_FLOOR, figures
