"""How fast sentigru scores many texts, against TF-IDF + logistic regression, in one run.

Throughput (texts/s, wall clock; every figure includes tokenization, scores come back in
input order) of:

* sentigru before bulk prediction: the phone file of that time (from git, ``--before``)
  at its fixed ``[1, 1024]`` input, one text per invoke, one thread (the predictor's
  loop), with the tokenizer and vocabulary it carries;
* sentigru with length buckets (:mod:`sentigru.bulk`), 1 job;
* the same on every core, three ways: threads each with its own interpreters (what
  sentigru uses), worker processes each with its own, and one interpreter with LiteRT's
  own threads (``num_threads``);
* the previously bundled phone file (from git, ``--previous``), with its own tokenizer,
  bulk on every core with threads: whether the current file reads as many texts a
  second as the one it replaced;
* TF-IDF of words and word pairs + logistic regression (scikit-learn, the settings of
  ``baselines.py``), trained on the bundled model's training rows (IMDB train, SST-2
  train and three other review domains, minus its validation split), predicting the
  same texts; one process, as scikit-learn predicts.

Each sentigru bulk figure is given twice: a new runner's first call, set-up included
(probing the file and making a graph per length and worker, what one ``sentigru
evaluate`` pays), and a second call on the same runner. Every configuration runs
``--rounds`` times, interleaved; the tables give the median.

Texts: 5,000 IMDB reviews, a seeded sample of ``imdb/train.tsv.gz`` (the bundled model
trained on 90 % of that file and no IMDB file here is unseen; speed does not depend on
labels), and 3,800 short texts: the 872 SST-2 dev sentences, the 600 short reviews of
``data/`` and a seeded sample of SST-2 train phrases.

Also: the cold start of ``sentigru predict TEXT`` (process start to answer, median of
7) with the previously bundled and the current phone file, and how close the throughput is to
the machine: multiply-adds per text (counted from the ``FULLY_CONNECTED`` weights of
the graph at the shape each text runs at) times texts/s, against a numpy float32
matmul's multiply-adds per second on one core and on all.

Benchmark-only dependency: scikit-learn (``pip install scikit-learn``).

    python benchmarks/bulk_speed.py

Writes ``benchmarks/bulk_speed.md`` and ``benchmarks/bulk_speed.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sentigru import bundle
from sentigru.bulk import BucketRunner, available_cores
from sentigru.data import Examples, read_examples
from sentigru.predictor import LiteRTPredictor
from sentigru.presets import default_model
from sentigru.spec import Spec

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
BEFORE = "79f6984c04ba0bc4a2c9bd7c7d265d59c312874d"
"""The last commit whose phone graph had fixed shapes (its bundled phone file gave
bit-identical scores to the resizable graph of the same model)."""
PREVIOUS = "05637a0649b8164738e7c049b4919002ee7f33ea"
"""The last commit with the previously bundled model (Cl's build, the same graph; before it
Cw's seed-7 build, 9695f78, Cw's seed-8 build, 9a05086, and C's, 72a6d44, with one int8
scale)."""
PROBE = "A charming, funny film with a wonderful cast."
SEED = 20251
PARALLEL = ("threads", "processes", "litert")


def tsv_texts(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        next(stream)
        return [line.rstrip("\n").split("\t", 1)[1] for line in stream]


def workloads(imdb: int, short: int) -> dict[str, list[str]]:
    rng = random.Random(SEED)
    reviews = rng.sample(tsv_texts(SHARED / "imdb" / "train.tsv.gz"), imdb)
    sentences = tsv_texts(SHARED / "sst2" / "dev.tsv.gz")
    for name in ("reviews.tsv", "reviews_test.tsv"):
        sentences += read_examples(ROOT / "data" / name).examples.texts
    phrases = tsv_texts(SHARED / "sst2" / "train.tsv.gz")
    sentences += rng.sample(phrases, max(0, short - len(sentences)))
    return {"imdb": reviews, "short": sentences[:short]}


def training_rows(folder: Path) -> Examples:
    """The bundled model's training rows: its file, order, seed and validation split."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from baselines import bundled_rows, same_data, split_seed

    manifest = bundle.read_manifest(folder)
    spec = Spec.from_json((folder / "spec.json").read_text("utf-8"))
    combined, _ = bundled_rows()
    if not same_data(combined.fingerprint(), manifest):
        sys.exit("the shared data differs from the bundled model's training data")
    seed = split_seed(manifest, spec.training.seed)
    train, _ = combined.stratified_split(spec.training.val_split, seed)
    return train


