"""What the README's quickstart costs and gives a new user, run as it is written.

This checkout's last commit (``git archive HEAD``: what a fresh clone holds) is unpacked
into a temporary folder, and from there:

* **two installs**, each into a fresh virtual environment and timed: ``pip install
  '.[train]'`` (the quickstart's) and ``pip install .`` (predict only), with pip's cache
  off, as on a fresh machine (so the times hold the downloads, and the network's speed);
  the size of each environment's ``site-packages``;
* **the main job**: the quickstart's four ``sentigru`` commands in the train environment
  (``scripts/quickstart.sh`` after its install), each timed, with the recipe's seed;
* **the figures the README quotes**: the model's accuracy on ``data/reviews_test.tsv``
  and its score for the battery sentence, for seeds 7, 8 and 9 (9 is the recipe's).

    python benchmarks/quickstart.py

Writes ``benchmarks/quickstart.json`` and ``benchmarks/quickstart.md``. Wall seconds on
the machine it runs on, one run: times are that machine's, not a median.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BATTERY = "The battery lasts all day and the screen is gorgeous."
MAIN_JOB = [
    ["predict", "A wonderful, moving film.", "Cold food, rude staff, never again."],
    ["train", "--data", "data/reviews.tsv", "--out", "runs/quickstart", "--force"],
    ["predict", "--model", "runs/quickstart", BATTERY],
    ["evaluate", "--model", "runs/quickstart", "--data", "data/reviews_test.tsv"],
]
"""The quickstart's commands after its install, as ``scripts/quickstart.sh`` runs them."""
SEEDS = (7, 8, 9)


def unpack_head(into: Path) -> Path:
    """The files of this checkout's last commit, as a fresh clone holds them."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and stdout of one command, which must succeed."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def site_packages_mb(venv: Path) -> float:
    """The bytes the environment's packages take on disk, in MB."""
    (lib,) = (venv / "lib").glob("python*/site-packages")
    files = (p for p in lib.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1e6


def install(clone: Path, venv: Path, target: str, env: dict[str, str]) -> dict:
    """A fresh environment with ``target`` installed from the clone, timed."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-cache-dir"]
    pip.append(target)
    subprocess.run(pip, cwd=clone, env=env, check=True)
    seconds = time.perf_counter() - start
    return {"target": target, "seconds": round(seconds, 1), "mb": round(site_packages_mb(venv))}


def seed_figures(sentigru: str, clone: Path, env: dict[str, str], seed: int) -> dict:
    """The quickstart's training with ``seed``: its test accuracy and battery score."""
    out = f"runs/quickstart-s{seed}"
    train = [sentigru, "train", "--data", "data/reviews.tsv", "--out", out, "--force"]
    seconds, _ = timed([*train, "--seed", str(seed)], clone, env)
    evaluate = [sentigru, "evaluate", "--model", out, "--data", "data/reviews_test.tsv", "--json"]
    figures = json.loads(timed(evaluate, clone, env)[1])
    answer = json.loads(
        timed([sentigru, "predict", "--model", out, "--json", BATTERY], clone, env)[1]
    )
    return {
        "seed": seed,
        "train_seconds": round(seconds, 1),
        "accuracy": figures["accuracy"],
        "battery": {"label": answer["label"], "score": round(answer["score"], 2)},
    }


def measure() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        clone = unpack_head(Path(tmp) / "clone")
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        installs = {
            "train": install(clone, Path(tmp) / "venv-train", ".[train]", env),
            "predict": install(clone, Path(tmp) / "venv-predict", ".", env),
        }
        sentigru = str(Path(tmp) / "venv-train" / "bin" / "sentigru")
        steps = []
        for command in MAIN_JOB:
            seconds, _ = timed([sentigru, *command], clone, env)
            steps.append(
                {"command": " ".join(["sentigru", *command]), "seconds": round(seconds, 1)}
            )
        seeds = [seed_figures(sentigru, clone, env, seed) for seed in SEEDS]
    return {
        "date": date.today().isoformat(),
        "commit": subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "installs": installs,
        "main_job": steps,
        "main_job_seconds": round(sum(s["seconds"] for s in steps), 1),
        "seeds": seeds,
    }


def report(result: dict) -> str:
    installs = result["installs"]
    lines = [
        "# The quickstart as a new user runs it",
        "",
        "Made by `benchmarks/quickstart.py` (its docstring says how), "
        f"{result['date']}, commit {result['commit']}, {result['machine']}. "
        "Wall seconds, one run; installs with pip's cache off (downloads included).",
        "",
        "| install | seconds | site-packages |",
        "|---|---|---|",
    ]
    for name, run in installs.items():
        lines.append(
            f"| `pip install '{run['target']}'` ({name}) | {run['seconds']} | {run['mb']} MB |"
        )
    lines += ["", "| the main job, in order | seconds |", "|---|---|"]
    lines += [f"| `{s['command']}` | {s['seconds']} |" for s in result["main_job"]]
    lines += [f"| all four | {result['main_job_seconds']} |", ""]
    lines += [
        "| seed | training s | accuracy on `data/reviews_test.tsv` (120) | the battery sentence |",
        "|---|---|---|---|",
    ]
    for s in result["seeds"]:
        answer = f"{s['battery']['label']} {s['battery']['score']:.2f}"
        lines.append(
            f"| {s['seed']} | {s['train_seconds']} | {100 * s['accuracy']:.1f} % | {answer} |"
        )
    accuracies = [100 * s["accuracy"] for s in result["seeds"]]
    lines += [
        "",
        f"Seeds {SEEDS[0]}-{SEEDS[-1]}: {min(accuracies):.1f}-{max(accuracies):.1f} % "
        f"(median {statistics.median(accuracies):.1f} %).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()  # --help only
    result = measure()
    (HERE / "quickstart.json").write_text(json.dumps(result, indent=2) + "\n")
    (HERE / "quickstart.md").write_text(report(result))
    print(report(result))


if __name__ == "__main__":
    main()
