#!/usr/bin/env bash
# Trains the shipped ShapesVQA model from scratch (docs/TRAINING.md, "The recipe"): about 80 minutes on 2 cores.
#   stage 1+2: a 4-layer model — vision front end on dense patch labels, then the language model with
#              five follow-up questions per image (the first run stops at step 750 and is resumed with a
#              fresh 8000-step schedule, as the shipped model was made);
#   stage 3:   grown to 24 layers (identity layers in between) and trained as a whole.
# Usage: tools/train_shapes_vqa.sh [OUT_DIR]    (default models/shapes-vqa; WORK holds the 4-layer model)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-models/shapes-vqa}"
work="${WORK:-results/train-4layer}"
common=(--follow-ups 5 --val-count 400 --train-count 60000 --data-seed 0)

./dtp train --out "$work" --layers 4 --vision-steps 4000 --steps 2000 --eval-every 250 --stop-at 750 --seed 0 "${common[@]}"
./dtp train --out "$work" --layers 4 --resume --steps 8000 --eval-every 500 --seed 0 "${common[@]}"
cp "$work/training-log.jsonl" "$work/training-log-4layer.jsonl"
./dtp train --out "$out" --layers 24 --grow-from "$work" --steps 2200 --lr 0.001 --warmup 100 --eval-every 250 --seed 1 \
  "${common[@]}"
cp "$work/training-log-4layer.jsonl" "$out/training-log-4layer.jsonl"
echo "Trained $out; now run tools/shapes_vqa_results.sh $out to calibrate it and regenerate docs/RESULTS.md's numbers"
