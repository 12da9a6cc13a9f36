"""Starting from the bundled model (``--init bundled``) on a user's own data, against
training from scratch and against the bundled model as it is.

Two users, each with labelled data of their own:

* ``short``: the 480 short reviews of ``data/reviews.tsv`` (products, places, apps,
  films), tested on the 120 of ``data/reviews_test.tsv``;
* ``hotels``: 2,000 hotel reviews (a seeded sample, 1,000 per label, from
  ``reviews-en/hotels``, a domain the bundled model never trained on), tested on 2,000
  others sampled the same way.

Arms: ``scratch`` (the default recipe), ``bundled`` (the bundled model, not trained),
``init`` (``--init bundled``, the default training settings) and ``init lr 0.0005``
(the same with ``--learning-rate 0.0005``, a quarter of the default). The trained arms
with seeds 1 and 2. Each model is scored as its phone file on the user's test, and
``elsewhere``: headphone reviews and tweets (``reviews-en``, never trained on by any
arm; the mean of their balanced accuracies) and SST-2 dev, which says what a fine-tuned
model forgets.

The rule, fixed before any of these runs:

1. The README recommends ``--init bundled`` for data like these if, on both users'
   tests, its mean over the seeds beats ``scratch``'s by more than the larger seed
   spread of the two arms.
2. It names ``--learning-rate 0.0005`` with it if, on both users, that arm loses no more
   than the larger seed spread on the user's test against ``init`` and gains on
   ``elsewhere`` by more than that spread; otherwise the default rate.

    python benchmarks/start_from.py train    # runs/start_from/
    python benchmarks/start_from.py report   # start_from.json and .md

Reads ``../shared/data`` (``baselines.SHARED``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from baselines import DATA, balanced, load, run_commands
from movie_overlap import write_tsv

from sentigru.data import Examples, read_examples

RUNS = Path("runs/start_from")
HERE = Path(__file__).resolve().parent
SEEDS = (1, 2)
USERS = ("short", "hotels")
ARMS = {
    "scratch": [],
    "init": ["--init", "bundled"],
    "init lr 0.0005": ["--init", "bundled", "--learning-rate", "0.0005"],
}
ELSEWHERE = ("headphones", "tweets")
HOTEL_ROWS = 1000
"""Per label, in the hotel user's training file and again in its test."""


def hotel_split() -> tuple[Examples, Examples]:
    """Two disjoint seeded samples of hotel reviews, 1,000 per label each."""
    hotels = load("reviews-en/hotels.tsv.gz")
    both = balanced(hotels, 2 * HOTEL_ROWS, "start-from:hotels")
    train = balanced(both, HOTEL_ROWS, "start-from:hotels-train")
    taken = set(zip(train.texts, train.labels))
    rest = [i for i, row in enumerate(zip(both.texts, both.labels)) if row not in taken]
    return train, both.subset(rest)


def user_files() -> dict[str, tuple[Path, Examples]]:
    """Each user's training file and test rows."""
    RUNS.mkdir(parents=True, exist_ok=True)
    train, test = hotel_split()
    hotels = RUNS / "hotels-train.tsv"
    if not hotels.exists():
        write_tsv(hotels, train)
    short_test = read_examples(DATA / "reviews_test.tsv").examples
    return {"short": (DATA / "reviews.tsv", short_test), "hotels": (hotels, test)}


def run_name(user: str, arm: str, seed: int) -> str:
    return f"{user}-{arm.replace(' ', '-')}-s{seed}"


def train(_: argparse.Namespace) -> None:
    for user, (file, _test) in user_files().items():
        for seed in SEEDS:
            for arm, extra in ARMS.items():
                out = RUNS / run_name(user, arm, seed)
                if (out / "model.tflite").exists() and started_as_now(out):
                    continue
                command = [
                    "sentigru", "train", "--data", str(file), "--out", str(out), "--force",
                    "--seed", str(seed), "--strategy", "one", *extra,
                ]  # fmt: skip
                print(" ".join(command), flush=True)
                shutil.rmtree(out, ignore_errors=True)  # with its time, which --force keeps
                start = time.perf_counter()
                subprocess.run(command, check=True)
                (out / "wall_seconds.txt").write_text(f"{time.perf_counter() - start:.0f}\n")


def started_as_now(out: Path) -> bool:
    """Whether a run kept from before still answers the question: one trained from the
    bundled model must have started from the model bundled now."""
    from sentigru import bundle
    from sentigru.presets import MODELS

    started = json.loads((out / "manifest.json").read_text("utf-8")).get("init")
    if started is None:
        return True
    bundled = bundle.read_manifest(MODELS / "default")["files"][bundle.MODEL_FILE]["sha256"]
    return started["model_sha256"] == bundled


def balanced_accuracy(guess: list[str], truth: list[str]) -> float:
    return statistics.mean(
        statistics.mean(g == t for g, t in zip(guess, truth) if t == label)
        for label in sorted(set(truth))
    )


