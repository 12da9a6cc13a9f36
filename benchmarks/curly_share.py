"""``--curly-share`` on a user's own training: does teaching contractions as phones type
them (``isn’t``) cost anything where the text is typed with ``'``?

A user trains on product reviews: ``baselines.domain_mix`` (clothing, fine food and
product summaries, up to 5,000 reviews per label of each), the default recipe, seeds 1
and 2, once with ``--curly-share 0`` and once with ``--curly-share 0.25`` (the share
candidate Ca of ``candidates.md`` curled in the bundled rows). Each model is scored, as
its phone file, on text it never trained on:

* ``curly``: the sentences of four checks that hold an apostrophe, written with ’;
* ``negation``: the negated-positive and negated-negative checks, as written (with ');
* ``sst2_dev``, and ``domains``: hotels, headphones and tweets of ``reviews-en``,
  balanced accuracy (the proxy of ``candidates.py``).

The rule, fixed before any of these runs: 0.25 becomes the default of ``curly_share``
when its mean over the two seeds beats 0's on ``curly`` by more than the larger seed
spread (max - min of either setting), and loses no more than that larger spread on
``negation``, ``sst2_dev`` and ``domains``. Otherwise the default stays 0.

    python benchmarks/curly_share.py train     # 4 trainings, runs/curly/
    python benchmarks/curly_share.py report    # curly_share.json and .md

Reads ``../shared/data`` (``baselines.SHARED``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

from baselines import DATA, HELD_DOMAINS, NEGATION, domain_mix, load, run_commands
from candidates import curly_checks, graded
from checklist import read_checks
from movie_overlap import write_tsv

from sentigru.data import Examples, read_examples
from sentigru.data.apostrophes import CURLY

RUNS = Path("runs/curly")
HERE = Path(__file__).resolve().parent
SEEDS = (1, 2)
SHARES = (0.0, 0.25)
RULED = ("negation", "sst2_dev", "domains")
"""Scores the new default may not lose on by more than the larger seed spread."""


def name(share: float, seed: int) -> str:
    return f"share{share:g}-s{seed}"


def train(_: argparse.Namespace) -> None:
    RUNS.mkdir(parents=True, exist_ok=True)
    rows = RUNS / "products.tsv"
    if not rows.exists():
        write_tsv(rows, domain_mix())
    for seed in SEEDS:
        for share in SHARES:
            out = RUNS / name(share, seed)
            if (out / "model.tflite").exists():
                continue
            command = [
                "sentigru", "train", "--data", str(rows), "--out", str(out), "--force",
                "--seed", str(seed), "--curly-share", str(share), "--strategy", "one",
            ]  # fmt: skip
            print(" ".join(command), flush=True)
            start = time.perf_counter()
            subprocess.run(command, check=True)
            (out / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.0f}\n")


def sets() -> dict[str, Examples]:
    found = {"sst2_dev": load("sst2/dev.tsv.gz")}
    for domain in HELD_DOMAINS:
        found[domain] = load(f"reviews-en/{domain}.tsv.gz")
    for kind in NEGATION:
        found[kind] = read_examples(DATA / "checks" / f"{kind}.tsv").examples
    found["curly"] = curly_checks(read_checks(DATA / "checks"))
    return found


def same_label(model, curly: Examples) -> float:  # type: ignore[no-untyped-def]
    """The share of the ’ sentences given the label their ' form gets: whether the model
    reads the two forms alike, right or wrong (reported, not part of the rule)."""
    straight = [text.replace(CURLY, "'") for text in curly.texts]
    return float((model.scores(curly.texts).argmax(1) == model.scores(straight).argmax(1)).mean())


def spread(values: list[float]) -> float:
    return max(values) - min(values)


def verdict(rows: dict[str, dict]) -> tuple[bool, list[str]]:
    """Apply the rule; the lines say why."""
    lines, passed = [], True
    for key in ("curly", *RULED):
        old = [rows[name(0.0, s)][key] for s in SEEDS]
        new = [rows[name(0.25, s)][key] for s in SEEDS]
        gap = 100 * (statistics.mean(new) - statistics.mean(old))
        limit = 100 * max(spread(old), spread(new))
        ok = gap > limit if key == "curly" else gap >= -limit
        passed &= ok
        need = "gain beyond" if key == "curly" else "no loss beyond"
        lines.append(
            f"| `{key}` | {gap:+.2f} | {limit:.2f} | {need} the spread: {'yes' if ok else 'no'} |"
        )
    return passed, lines


def report(_: argparse.Namespace) -> None:
    import sentigru

    data = sets()
    rows = {}
    for seed in SEEDS:
        for share in SHARES:
            folder = RUNS / name(share, seed)
            model = sentigru.load(folder / "model.tflite")
            guesses = {
                set_: [model.labels[i] for i in model.scores(examples.texts).argmax(1)]
                for set_, examples in data.items()
            }
            rows[name(share, seed)] = graded(guesses, data)
            rows[name(share, seed)]["same_label"] = same_label(model, data["curly"])
            rows[name(share, seed)]["wall_seconds"] = float(
                (folder / "wall_seconds.txt").read_text()
            )
    passed, lines = verdict(rows)
    (HERE / "curly_share.json").write_text(json.dumps(rows, indent=2) + "\n")
    write_markdown(rows, passed, lines)


def write_markdown(rows: dict[str, dict], passed: bool, lines: list[str]) -> None:
    head = "| run | curly (’) | ’ read as ' | negation (') | SST-2 dev | other domains | training |"
    table = [head, "|---|---|---|---|---|---|---|"]
    for run, row in rows.items():
        table.append(
            f"| {run} | {row['curly']:.2%} | {row['same_label']:.2%} | {row['negation']:.2%} "
            f"| {row['sst2_dev']:.2%} | {row['domains']:.2%} | {row['wall_seconds'] / 60:.0f} min |"
        )
    outcome = (
        "**0.25 becomes the default** of `curly_share`."
        if passed
        else "**The default stays 0**: the rule is not met."
    )
    doc = __doc__.split("    python")[0].strip()
    text = "\n".join(
        [
            "# Contractions taught as phones type them, on a user's own training",
            "",
            doc.replace("``", "`"),
            "",
            *table,
            "",
            "Against the rule (0.25 minus 0, points; the larger seed spread of the two settings):",
            "",
            "| score | mean difference | larger seed spread | needed |",
            "|---|---|---|---|",
            *lines,
            "",
            outcome,
            "",
            *reading(rows),
            "",
            "Reproduce: `python benchmarks/curly_share.py train`, then "
            "`python benchmarks/curly_share.py report` (2 cores; training times above).",
            "",
        ]
    )
    (HERE / "curly_share.md").write_text(text, "utf-8")


def reading(rows: dict[str, dict]) -> list[str]:
    """What the figures say beside the rule."""
    negation = [rows[name(share, s)]["negation"] for share in SHARES for s in SEEDS]
    same = [rows[name(share, s)]["same_label"] for share in SHARES for s in SEEDS]
    return [
        f"Product reviews teach little negation: every model reads the negation checks "
        f"{min(negation):.0%}–{max(negation):.0%} right, typed with `'` or not, and gives a "
        f"sentence typed with ’ the label of its `'` form {min(same):.0%}–{max(same):.0%} of "
        "the time with either setting (without it, the vocabulary's contraction heads map "
        "*wasn* to *wasn't*). So `curly` moves from a low base here. On the bundled model's "
        "rows, which teach negation, the same share (candidate Ca of "
        "[`candidates.md`](candidates.md)) read the ’ checks 94 % right against 30 %, with "
        "no other score beyond its tolerance.",
    ]


if __name__ == "__main__":
    run_commands(__doc__, train=train, report=report)
