"""GRU against LSTM on real reviews: ``sentigru compare`` on IMDB train.

The usual claims about the two cells (the GRU has fewer parameters, trains faster,
needs less memory, and reaches about the same accuracy) are checked here by measuring,
on this machine, with one command:

    python benchmarks/compare_cells.py                    # ../shared/data, ~15 min, 2 cores
    python benchmarks/compare_cells.py --rows 2000 --epochs 1     # a quick look

It takes ``imdb/train.tsv.gz`` (with ``--rows``, a stratified, seeded sample of it; the
copy is written under ``runs/``, never into the repository), runs ``sentigru compare``
on it, and writes ``benchmarks/COMPARE.md``, ``benchmarks/compare.json`` and
``benchmarks/compare.png`` from that one run. The model folders stay in
``runs/compare-imdb/{gru,lstm}``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from sentigru.comparison import format_table, latency_ms
from sentigru.data import ReadOptions, read_examples
from sentigru.spec import Spec

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
HERE = Path(__file__).resolve().parent
LABEL_MAP = "0=negative,1=positive"


def _defaults() -> str:
    """The default spec's main settings, as the sentigru that ran has them."""
    spec = Spec()
    model, training = spec.model, spec.training
    return (
        f"vocabulary {spec.tokenizer.vocab_size:,}, words seen {spec.tokenizer.min_count}+ "
        f"times, embedding {model.embed_dim}, {model.units} units per direction, "
        f"{model.layers} bidirectional layer(s), batch {training.batch_size}, "
        f"Adam {training.learning_rate:g}"
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument(
        "--rows", type=int, default=25_000, help="reviews to use (a stratified sample) [all]"
    )
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--chunk-len", type=int, default=64)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "compare-imdb")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite COMPARE.md from benchmarks/compare.json, without training",
    )
    return parser.parse_args()


def subsample(source: Path, rows: int, seed: int, target: Path) -> int:
    """A stratified, seeded subsample of ``source`` as JSON Lines (raw 0/1 labels, so
    that the command maps them exactly as a user would)."""
    examples = read_examples(source, ReadOptions()).examples
    if rows < len(examples):
        _, examples = examples.stratified_split(rows / len(examples), seed)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as stream:
        for text, label in zip(examples.texts, examples.labels):
            stream.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
    return len(examples)


def compare_command(args: argparse.Namespace, data: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sentigru",
        "compare",
        "--data",
        str(data),
        "--label-map",
        LABEL_MAP,
        "--out",
        str(args.out),
        "--force",
        "--epochs",
        str(args.epochs),
        "--seq-len",
        str(args.seq_len),
        "--chunk-len",
        str(args.chunk_len),
        "--seed",
        str(args.seed),
    ]


TOLERANCE = 0.05
"""Differences under 5 % are called small: one run on a shared machine cannot tell
them from noise (exact counts, such as parameters, excepted)."""

ROUNDS, CALLS = 10, 50
"""The phone files are timed in alternating rounds (each round the median of 50
one-text calls of each file), so that what else the machine does weighs on both."""


def latency_rounds(folder: Path, cells: dict[str, dict[str, Any]]) -> dict[str, list[float]]:
    """Each cell's phone-file latency (ms) in :data:`ROUNDS` alternating rounds."""
    contents = {name: (folder / cell["tflite_file"]).read_bytes() for name, cell in cells.items()}
    rounds: dict[str, list[float]] = {name: [] for name in contents}
    for _ in range(ROUNDS):
        for name, content in contents.items():
            rounds[name].append(latency_ms(content, CALLS))
    return rounds


def _latency_verdict(rounds: dict[str, list[float]] | None) -> str:
    """ "GRU answers faster" decided by the per-round ratios: held only when every round
    has the GRU ahead, did not hold when none does, undecided otherwise."""
    if not rounds:
        return "**not decided**: timed once, without repeats"
    ratios = sorted(g / m for g, m in zip(rounds["gru"], rounds["lstm"]))
    median = statistics.median(ratios)
    verdict = "held" if ratios[-1] < 1 else "did not hold" if ratios[0] >= 1 else "not decided"
    return (
        f"**{verdict}** (GRU/LSTM latency {median:.3f}x, the median of {len(ratios)} "
        f"alternating rounds of {CALLS} one-text calls; rounds {ratios[0]:.3f}–"
        f"{ratios[-1]:.3f}x; GRU {statistics.median(rounds['gru']):.3f} ms against LSTM "
        f"{statistics.median(rounds['lstm']):.3f} ms)"
    )


def _judge(gru: float, lstm: float, exact: bool = False) -> str:
    """How a "GRU is smaller/faster" claim fared, with the relative difference."""
    change = (gru - lstm) / lstm
    if not exact and abs(change) <= TOLERANCE:  # one run: noise, whichever way it fell
        verdict = "not decided"
    elif gru < lstm:
        verdict = "held"
    else:
        verdict = "did not hold"
    return f"**{verdict}** (GRU {change:+.1%} against LSTM"


