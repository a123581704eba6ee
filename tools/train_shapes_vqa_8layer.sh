#!/usr/bin/env bash
# The 8-layer ShapesVQA campaign of docs/TRAINING.md ("Toward a model on which DTP's headline shows"): every layer
# trained from the start (no identity growth), with the frozen vision front end of models/shapes-vqa. Not the
# shipped model (it does not tolerate early pruning: docs/TRAINING.md has the measurements). About 2.5 + 1.5 hours
# on 2 cores: a 10000-step schedule stopped after its step-5000 checkpoint (the first run was stopped there;
# --stop-at 5000 does the same), then 5000 more steps resumed
# with a fresh optimizer, a lower learning rate and new scenes.
# Usage: tools/train_shapes_vqa_8layer.sh [OUT_DIR]    (default results/shapes-vqa-8layer)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-results/shapes-vqa-8layer}"
common=(--layers 8 --vision-from models/shapes-vqa --freeze-vision --eval-every 500 --follow-ups 5 --val-count 400
  --train-count 60000 --location-questions)

./dtp train --out "$out" --steps 10000 --stop-at 5000 --seed 0 --data-seed 0 "${common[@]}"
./dtp train --out "$out" --resume --steps 5000 --lr 0.001 --warmup 50 --seed 1 --data-seed 1 "${common[@]}"
echo "Trained $out; tools/shapes_vqa_results.sh $out measures it (it needs a model-card.json with 8 layers)"
