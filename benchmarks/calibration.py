"""Whether the bundled model's scores can be read as probabilities, and what a threshold
on them buys an app that shows only confident answers.

On data no bundled build trained on: SST-2 dev (872 sentences), the whole hotel,
headphone and tweet sets of ``reviews-en`` (47,239 reviews), the 120 short reviews of
``data/reviews_test.tsv`` and the sentences of ``data/checks`` (pooled). Scores are the
phone file's (``sentigru.load()``, as ``sentigru predict`` runs it). Per set:

* accuracy and the mean top score (a calibrated model's are equal);
* expected calibration error: 15 equal-width bins of the top score, the share-weighted
  mean of |mean score - accuracy| per bin;
* negative log-likelihood of the true label;
* selective accuracy: the accuracy of the texts whose top score is at least 0.6 … 0.95,
  and the share of texts kept;
* one temperature T fitted by likelihood on SST-2 dev (``softmax(log p / T)``; it changes
  no label), applied to every other set, beside each set's own best T: whether one
  temperature folded into the output layer would make the scores more honest elsewhere.

Also, pooled over all sets, the texts the model reads in part (``"read": "part"``:
a third or more of their words unknown or unread) against those it reads whole.

    python benchmarks/calibration.py [--data DATA_FOLDER]

Writes ``benchmarks/calibration.json`` and ``benchmarks/calibration.md``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import sentigru
from sentigru.data.files import ReadOptions
from sentigru.data.sources import DataSource

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LABELS = {"0": "negative", "1": "positive"}
DOMAINS = ("hotels", "headphones", "tweets")
THRESHOLDS = (0.6, 0.7, 0.8, 0.9, 0.95)
BINS = 15
TEMPERATURES = np.exp(np.linspace(-1.5, 1.5, 3001))
"""The temperatures searched (log-spaced, 0.22 to 4.5)."""


def sets(data: Path) -> dict[str, tuple[list[str], list[str]]]:
    """``name → (texts, labels)``, each read as ``sentigru evaluate`` reads it."""
    shared = ReadOptions(label_map=LABELS)
    files = {
        "SST-2 dev": ([data / "sst2" / "dev.tsv.gz"], shared),
        **{name: ([data / "reviews-en" / f"{name}.tsv.gz"], shared) for name in DOMAINS},
        "short reviews": ([ROOT / "data" / "reviews_test.tsv"], ReadOptions()),
        "checks": (sorted((ROOT / "data" / "checks").glob("*.tsv")), ReadOptions()),
    }
    loaded = {}
    for name, (paths, options) in files.items():
        examples = DataSource.of(paths, options=options).load("test")
        loaded[name] = (examples.texts, examples.labels)
    return loaded


def calibration_error(top: np.ndarray, right: np.ndarray) -> float:
    """The share-weighted mean gap between score and accuracy over :data:`BINS` bins."""
    bins = np.minimum((top * BINS).astype(int), BINS - 1)
    return float(
        sum(
            (bins == k).mean() * abs(top[bins == k].mean() - right[bins == k].mean())
            for k in range(BINS)
            if (bins == k).any()
        )
    )


def tempered(scores: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log scores / temperature)``: the same labels, sharper or softer scores."""
    logits = np.log(np.clip(scores, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    return np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


def log_loss(scores: np.ndarray, truth: np.ndarray) -> float:
    return float(-np.log(np.clip(scores[np.arange(len(truth)), truth], 1e-12, 1.0)).mean())


def best_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    losses = [log_loss(tempered(scores, t), truth) for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def figures(scores: np.ndarray, truth: np.ndarray) -> dict:
    """Accuracy, mean top score, ECE, NLL and the accuracy kept at each threshold."""
    top, right = scores.max(axis=1), scores.argmax(axis=1) == truth
    kept = {
        str(t): {"kept": float((top >= t).mean()), "accuracy": float(right[top >= t].mean())}
        for t in THRESHOLDS
        if (top >= t).any()
    }
    return {
        "n": len(truth),
        "accuracy": float(right.mean()),
        "mean_score": float(top.mean()),
        "ece": calibration_error(top, right),
        "nll": log_loss(scores, truth),
        "selective": kept,
    }


def measure(data: Path) -> dict:
    classifier = sentigru.load()
    index = {label: i for i, label in enumerate(classifier.labels)}
    scored = {}
    for name, (texts, labels) in sets(data).items():
        scores = classifier.scores(texts).astype(np.float64)  # in the model's label order
        reads = [answer["read"] for answer in classifier.predict(texts)]
        truth = np.array([index[label] for label in labels])
        scored[name] = (scores, truth, reads)
    temperature = best_temperature(*scored["SST-2 dev"][:2])
    results: dict = {"sst2_temperature": temperature, "sets": {}, "by_read": {}}
    for name, (scores, truth, _) in scored.items():
        own = best_temperature(scores, truth)
        results["sets"][name] = {
            **figures(scores, truth),
            "own_temperature": own,
            "with_sst2_temperature": {
                "ece": calibration_error(
                    tempered(scores, temperature).max(axis=1),
                    scores.argmax(axis=1) == truth,
                ),
                "nll": log_loss(tempered(scores, temperature), truth),
            },
            "with_own_temperature_nll": log_loss(tempered(scores, own), truth),
        }
    every = np.concatenate([s for s, _, _ in scored.values()])
    truths = np.concatenate([t for _, t, _ in scored.values()])
    reads = np.array([r for _, _, read in scored.values() for r in read])
    for kind in ("all", "part", "none"):
        if (reads == kind).any():
            results["by_read"][kind] = figures(every[reads == kind], truths[reads == kind])
    return results


def write_report(results: dict) -> None:
    (HERE / "calibration.json").write_text(json.dumps(results, indent=1) + "\n")
    doc = (__doc__ or "").replace("``", "`").split("\n\n")
    lines = ["# Are the bundled model's scores probabilities?", "", doc[1], "", doc[2], ""]
    lines += [
        "| set | texts | accuracy | mean top score | ECE | NLL | own T | NLL, own T "
        "| NLL, SST-2's T |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results["sets"].items():
        lines.append(
            f"| {name} | {r['n']:,} | {r['accuracy']:.1%} | {r['mean_score']:.1%} | "
            f"{r['ece']:.3f} | {r['nll']:.3f} | {r['own_temperature']:.2f} | "
            f"{r['with_own_temperature_nll']:.3f} | {r['with_sst2_temperature']['nll']:.3f} |"
        )
    lines += ["", f"SST-2 dev's temperature: {results['sst2_temperature']:.3f}.", ""]
    lines += ["Accuracy of the texts kept at a threshold on the top score (share kept):", ""]
    lines += ["| set | " + " | ".join(f"≥ {t}" for t in THRESHOLDS) + " |"]
    lines += ["|---|" + "---|" * len(THRESHOLDS)]
    rows = {**results["sets"], **{f"read {k}, all sets": v for k, v in results["by_read"].items()}}
    for name, r in rows.items():
        cells = [
            f"{r['selective'][str(t)]['accuracy']:.1%} ({r['selective'][str(t)]['kept']:.0%})"
            if str(t) in r["selective"]
            else "none kept"
            for t in THRESHOLDS
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "By how the model read the text, all sets pooled:", ""]
    lines += ["| read | texts | accuracy | mean top score |", "|---|---|---|---|"]
    for kind, r in results["by_read"].items():
        lines.append(f"| {kind} | {r['n']:,} | {r['accuracy']:.1%} | {r['mean_score']:.1%} |")
    lines += ["", "\n\n".join(reading(results)), ""]
    lines += ["Reproduce: `python benchmarks/calibration.py`.", ""]
    (HERE / "calibration.md").write_text("\n".join(lines))


def reading(results: dict) -> list[str]:
    """What the figures say, each claim from the figures (a run that measures otherwise
    says otherwise)."""
    sets_ = results["sets"]
    gaps = {name: r["mean_score"] - r["accuracy"] for name, r in sets_.items()}
    others = {n: r for n, r in sets_.items() if n != "SST-2 dev"}
    gain = max(r["nll"] - r["with_sst2_temperature"]["nll"] for r in others.values())
    own = [r["own_temperature"] for r in sets_.values()]
    at = [r["selective"]["0.9"] for r in sets_.values() if "0.9" in r["selective"]]
    right, kept = [v["accuracy"] for v in at], [v["kept"] for v in at]
    both_sides = min(own) < 1 < max(own)
    verdict = (
        "no single temperature folded into the output layer would make the scores more "
        "honest, so none is"
        if both_sides and gain < 0.01
        else "a temperature folded into the output layer is worth measuring on more sets"
    )
    said = [
        f"**Reading.** The mean top score is within {100 * max(map(abs, gaps.values())):.1f} "
        "points of the accuracy on every set: above it on "
        f"{', '.join(n for n, g in gaps.items() if g > 0) or 'none'}, at or below it on "
        f"{', '.join(n for n, g in gaps.items() if g <= 0) or 'none'}. The temperature "
        "that fits SST-2 dev lowers no other set's negative log-likelihood by more than "
        f"{max(gain, 0):.3f}; the sets' own temperatures run from {min(own):.2f} to "
        f"{max(own):.2f}: {verdict}. A threshold of 0.9 on the top score keeps "
        f"{min(kept):.0%}-{max(kept):.0%} of a set's texts, "
        f"{min(right):.1%}-{max(right):.1%} of them right.",
    ]
    part, whole = results["by_read"].get("part"), results["by_read"].get("all")
    if part and whole:
        lost = whole["accuracy"] - part["accuracy"]
        lower = whole["mean_score"] - part["mean_score"]
        said.append(
            f"Texts read in part are right {part['accuracy']:.1%} of the time against "
            f"{whole['accuracy']:.1%}, at a mean score of {part['mean_score']:.1%} against "
            f"{whole['mean_score']:.1%}: "
            + (
                "their scores fall less than their accuracy, so an app should ask more of "
                "them, or say that the text was read in part."
                if lost > lower
                else "their scores fall as their accuracy does."
            )
        )
    none = results["by_read"].get("none")
    if none:
        said.append(
            f"Texts the model reads not at all ({none['n']:,}) are right "
            f"{none['accuracy']:.1%} of the time at a mean score of {none['mean_score']:.1%}: "
            "their score means nothing."
        )
    return said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--report", action="store_true", help="rewrite the page from the .json")
    args = parser.parse_args()
    if args.report:
        write_report(json.loads((HERE / "calibration.json").read_text()))
        return
    write_report(measure(args.data))


if __name__ == "__main__":
    main()
