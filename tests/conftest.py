"""Shared fixtures: small synthetic data that a model can learn in seconds, and the
shared real data (tests that need it skip cleanly where it is absent)."""

from __future__ import annotations

import atexit
import os
import random
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# The files the tests export are remembered as verified (sentigru.trust) in a cache of the
# test run's own, not in the user's ~/.cache; child processes inherit it.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # as sentigru.tf_quiet: tests import TF too
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="sentigru-test-cache-")
# Child processes get buffered streams, as from a user's shell: a runner's
# PYTHONUNBUFFERED=1 hid exit statuses that only buffered streams show (a full disk).
os.environ.pop("PYTHONUNBUFFERED", None)
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)
# A non-interactive shell starts a background job (`nohup pytest &`) with Ctrl-C ignored;
# the tests that interrupt themselves, and the commands they start, need Python's own
# handler, as a run from a terminal has (a handled signal is default again in a child).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

POSITIVE = ["great", "wonderful", "loved", "superb", "delightful", "excellent", "brilliant"]
NEGATIVE = ["awful", "terrible", "hated", "boring", "dreadful", "poor", "horrible"]
FILLER = [
    "the",
    "movie",
    "film",
    "plot",
    "acting",
    "was",
    "really",
    "quite",
    "and",
    "a",
    "story",
    "cast",
    "music",
    "ending",
    "it",
    "felt",
    "very",
    "with",
    "scenes",
]


SMALL = [
    "--epochs",
    "6",
    "--min-steps",
    "0",
    "--seed",
    "7",
    "--units",
    "16",
    "--embed-dim",
    "16",
    "--seq-len",
    "64",
]
SMALL += ["--patience", "6", "--learning-rate", "0.005", "--lr-schedule", "constant"]
SMALL += ["--label-smoothing", "0", "--average-epochs", "0", "--bigram-buckets", "0"]
SMALL += ["--word-init", "random"]
"""A small model that learns the synthetic reviews in seconds (the recipe's defaults are
made for tens of thousands of rows: on 600 they take many more steps)."""


def synthetic_reviews(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """(label, text) pairs whose label is set by the sentiment words they contain,
    with lengths from 3 to 60 words so that short and long texts both occur."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = "positive" if i % 2 == 0 else "negative"
        words = [rng.choice(FILLER) for _ in range(rng.randint(2, 58))]
        cue = POSITIVE if label == "positive" else NEGATIVE
        for _ in range(rng.randint(1, 2)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(cue))
        rows.append((label, " ".join(words)))
    rng.shuffle(rows)
    return rows


def write_tsv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("label\ttext\n" + "".join(f"{lab}\t{txt}\n" for lab, txt in rows), "utf-8")
    return path


@pytest.fixture(scope="session")
def parity_pieces():  # type: ignore[no-untyped-def]
    """The piece model of the SentencePiece parity corpus, learnt once for the run."""
    from test_parity_sentencepiece import corpus

    from sentigru.pieces import Pieces

    return Pieces.train(corpus(), 600, seed=0)


@pytest.fixture(scope="session")
def synthetic_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A training TSV (600 rows) and a held-out TSV (200 rows) of synthetic reviews."""
    folder = tmp_path_factory.mktemp("synthetic")
    train = write_tsv(folder / "train.tsv", synthetic_reviews(600, seed=1))
    test = write_tsv(folder / "test.tsv", synthetic_reviews(200, seed=2))
    return train, test


@pytest.fixture(scope="session")
def trained_model(synthetic_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory):
    """A small model folder trained once for the whole test run, through the CLI."""
    from click.testing import CliRunner

    from sentigru.cli import main

    out = tmp_path_factory.mktemp("models") / "small"
    args = ["train", "--data", str(synthetic_files[0]), "--out", str(out), *SMALL]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


@pytest.fixture(autouse=True)
def _signal_handlers_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that leaves a Ctrl-C or SIGTERM handler behind changes every test after it,
    and the suite itself then ignored `timeout`'s SIGTERM: fail the test that did."""
    import signal

    stops = (signal.SIGINT, signal.SIGTERM)
    before = {stop: signal.getsignal(stop) for stop in stops}
    yield
    left = [stop.name for stop in stops if signal.getsignal(stop) != before[stop]]
    for stop in stops:
        if before[stop] is not None:  # None: set outside Python, cannot be put back
            signal.signal(stop, before[stop])
    assert not left, f"{request.node.name} left its {', '.join(left)} handler behind"
