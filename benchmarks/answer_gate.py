"""What the answer gate changes in the bundled phone file: the scores, the figures, the speed.

A phone file scores every label 1/n where the model got no word id it knows
(``sentigru.model.answer_gate``). This compares the bundled phone file of this checkout
with the one of an earlier commit (``git show REF:sentigru/models/default/model.tflite``),
both run by sentigru's LiteRT predictor in the same process:

* on each set, how many texts have no word id (the gate's rows), whether every other
  text gets the very same scores from both files, and the set's figure with each file
  (accuracy; balanced accuracy, the mean of per-label recalls, for the other domains);
* one text at a time, the time per text on SST-2 dev's first 200 texts, each file in
  turn (the order reversed every other round): the median of the per-round ratios.

    python benchmarks/answer_gate.py --before 6d2dbca --data ../shared/data
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import time
from datetime import date
from pathlib import Path

import numpy as np

from sentigru.data import ReadOptions, read_examples
from sentigru.predictor import LiteRTPredictor

ROOT = Path(__file__).resolve().parents[1]
PHONE_FILE = "sentigru/models/default/model.tflite"
LABELS = {"0": "negative", "1": "positive"}
SETS = {  # name: (path under --data, or under the repository with "repo:"; balanced)
    "SST-2 dev": ("sst2/dev.tsv.gz", False),
    "hotels": ("reviews-en/hotels.tsv.gz", True),
    "headphones": ("reviews-en/headphones.tsv.gz", True),
    "tweets": ("reviews-en/tweets.tsv.gz", True),
    "short reviews (data/reviews_test.tsv)": ("repo:data/reviews_test.tsv", False),
    "negated positive (data/checks)": ("repo:data/checks/negated_positive.tsv", False),
    "negated negative (data/checks)": ("repo:data/checks/negated_negative.tsv", False),
}


def _score(labels: list[str], scores: np.ndarray, truth: list[str], balanced: bool) -> float:
    guess, truth_ = np.array(labels)[scores.argmax(1)], np.array(truth)
    if not balanced:
        return float(np.mean(guess == truth_))
    return float(np.mean([np.mean(guess[truth_ == x] == x) for x in sorted(set(truth))]))


def compare_sets(before: LiteRTPredictor, now: LiteRTPredictor, data: Path) -> list[dict]:
    rows = []
    for name, (where, balanced) in SETS.items():
        path = ROOT / where[5:] if where.startswith("repo:") else data / where
        if not path.exists():
            continue
        examples = read_examples(path, ReadOptions(label_map=LABELS)).examples
        texts, truth = examples.texts, examples.labels
        old, new = before.scores(texts), now.scores(texts)
        gated = now.tokenizer.count_known(now.tokenizer.encode(texts)) == 0
        rows.append(
            {
                "set": name,
                "texts": len(texts),
                "no_word_id": int(gated.sum()),
                "others_identical": bool((old[~gated] == new[~gated]).all()),
                "gated_all_uniform": bool((new[gated] == np.float32(0.5)).all()),
                "labels_changed": int((old.argmax(1) != new.argmax(1)).sum()),
                "metric": "balanced accuracy" if balanced else "accuracy",
                "before": _score(before.labels, old, truth, balanced),
                "now": _score(now.labels, new, truth, balanced),
            }
        )
    return rows


def one_text_ratio(before: LiteRTPredictor, now: LiteRTPredictor, texts: list[str], rounds: int):  # type: ignore[no-untyped-def]
    ratios, times = [], {"before": [], "now": []}
    for r in range(rounds):
        took = {}
        for key in ("before", "now") if r % 2 else ("now", "before"):
            predictor = before if key == "before" else now
            start = time.perf_counter()
            for text in texts:
                predictor.scores([text])
            took[key] = (time.perf_counter() - start) / len(texts)
            times[key].append(took[key])
        ratios.append(took["now"] / took["before"])
    quartiles = statistics.quantiles(ratios, n=4)
    return {
        "rounds": rounds,
        "texts": len(texts),
        "median_ms": {k: statistics.median(v) * 1e3 for k, v in times.items()},
        "ratio_now_to_before": statistics.median(ratios),
        "ratio_quartiles": [quartiles[0], quartiles[2]],
    }


def measure(before_ref: str, data: Path, rounds: int) -> dict:
    old_bytes = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{before_ref}:{PHONE_FILE}"],
        check=True,
        capture_output=True,
    ).stdout
    new_bytes = (ROOT / PHONE_FILE).read_bytes()
    before = LiteRTPredictor(old_bytes, few_to_bulk=False)
    now = LiteRTPredictor(new_bytes, few_to_bulk=False)
    sst2 = read_examples(data / "sst2/dev.tsv.gz", ReadOptions(label_map=LABELS)).examples
    return {
        "date": date.today().isoformat(),
        "machine": f"{platform.processor() or platform.machine()}, {platform.python_version()}",
        "before": before_ref,
        "bytes": {"before": len(old_bytes), "now": len(new_bytes)},
        "sets": compare_sets(before, now, data),
        "one_text": one_text_ratio(before, now, sst2.texts[:200], rounds),
    }


def report(result: dict) -> str:
    rows = [
        f"| {r['set']} | {r['texts']:,} | {r['no_word_id']} | "
        f"{'yes' if r['others_identical'] else 'NO'} | {r['labels_changed']} | {r['metric']} | "
        f"{100 * r['before']:.2f} % | {100 * r['now']:.2f} % |"
        for r in result["sets"]
    ]
    speed = result["one_text"]
    low, high = speed["ratio_quartiles"]
    uniform = all(r["gated_all_uniform"] for r in result["sets"])
    return "\n".join(
        [
            "# The answer gate in the bundled phone file",
            "",
            "Where the model gets no word id it knows (another script, emoji, an empty text),"
            " the phone file scores every label 1/n: 0.5 and 0.5 for the bundled model. This"
            f" compares the bundled phone file with commit {result['before']}'s, the same"
            " network before the gate, in one LiteRT run (see the script's docstring)."
            f" Reproduce: `python benchmarks/answer_gate.py --before {result['before']}"
            " --data DATA_FOLDER`.",
            "",
            f"One run, {result['date']}: {result['machine']}. Size: "
            f"{result['bytes']['before']:,} → {result['bytes']['now']:,} bytes.",
            "",
            "| set | texts | no word id | others: the same scores | labels changed |"
            " figure | before | now |",
            "|---|---:|---:|---|---:|---|---:|---:|",
            *rows,
            "",
            f"Every text without a word id scored 0.5 and 0.5: {'yes' if uniform else 'NO'}."
            " Its label is then the first (`negative`); the figures move only by those texts.",
            "",
            f"One text at a time ({speed['texts']} SST-2 dev texts, {speed['rounds']} rounds):"
            f" {speed['median_ms']['now']:.3f} ms against {speed['median_ms']['before']:.3f} ms;"
            f" the median per-round ratio **{speed['ratio_now_to_before']:.3f}x** (quartiles"
            f" {low:.3f}-{high:.3f}).",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="6d2dbca", help="a commit before the gate")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=61)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "answer_gate")
    parser.add_argument("--from-json", action="store_true", help="rewrite the report only")
    args = parser.parse_args()
    json_file, md_file = args.out.with_suffix(".json"), args.out.with_suffix(".md")
    if args.from_json:
        result = json.loads(json_file.read_text("utf-8"))
    else:
        result = measure(args.before, args.data, args.rounds)
        json_file.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    md_file.write_text(report(result), "utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
