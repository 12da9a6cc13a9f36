"""Pick the build to install: the median of several seeds' builds on SST-2 dev.

    python scripts/median_build.py FOLDER...   (each holding sst2_dev.json)

One build of one seed is a draw: builds of the same rows have landed 0.5 to 1.7 points
apart on SST-2 dev. The median is neither the luckiest nor the unluckiest draw, so its
figures are what the recipe gives. Prints every build's figure and the chosen folder
last; exits 1 when the median is below the floor the bundled model is held to (85 %),
or reads a negation kind of ``data/checks`` below that floor (the build script evaluates
each, ``checks-KIND.json``), so that the caller installs nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FLOOR = 0.85
"""The SST-2 dev accuracy the bundled model's phone file must keep (tests/test_bundled.py)."""


def median_of(scores: dict[str, float]) -> str:
    """The name whose score is the median of an odd number (ties broken by name)."""
    return sorted(scores, key=lambda name: (scores[name], name))[len(scores) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="+", help="builds holding sst2_dev.json")
    folders = parser.parse_args().folders
    if len(folders) % 2 == 0:
        sys.exit("give an odd number of builds, so that one is the median")
    scored = {}
    for folder in folders:
        try:
            report = json.loads((folder / "sst2_dev.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            sys.exit(f"{folder}: no SST-2 dev figure to compare ({exc})")
        scored[str(folder)] = report["accuracy"]
        print(f"{folder}: SST-2 dev {report['accuracy']:.2%}", file=sys.stderr)
    chosen = median_of(scored)
    accuracy = scored[chosen]
    if accuracy < FLOOR:
        sys.exit(f"the median build, {chosen}, scores {accuracy:.2%}: below the {FLOOR:.0%} floor")
    kinds = checks(Path(chosen))
    for kind, read in kinds.items():
        print(f"{chosen}: {kind} {read:.2%}", file=sys.stderr)
    for kind, read in kinds.items():
        if read < FLOOR:
            sys.exit(
                f"the median build, {chosen}, reads {kind} at {read:.2%}: below the "
                f"{FLOOR:.0%} floor every negation kind is held to (tests/test_checklist.py)"
            )
    print(chosen)


def checks(folder: Path) -> dict[str, float]:
    """The build's accuracy on each negation kind of ``data/checks`` it was evaluated on
    (``checks-KIND.json``, written by the build script)."""
    return {
        file.stem.removeprefix("checks-"): json.loads(file.read_text("utf-8"))["accuracy"]
        for file in sorted(folder.glob("checks-*.json"))
    }


if __name__ == "__main__":
    main()
