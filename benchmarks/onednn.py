"""TensorFlow's oneDNN kernels on and off: training speed, and whether the graphs agree.

sentigru sets ``TF_ENABLE_ONEDNN_OPTS=0`` before importing TensorFlow unless the user set
it (``sentigru/tf_quiet.py``). This measures what that costs and why, in one run:

* training: ``sentigru train --preset bundled --epochs 1`` on the same seeded sample of
  IMDB train and SST-2 train rows with the variable at 0 and at 1, interleaved over
  ``--rounds`` rounds: the epoch's seconds (from ``history.json``), the process's wall
  time, and the epoch's training loss (the same numbers, or not);
* correctness: ``tests/test_graph.py`` (the hand-written phone graph against Keras on
  random models) in a fresh process under each setting: passed, failed or crashed.

    python benchmarks/onednn.py --data DATA_FOLDER [--rows 16000] [--rounds 2]
    python benchmarks/onednn.py --report   # the page again from onednn.json

Writes ``benchmarks/onednn.json`` and ``benchmarks/onednn.md``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SETTINGS = ("0", "1")


def sample_rows(data: Path, rows: int, out: Path, seed: int = 7) -> None:
    """A seeded sample, half IMDB train and half SST-2 train, as a TSV."""
    picked: list[tuple[str, str]] = []
    for name in ("imdb/train.tsv.gz", "sst2/train.tsv.gz"):
        with gzip.open(data / name, "rt", encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            table = [(r["label"], r["text"]) for r in reader]
        picked += random.Random(seed).sample(table, rows // 2)
    with out.open("w", encoding="utf-8") as f:
        f.write("label\ttext\n")
        f.writelines(f"{label}\t{text}\n" for label, text in picked)


def train_once(rows: Path, setting: str, out: Path) -> dict:
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": setting}
    command = [sys.executable, "-m", "sentigru", "train", "--preset", "bundled"]
    command += ["--data", str(rows), "--epochs", "1", "--out", str(out), "--force"]
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - start
    history = json.loads((out / "history.json").read_text())
    return {
        "epoch_seconds": history["epoch_seconds"][0],
        "wall_seconds": round(wall, 1),
        "loss": history["loss"][0],
    }


def graph_test(setting: str) -> str:
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": setting}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command.append("tests/test_graph.py")
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode < 0:
        return f"crashed (signal {-done.returncode})"
    lines = [line for line in done.stdout.splitlines() if " in " in line]
    return lines[-1].strip("= ") if lines else f"exit {done.returncode}"


def write_report(result: dict) -> None:
    (HERE / "onednn.json").write_text(json.dumps(result, indent=1) + "\n")
    runs = result["runs"]
    med = {s: statistics.median(r["epoch_seconds"] for r in runs[s]) for s in SETTINGS}
    wall = {s: statistics.median(r["wall_seconds"] for r in runs[s]) for s in SETTINGS}
    lines = [
        "# TensorFlow's oneDNN kernels on and off",
        "",
        "sentigru turns oneDNN off (`TF_ENABLE_ONEDNN_OPTS=0`) unless the variable is set.",
        f"Machine: {result['machine']}; TensorFlow {result['tensorflow']}. One epoch of",
        f"`--preset bundled` on {result['rows']:,} rows (half IMDB train, half SST-2 train,",
        f"seeded), {result['rounds']} rounds interleaved; medians.",
        "",
        "| `TF_ENABLE_ONEDNN_OPTS` | epoch seconds | process wall seconds | training loss "
        "| `tests/test_graph.py` |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        losses = sorted({f"{r['loss']:.8f}" for r in runs[s]})
        lines.append(
            f"| {s} | {med[s]:.1f} | {wall[s]:.1f} | {', '.join(losses)} | {result['graph'][s]} |"
        )
    lines += [
        "",
        f"Off against on: epochs take {med['0'] / med['1']:.2f}x as long, the whole process "
        f"{wall['0'] / wall['1']:.2f}x. {same_loss(runs)}",
        "",
        "Reproduce: `python benchmarks/onednn.py --data DATA_FOLDER`.",
        "",
    ]
    (HERE / "onednn.md").write_text("\n".join(lines))


def same_loss(runs: dict) -> str:
    """Whether the two settings train the same numbers (bit for bit) or only nearly."""
    losses = {s: {r["loss"] for r in runs[s]} for s in SETTINGS}
    if losses["0"] == losses["1"]:
        return "The training loss is the same number under both."
    gap = max(abs(a - b) for a in losses["0"] for b in losses["1"])
    return (
        f"The training loss differs by {gap:.1e}: the two settings round differently, so a "
        "model trained under one is close to, not bit for bit, the one trained under the other."
    )


def machine() -> str:
    """Cores, CPU model and whether it has AVX-512 (what oneDNN's paths depend on)."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    names = [line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line]
    avx512 = "with AVX-512" if "avx512f" in info else "without AVX-512"
    return f"{os.cpu_count()} cores, {names[0] if names else 'CPU'}, {avx512}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="the shared data folder")
    parser.add_argument("--rows", type=int, default=16_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--report", action="store_true", help="rewrite the page from the .json")
    args = parser.parse_args()
    if args.report:
        write_report(json.loads((HERE / "onednn.json").read_text()))
        return
    if args.data is None:
        parser.error("--data is required (or --report)")
    runs: dict[str, list[dict]] = {s: [] for s in SETTINGS}
    with tempfile.TemporaryDirectory() as tmp:
        rows = Path(tmp) / "rows.tsv"
        sample_rows(args.data, args.rows, rows)
        for _ in range(args.rounds):
            for s in SETTINGS:
                runs[s].append(train_once(rows, s, Path(tmp) / f"model-{s}"))
                print(s, runs[s][-1], flush=True)
    result = {
        "machine": machine(),
        "tensorflow": version("tensorflow"),
        "rows": args.rows,
        "rounds": args.rounds,
        "runs": runs,
        "graph": {s: graph_test(s) for s in SETTINGS},
    }
    write_report(result)


if __name__ == "__main__":
    main()