def verdicts(cells: dict[str, dict[str, Any]], rounds: dict[str, list[float]] | None) -> list[str]:
    """Each usual claim, and the figures that decide it."""
    gru, lstm = cells["gru"], cells["lstm"]
    walls = [x for c in (gru, lstm) for x in c["epoch_seconds"]]
    noisy = max(walls) > 1.5 * min(walls)
    gap = (gru["best_val_accuracy"] - lstm["best_val_accuracy"]) * 100
    pairs = list(zip(gru["val_accuracy"], lstm["val_accuracy"]))
    ahead = sum(g > m for g, m in pairs)
    rest = gru["parameters"] - gru["recurrent_parameters"]
    return [
        f"- GRU has fewer parameters: "
        f"{_judge(gru['recurrent_parameters'], lstm['recurrent_parameters'], exact=True)} "
        f"in the recurrent layers: {gru['recurrent_parameters']:,} against "
        f"{lstm['recurrent_parameters']:,}; but "
        f"{(gru['parameters'] - lstm['parameters']) / lstm['parameters']:+.1%} for the whole "
        f"model, {gru['parameters']:,} against {lstm['parameters']:,}: the other layers, "
        f"the embedding table above all, hold {rest:,} in both)",
        f"- GRU trains faster: "
        f"{_judge(gru['process_cpu_seconds'], lstm['process_cpu_seconds'])} in CPU seconds of "
        f"the training process: {gru['process_cpu_seconds']:.0f} against "
        f"{lstm['process_cpu_seconds']:.0f}; the epochs of both took "
        f"{min(walls):.0f}–{max(walls):.0f} s of wall time"
        + (
            ", as other work on the machine came and went, so wall time decides nothing)"
            if noisy
            else ")"
        ),
        f"- GRU needs less memory: {_judge(gru['peak_rss_bytes'], lstm['peak_rss_bytes'])} "
        f"in peak RSS of training: {gru['peak_rss_bytes'] / 1e6:.0f} MB against "
        f"{lstm['peak_rss_bytes'] / 1e6:.0f} MB, TensorFlow and the data, which both "
        "cells carry, included)",
        f"- about the same accuracy: **{'held' if abs(gap) <= 1 else 'did not hold'}** "
        f"(validation accuracy of the kept weights {gru['best_val_accuracy']:.2%} against "
        f"{lstm['best_val_accuracy']:.2%}, {gap:+.2f} points; the GRU was ahead after "
        f"{ahead} of {len(pairs)} epochs)",
        f"- GRU makes a smaller phone file: "
        f"{_judge(gru['tflite_bytes'], lstm['tflite_bytes'], exact=True)}: "
        f"{gru['tflite_bytes'] / 1e6:.3f} MB against {lstm['tflite_bytes'] / 1e6:.3f} MB)",
        f"- GRU answers faster on the phone: {_latency_verdict(rounds)}",
    ]


def report(result: dict[str, Any], args: argparse.Namespace, rows: int) -> str:
    command = " ".join(compare_command(args, Path("runs/compare-imdb-sample.jsonl"))[3:])
    command = command.replace(str(args.out), "runs/compare-imdb")
    machine = result["machine"]
    return "\n".join(
        [
            "# GRU against LSTM on IMDB reviews",
            "",
            f"Made by `benchmarks/compare_cells.py` from one run of `sentigru compare` on "
            f"{rows:,} reviews of the shared `imdb/train.tsv.gz` (seed {args.seed}); 10 % of "
            "them held out for validation (seeded, stratified). Machine: "
            f"{machine['cpus']} CPU cores ({machine['platform']}); the load averages below "
            "show what else ran, and the times of one run are indicative.",
            "",
            f"    sentigru {command}",
            "",
            f"Everything else is the default spec of the sentigru that ran "
            f"({result['defaults']}); the phone file is "
            "the spec's export (MediaPipe graph, dynamic int8 weights) and its latency the "
            "median of one-text calls through LiteRT on one thread (the table's, once as "
            "each cell finished; the verdict's, in alternating rounds). Peak memory is the whole "
            "training process's resident high-water mark, TensorFlow and the data included. "
            "Load average as each cell finished (1, 5, 15 min): "
            + "; ".join(f"{n} {c['load_average']}" for n, c in result["cells"].items())
            + ".",
            "",
            "```",
            format_table(result),
            "```",
            "",
            "## The usual claims",
            "",
            *verdicts(result["cells"], result.get("latency_rounds")),
            "",
            "Chart: [`compare.png`](compare.png); all figures: [`compare.json`](compare.json).",
            "",
        ]
    )


def _relative(path: Path) -> Path:
    return Path(os.path.relpath(path.resolve(), ROOT))


def main() -> None:
    args = arguments()
    source = args.shared / "imdb" / "train.tsv.gz"
    sample = args.out.parent / "compare-imdb-sample.jsonl"
    if not args.report_only:
        if not source.exists():
            sys.exit(f"no IMDB data at {source}")
        subsample(source, args.rows, args.seed, sample)
        # Run from the repository with paths relative to it, so that the figures this
        # writes (compare.json records the command) name no folder of this machine.
        relative = argparse.Namespace(**{**vars(args), "out": _relative(args.out)})
        done = subprocess.run(compare_command(relative, _relative(sample)), cwd=ROOT)
        if done.returncode:
            sys.exit(done.returncode)
    if args.report_only:  # from the committed figures: a clean checkout has no runs/
        result = json.loads((HERE / "compare.json").read_text("utf-8"))
        rows = int(result.get("rows", args.rows))
    else:
        with sample.open(encoding="utf-8") as stream:
            rows = sum(1 for _ in stream)
        result = {**json.loads((args.out / "comparison.json").read_text("utf-8")), "rows": rows}
        result["defaults"] = _defaults()  # as they were for this run: a report rewritten later
        result["latency_rounds"] = latency_rounds(args.out, result["cells"])
        (HERE / "compare.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
        if (args.out / "comparison.png").exists():
            shutil.copyfile(args.out / "comparison.png", HERE / "compare.png")
    (HERE / "COMPARE.md").write_text(report(result, args, rows), "utf-8")
    written = [] if args.report_only else ["compare.json"]
    if not args.report_only and (args.out / "comparison.png").exists():
        written.append("compare.png")
    print(f"wrote {', '.join([str(HERE / 'COMPARE.md'), *written])}")


if __name__ == "__main__":
    main()