def previous_phone_file(ref: str) -> bytes | None:
    path = "sentigru/models/default/model.tflite"
    try:
        done = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def carried_tokenizer(content: bytes) -> Any:
    """The tokenizer a phone file carries: an older file has its own vocabulary."""
    return LiteRTPredictor(content, "previous phone file").tokenizer


def one_at_a_time(content: bytes, tokenizer: Any) -> Callable[[list[str]], np.ndarray]:
    """The predictor's loop before bulk prediction: each text alone at ``[1, L]``."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=content, num_threads=1)
    interpreter.allocate_tensors()
    ids_in = interpreter.get_input_details()[0]["index"]
    out = interpreter.get_output_details()[0]["index"]

    def scores(texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), 2), np.float32)
        for i, text in enumerate(texts):
            interpreter.set_tensor(ids_in, tokenizer.encode([text]))
            interpreter.invoke()
            rows[i] = interpreter.get_tensor(out)[0]
        return rows

    return scores


def timed(call: Callable[[list[str]], object], texts: list[str]) -> dict[str, float]:
    """Wall-clock and CPU seconds (this process, all its threads) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call(texts)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


Files = dict[str, tuple[bytes, Any]]
"""Phone files by role (``current``, ``before``, ``previous``) with their tokenizers."""


def measure_round(
    texts: list[str], files: Files, tfidf: Any, jobs: int, flip: bool = False
) -> dict[str, dict]:
    """Seconds of every configuration once, on one workload. The current and the
    previous file on threads run side by side, in the order ``flip`` turns every other
    round: run always second, one of them read up to 14 % slower on short texts with
    the same graph."""
    times = {"tfidf": timed(tfidf.predict, texts)}
    times["before"] = timed(one_at_a_time(*files["before"]), texts)
    pair = [
        (f"bulk {jobs} jobs, threads", "current", jobs, "threads"),
        (f"previous file, bulk {jobs} jobs, threads", "previous", jobs, "threads"),
    ]
    configs = [("bulk 1 job", "current", 1, "threads"), *(pair[::-1] if flip else pair)]
    configs += [(f"bulk {jobs} jobs, {p}", "current", jobs, p) for p in PARALLEL[1:]]
    for name, role, workers, parallel in configs:
        content, tokenizer = files[role]
        with BucketRunner(content, tokenizer, jobs=workers, parallel=parallel) as runner:
            times[f"{name}, first call"] = timed(runner.scores, texts)
            times[name] = timed(runner.scores, texts)
    return times


def summary(rounds: list[dict[str, dict[str, float]]], n: int) -> dict[str, dict[str, float]]:
    """Per configuration: median texts/s, median ratio to TF-IDF's texts/s in the same
    round, and median texts per CPU-second (None for worker processes, whose CPU time
    is not this process's)."""
    out = {}
    for name in rounds[0]:
        out[name] = {
            "texts_per_s": statistics.median(n / r[name]["wall"] for r in rounds),
            "ratio": statistics.median(r["tfidf"]["wall"] / r[name]["wall"] for r in rounds),
            "texts_per_cpu_s": None
            if "processes" in name
            else statistics.median(n / r[name]["cpu"] for r in rounds),
        }
    return out


