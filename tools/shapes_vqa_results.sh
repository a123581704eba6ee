#!/usr/bin/env bash
# Regenerates docs/RESULTS.md's numbers for the shipped ShapesVQA model:
# test/validation data, calibration, FLOPs-matched FastV/DART/VTW settings, the eval of every policy,
# and (with SWEEP set) the keep-ratio sweep on the same test questions.
# Usage: tools/shapes_vqa_results.sh [MODEL_DIR] [TEST_COUNT]     (about 10 minutes on 2 cores)
#   WORK=DIR         outputs (default results/shapes-vqa)
#   SWEEP=r=R,R,...  also run dtp eval --sweep into WORK/sweep (sweep.png, sweep.csv)
#   DTP=COMMAND      the dtp launcher (default ./dtp)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-models/shapes-vqa}"
count="${2:-500}"
work="${WORK:-results/shapes-vqa}"
dtp() { ${DTP:-./dtp} "$@"; }
mkdir -p "$work"

dtp data shapesvqa --split test --seed 1 --count "$count" --out "$work/data"
dtp data shapesvqa --split validation --seed 1 --count 64 --out "$work/data"

# 1. calibrate the layers on the validation split; the model directory then uses them for "dtp"
dtp calibrate --model "$model" --data "$work/data/shapesvqa-validation.jsonl" --out "$work/calibration" --limit 32
cp "$work/calibration/calibration.json" "$model/calibration.json"
read -r early late < <(python3 -c "import json;c=json.load(open('$work/calibration/calibration.json'));print(c['early'],c['late'])")

# 2. the model card for dtp flops, and FastV / DART / VTW settings whose FLOPs match DTP r=0.5 (as Table 1 matches them)
card="$model/model-card.json"
ratio() { dtp flops --card "$card" --policy "$1" --json | python3 -c "import json,sys;print(json.load(sys.stdin)['ratio'])"; }
target=$(ratio "dtp:early=$early,r=0.5,late=$late")
# closest(TEMPLATE VALUE...): the spec TEMPLATE with X replaced by the value whose FLOPs ratio is closest to DTP's
closest() {
  local template="$1" best="" best_gap=9 got gap v; shift
  for v in "$@"; do
    got=$(ratio "${template//X/$v}")
    gap=$(python3 -c "print(abs($got-$target))")
    if python3 -c "import sys;sys.exit(0 if $gap < $best_gap else 1)"; then best_gap=$gap; best="${template//X/$v}"; fi
  done
  echo "$best"
}
keep="0.05 0.1 0.15 0.2 0.25 0.3 0.35 0.4 0.45 0.5 0.55 0.6 0.65 0.7 0.75 0.8 0.85 0.9 0.95"
best_fastv=$(closest "fastv:k=2,r=X" $keep)
best_dart=$(closest "dart:k=2,r=X,pivots=8" $keep)
layers=$(python3 -c "import json;print(json.load(open('$model/config.json'))['num_hidden_layers'])")
best_vtw=$(closest "vtw:k=X" $(seq 1 $((layers - 1))))
echo "DTP FLOPs ratio $target; matched: $best_fastv, $best_dart, $best_vtw"

# 3. every policy on the test split
policies="none"
policies+=",dtp:early=$early,r=0.9,late=$late,dtp:early=$early,r=0.5,late=$late"
policies+=",$best_fastv,$best_dart,$best_vtw"
policies+=",random:layer=$early,r=0.5,seed=1+vtw:k=$late,topk-all:layer=$early,r=0.5+vtw:k=$late"
# y is known only after its layer and prunes at the next one; when that is already the late layer, y is ranked
# one layer earlier, so that it prunes where Δ does (same FLOPs)
# (at early 0 with late 1 there is no such layer, and y is left out)
y_early=$early; if [ $((early + 1)) -ge "$late" ]; then y_early=$((early - 1)); fi
if [ "$y_early" -ge 0 ]; then policies+=",dtp:early=$y_early,r=0.5,late=$late,signal=y"; else echo "no layer for the y signal: left out"; fi
policies+=",dtp:early=$early,r=0.5,late=$late,signal=b,dtp:early=$early,r=0.5,late=$late,signal=c"
dtp eval --model "$model" --data "$work/data/shapesvqa-test.jsonl" --policies "$policies" --out "$work/eval"

# 4. optionally the keep-ratio sweep (DTP at each r, FastV, DART and VTW at matched FLOPs) on the same questions
if [ -n "${SWEEP:-}" ]; then
  dtp eval --model "$model" --data "$work/data/shapesvqa-test.jsonl" --sweep "$SWEEP" --out "$work/sweep"
fi
