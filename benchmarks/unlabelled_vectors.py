"""Whether unlabelled texts as word vectors pay for a user with few labels.

``sentigru train --unlabelled FILE`` with no teacher trains on the labelled rows only;
the unlabelled texts count for the vocabulary and for the word vectors the word table
starts from (``--word-init ppmi``). On the bundled model's 145,000 rows they did not
pay (candidate Cu, ``candidates.md``). A user with a few thousand labels has far less
text to place words from, so this measures that case, as a user would run it:

* labelled: a seeded sample of 2,000 or 10,000 reviews of IMDB train outside the
  proxy's held-out films (G), balanced by label;
* unlabelled: the 49,700 unlabelled IMDB reviews outside G (``runs/proxy/unsup.tsv``);
* ``sentigru train --data SAMPLE [--unlabelled UNSUP] --seed N`` with the default
  recipe, seeds 1 and 2; scored on G (3,007 reviews of films never trained on).

The rule, fixed before the runs: at a size, the README recommends ``--unlabelled``
without a teacher when its mean over the 2 seeds on G beats the run without it by more
than the larger seed spread of the two; otherwise it says that it did not pay there.

    python benchmarks/candidates.py split           # runs/proxy: G.tsv, unsup.tsv
    python benchmarks/unlabelled_vectors.py         # unlabelled_vectors.md and .json

Needs ``sentigru`` on PATH. Times are on 2 cores, shared with other work: indicative.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baselines import load
from candidates import RUNS, g_rows
from movie_overlap import write_tsv

import sentigru

HERE = Path(__file__).resolve().parent
SIZES = (2_000, 10_000)
SEEDS = (1, 2)
WORK = Path("runs/unlabelled-vectors")


def sample(size: int) -> Path:
    """``size`` IMDB train reviews outside G, half of each label, seeded."""
    out = WORK / f"labelled-{size}.tsv"
    if out.exists():
        return out
    imdb = load("imdb/train.tsv.gz")
    held = set(g_rows(imdb))
    rng = random.Random(size)
    rows = []
    for label in sorted(set(imdb.labels)):
        found = [i for i, y in enumerate(imdb.labels) if y == label and i not in held]
        rows += rng.sample(found, size // 2)
    rng.shuffle(rows)
    write_tsv(out, imdb.subset(rows))
    return out


def train_args(size: int, unlabelled: bool, seed: int, out: Path) -> list[str]:
    """The ``sentigru train`` arguments of one run (``train`` and on)."""
    args = ["train", "--data", str(sample(size)), "--seed", str(seed), "--out", str(out)]
    args += ["--force", "--strategy", "one", "--no-phone-file"]
    return args + (["--unlabelled", str(RUNS / "unsup.tsv")] if unlabelled else [])


def run(size: int, unlabelled: bool, seed: int) -> dict[str, float]:
    out = WORK / f"{size}-{'unlabelled' if unlabelled else 'labelled'}-s{seed}"
    command = ["sentigru", *train_args(size, unlabelled, seed, out)]
    print(" ".join(command), flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    report = sentigru.load(out).evaluate(RUNS / "G.tsv")
    return {"G": report["accuracy"], "seconds": seconds}


def write_report(found: dict[str, dict[str, float]]) -> None:
    lines = [
        "# Unlabelled texts as word vectors, for a user with few labels",
        "",
        "Made by `python benchmarks/unlabelled_vectors.py` (its docstring holds the setup "
        "and the rule, fixed before the runs). The default recipe trained on a balanced "
        "sample of IMDB train outside the proxy's held-out films, with and without the "
        "49,700 unlabelled IMDB reviews given as `--unlabelled` (no teacher: word vectors "
        "and vocabulary only); accuracy of the Keras model on G (3,007 reviews of films "
        "never trained on). Seconds are the whole `sentigru train` on 2 cores shared with "
        "other work: indicative.",
        "",
        "| labelled reviews | --unlabelled | seed 1 | seed 2 | mean | spread | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    verdicts = []
    for size in SIZES:
        means = {}
        for mode in ("labelled", "unlabelled"):
            runs = [found[f"{size}-{mode}-s{seed}"] for seed in SEEDS]
            accuracy = [r["G"] for r in runs]
            means[mode] = (statistics.mean(accuracy), max(accuracy) - min(accuracy))
            cells = " | ".join(f"{100 * a:.2f}" for a in accuracy)
            seconds = statistics.mean(r["seconds"] for r in runs)
            lines.append(
                f"| {size:,} | {'yes' if mode == 'unlabelled' else 'no'} | {cells} | "
                f"{100 * means[mode][0]:.2f} | {100 * means[mode][1]:.2f} | {seconds:.0f} |"
            )
        gain = means["unlabelled"][0] - means["labelled"][0]
        tolerance = max(means["unlabelled"][1], means["labelled"][1])
        pays = gain > tolerance
        verdicts.append(
            f"- {size:,} labelled reviews: {100 * gain:+.2f} points on G against a spread of "
            f"{100 * tolerance:.2f}: {'it pays' if pays else 'it does not pay'}"
        )
    lines += ["", "By the rule:", "", *verdicts]
    (HERE / "unlabelled_vectors.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()  # --help says what this runs, instead of running it
    WORK.mkdir(parents=True, exist_ok=True)
    path = HERE / "unlabelled_vectors.json"
    found = json.loads(path.read_text()) if path.exists() else {}
    for size in SIZES:
        for unlabelled in (False, True):
            for seed in SEEDS:
                key = f"{size}-{'unlabelled' if unlabelled else 'labelled'}-s{seed}"
                if key not in found:
                    found[key] = run(size, unlabelled, seed)
                    path.write_text(json.dumps(found, indent=2) + "\n")
    write_report(found)


if __name__ == "__main__":
    main()
