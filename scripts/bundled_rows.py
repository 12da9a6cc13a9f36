"""Write the bundled model's training rows (IMDB train, SST-2 train, up to 5,000
reviews per label of clothing and fine food and 15,000 of product summaries, and the
negation sentences of ``data/negation_train.tsv``) to one TSV, in the order it trains on.

    python scripts/bundled_rows.py OUT.tsv [DATA_DIR]

Which rows and why: ``benchmarks/candidates.md`` (candidates B, E, I, K, Y and W, each
adopted by its rule).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import baselines
from movie_overlap import write_tsv

from sentigru.data import read_examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the TSV to write")
    parser.add_argument("data_dir", type=Path, nargs="?", help="the shared data folder")
    args = parser.parse_args()
    out = args.out
    if args.data_dir is not None:
        baselines.SHARED = args.data_dir
    rows, _ = baselines.bundled_rows()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_tsv(out, rows)
    if read_examples(out).examples.fingerprint() != rows.fingerprint():
        sys.exit(f"{out}: the rows did not survive the TSV round trip")
    print(f"{out}: {len(rows)} rows")


if __name__ == "__main__":
    main()
