"""How many steps the recipe needs on a few hundred rows: the value of ``--min-steps``.

The recipe (the default settings, the bundled model's when these runs were made) was
measured on 92,000 rows,
where five epochs are 6,500 optimizer steps. ``data/reviews.tsv`` (480 short reviews,
432 after the validation split) gives 7 full batches of 64 an epoch (9 steps with the
length buckets' partial ones, which ``--min-steps`` counts since these runs).
This trains the recipe on ``data/reviews.tsv`` with several ``--min-steps`` values and
seeds, and measures each model on ``data/reviews_test.tsv`` (120 reviews) and on a fixed
sample of 2,000 English reviews from other sources (``reviews-en``, 1/6 from each file,
seeded), which is less noisy than 120 rows.

The rule, fixed before the runs: ``--min-steps`` is the smallest value whose mean
accuracy on the 2,000 other-source reviews is within one point of the best value's
mean over the same seeds.

Usage: python benchmarks/small_data.py [--seeds 1 2 3] [--min-steps 0 200 400 800]
       [--shared ../shared/data] [--report-only]
Writes benchmarks/small_data.md and .json (--report-only: the .md again from the .json).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from sentigru.spec import CURLY_SHARE

ROOT = Path(__file__).resolve().parents[1]
OTHER = ("clothing", "fine-food", "headphones", "hotels", "products-summaries", "tweets")


def other_sample(shared: Path, n: int = 2000) -> Path:
    """A seeded sample of n other-source reviews, labels 0/1 mapped to the names."""
    rows = []
    for name in OTHER:
        with gzip.open(shared / "reviews-en" / f"{name}.tsv.gz", "rt", encoding="utf-8") as f:
            next(f)
            lines = [line.rstrip("\n").split("\t", 1) for line in f]
        rng = random.Random(f"small-data:{name}")
        rows += rng.sample(lines, n // len(OTHER))
    file = Path(tempfile.mkdtemp()) / "other.tsv"
    names = {"0": "negative", "1": "positive"}
    file.write_text(
        "label\ttext\n" + "".join(f"{names[a]}\t{b}\n" for a, b in rows), encoding="utf-8"
    )
    return file


def main() -> None:
    import sentigru

    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--min-steps", type=int, nargs="+", default=[0, 200, 400, 800])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    if args.report_only:
        write(json.loads((ROOT / "benchmarks" / "small_data.json").read_text())["runs"], args)
        return
    other = other_sample(args.shared)
    runs = []
    work = Path(tempfile.mkdtemp())
    for steps in args.min_steps:
        for seed in args.seeds:
            began = time.perf_counter()
            clf = sentigru.train(
                ROOT / "data" / "reviews.tsv", work / f"m{steps}-{seed}", force=True,
                seed=seed, min_steps=steps, phone_file=False, verbose=0, log=lambda _: None,
            )  # fmt: skip
            seconds = time.perf_counter() - began
            epochs = len(
                json.loads((work / f"m{steps}-{seed}" / "history.json").read_text())["loss"]
            )
            row = {
                "min_steps": steps,
                "seed": seed,
                "epochs": epochs,
                "seconds": round(seconds, 1),
                "test_120": clf.evaluate(ROOT / "data" / "reviews_test.tsv")["accuracy"],
                "other_2000": clf.evaluate(other)["accuracy"],
                "curly_share": clf.spec.training.curly_share,
            }
            print(json.dumps(row), flush=True)
            runs.append(row)
    write(runs, args)


def write(runs: list[dict], args: argparse.Namespace) -> None:
    means = {}
    for steps in args.min_steps:
        mine = [r for r in runs if r["min_steps"] == steps]
        means[steps] = {
            key: statistics.mean(r[key] for r in mine)
            for key in ("epochs", "seconds", "test_120", "other_2000")
        }
        means[steps]["other_spread"] = max(r["other_2000"] for r in mine) - min(
            r["other_2000"] for r in mine
        )
    best = max(m["other_2000"] for m in means.values())
    chosen = min(s for s, m in means.items() if m["other_2000"] >= best - 0.01)
    out = ROOT / "benchmarks"
    (out / "small_data.json").write_text(
        json.dumps({"runs": runs, "means": means, "chosen": chosen}, indent=2) + "\n"
    )
    lines = [
        "# The recipe on a few hundred rows: `--min-steps`",
        "",
        "Made by `python benchmarks/small_data.py` (see its docstring for the setup and the",
        "rule fixed before the runs). The recipe trained on `data/reviews.tsv` (432 rows after",
        "the 10 % validation split, 7 steps an epoch as `--min-steps` counted them then;\n"
        "the length buckets make 9), seeds "
        + ", ".join(map(str, args.seeds))
        + "; accuracy on `data/reviews_test.tsv` (120) and on 2,000 reviews from other",
        "sources (`reviews-en`, never trained on). One run, 2 cores shared with other work:",
        "seconds are indicative. `--curly-share` was "
        # runs saved before the setting existed trained without it
        + f"{runs[0].get('curly_share', 0.0):g} in these runs (its default is "
        + f"{CURLY_SHARE:g}: a training from scratch with another share differs).",
        "",
        "| --min-steps | epochs run | seconds | reviews_test (120) | other sources (2,000) "
        "| spread over seeds |",
        "|---|---|---|---|---|---|",
    ]
    for steps, m in means.items():
        lines.append(
            f"| {steps} | {m['epochs']:.0f} | {m['seconds']:.0f} | {m['test_120']:.2%} | "
            f"{m['other_2000']:.2%} | {m['other_spread']:.2%} |"
        )
    lines += [
        "",
        f"By the rule, `--min-steps` is **{chosen}**: the default.",
        "",
        "More steps fit the reviews of `data/reviews.tsv` better (`reviews_test.tsv` was written",
        "the same way), but not reviews from other sources, where more steps did no better",
        "and the spread over seeds grew. A few hundred rows are too few for this recipe either",
        "way; `--min-steps` stays an option for data like the training rows.",
        "",
    ]
    (out / "small_data.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
