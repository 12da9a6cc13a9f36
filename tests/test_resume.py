"""A training run killed mid-way resumes from its last completed epoch and ends with the
model an uninterrupted run makes; an interrupted run's checkpoint is never discarded
silently."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import synthetic_reviews, write_tsv

from sentigru import bundle

ARGS = [
    "--epochs",
    "20",
    "--min-steps",
    "0",
    "--patience",
    "20",
    "--units",
    "4",
    "--embed-dim",
    "4",
    "--seq-len",
    "32",
    "--chunk-len",
    "0",
    "--bigram-buckets",
    "0",
    "--word-init",
    "random",
    "--no-phone-file",
    "--seed",
    "3",
    "--average-epochs",  # the mean of every epoch: those before the kill must survive it
    "20",
    "--unknown-rate",  # its draws, too, continue where the killed run left them
    "0.2",
]


def _command(data: Path, out: Path, *extra: str) -> list[str]:
    train = ["train", "--data", str(data), "--out", str(out)]
    return [sys.executable, "-m", "sentigru", *train, *ARGS, *extra]


def _train(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(data, out, *extra), capture_output=True, text=True, timeout=300)


@pytest.mark.e2e
def test_killed_run_resumes_to_a_valid_model(tmp_path: Path) -> None:
    data = write_tsv(tmp_path / "train.tsv", synthetic_reviews(600, seed=4))
    out = tmp_path / "model"
    checkpoint = tmp_path / ".model.checkpoint"
    process = subprocess.Popen(
        _command(data, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        log = checkpoint / "epoch" / "history.json"
        if log.exists() and len(json.loads(log.read_text() or "{}").get("loss", [])) >= 2:
            break
        time.sleep(0.05)
    assert process.poll() is None, "training ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists()
    done = len(json.loads((checkpoint / "epoch" / "history.json").read_text())["loss"])

    refused = _train(data, out)
    assert refused.returncode == 1
    assert "--resume" in refused.stderr and "Traceback" not in refused.stderr

    resumed = _train(data, out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    folder = bundle.load(out)
    history = _results(json.loads((out / "history.json").read_text()))
    assert len(history["loss"]) == 20 and done >= 2
    assert folder.labels == ["negative", "positive"]
    assert not checkpoint.exists()
    # the manifest says so, and its time counts the epochs before the kill too
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["placement"]["resumed_after_epoch"] >= 2
    seconds = json.loads((out / "history.json").read_text())["epoch_seconds"]
    assert manifest["train_seconds"] + 0.1 >= sum(seconds)

    # The same result as a run that was never interrupted: same history, same weights.
    whole = _train(data, tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    assert _results(json.loads((tmp_path / "whole" / "history.json").read_text())) == history
    assert (
        "resumed_after_epoch"
        not in json.loads((tmp_path / "whole" / "manifest.json").read_text())["placement"]
    )
    reference = bundle.load(tmp_path / "whole").model.get_weights()
    for got, expected in zip(folder.model.get_weights(), reference, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_resume_without_checkpoint_is_refused(tmp_path: Path) -> None:
    data = write_tsv(tmp_path / "train.tsv", synthetic_reviews(50, seed=4))
    result = _train(data, tmp_path / "model", "--resume")
    assert result.returncode == 1
    assert "nothing to resume" in result.stderr
    (tmp_path / "model").mkdir()  # a finished run's folder: not "use --force"
    (tmp_path / "model" / "notes.txt").write_text("mine")
    result = _train(data, tmp_path / "model", "--resume")
    assert result.returncode == 1 and "nothing to resume: " in result.stderr
    assert "--force trains it again" in result.stderr
    assert (tmp_path / "model" / "notes.txt").read_text() == "mine"


@pytest.mark.e2e
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly_and_says_how_to_resume(stop: int, tmp_path: Path) -> None:
    """Ctrl-C, or SIGTERM as docker stop, SLURM and Kubernetes send it: the last epoch
    is kept, the run says how to resume, and its lock is released."""
    data = write_tsv(tmp_path / "train.tsv", synthetic_reviews(600, seed=5))
    out = tmp_path / "model"
    log = tmp_path / ".model.checkpoint" / "epoch" / "history.json"
    process = subprocess.Popen(
        _command(data, out),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A job started in the background inherits SIGINT ignored, and Python then never
        # raises KeyboardInterrupt: give the child the default, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None and not log.exists():
        time.sleep(0.05)
    assert process.poll() is None, "training ended before it could be interrupted"
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=120)
    # ended by the signal itself, as shells report it (130, 143), so a loop stops
    assert process.returncode == -stop
    assert "Traceback" not in stderr
    assert "--resume" in stderr.strip().splitlines()[-1]
    said = "terminated" if stop == signal.SIGTERM else "interrupted"  # as the signal was
    assert stderr.strip().splitlines()[-1].startswith(f"sentigru: {said}; nothing was written")
    assert not out.exists() and log.exists()
    assert not (tmp_path / ".model.lock").exists()


def _results(history: dict) -> dict:
    """The history without its wall-clock entries, which no two runs share."""
    from sentigru.training import TIMING_KEYS

    assert all(len(history[key]) == len(history["loss"]) for key in TIMING_KEYS)
    return {key: values for key, values in history.items() if key not in TIMING_KEYS}
