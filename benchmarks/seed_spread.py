"""How much of the bundled model's validation figure is the seed, and how much the model.

The seed picks the validation split as well as the weights, and some IMDB splits are
easier than others for every model. This script takes model folders trained with the
bundled model's command and different ``--seed`` values, and for each measures, on that
folder's own validation split:

* the phone file's accuracy (built here as ``sentigru export`` builds it) on the split's
  IMDB rows, on the SST-2 dev sentences and on the 600 short reviews of ``data/``;
* a TF-IDF + logistic regression model (``baselines.tfidf_pipeline``) trained on the
  same training rows, so that the margin over it is measured on the same split.

    # the command in scripts/build_bundled_model.sh, with --seed N --out runs/seedN
    python benchmarks/seed_spread.py sentigru/models/default runs/seed8 runs/seed9 \
        runs/seed10 runs/seed11

Writes ``benchmarks/seed_spread.md`` and ``benchmarks/seed_spread.json``; to measure a
candidate's runs without touching them, give ``--out`` another stem (``--out
runs/candidate`` writes ``runs/candidate.md`` and ``runs/candidate.json``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baselines import accuracy, phone_predict, splits, tfidf_pipeline

from sentigru import bundle

SETS = ("imdb_val", "sst_dev", "short")


def measure(path: Path) -> dict:
    folder = bundle.load(path)
    data = splits(folder)
    predict = phone_predict(folder)
    tfidf = tfidf_pipeline().fit(data["train"].texts, data["train"].labels)
    row: dict = {"model": str(path), "seed": folder.spec.training.seed}
    row["imdb_val_rows"] = len(data["imdb_val"])

    for name in SETS:
        row[name] = accuracy(predict, data[name])
        row[f"tfidf_{name}"] = accuracy(tfidf.predict, data[name])
    print(json.dumps(row), flush=True)
    return row


HERE = Path(__file__).resolve().parent


def write(rows: list[dict], stem: Path) -> None:
    head = "| seed | IMDB val rows | IMDB val | TF-IDF | margin | SST-2 dev | TF-IDF | margin"
    lines = [
        "# The bundled model's command under different seeds",
        "",
        "Made by `benchmarks/seed_spread.py`. Each seed gives its own validation split; "
        "TF-IDF + logistic regression is trained on the same training rows. Phone files "
        "(dynamic-range quantized).",
        "",
        head + " | short reviews | TF-IDF |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        imdb = r["imdb_val"] - r["tfidf_imdb_val"]
        sst = r["sst_dev"] - r["tfidf_sst_dev"]
        lines.append(
            f"| {r['seed']} | {r['imdb_val_rows']} | {r['imdb_val']:.4f} "
            f"| {r['tfidf_imdb_val']:.4f} | {imdb * 100:+.2f} | {r['sst_dev']:.4f} "
            f"| {r['tfidf_sst_dev']:.4f} | {sst * 100:+.2f} | {r['short']:.4f} "
            f"| {r['tfidf_short']:.4f} |"
        )
    for name in SETS:
        ours = [r[name] for r in rows]
        margins = [r[name] - r[f"tfidf_{name}"] for r in rows]
        lines.append(
            f"\n{name}: median {statistics.median(ours):.4f}, mean {statistics.mean(ours):.4f} "
            f"(range {min(ours):.4f}–{max(ours):.4f}); margin over TF-IDF: median "
            f"{statistics.median(margins) * 100:+.2f}, mean {statistics.mean(margins) * 100:+.2f}"
            " points."
        )
    stem.parent.joinpath(stem.name + ".md").write_text("\n".join(lines) + "\n", "utf-8")
    stem.parent.joinpath(stem.name + ".json").write_text(json.dumps(rows, indent=2) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / "seed_spread",
        help="where the table goes: STEM.md and STEM.json (default: benchmarks/seed_spread)",
    )
    args = parser.parse_args()
    write([measure(path) for path in args.models], args.out)


if __name__ == "__main__":
    main()
