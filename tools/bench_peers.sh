#!/usr/bin/env bash
# Our prefill and decode next to llama.cpp's on identical random weights, in one window, alternating,
# with the ratios printed at the end. Not part of CI (it builds llama.cpp and takes tens of minutes
# on 2 cores); its output goes into docs/BENCHMARKS.md with the date and machine.
#
#   1. llama.cpp from the source the npm package node-llama-cpp@3.22.1 carries (a git bundle of
#      release v0.5.0, commit de3ff81): CPU, Release, -march=native, only llama-bench and llama-quantize.
#   2. Our seeded random checkpoints (dtp random, Hugging Face layout), converted with llama.cpp's own
#      convert_hf_to_gguf.py (its gguf-py is in the same tree; it imports torch, numpy and
#      transformers: pip install torch numpy transformers) to F32 and F16, and quantised to Q8_0.
#   3. Per round and shape: llama-bench (-p 512 -n 64 -t 2, one repetition per type) and dtp bench
#      (--lengths 512, f32 and int8), so that drift hits every engine alike.
#
# Usage: tools/bench_peers.sh [SHAPE ...]        (default: mamba-130m mamba-370m)
#   ROUNDS=3 (rounds per shape)   WORK=results/peers (sources, build, models, raw results)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="${WORK:-results/peers}"
rounds="${ROUNDS:-3}"
shapes=("$@")
[[ ${#shapes[@]} -gt 0 ]] || shapes=(mamba-130m mamba-370m)
mkdir -p "$work"
work="$(cd "$work" && pwd)"
raw="$work/raw.jsonl"
: > "$raw"

# 1. llama.cpp
src="$work/llama.cpp"
if [[ ! -d "$src" ]]; then
  (cd "$work" && npm pack node-llama-cpp@3.22.1 --silent >/dev/null)
  tar -xzf "$work/node-llama-cpp-3.22.1.tgz" -C "$work" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
  git clone -q "$work/package/llama/gitRelease.bundle" "$src"
fi
echo "llama.cpp $(cat "$work/package/llama/llama.cpp.info.json" | tr -d ' \n') at $(git -C "$src" rev-parse --short HEAD)"
if [[ ! -x "$src/build/bin/llama-bench" ]]; then
  # -march=native, but no AMX: virtual machines may list the AMX flags and still fault on tileloadd
  # (seen here: Illegal instruction in llama.cpp's Q8_0 AMX kernel); AVX2 and AVX-512 stay on
  noamx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
  cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DGGML_OPENMP=ON \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF "-DCMAKE_C_FLAGS=$noamx" "-DCMAKE_CXX_FLAGS=$noamx" >/dev/null
  cmake --build "$src/build" -j "$(nproc)" --target llama-bench llama-quantize >/dev/null
fi
bench="$src/build/bin/llama-bench"
quantize="$src/build/bin/llama-quantize"

# 2. identical weights for both engines
python3 -c "import torch, numpy, transformers" 2>/dev/null || {
  echo "bench_peers: convert_hf_to_gguf.py needs torch, numpy and transformers: pip install torch numpy transformers" >&2; exit 1; }
for shape in "${shapes[@]}"; do
  m="$work/$shape"
  [[ -f "$m/model.safetensors" ]] || ./dtp random --shape "$shape" --seed 0 --out "$m"
  for type in f32 f16; do
    [[ -f "$m-$type.gguf" ]] || python3 "$src/convert_hf_to_gguf.py" "$m" --outtype "$type" --outfile "$m-$type.gguf" >/dev/null 2>&1
  done
  [[ -f "$m-q8_0.gguf" ]] || "$quantize" "$m-f32.gguf" "$m-q8_0.gguf" Q8_0 >/dev/null 2>&1
done

# 3. one window, alternating engines within every round
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
for ((r = 1; r <= rounds; r++)); do
  for shape in "${shapes[@]}"; do
    m="$work/$shape"
    echo "round $r/$rounds $shape (load $(cut -d' ' -f1 /proc/loadavg))"
    for type in f32 f16 q8_0; do
      "$bench" -m "$m-$type.gguf" -p 512 -n 64 -t 2 -r 1 -o jsonl 2>/dev/null \
        | python3 -c "import json,sys
for line in sys.stdin:
    o = json.loads(line)
    kind = 'prefill' if o['n_prompt'] > 0 else 'decode'
    print(json.dumps({'round': $r, 'shape': '$shape', 'engine': 'llama.cpp', 'type': '$type', 'kind': kind, 'tokens_per_s': o['avg_ts']}))" >> "$raw"
    done
    for weights in f32 int8; do
      ./dtp bench --model "$m" --lengths 512 --runs 1 --warmup 1 --decode 64 --weights "$weights" --json 2>/dev/null \
        | python3 -c "import json,sys
o = json.load(sys.stdin)[0]
for kind, v in (('prefill', o['prefill_tokens_per_s']), ('decode', o['decode_tokens_per_s'])):
    print(json.dumps({'round': $r, 'shape': '$shape', 'engine': 'dtp', 'type': '$weights', 'kind': kind, 'tokens_per_s': v}))" >> "$raw"
    done
  done
done

# 4. medians per engine and type, and our ratios against llama.cpp at the same precision
python3 - "$raw" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = {}
for r in rows:
    med.setdefault((r['shape'], r['kind'], r['engine'], r['type']), []).append(r['tokens_per_s'])
med = {k: statistics.median(v) for k, v in med.items()}
print("| shape | kind | ours f32 | llama.cpp F32 | F16 | Q8_0 | ours int8 | ours f32 / F32 | ours int8 / Q8_0 |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for shape in dict.fromkeys(r['shape'] for r in rows):
    for kind in ('prefill', 'decode'):
        g = lambda e, t: med.get((shape, kind, e, t), float('nan'))
        print(f"| {shape} | {kind} | {g('dtp','f32'):.1f} | {g('llama.cpp','f32'):.1f} | {g('llama.cpp','f16'):.1f} | "
              f"{g('llama.cpp','q8_0'):.1f} | {g('dtp','int8'):.1f} | {g('dtp','f32') / g('llama.cpp','f32'):.2f} | "
              f"{g('dtp','int8') / g('llama.cpp','q8_0'):.2f} |")
PY
echo "raw results: $raw"
