#!/usr/bin/env bash
# The GPU path, checked on a user's CUDA machine (none was available to us: until this has run there,
# the GPU path is untested). From a clean checkout it builds against DJL's CUDA build of libtorch,
# runs the numerics tests that matter with their models on the GPU (forward pass against the float64
# reference, pruned and split prefills, decoding and generation, the scan kernels) and dtp bench on
# the mamba-370m and Cobra shapes, and writes everything to one results file.
#
# Usage: tools/gpu_check.sh [--device gpu|cpu] [--flavor cu128] [--out FILE] [--quick]
#   --device cpu   a dry run of the same steps on the CPU with the CPU native artifact (checks the script)
#   --flavor F     DJL's CUDA flavour of pytorch-native for PyTorch 2.7.1 (default cu128; see DJL's
#                  PyTorch engine page for the flavours published); Maven downloads it
#   --quick        small bench shapes (minutes on 2 CPU cores) instead of 370m and Cobra
# Needs JDK 17+, Maven, and for --device gpu an NVIDIA driver and network access for the native jar.
set -euo pipefail
cd "$(dirname "$0")/.."

device=gpu
flavor=cu128
out=""
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --flavor) flavor="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "gpu_check: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$device" in
  gpu) native="pytorch-native-$flavor" ;;
  cpu) native="pytorch-native-cpu" ;;
  *) echo "gpu_check: --device must be gpu or cpu" >&2; exit 2 ;;
esac
out="${out:-gpu-check-$device.txt}"
offline=()
[[ "$device" == cpu ]] && offline=(-o)   # the CPU artifacts are already in the local repository

log() { echo "$*" | tee -a "$out"; }
: > "$out"
log "# tools/gpu_check.sh --device $device ($native), $(date -u +%Y-%m-%dT%H:%MZ)"
log "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
log "$(java -version 2>&1 | head -1); $(mvn -version 2>/dev/null | head -1)"
if [[ "$device" == gpu ]]; then
  command -v nvidia-smi >/dev/null || { log "nvidia-smi not found: no NVIDIA driver on this machine"; exit 1; }
  log "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
fi

# 1. build against the chosen native artifact (package, not install: nothing lands in ~/.m2 but the downloads)
log ""
log "## build"
rm -f dtp-bench/target/lib/pytorch-native-*.jar   # a jar of the other flavour from an earlier build would be loaded too
mvn -B -q "${offline[@]}" -DskipTests -Dpytorch.native="$native" package 2>&1 | tail -20 | tee -a "$out"
if ! ls dtp-bench/target/lib/ | grep -q "^$native-"; then
  log "the build did not put $native into dtp-bench/target/lib"; exit 1
fi

# 2. the numerics tests, their models on the device (TinyModel.testDevice, ScanKernelsTest)
log ""
log "## numerics tests on $device"
tests='MambaModelReferenceTest,PrunedReferenceTest,SplitPrefillTest,GenerateTest,BatchGenerateTest,ScanKernelsTest'
set +e
mvn -B "${offline[@]}" -Dpytorch.native="$native" -Ddtp.test.device="$device" verify -pl dtp-mamba,src-test-fixtures -am \
  -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false > "$out.tests.log" 2>&1
status=$?
set -e
grep -E "Tests run:|FAIL|ERROR\]" "$out.tests.log" | grep -v "^\[INFO\] Tests run: .*, Time elapsed" | tee -a "$out"
log "tests exit status $status (full log: $out.tests.log)"

# 3. dtp bench, the launcher's JVM flags, the jars just built
dtp() {
  DJL_OFFLINE=true OMP_WAIT_POLICY=PASSIVE GLIBC_TUNABLES=glibc.malloc.mmap_threshold=134217728 \
    java --add-modules jdk.incubator.vector -Xss4m -XX:MaxDirectMemorySize=1g -Ddtp.home="$PWD" \
    -cp "$(ls dtp-bench/target/dtp-bench-*.jar | head -1):dtp-bench/target/lib/*" dev.dtp.bench.cli.DtpCli "$@" \
    2> >(grep -v '^WARNING: Using incubator modules' >&2)
}
if [[ $quick == 1 ]]; then
  throughput=(--shape layers=4,d_model=256 --lengths 64,256 --runs 2 --decode 8)
  policies=(--shape layers=8,d_model=256 --visual 256 --text 16 --runs 2 --decode 4)
else
  throughput=(--shape mamba-370m --lengths 128,512,1024 --runs 3 --decode 32)
  policies=(--shape layers=64,d_model=2560 --visual 729 --text 31 --runs 3 --decode 8)
fi
log ""
log "## dtp bench --device $device ${throughput[*]}"
dtp bench --device "$device" "${throughput[@]}" 2>&1 | tee -a "$out"
log ""
log "## dtp bench --device $device ${policies[*]} --policies none,dtp --wrapper-pairs 0"
dtp bench --device "$device" "${policies[@]}" --policies none,dtp --wrapper-pairs 0 2>&1 | tee -a "$out"
log ""
log "results in $out"
exit $status
