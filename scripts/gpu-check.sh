#!/usr/bin/env bash
# One prepared check for a machine with an NVIDIA GPU (issue 4, "On a real GPU").
#
#  1. builds greenrun (Release, no tests) — about 2 minutes on 16 cores;
#  2. runs a ~60 s PyTorch fp16 matrix-multiply loop under TWO nested greenruns
#     watching the same GPU over the same minute, while nvidia-smi logs power
#     every 100 ms:
#        outer: GREENRUN_NVML_METHOD=power  -> NVML power samples, integrated (1 s)
#        inner: default                     -> NVML total-energy counter (measured)
#  3. prints a table comparing
#        a. NVML energy counter (inner greenrun, "measured"),
#        b. NVML power samples integrated by greenrun (outer, "integrated"),
#        c. nvidia-smi power.draw every 100 ms, trapezoids,
#     over each greenrun's own window, and writes everything under $OUT
#     (or ./gpu-check-out) for docs/benchmarks.md.
# Requirements: NVIDIA driver, python3 with CUDA torch, cmake, ninja, g++ 12+.
# Usage: scripts/gpu-check.sh [SECONDS]    (default 60)
#        GREENRUN_BIN=/path/to/greenrun scripts/gpu-check.sh   uses a prebuilt
#        binary instead of building (for a GPU machine without the -dev packages).
set -euo pipefail
SECS=${1:-60}
OUTDIR=${OUT:-$PWD/gpu-check-out}
mkdir -p "$OUTDIR"
cd "$(dirname "$0")/.."

if [[ -n "${GREENRUN_BIN:-}" ]]; then
  GR=$(realpath "$GREENRUN_BIN")
  echo "== prebuilt $GR" | tee "$OUTDIR/log.txt"
else
  echo "== build" | tee "$OUTDIR/log.txt"
  cmake -S . -B build/gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DGREENRUN_BUILD_TESTS=OFF -DGREENRUN_BUILD_BENCH=OFF \
    >>"$OUTDIR/log.txt" 2>&1
  cmake --build build/gpu --target greenrun -j"$(nproc)" >>"$OUTDIR/log.txt" 2>&1
  GR=$PWD/build/gpu/apps/greenrun/greenrun
fi
"$GR" --version | tee -a "$OUTDIR/log.txt" || true
# libnvidia-ml.so.1 where the loader finds it, else the first one on disk.
if ! ldconfig -p | grep -q 'libnvidia-ml.so.1 '; then
  lib=$(find /usr/local/nvidia /usr/lib /usr/lib64 /lib /opt -name 'libnvidia-ml.so.1' 2>/dev/null | head -1 || true)
  [[ -n "$lib" ]] && export GREENRUN_NVML_LIBRARY="$lib"
fi
echo "NVML: ${GREENRUN_NVML_LIBRARY:-libnvidia-ml.so.1 from the loader path}" | tee -a "$OUTDIR/log.txt"

nvidia-smi --query-gpu=index,name,uuid,driver_version,power.limit --format=csv | tee "$OUTDIR/gpus.csv"

cat > "$OUTDIR/matmul.py" <<PY
import time, torch
assert torch.cuda.is_available(), "no CUDA device visible to torch"
n = 8192
a = torch.randn(n, n, device="cuda", dtype=torch.float16)
b = torch.randn(n, n, device="cuda", dtype=torch.float16)
end = time.time() + ${SECS}
iters = 0
while time.time() < end:
    for _ in range(20):
        c = a @ b
    torch.cuda.synchronize()
    iters += 20
print(f"matmul iterations: {iters}, TFLOP: {iters * 2 * n**3 / 1e12:.1f}")
PY

echo "== nvidia-smi power log (100 ms), then the nested runs"
TZ=UTC nvidia-smi --query-gpu=timestamp,index,power.draw,utilization.gpu --format=csv,noheader,nounits -lms 100 \
  > "$OUTDIR/nvidia-smi.csv" &
SMI=$!
sleep 1
export GREENRUN_STORE="$OUTDIR/greenrun.db" GREENRUN_NO_METADATA=1
GREENRUN_NVML_METHOD=power "$GR" run --sensors auto --interval 1s --project gpu-check --phase power \
  --out "$OUTDIR/outer" -- \
  env -u GREENRUN_NVML_METHOD "$GR" run --sensors auto --interval 1s --project gpu-check --phase counter \
  --out "$OUTDIR/inner" -- python3 "$OUTDIR/matmul.py" 2> "$OUTDIR/summaries.txt" | tee "$OUTDIR/workload.txt"
sleep 1
kill "$SMI" 2>/dev/null || true
wait "$SMI" 2>/dev/null || true
cat "$OUTDIR/summaries.txt"

echo "== compare"
python3 - "$OUTDIR" <<'PY' | tee "$OUTDIR/compare.md"
import csv, json, sys, datetime
out = sys.argv[1]
def t(s): return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
def gpu(run):
    g = [c for c in run["components"] if c["component"] == "gpu"]
    return (g[0]["machine_j"], g[0]["method"]) if g else (float("nan"), "none")
inner = json.load(open(f"{out}/inner/run.json"))
outer = json.load(open(f"{out}/outer/run.json"))
samples = []
for row in csv.reader(open(f"{out}/nvidia-smi.csv")):
    if len(row) < 3: continue
    try:
        ts = datetime.datetime.strptime(row[0].strip(), "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
        samples.append((row[1].strip(), ts, float(row[2])))
    except ValueError:
        continue
def smi(start, end):
    total = 0.0
    for idx in sorted({s[0] for s in samples}):
        pts = [(ts, p) for i, ts, p in samples if i == idx and start <= ts <= end]
        for (t0, p0), (t1, p1) in zip(pts, pts[1:]):
            total += (p0 + p1) / 2 * (t1 - t0).total_seconds()
    return total
a, am = gpu(inner)
b, bm = gpu(outer)
print(f"GPU: {inner['host']['gpu_count']} x {inner['host']['gpu_model']}; inner run {inner['duration_s']:.1f} s, "
      f"outer run {outer['duration_s']:.1f} s")
print("| figure | window | GPU energy (J) | mean power (W) |")
print("|---|---|---|---|")
for name, j, run in [(f"greenrun NVML counter ({am})", a, inner),
                     (f"greenrun NVML power samples, 1 s ({bm})", b, outer),
                     ("nvidia-smi power.draw, 100 ms trapezoids", smi(t(inner["started"]), t(inner["ended"])), inner),
                     ("nvidia-smi power.draw, 100 ms trapezoids", smi(t(outer["started"]), t(outer["ended"])), outer)]:
    w = "inner" if run is inner else "outer"
    print(f"| {name} | {w} | {j:.0f} | {j / run['duration_s']:.1f} |")
PY
