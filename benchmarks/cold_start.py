"""How long `sentigru predict TEXT` takes from process start to answer, with this
checkout's code and with an earlier commit's, on the same bundled phone file.

Each round starts a new process for every variant, in turn (the order reversed every
other round): this checkout, the earlier commit (``git archive`` into a temporary
folder, run with ``PYTHONPATH``), and ``python -c "import numpy"``, a peer that the
machine's speed moves as it moves the others. Both trees are compiled to bytecode first,
as ``pip install`` leaves them. Wall and CPU seconds (user + system, the process and its
threads: OpenBLAS's idle spinning shows here) are medians over the rounds; the ratios are
to the earlier commit in the same round.

    python benchmarks/cold_start.py --before 3123ee1 --rounds 25
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = "The battery lasts all day and the screen is gorgeous."


def _export(ref: str, into: Path) -> Path:
    """The package as it was at ``ref``, unpacked into ``into``, holding this checkout's
    bundled model: the code is compared, not the model (a model of another size or
    vocabulary would move the times and the answer)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "sentigru"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    bundled = into / "sentigru" / "models" / "default"
    shutil.rmtree(bundled)
    shutil.copytree(ROOT / "sentigru" / "models" / "default", bundled)
    return into


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the child, and its stdout. Run from the temporary
    folder: ``-m`` puts the working folder first on the path, and the repository's own
    ``sentigru/`` there would be imported whatever ``PYTHONPATH`` says."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, check=True, capture_output=True, text=True, env=env, cwd=env["SENTIGRU_RUN_IN"]
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def measure(before: str, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        unset = ("PYTHONPATH", "OPENBLAS_NUM_THREADS")
        env = {k: v for k, v in os.environ.items() if k not in unset} | {"SENTIGRU_RUN_IN": tmp}
        old = _export(before, Path(tmp) / "before")
        for tree in (ROOT / "sentigru", old / "sentigru"):
            compileall.compile_dir(tree, quiet=1)
        predict = [sys.executable, "-m", "sentigru", "predict", PROBE]
        variants = {
            "now": (predict, {**env, "PYTHONPATH": str(ROOT)}),
            "before": (predict, {**env, "PYTHONPATH": str(old)}),
            "numpy": ([sys.executable, "-c", "import numpy"], env),
        }
        answers = {name: _timed(*variants[name])[2] for name in ("now", "before")}  # warm
        where = [sys.executable, "-c", "import sentigru; print(sentigru.__file__)"]
        for name, tree in (("now", ROOT), ("before", old)):  # each runs its own tree
            ran = _timed(where, variants[name][1])[2]
            if not ran.startswith(str(tree)):
                raise SystemExit(f"{name}: ran {ran.strip()}, not the code in {tree}")
        loads = [os.getloadavg()[0]]
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        for number in range(rounds):
            order = list(variants) if number % 2 == 0 else list(reversed(variants))
            for name in order:
                wall, cpu, _ = _timed(*variants[name])
                times[name].append((wall, cpu))
        loads.append(os.getloadavg()[0])
    median = {
        name: {
            "wall_s": statistics.median(w for w, _ in runs),
            "cpu_s": statistics.median(c for _, c in runs),
        }
        for name, runs in times.items()
    }
    ratios = {
        key: statistics.median(n[i] / b[i] for n, b in zip(times["now"], times["before"]))
        for i, key in enumerate(("wall", "cpu"))
    }
    return {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average_1min": loads,
        "before": before,
        "rounds": rounds,
        "same_answer": answers["now"] == answers["before"],
        "answer": answers["now"].strip(),
        "median": median,
        "ratio_now_to_before": ratios,
    }


def report(result: dict) -> str:
    m, r = result["median"], result["ratio_now_to_before"]
    rows = [
        f"| {label} | {m[key]['wall_s']:.3f} s | {m[key]['cpu_s']:.3f} s |"
        for key, label in (
            ("now", "this checkout"),
            ("before", f"commit {result['before']}"),
            ("numpy", '`python -c "import numpy"` (peer)'),
        )
    ]
    return "\n".join(
        [
            "# Cold start of `sentigru predict TEXT`",
            "",
            "Process start to answer, the bundled phone file, one text (see the script's "
            "docstring). Reproduce: `python benchmarks/cold_start.py --before "
            f"{result['before']} --rounds {result['rounds']}`.",
            "",
            f"One run, {result['date']}: {result['machine']}; {result['rounds']} rounds, "
            "each variant once per round in a new process; medians. 1-minute load average "
            f"{result['load_average_1min'][0]:.1f} at the start and "
            f"{result['load_average_1min'][1]:.1f} at the end (2: every core busy).",
            "",
            "| | wall | CPU (user + system) |",
            "|---|---:|---:|",
            *rows,
            "",
            f"This checkout against commit {result['before']}, the median of the per-round "
            f"ratios: **{r['wall']:.2f}x** the wall time, **{r['cpu']:.2f}x** the CPU time. "
            f"The same answer from both: {'yes' if result['same_answer'] else 'NO'} "
            f"(`{result['answer']}`).",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="3123ee1", help="the earlier commit")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "cold_start")
    parser.add_argument("--from-json", action="store_true", help="rewrite the report only")
    args = parser.parse_args()
    json_file, md_file = args.out.with_suffix(".json"), args.out.with_suffix(".md")
    if args.from_json:
        result = json.loads(json_file.read_text("utf-8"))
    else:
        result = measure(args.before, args.rounds)
        json_file.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    md_file.write_text(report(result), "utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
