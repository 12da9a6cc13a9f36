"""The rules that decide which training recipe the bundled model is built from
(``benchmarks/candidates.py``): a gain must exceed the seed spread, a loss may not, two
seeds are the least, and a candidate stopped after one seed is stopped only when no
second seed could pass. These lines are what adoption rests on, so they are held here
on made-up scores rather than read off a report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
candidates = pytest.importorskip("candidates")

SCORES = ("G", "sst2_dev", "domains", "negation")


def _runs(name: str, *seeds: dict[str, float]) -> dict[str, dict[str, float]]:
    """``name``'s seed runs, each with every score at 0.80 unless given."""
    return {f"{name}-s{i}": {k: 0.80 for k in SCORES} | s for i, s in enumerate(seeds, 1)}


def _rows(new: list[dict[str, float]], old: list[dict[str, float]]) -> dict[str, dict]:
    """``new`` and ``old`` seed runs; ``old``'s spread is the tolerance."""
    return _runs("N", *new) | _runs("O", *old)


def test_a_gain_beyond_the_spread_with_no_loss_is_adopted() -> None:
    rows = _rows([{"negation": 0.90}, {"negation": 0.92}], [{"negation": 0.80}, {"G": 0.81}])
    said = candidates.verdict(rows, "N", "O", "negation")
    assert said.endswith(": adopted"), said
    assert "negation +11.00 (spread 0.00)" in said


def test_a_gain_equal_to_the_spread_is_not_a_gain() -> None:
    # O's negation spread is 2 points; N gains exactly 2 on the mean
    rows = _rows([{"negation": 0.82}, {"negation": 0.84}], [{"negation": 0.80}, {"negation": 0.82}])
    assert candidates.verdict(rows, "N", "O", "negation").endswith(": not adopted")


def test_a_loss_beyond_the_spread_on_a_guarded_score_stops_a_gain() -> None:
    gain = {"negation": 0.95}
    rows = _rows([gain | {"sst2_dev": 0.78}, gain | {"sst2_dev": 0.78}], [{}, {"sst2_dev": 0.805}])
    said = candidates.verdict(rows, "N", "O", "negation")
    assert said.endswith(": not adopted"), said
    assert "sst2_dev -2.25 (spread 0.50)" in said
    # the same loss within a wider tolerance, taken from another candidate's spread
    wide = rows | _runs("W", {"sst2_dev": 0.78}, {"sst2_dev": 0.81})
    assert candidates.verdict(wide, "N", "O", "negation", ("O", "W")).endswith(": adopted")


def test_one_seed_decides_nothing() -> None:
    rows = _rows([{"negation": 0.99}], [{}, {}])
    assert "not decided (1 and 2 seeds" in candidates.verdict(rows, "N", "O", "negation")


def test_a_first_seed_is_stopped_only_when_no_second_seed_could_pass() -> None:
    old = [{"G": 0.90}, {"G": 0.91}]  # mean 0.905, spread 0.01
    hopeless = candidates.stopped_line(_rows([{"G": 0.895}], old), "N", "O", "G")
    assert hopeless.endswith("no second seed could pass, whatever it scored: not adopted")
    # from a first seed above the old mean, a high enough second seed passes
    hopeful = candidates.stopped_line(_rows([{"G": 0.93}], old), "N", "O", "G")
    assert "a second seed at" in hopeful and "could pass" in hopeful
    first_passing = float(hopeful.split("a second seed at ")[1].split(" ")[0]) / 100
    rows = _rows([{"G": 0.93}, {"G": first_passing}], old)
    assert candidates.verdict(rows, "N", "O", "G").endswith(": adopted")


def test_a_median_build_below_the_floor_installs_nothing() -> None:
    low = {"rows": 1000, "sst2_dev": {"7": 0.84, "8": 0.86, "9": 0.845}}
    assert "seed 9 (84.50 %), is below the floor" in candidates.median_build_line("X", low)
    high = {"rows": 1000, "sst2_dev": {"7": 0.84, "8": 0.86, "9": 0.855}}
    assert "seed 9 (85.50 %), is at the floor or above" in candidates.median_build_line("X", high)


def test_the_unreadable_sentences_differ_from_the_readable_in_their_judgement_only() -> None:
    """``conf_gap`` compares a model on a sentence and on the same sentence with its last
    word misspelt: nothing else may change, and the misspelling must change the word."""
    checks = candidates.read_checks(candidates.DATA / "checks")
    readable, unreadable = candidates.judgements_misspelt(checks)
    assert len(readable.texts) == len(unreadable.texts) > 300
    assert list(readable.labels) == list(unreadable.labels)
    for before, after in zip(readable.texts, unreadable.texts):
        head, last = before.rstrip(".").rsplit(" ", 1)
        new_head, new_last = after.rstrip(".").rsplit(" ", 1)
        assert head == new_head and new_last != last and sorted(new_last) == sorted(last)
    assert candidates.misspelt("wonderful") == "wnoderful"
    assert candidates.misspelt("aaa") == "aaa"  # nothing to swap: left as it is
