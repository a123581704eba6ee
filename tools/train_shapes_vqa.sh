#!/usr/bin/env bash
# Trains the shipped ShapesVQA model from scratch (docs/TRAINING.md, "The recipe"): about 72 minutes on 2 cores.
#   stage 1+2: a 4-layer model — the vision front end on dense patch labels (8000 steps), then, with the front
#              end frozen, the language model with five follow-up questions per image;
#   stage 3:   grown to 24 layers (identity layers in between) and trained as a whole, front end still frozen.
# Usage: tools/train_shapes_vqa.sh [OUT_DIR]    (default models/shapes-vqa; WORK holds the 4-layer model)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-models/shapes-vqa}"
work="${WORK:-results/train-4layer}"
common=(--follow-ups 5 --val-count 400 --train-count 60000 --data-seed 0 --freeze-vision --location-questions)

./dtp train --out "$work" --layers 4 --vision-steps 8000 --steps 10000 --eval-every 500 --seed 0 "${common[@]}"
cp "$work/training-log.jsonl" "$work/training-log-4layer.jsonl"
./dtp train --out "$out" --layers 24 --grow-from "$work" --steps 1500 --lr 0.001 --warmup 100 --eval-every 250 --seed 1 \
  "${common[@]}"
cp "$work/training-log-4layer.jsonl" "$out/training-log-4layer.jsonl"
echo "Trained $out; now run tools/shapes_vqa_results.sh $out to calibrate it and regenerate docs/RESULTS.md's numbers"
