#!/usr/bin/env bash
# Pause and Resume on a real GPU (issue 5 with issue 4's sensors): a CUDA
# matmul job under `greenrun run --pause-resume --pause-mode stop`, on a
# stored forecast that is dirty in the middle, with a time scale so that the
# two dirty hours pass in seconds. While greenrun measures the GPU through
# NVML every 200 ms, nvidia-smi logs power every 100 ms. The question: does
# SIGSTOP to the job's process group bring the GPU's draw down, and what does
# a stopped CUDA job (context and memory still held) still draw?
#
# Requirements: NVIDIA driver, python3 with CUDA torch, a built greenrun.
# Usage: GREENRUN_BIN=path/to/greenrun scripts/gpu-pause-check.sh
#        (default build/release/apps/greenrun/greenrun). Writes under $OUT (or
#        ./gpu-pause-out): run.json, timeline.jsonl, nvidia-smi.csv, pause.md.
set -euo pipefail
OUTDIR=${OUT:-$PWD/gpu-pause-out}
mkdir -p "$OUTDIR"
cd "$(dirname "$0")/.."
GR=$(realpath "${GREENRUN_BIN:-build/release/apps/greenrun/greenrun}")
SCALE=${SCALE:-600}  # 2 h of schedule = 12 s
export GREENRUN_STORE="$OUTDIR/greenrun.db" GREENRUN_NO_METADATA=1

# The forecast: half-hourly from the current half-hour; clean for 1.5 h,
# dirty (900 g/kWh) for 2 h, clean again.
python3 - "$OUTDIR/forecast.csv" <<'PY'
import sys, datetime as d
now = d.datetime.now(d.timezone.utc)
t0 = now.replace(minute=now.minute // 30 * 30, second=0, microsecond=0)
with open(sys.argv[1], "w") as f:
    f.write("time,value\n")
    for i in range(24):
        f.write(f"{(t0 + d.timedelta(minutes=30 * i)).strftime('%Y-%m-%dT%H:%M:%SZ')},{900 if 3 <= i < 7 else 50}\n")
PY
"$GR" intensity import --format generic-csv --zone GB --origin forecast --step 30m "$OUTDIR/forecast.csv"

# The job: a fixed number of fp16 matmuls (about 3 h of schedule at the
# default scale), so that stopped time does not count as work.
cat > "$OUTDIR/matmul_n.py" <<'PY'
import sys, time, torch
n = 8192
a = torch.randn(n, n, device="cuda", dtype=torch.float16)
b = torch.randn(n, n, device="cuda", dtype=torch.float16)
for _ in range(5):  # warm-up: cuBLAS picks its kernels
    c = a @ b
torch.cuda.synchronize()
t = time.time()
for _ in range(50):
    c = a @ b
torch.cuda.synchronize()
per = (time.time() - t) / 50
iters = int(float(sys.argv[1]) / per)
print(f"{per * 1e3:.2f} ms per matmul; {iters} matmuls for {sys.argv[1]} s of work", flush=True)
for i in range(iters):
    c = a @ b
    if i % 20 == 0:
        torch.cuda.synchronize()
torch.cuda.synchronize()
print("done", flush=True)
PY
WORK_S=$(python3 -c "print(3 * 3600 / $SCALE)")
# Warm the page cache: on a fresh machine importing torch alone takes ~12 s,
# which would put the whole first segment (and the pause) before any GPU work.
python3 -c "import torch; torch.zeros(1, device='cuda')"

TZ=UTC nvidia-smi --query-gpu=timestamp,power.draw,utilization.gpu --format=csv,noheader,nounits -lms 100 \
  > "$OUTDIR/nvidia-smi.csv" &
SMI=$!
sleep 1
"$GR" run --zone GB --sensors auto --interval 200ms --out "$OUTDIR/run" --time-scale "$SCALE" \
  --pause-resume --max-delay 200% --expected-duration 3h --pause-mode stop -- \
  python3 "$OUTDIR/matmul_n.py" "$WORK_S" 2> "$OUTDIR/greenrun-stderr.txt" | tee "$OUTDIR/workload.txt"
sleep 1
kill "$SMI" 2>/dev/null || true
wait "$SMI" 2>/dev/null || true
grep -E "greenrun: .*(start|pause|resume|exit)|schedule" "$OUTDIR/greenrun-stderr.txt" || true

# Per 200 ms interval of greenrun's timeline: the GPU's mean power; the
# intervals fall into running (high) and stopped (low) groups.
python3 - "$OUTDIR" <<'PY' | tee "$OUTDIR/pause.md"
import json, sys, statistics as st
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/run/timeline.jsonl") if l.strip()]
run = json.load(open(f"{out}/run/run.json"))
s = run.get("schedule", {})
ev = [(e["time"], e["event"], e.get("intensity_g_per_kwh")) for e in s.get("events", [])]
print("events:", ", ".join(f"{k} ({v} g/kWh)" for _, k, v in ev))
def gpu_w(r):
    dt = r.get("duration_s", 0)
    j = r.get("joules", {}).get("gpu")
    return None if j is None or dt <= 0 else j / dt
w = [x for x in (gpu_w(r) for r in rows) if x is not None]
if not w:
    print("no GPU figures in the timeline"); sys.exit(0)
hi = [x for x in w if x > (max(w) + min(w)) / 2]
lo = [x for x in w if x <= (max(w) + min(w)) / 2]
print(f"| GPU, per 200 ms interval of greenrun's timeline | intervals | median W | range W |")
print(f"|---|---|---|---|")
print(f"| running | {len(hi)} | {st.median(hi):.0f} | {min(hi):.0f}-{max(hi):.0f} |")
if lo:
    print(f"| stopped (SIGSTOP) or idle | {len(lo)} | {st.median(lo):.0f} | {min(lo):.0f}-{max(lo):.0f} |")
segs = s.get("segments", [])
print("segments:", "; ".join(f"{g['state']} {g['job_energy_j']:.0f} J" for g in segs))
print(f"emissions on the forecast: {s.get('emissions_g')} g against {s.get('at_once_g')} g at once; "
      f"deadline met: {s.get('deadline_met')}")
PY
