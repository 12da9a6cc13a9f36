"""The predict-only install (`pip install .`, no extras): the bundled model answers from
the command line and from Python, evaluate works on a file, and training says in one
line what to install. CI runs this file in an environment of its own; where TensorFlow is
installed it skips, since it checks that nothing needs it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is not None,
    reason="checks the predict-only install (CI runs it in an environment without TensorFlow)",
)


def sentigru(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sentigru", *args], capture_output=True, text=True, timeout=120
    )


def test_predict_and_evaluate_from_the_command_line() -> None:
    done = sentigru("predict", "--json", "A wonderful, moving film.", "Dull and far too long.")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["label"] for line in done.stdout.splitlines()] == [
        "positive",
        "negative",
    ]
    report = sentigru("evaluate", "--json", "--data", str(ROOT / "data" / "reviews_test.tsv"))
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["n"] == 120


def test_the_python_api_predicts() -> None:
    import sentigru as api

    results = api.load().predict(["What a lovely film", "Cold food, rude staff."])
    assert [r["label"] for r in results] == ["positive", "negative"]
    assert "tensorflow" not in sys.modules


def test_train_says_what_to_install(tmp_path: Path) -> None:
    done = sentigru(
        "train", "--data", str(ROOT / "data" / "reviews.tsv"), "--out", str(tmp_path / "m")
    )
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert 'pip install "sentigru[train]"' in done.stderr
