#!/usr/bin/env bash
# Rebuild the bundled model from the shared training data (IMDB train, SST-2 train, a
# fixed sample of three other English review domains) and data/negation_train.tsv
# (scripts/bundled_rows.py) with sentigru's own command and the shipped recipe (--preset
# bundled: the spec of the bundled folder, which is also sentigru's default), once per
# seed (7, 8 and 9), score each phone file on SST-2 dev, then install the median build in
# the package (sentigru/models/default) and in export/: one seed is a draw, the median is
# what the recipe gives (scripts/median_build.py). Nothing is installed when the median
# or any negation kind of data/checks is below the 85 % floor. Same data and seeds give
# the same models.
# Usage: scripts/build_bundled_model.sh [DATA_DIR]   (default ../shared/data)
#        SEEDS="7" scripts/build_bundled_model.sh     (one build: a third of the time)
# Why these settings, and what the model scores: benchmarks/bundled_model.md.
set -euo pipefail
# The shipped model was trained with TensorFlow's oneDNN kernels on; sentigru turns them
# off unless this is set, and off rounds differently (benchmarks/onednn.md), so the build
# trains as the shipped model was. The bits still depend on the CPU: a rebuild on another
# machine was close, not identical (benchmarks/bundled_model.md).
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-1}"
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
work="runs/bundled"
labels="0=negative,1=positive"
rows="runs/bundled-data/train.tsv"
# every negation kind is held to the floor too (benchmarks/checklist.py NEGATION_KINDS)
negation_kinds="negated_positive negated_negative contraction"

python scripts/bundled_rows.py "$rows" "$data"
builds=()
for seed in ${SEEDS:-7 8 9}; do
    build="$work-s$seed"
    # with its sst2_dev.json, which train --force would refuse to delete, and what an
    # interrupted build left beside it
    rm -rf "$build" "$(dirname "$build")/.$(basename "$build").checkpoint"
    sentigru train --preset bundled --strategy one --seed "$seed" --out "$build" --force \
        --data "$rows"
    sentigru evaluate --model "$build" --data "$data/sst2/dev.tsv.gz" --label-map "$labels" \
        --json > "$build/sst2_dev.json"
    for kind in $negation_kinds; do
        sentigru evaluate --model "$build" --data "data/checks/$kind.tsv" --json \
            > "$build/checks-$kind.json"
    done
    builds+=("$build")
done
chosen="$(python scripts/median_build.py "${builds[@]}")"
rm -rf "$work"
cp -r "$chosen" "$work"
rm "$work/sst2_dev.json" "$work"/checks-*.json

target="sentigru/models/default"
rm -rf "$target.new"
cp -r "$work" "$target.new"
rm -rf "$target"
mv "$target.new" "$target"
cp "$work/model.tflite" export/sentigru-sentiment.tflite
ls -l "$target" export/sentigru-sentiment.tflite
