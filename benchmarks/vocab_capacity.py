"""What the bounded word counter of ``--stream`` costs: vocabulary overlap and accuracy.

On IMDB train from ``../shared/data`` (107k distinct words), the streamed vocabulary of
``--vocab-size 10000`` is built with word capacities from exact down to the smallest the
spec allows (twice the vocabulary), and compared with the exact one. Then a model is
trained (``--stream``, same seed) with the exact counts and with the smallest capacity,
and both are evaluated on SST-2 dev, which neither saw. Writes
``benchmarks/vocab_capacity.md`` and ``.json``::

    python benchmarks/vocab_capacity.py     # about 6 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from sentigru.data import ReadOptions
from sentigru.data.stream import StreamSource
from sentigru.tokenizer import Vocabulary

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
IMDB, SST2_DEV = SHARED / "imdb" / "train.tsv.gz", SHARED / "sst2" / "dev.tsv.gz"
VOCAB = 10_000
CAPACITIES = (None, 100_000, 50_000, 20_000)
TRAIN_ARGS = [
    "--stream", "--vocab-size", str(VOCAB), "--epochs", "2", "--seed", "1",
    "--label-map", "0=negative,1=positive",
]  # fmt: skip


def overlap_rows() -> list[dict]:
    options = ReadOptions(label_map={"0": "negative", "1": "positive"})
    source = StreamSource([IMDB], options, val_fraction=0.1, seed=1)
    exact = None
    rows = []
    for capacity in CAPACITIES:
        scan = source.scan(capacity)
        vocab = set(Vocabulary.from_counts(scan.words.counts, VOCAB).tokens)
        exact = exact or vocab
        rows.append(
            {
                "capacity": capacity or "exact",
                "words_counted": scan.words.words,
                "undercount_bound": scan.words.undercount,
                "shared_with_exact": len(vocab & exact) - 3,
            }
        )
        print(rows[-1], flush=True)
    return rows


def accuracy(capacity: int | None, folder: Path) -> dict[str, float]:
    """Accuracy on the held-out IMDB rows (from the manifest) and on SST-2 dev."""
    out = folder / f"model-{capacity or 'exact'}"
    cap = ["--word-capacity", str(capacity)] if capacity else []
    train = ["train", "--data", str(IMDB), "--out", str(out), *TRAIN_ARGS, *cap]
    subprocess.run([sys.executable, "-m", "sentigru", *train], check=True, capture_output=True)
    evaluate = ["evaluate", "--model", str(out), "--data", str(SST2_DEV), "--json"]
    evaluate += ["--label-map", "0=negative,1=positive"]
    done = subprocess.run(
        [sys.executable, "-m", "sentigru", *evaluate], check=True, capture_output=True, text=True
    )
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        "imdb_val": manifest["metrics"]["val_accuracy"],
        "sst2_dev": json.loads(done.stdout)["accuracy"],
    }


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()  # --help says what this runs, instead of running it
    if not IMDB.exists():
        raise SystemExit(f"needs the shared data at {SHARED}")
    rows = overlap_rows()
    with tempfile.TemporaryDirectory() as tmp:
        scores = {str(c or "exact"): accuracy(c, Path(tmp)) for c in (None, CAPACITIES[-1])}
    print(scores)
    lines = [
        "# The bounded word counter of `--stream`: what it costs",
        "",
        f"IMDB train (25,000 reviews, a tenth held out by hash), `--vocab-size {VOCAB}`; "
        "the overlap compares case-sensitive vocabularies (no aliases), the models use "
        "the default case aliases. The default capacity, 500,000, counts all of IMDB "
        "exactly. Produced by `python benchmarks/vocab_capacity.py` in one run.",
        "",
        "| word capacity | words counted | most any count is low | vocabulary shared with exact |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['capacity']} | {r['words_counted']:,} | {r['undercount_bound']} | "
            f"{r['shared_with_exact']:,} of {VOCAB:,} |"
        )
    lines += [
        "",
        "Accuracy of a model trained with `" + " ".join(TRAIN_ARGS) + "` on the held-out "
        "IMDB rows and on SST-2 dev (872 sentences, unseen):",
        "",
        "| word capacity | IMDB held out | SST-2 dev |",
        "|---|---:|---:|",
        *(f"| {k} | {v['imdb_val']:.4f} | {v['sst2_dev']:.4f} |" for k, v in scores.items()),
        "",
    ]
    (HERE / "vocab_capacity.md").write_text("\n".join(lines), "utf-8")
    payload = {"overlap": rows, "sst2_dev_accuracy": scores}
    (HERE / "vocab_capacity.json").write_text(json.dumps(payload, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