def fc_macs(content: bytes, shape: tuple[int, int]) -> int:
    """Multiply-adds of the FULLY_CONNECTED operators of one invoke at ``shape``."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    # Without the XNNPACK delegate: shapes inside a delegated part are not kept up to
    # date in the interpreter's tensor list after a resize.
    interpreter = Interpreter(
        model_content=content,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    )
    index = interpreter.get_input_details()[0]["index"]
    interpreter.resize_tensor_input(index, list(shape))
    interpreter.allocate_tensors()
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    total = 0
    for op in interpreter._get_ops_details():  # the op list, as LiteRT's analyzer reads it
        if op["op_name"] != "FULLY_CONNECTED":
            continue
        data, weights = (tensors[i]["shape"] for i in op["inputs"][:2])
        total += int(np.prod(data[:-1])) * int(weights[0]) * int(weights[1])
    return total


def macs_per_text(content: bytes, tokenizer: Any, texts: list[str]) -> dict[str, float]:
    """Mean multiply-adds per text: at the fixed length (before), at the bucket each
    text runs at (bulk), and at the fewest whole chunks that hold it."""
    plan = BucketRunner(content, tokenizer, jobs=1).plan
    chunk, full = plan.lengths[0], plan.lengths[-1]
    at = {length: fc_macs(content, (1, length)) for length in set(plan.lengths) | {chunk}}
    dense = 2 * at[chunk] - fc_macs(content, (1, 2 * chunk))  # the per-text part
    per_chunk = at[chunk] - dense
    counts = [len(tokenizer.ids(text)) for text in texts]
    return {
        "fixed": float(at[full]),
        "bucket": float(np.mean([at[plan.lengths[plan.length_for(n)]] for n in counts])),
        "exact": float(np.mean([dense + per_chunk * -(-n // chunk) for n in counts])),
    }


def matmul_peak(threads: int | None, tries: int = 7) -> float:
    """Best float32 multiply-adds per second of a 1024x1024 numpy matmul."""
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    best = 0.0
    with threadpool_limits(limits=threads):
        for _ in range(tries):
            start = time.perf_counter()
            for _ in range(5):
                a @ a
            best = max(best, 5 * 1024**3 / (time.perf_counter() - start))
    return best


def cold_starts(previous: bytes, content: bytes, repeats: int) -> dict[str, float]:
    """``sentigru predict TEXT`` with each phone file, in a new process each time, the two
    files in turn; median seconds. A first, untimed run of each verifies the file (a
    ``.tflite`` from outside the package) into a cache of this run's own."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        commands = {}
        for name, data in (("previous", previous), ("after", content)):
            path = Path(tmp) / f"{name}.tflite"
            path.write_bytes(data)
            commands[name] = [sys.executable, "-m", "sentigru", "predict", "--model", str(path)]
            subprocess.run([*commands[name], PROBE], check=True, capture_output=True, env=env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeats):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run([*command, PROBE], check=True, capture_output=True, env=env)
                times[name].append(time.perf_counter() - start)
        return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--imdb", type=int, default=5000)
    parser.add_argument("--short", type=int, default=3800)
    parser.add_argument("--repeats", type=int, default=7, help="cold starts per file")
    parser.add_argument("--before", default=BEFORE, help="git commit of the fixed-shape file")
    parser.add_argument(
        "--previous", default=PREVIOUS, help="git commit of the previously bundled file"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "bulk_speed")
    parser.add_argument(
        "--from-json", action="store_true", help="only rewrite OUT.md from OUT.json"
    )
    args = parser.parse_args()
    if args.from_json:
        result = json.loads(args.out.with_suffix(".json").read_text("utf-8"))
        args.out.with_suffix(".md").write_text(report(result), "utf-8")
        return

    from baselines import tfidf_pipeline

    model = default_model()
    content = model.read_bytes()
    before = previous_phone_file(args.before) or content
    previous = previous_phone_file(args.previous) or content
    tokenizer = LiteRTPredictor.load(model).tokenizer
    files = {
        "current": (content, tokenizer),
        "before": (before, carried_tokenizer(before)),
        "previous": (previous, carried_tokenizer(previous)),
    }
    data = workloads(args.imdb, args.short)
    train = training_rows(model.parent)
    start = time.perf_counter()
    tfidf = tfidf_pipeline().fit(train.texts, train.labels)
    print(f"TF-IDF trained on {len(train)} rows in {time.perf_counter() - start:.0f} s")
    jobs = available_cores()
    loads, rounds = [], {name: [] for name in data}
    cores_free = []  # numpy's all-core rate over its 1-core rate, before each workload
    for r in range(args.rounds):
        for name, texts in data.items():
            loads.append(os.getloadavg()[0])
            cores_free.append(matmul_peak(None, 3) / matmul_peak(1, 3))
            rounds[name].append(measure_round(texts, files, tfidf, jobs, flip=r % 2 == 1))
            print(
                f"round {r + 1} {name}: "
                + ", ".join(
                    f"{k} {len(texts) / v['wall']:.0f}/s" for k, v in rounds[name][-1].items()
                ),
                flush=True,
            )
    result = {
        "machine": f"{platform.machine()}, {available_cores()} cores, Python "
        f"{platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "before_commit": args.before if before is not content else None,
        "previous_commit": args.previous if previous is not content else None,
        "rounds": args.rounds,
        "load_average_1min": [round(x, 2) for x in loads],
        "matmul_all_cores_over_one": [round(x, 2) for x in cores_free],
        "texts": {k: len(v) for k, v in data.items()},
        "mean_ids": {
            k: float(np.mean([len(tokenizer.ids(t)) for t in v])) for k, v in data.items()
        },
        "summary": {name: summary(rs, len(data[name])) for name, rs in rounds.items()},
        "all_rounds": rounds,
        "macs_per_text": {k: macs_per_text(content, tokenizer, v) for k, v in data.items()},
        "matmul_macs_per_s": {"1 core": matmul_peak(1), f"{jobs} cores": matmul_peak(None)},
        "cold_start_s": cold_starts(previous, content, args.repeats),
        "cold_start_repeats": args.repeats,
    }
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    args.out.with_suffix(".md").write_text(report(result), "utf-8")
    print(report(result))


