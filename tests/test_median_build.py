"""The bundled build installs the median of its seeds' builds on SST-2 dev, and nothing
when that median is below the floor (``scripts/median_build.py``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "median_build.py"


def _builds(tmp_path: Path, scores: dict[str, float]) -> list[str]:
    folders = []
    for name, accuracy in scores.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "sst2_dev.json").write_text(json.dumps({"accuracy": accuracy}))
        folders.append(str(folder))
    return folders


def _run(folders: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *folders], capture_output=True, text=True, check=False
    )


def test_the_median_build_is_chosen_not_the_best(tmp_path: Path) -> None:
    folders = _builds(tmp_path, {"s7": 0.8612, "s8": 0.8440, "s9": 0.8532})
    done = _run(folders)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "s9")
    assert "s8: SST-2 dev 84.40%" in done.stderr  # every build is reported


def test_nothing_is_chosen_when_the_median_is_below_the_floor(tmp_path: Path) -> None:
    done = _run(_builds(tmp_path, {"s7": 0.8612, "s8": 0.8440, "s9": 0.8486}))
    assert done.returncode == 1 and done.stdout == ""
    assert "below the 85% floor" in done.stderr and "Traceback" not in done.stderr


def test_an_even_number_of_builds_is_refused(tmp_path: Path) -> None:
    done = _run(_builds(tmp_path, {"s7": 0.86, "s8": 0.85}))
    assert done.returncode == 1 and "odd number" in done.stderr


def test_nothing_is_chosen_when_the_median_reads_a_negation_kind_below_the_floor(
    tmp_path: Path,
) -> None:
    folders = _builds(tmp_path, {"s7": 0.8589, "s8": 0.8612, "s9": 0.8521})
    for folder, negated in zip(folders, (0.8375, 0.87, 0.86)):
        (Path(folder) / "checks-negated_negative.json").write_text(
            json.dumps({"accuracy": negated})
        )
        (Path(folder) / "checks-negated_positive.json").write_text(json.dumps({"accuracy": 0.98}))
    done = _run(folders)  # the median on SST-2 dev is s7, which misreads negated negatives
    assert done.returncode == 1 and done.stdout == ""
    assert "reads negated_negative at 83.75%: below the 85% floor" in done.stderr
    assert "s7: negated_positive 98.00%" in done.stderr  # every kind is reported


def test_a_build_without_its_figure_stops_the_choice_in_one_line(tmp_path: Path) -> None:
    """A seed's build that failed before its evaluation leaves no sst2_dev.json: the
    choice stops, naming it, and installs nothing."""
    folders = _builds(tmp_path, {"s7": 0.8612, "s8": 0.8532})
    (tmp_path / "s9").mkdir()
    done = _run([*folders, str(tmp_path / "s9")])
    assert done.returncode == 1 and done.stdout == ""
    assert "s9: no SST-2 dev figure" in done.stderr and "Traceback" not in done.stderr
