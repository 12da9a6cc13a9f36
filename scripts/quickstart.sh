#!/usr/bin/env bash
# Install sentigru in .venv and run its main job on what the project ships: classify
# with the bundled model, then train, predict and evaluate a model of your own on the
# sample reviews in data/. Run from anywhere: scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
set -x
python3 -m venv .venv
. .venv/bin/activate
pip install --quiet '.[train]'
sentigru predict "A wonderful, moving film." "Cold food, rude staff, never again."
sentigru train --data data/reviews.tsv --out runs/quickstart --force
sentigru predict --model runs/quickstart "The battery lasts all day and the screen is gorgeous."
sentigru evaluate --model runs/quickstart --data data/reviews_test.tsv