def _span(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}x" if low == high else f"{low:.2f}x to {high:.2f}x"


TARGETS = {"imdb": 0.75, "short": 0.25}
FREE = 1.5
"""numpy's all-core over one-core rate from which a round counts as having had a second
core free."""


def report(r: dict[str, Any]) -> str:
    jobs = next(k for k in r["matmul_macs_per_s"] if k != "1 core").split()[0]
    best = f"bulk {jobs} jobs, threads"
    workloads = list(r["texts"])
    loads = r["load_average_1min"]
    lines = [
        "# Bulk prediction speed",
        "",
        "What `sentigru predict`/`evaluate` on many texts costs: texts/s of the bundled "
        "phone file before bulk prediction (one text per invoke at 1,024 ids), with length "
        "buckets on 1 job and on every core (threads, worker processes, or LiteRT's own "
        "threads), against TF-IDF + logistic regression trained on the same rows (see the "
        "script's docstring). Reproduce: `pip install scikit-learn`, then "
        f"`python benchmarks/bulk_speed.py --rounds {r['rounds']}` (the shared data next to "
        "the repository, `../shared/data`).",
        "",
        f"One run of `python benchmarks/bulk_speed.py`, {r['date']}, {r['machine']}; "
        f"{r['rounds']} rounds, each configuration once per round on each workload; "
        "medians over the rounds. The machine was shared with other work: its 1-minute "
        f"load average was {min(loads):.1f} to {max(loads):.1f} at the starts of the rounds "
        f"({jobs} means every core already busy), and a numpy matmul on all cores ran "
        f"{min(r['matmul_all_cores_over_one']):.2f}x to "
        f"{max(r['matmul_all_cores_over_one']):.2f}x as fast as on one just before each "
        f"workload (how much the machine had free for more workers; about {jobs} when "
        "idle), so rates move between rounds and runs. Each "
        "ratio is to TF-IDF in the same round (the median of those); texts per CPU-second "
        "(this process's threads together) are what one core does, whatever else runs.",
        "",
        "Texts: "
        + "; ".join(
            f"{k} {r['texts'][k]} ({r['mean_ids'][k]:.0f} ids on average)" for k in workloads
        )
        + ". Every figure includes tokenizing. sentigru's answers are the same in every "
        "row (tests/test_bulk.py).",
        "",
        "| | "
        + " | ".join(f"{w}: texts/s | ratio to TF-IDF | texts per CPU-s" for w in workloads)
        + " |",
        "|---|" + "---:|---:|---:|" * len(workloads),
    ]
    for name in r["summary"][workloads[0]]:
        cells = []
        for w in workloads:
            m = r["summary"][w][name]
            cpu = "" if m["texts_per_cpu_s"] is None else f"{m['texts_per_cpu_s']:.0f}"
            cells += [f"{m['texts_per_s']:.0f}", f"{m['ratio']:.2f}x", cpu]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "In short:", ""]
    for w in workloads:
        m = r["summary"][w]
        modes = {p: m[f"bulk {jobs} jobs, {p}"]["ratio"] for p in PARALLEL}
        fastest = max(modes, key=modes.__getitem__)
        one, before = m["bulk 1 job"], m["before"]
        per_cpu = one["texts_per_cpu_s"] / before["texts_per_cpu_s"]
        lines.append(
            f"- {w}: bulk runs {one['ratio'] / before['ratio']:.1f}x as many texts a second "
            f"as before on one job ({per_cpu:.1f}x per CPU-second); {jobs} jobs run "
            f"{m[best]['ratio'] / one['ratio']:.2f}x "
            f"as many as 1 job; of the ways to use {jobs} cores, "
            + ", ".join(f"{p} {v:.2f}x" for p, v in modes.items())
            + f" of TF-IDF: {fastest} fastest."
        )
    lines += [
        "",
        "Round by round, with what the machine had free (numpy's all-core over one-core "
        f"rate just before): {best} against TF-IDF, texts/s.",
        "",
        "| round | "
        + " | ".join(f"{w}: free | TF-IDF | sentigru | ratio" for w in workloads)
        + " |",
        "|---|" + "---:|---:|---:|---:|" * len(workloads),
    ]
    free = iter(r["matmul_all_cores_over_one"])
    for i in range(r["rounds"]):
        cells = []
        for w in workloads:
            t = r["all_rounds"][w][i]
            n = r["texts"][w]
            cells += [
                f"{next(free):.2f}",
                f"{n / t['tfidf']['wall']:.0f}",
                f"{n / t[best]['wall']:.0f}",
                f"{t['tfidf']['wall'] / t[best]['wall']:.2f}x",
            ]
        lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")
    free_rounds: dict[str, list[float]] = {w: [] for w in workloads}
    frees = r["matmul_all_cores_over_one"]
    for i in range(r["rounds"]):
        for j, w in enumerate(workloads):
            if frees[i * len(workloads) + j] >= FREE:
                t = r["all_rounds"][w][i]
                free_rounds[w].append(t["tfidf"]["wall"] / t[best]["wall"])
    if any(free_rounds.values()):
        lines += [
            "",
            f"Where a second core was free (numpy's ratio at least {FREE}): "
            + "; ".join(
                f"{w} {_span(v)} of TF-IDF ({len(v)} of the rounds, target {TARGETS[w]}x)"
                for w, v in free_rounds.items()
                if v
            )
            + ". Where it was not, the threads shared one core with the other work.",
        ]
    lines += ["", f"Targets, sentigru on every core ({best}) against TF-IDF (medians):", ""]
    for w, target in TARGETS.items():
        for key in (best, f"{best}, first call"):
            ratio = r["summary"][w][key]["ratio"]
            verdict = "met" if ratio >= target else "NOT met"
            lines.append(
                f"- {w}, {key.removeprefix(best).strip(', ') or 'second call'}: "
                f"{ratio:.2f}x, target {target}x: {verdict}"
            )
    prev = f"previous file, bulk {jobs} jobs, threads"
    for w in workloads if prev in r["summary"][workloads[0]] else ():
        now, then = r["summary"][w][best]["ratio"], r["summary"][w][prev]["ratio"]
        lines.append(
            f"- {w}, against the previously bundled file on every core: {now / then:.2f}x "
            "its texts/s (ratios to TF-IDF in the same rounds): "
            + ("no worse (within 5 %)" if now >= then * 0.95 else "SLOWER")
        )
    cold = r["cold_start_s"]
    lines += [
        f"- cold start of `sentigru predict TEXT` (median of {r['cold_start_repeats']}): "
        f"{cold['after']:.2f} s with the current phone file, {cold['previous']:.2f} s with the "
        "previously bundled one: "
        + ("no worse (within 5 %)" if cold["after"] <= cold["previous"] * 1.05 else "WORSE"),
        "",
        "How close to the machine: multiply-adds of the graph's FULLY_CONNECTED operators "
        "per text (at 1,024 ids; at the length each text runs at in bulk; at the fewest "
        "whole chunks that hold it), and per second at the measured rates (wall clock, and "
        "per CPU-second); the numpy float32 matmul peak below.",
        "",
        "| | " + " | ".join(workloads) + " |",
        "|---|" + "---:|" * len(workloads),
    ]
    macs = r["macs_per_text"]
    for label, key in (("1,024 ids", "fixed"), ("bucket", "bucket"), ("whole chunks", "exact")):
        lines.append(
            f"| multiply-adds per text, {label} | "
            + " | ".join(f"{macs[w][key] / 1e6:.1f} M" for w in workloads)
            + " |"
        )
    for name, key in (("before", "fixed"), ("bulk 1 job", "bucket"), (best, "bucket")):
        cells = []
        for w in workloads:
            m = r["summary"][w][name]
            cells.append(
                f"{macs[w][key] * m['texts_per_s'] / 1e9:.1f} G/s "
                f"({macs[w][key] * m['texts_per_cpu_s'] / 1e9:.1f} per CPU-s)"
            )
        lines.append(f"| {name}: multiply-adds | " + " | ".join(cells) + " |")
    peaks = ", ".join(f"{k}: {v / 1e9:.0f} G/s" for k, v in r["matmul_macs_per_s"].items())
    one_core = r["matmul_macs_per_s"]["1 core"]
    shares = ", ".join(
        f"{w} {macs[w]['bucket'] * r['summary'][w]['bulk 1 job']['texts_per_cpu_s'] / one_core:.0%}"
        for w in workloads
    )
    lines += [
        "",
        f"numpy float32 1024x1024 matmul, multiply-adds: {peaks}. Per CPU-second, bulk "
        f"prediction on 1 job does this share of one core's matmul rate in multiply-adds: "
        f"{shares}. The rest of its time goes to what is not a multiply-add (gate "
        "arithmetic, copies between steps, quantizing each step's input, starting some "
        "1,500 small operators per invoke, tokenizing). The multiply-adds counted are the "
        "ones computed, padding in a text's last chunk included.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
