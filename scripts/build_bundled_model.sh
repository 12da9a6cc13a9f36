#!/usr/bin/env bash
# Rebuild the bundled model from the shared IMDB and SST-2 training data: train it with
# sentigru's own command, export the phone file, then install
# them in the package (sentigru/models/default) and in export/. Same data and seed give
# the same model. Usage: scripts/build_bundled_model.sh [DATA_DIR]   (default ../shared/data)
# Why these settings, and what the model scores: benchmarks/bundled_model.md.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
work="runs/bundled"
labels="0=negative,1=positive"

sentigru train \
  --data "$data/imdb/train.tsv.gz" --data "$data/sst2/train.tsv.gz" --label-map "$labels" \
  --out "$work" --force --seed 7 --strategy one \
  --vocab-size 8000 --alias-min-count 2 --seq-len 1024 --chunk-len 64 --embed-dim 32 --units 64 \
  --bigram-buckets 65536 --bigram-dim 4 --dropout 0.4 \
  --epochs 5 --learning-rate 0.002 --lr-schedule cosine --label-smoothing 0.1 --average-epochs 3 \
  --word-init ppmi

sentigru export --model "$work" --out "$work/model.tflite" \
  --data "$data/sst2/dev.tsv.gz" --label-map "$labels"

target="sentigru/models/default"
mkdir -p "$(dirname "$target")"
rm -rf "$target.new" && cp -r "$work" "$target.new"
rm -rf "$target" && mv "$target.new" "$target"
cp "$work/model.tflite" export/sentigru-sentiment.tflite
ls -l "$target" export/sentigru-sentiment.tflite
