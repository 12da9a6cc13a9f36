"""Export every mode and runtime of one model and measure what an app developer weighs.

For each (runtime, quantization): file size, operator count and subgraphs, single-text
latency in LiteRT with 1 thread and in MediaPipe's TextClassifier (median of many),
batch throughput (a LiteRT file with a fixed batch), and agreement with Keras (label
agreement, largest score difference) on held-out texts. Results go to
``benchmarks/export_results.md`` and ``.json``.

    python benchmarks/export_bench.py --model sentigru/models/default \\
        --texts ../shared/data/sst2/dev.tsv.gz

The machine is noisy: latencies are medians of ``--repeats`` single calls, each mode
measured in the same run, with ratios to the default mode.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from sentigru import bundle
from sentigru.data import ReadOptions, read_examples
from sentigru.exporters.phone import build_tflite, compare
from sentigru.exporters.tflite import operator_counts
from sentigru.predictor import LiteRTPredictor

MODES = [
    ("mediapipe", "dynamic"),
    ("mediapipe", "float16"),
    ("mediapipe", "none"),
    ("litert", "dynamic"),
    ("litert", "float16"),
]
BATCH = 32


def median_ms(call, items: list[str], repeats: int) -> float:
    times = []
    for i in range(repeats):
        text = items[i % len(items)]
        start = time.perf_counter()
        call(text)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def mediapipe_latency(path: Path, texts: list[str], repeats: int) -> float:
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.text import text_classifier

    options = text_classifier.TextClassifierOptions(
        base_options=BaseOptions(model_asset_path=str(path))
    )
    with text_classifier.TextClassifier.create_from_options(options) as classifier:
        for text in texts[:5]:
            classifier.classify(text)
        return median_ms(classifier.classify, texts, repeats)


def throughput(predictor: LiteRTPredictor, texts: list[str]) -> float:
    predictor.scores(texts[:BATCH])  # warm up
    start = time.perf_counter()
    predictor.scores(texts)
    return len(texts) / (time.perf_counter() - start)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--texts", type=Path, required=True, help="labelled file to compare on")
    parser.add_argument("--label-map", default="0=negative,1=positive")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "export_results")
    return parser


def main() -> None:
    parser = _parser()
    args = parser.parse_args()
    try:  # its latency column: missing, it read as MediaPipe refusing the file
        import mediapipe  # noqa: F401
    except ImportError:
        parser.error("this benchmark runs MediaPipe too: pip install mediapipe (the test extra)")

    mapping = dict(pair.split("=", 1) for pair in args.label_map.split(","))
    examples = read_examples(args.texts, ReadOptions(label_map=mapping)).examples
    texts, labels = examples.texts[: args.limit], examples.labels[: args.limit]
    folder = bundle.load(args.model)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for runtime, quantize in MODES:
            content = build_tflite(folder, quantize=quantize, runtime=runtime)
            path = Path(tmp) / f"{runtime}-{quantize}.tflite"
            path.write_bytes(content)
            single = LiteRTPredictor.load(path, threads=1)
            bulk_bytes = build_tflite(folder, quantize=quantize, runtime=runtime, batch=BATCH)
            bulk = LiteRTPredictor(bulk_bytes, threads=1)
            check = compare(folder, content, texts, labels)
            counts = operator_counts(content)
            rows.append(
                {
                    "runtime": runtime,
                    "quantize": quantize,
                    "bytes": len(content),
                    "operators": sum(sum(c.values()) for c in counts.values()),
                    "subgraphs": len(counts),
                    "litert_ms": median_ms(lambda t, p=single: p.scores([t]), texts, args.repeats),
                    "mediapipe_ms": (
                        mediapipe_latency(path, texts, args.repeats)
                        if runtime == "mediapipe"
                        else None
                    ),
                    "per_s": throughput(single, texts),
                    "batch_per_s": throughput(bulk, texts),
                    "label_agreement": check["label_agreement"],
                    "max_score_diff": check["max_score_diff"],
                    "keras_accuracy": check["accuracy"]["keras"],
                    "tflite_accuracy": check["accuracy"]["tflite"],
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    write_results(args, rows, len(texts))


def _shown(path: Path) -> str:
    """``path`` relative to the working folder (the repository's root, as run), or as
    given where it is on another drive."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _options(args: argparse.Namespace) -> str:
    """The options given other than their defaults, for the report's reproduce line."""
    defaults = vars(_parser().parse_args(["--model", "m", "--texts", "t"]))
    shown = []
    for name, value in vars(args).items():
        if name not in ("model", "texts", "out") and value != defaults.get(name):
            shown.append(f" --{name.replace('_', '-')} {value}")
    return "".join(shown)


def write_results(args: argparse.Namespace, rows: list[dict], n: int) -> None:
    base = rows[0]
    lines = [
        "# Export benchmark",
        "",
        f"Model `{args.model}`, {n} texts from `{args.texts.name}`; LiteRT with 1 thread; "
        f"latency = median of {args.repeats} single-text calls; throughput over all the "
        f"texts with the file itself (in length buckets, as bulk prediction runs) and with a "
        f"fixed-batch export of the same "
        f"mode (`--batch {BATCH}`), 1 thread. MediaPipe's Python task has no thread setting. "
        f"Machine: {platform.machine()}, {platform.python_version()}; one run, "
        f"{time.strftime('%Y-%m-%d')}. Ratios are to the first row (the default export).",
        "",
        f"Reproduce: `python benchmarks/export_bench.py --model {args.model} --texts "
        f"{_shown(args.texts)}{_options(args)}`",
        "",
        "| runtime | quantize | size | operators (subgraphs) | LiteRT ms | MediaPipe ms "
        f"| texts/s | texts/s, batch {BATCH} | keras acc | tflite acc | label agreement "
        "| max score diff |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        # a litert file has a WHILE loop, which MediaPipe refuses
        mp = f"{r['mediapipe_ms']:.2f}" if r["mediapipe_ms"] is not None else "refused (WHILE)"
        lines.append(
            f"| {r['runtime']} | {r['quantize']} | {r['bytes'] / 1e6:.3f} MB "
            f"({r['bytes'] / base['bytes']:.2f}x) | {r['operators']} ({r['subgraphs']}) | "
            f"{r['litert_ms']:.2f} ({r['litert_ms'] / base['litert_ms']:.2f}x) | {mp} | "
            f"{r['per_s']:.0f} | {r['batch_per_s']:.0f} | {r['keras_accuracy']:.4f} | "
            f"{r['tflite_accuracy']:.4f} | "
            f"{r['label_agreement']:.2%} | {r['max_score_diff']:.1e} |"
        )
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n", "utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n", "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