def scores(model, test: Examples, others: dict[str, Examples]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    def guess(texts: list[str]) -> list[str]:
        return [model.labels[i] for i in model.scores(texts).argmax(1)]

    out = {"own": statistics.mean(g == t for g, t in zip(guess(test.texts), test.labels))}
    for name in ELSEWHERE:
        out[name] = balanced_accuracy(guess(others[name].texts), others[name].labels)
    out["elsewhere"] = statistics.mean(out[name] for name in ELSEWHERE)
    sst = others["sst2_dev"]
    out["sst2_dev"] = statistics.mean(g == t for g, t in zip(guess(sst.texts), sst.labels))
    return out


def report(_: argparse.Namespace) -> None:
    import sentigru

    others = {name: load(f"reviews-en/{name}.tsv.gz") for name in ELSEWHERE}
    others["sst2_dev"] = load("sst2/dev.tsv.gz")
    rows: dict[str, dict] = {}
    bundled = sentigru.load()
    for user, (_file, test) in user_files().items():
        rows[f"{user}-bundled"] = scores(bundled, test, others)
        for seed in SEEDS:
            for arm in ARMS:
                folder = RUNS / run_name(user, arm, seed)
                row = scores(sentigru.load(folder / "model.tflite"), test, others)
                row["wall_seconds"] = float((folder / "wall_seconds.txt").read_text())
                rows[run_name(user, arm, seed)] = row
                print(run_name(user, arm, seed), row, flush=True)
    (HERE / "start_from.json").write_text(json.dumps(rows, indent=2) + "\n")
    write_markdown(rows)


def arm_values(rows: dict[str, dict], user: str, arm: str, key: str) -> list[float]:
    return [rows[run_name(user, arm, seed)][key] for seed in SEEDS]


def compare(rows: dict[str, dict], user: str, new: str, old: str, key: str) -> tuple[float, float]:
    """The mean difference of two arms (points) and the larger seed spread."""
    a, b = arm_values(rows, user, new, key), arm_values(rows, user, old, key)
    spread = max(max(a) - min(a), max(b) - min(b))
    return 100 * (statistics.mean(a) - statistics.mean(b)), 100 * spread


def verdicts(rows: dict[str, dict]) -> tuple[bool, bool, list[str]]:
    lines = []
    recommend = low_rate = True
    for user in USERS:
        gain, spread = compare(rows, user, "init", "scratch", "own")
        recommend &= gain > spread
        lines.append(f"| {user} | `init` − `scratch`, own test | {gain:+.2f} | {spread:.2f} |")
        own, own_spread = compare(rows, user, "init lr 0.0005", "init", "own")
        far, far_spread = compare(rows, user, "init lr 0.0005", "init", "elsewhere")
        low_rate &= own >= -own_spread and far > far_spread
        lines.append(f"| {user} | lr 0.0005 − `init`, own test | {own:+.2f} | {own_spread:.2f} |")
        lines.append(f"| {user} | lr 0.0005 − `init`, elsewhere | {far:+.2f} | {far_spread:.2f} |")
    return recommend, low_rate, lines


def write_markdown(rows: dict[str, dict]) -> None:
    table = [
        "| user | arm | seed | own test | elsewhere | SST-2 dev | training |",
        "|---|---|---|---|---|---|---|",
    ]
    for user in USERS:
        row = rows[f"{user}-bundled"]
        table.append(
            f"| {user} | bundled, as it is | | {row['own']:.2%} | {row['elsewhere']:.2%} "
            f"| {row['sst2_dev']:.2%} | |"
        )
        for arm in ARMS:
            for seed in SEEDS:
                row = rows[run_name(user, arm, seed)]
                table.append(
                    f"| {user} | {arm} | {seed} | {row['own']:.2%} | {row['elsewhere']:.2%} "
                    f"| {row['sst2_dev']:.2%} | {row['wall_seconds']:.0f} s |"
                )
    recommend, low_rate, lines = verdicts(rows)
    outcome = [
        "**`--init bundled` is recommended** for such data (rule 1 met)."
        if recommend
        else "**Rule 1 is not met**: `--init bundled` is not recommended.",
        "**`--learning-rate 0.0005` is named with it** (rule 2 met)."
        if low_rate
        else "**Rule 2 is not met**: the default learning rate stays with `--init`.",
    ]
    doc = __doc__.split("    python")[0].strip().replace("``", "`")
    text = "\n".join(
        [
            "# Starting from the bundled model on a user's own data",
            "",
            doc,
            "",
            *table,
            "",
            "Against the rule (points; the larger seed spread of the two arms):",
            "",
            "| user | difference | mean | larger seed spread |",
            "|---|---|---|---|",
            *lines,
            "",
            *outcome,
            "",
            "Reproduce: `python benchmarks/start_from.py train`, then "
            "`python benchmarks/start_from.py report` (2 cores; training times above, "
            "phone file included).",
            "",
        ]
    )
    (HERE / "start_from.md").write_text(text, "utf-8")


if __name__ == "__main__":
    run_commands(__doc__, train=train, report=report)
