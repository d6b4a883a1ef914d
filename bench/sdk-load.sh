#!/usr/bin/env bash
# Load test of `greenrun serve` (docs/benchmarks.md, "Server"): wrk against
# /emissions/bylocations/best for 16 locations over a week of 5-minute data,
# with the server's RSS sampled through the run, then the same load while 500
# slow clients hold connections open (sending one header byte a second).
#
# Usage: bench/sdk-load.sh [GREENRUN] [SECONDS] [REPEATS]
#   GREENRUN  a Release build (default build/release/apps/greenrun/greenrun)
#   SECONDS   length of each wrk run (default 60)
#   REPEATS   wrk runs (default 3; each is printed, compare the median)
# Needs wrk (Debian package; installed here when missing and root) and
# ../shared/data. Everything lives in a scratch folder; the server listens on
# a free loopback port and is stopped at the end.
#
# The data: the 2023 hourly Electricity Maps series of 11 zones, linearly
# interpolated to 5-minute points for the week 2023-06-05..12 (2016 points a
# zone), imported into a scratch store; the 16 locations are cloud regions
# over those zones.
set -euo pipefail
cd "$(dirname "$0")/.."
GREENRUN=$(realpath "${1:-build/release/apps/greenrun/greenrun}")
SECS=${2:-60}
REPEATS=${3:-3}
SHARED=${GREENRUN_SHARED_DATA:-$(realpath ../shared/data)}
command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v wrk >/dev/null || { echo "sdk-load: needs wrk (apt-get install wrk)" >&2; exit 1; }

TMP=$(mktemp -d)
SERVER=""
SLOW=""
cleanup() {
  [[ -n "$SLOW" ]] && kill "$SLOW" 2>/dev/null || true
  [[ -n "$SERVER" ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

python3 - "$SHARED" "$TMP" <<'PY'
import csv, sys, datetime as dt, pathlib
shared, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
files = sorted((shared / "electricitymaps-hourly/green-dcc").glob("*_2023_hourly.csv"))
start, end = dt.datetime(2023, 6, 5), dt.datetime(2023, 6, 12)
for f in files:
    rows = list(csv.reader(open(f, encoding="utf-8")))
    header, data = rows[0], rows[1:]
    hourly = {dt.datetime.strptime(r[0], "%Y-%m-%d %H:%M:%S"): r for r in data}
    zone = data[0][3]
    with open(out / f"{zone}_2023_5_minute.csv", "w", newline="", encoding="utf-8") as o:
        w = csv.writer(o)
        w.writerow(header)
        t = start
        while t < end:
            h = t.replace(minute=0)
            a, b = hourly[h], hourly.get(h + dt.timedelta(hours=1), hourly[h])
            x = t.minute / 60
            row = list(a)
            row[0] = t.strftime("%Y-%m-%d %H:%M:%S")
            row[4] = f"{float(a[4]) * (1 - x) + float(b[4]) * x:.3f}"
            row[5] = f"{float(a[5]) * (1 - x) + float(b[5]) * x:.3f}"
            w.writerow(row)
            t += dt.timedelta(minutes=5)
PY
export GREENRUN_STORE="$TMP/greenrun.db" GREENRUN_NO_METADATA=1 XDG_CONFIG_HOME="$TMP/config"
"$GREENRUN" intensity import "$TMP"/*_5_minute.csv >/dev/null

"$GREENRUN" serve --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER=$!
for _ in $(seq 1 300); do grep -q "listening on" "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/serve.out")
[[ -n "$PORT" ]] || { echo "sdk-load: the server did not start:" >&2; cat "$TMP/serve.err" >&2; exit 1; }

LOCS=(eastus westus us-west-1 eu-central-1 ukwest europe-west3 germanywestcentral uksouth
      japaneast australiaeast southeastasia canadacentral southcentralus eastus2 westindia US-NY-NYIS)
Q=""
for l in "${LOCS[@]}"; do Q+="location=$l&"; done
URL="http://127.0.0.1:$PORT/emissions/bylocations/best?${Q}time=2023-06-05T00:00:00Z&toTime=2023-06-12T00:00:00Z"
code=$(curl -s -o "$TMP/answer.json" -w '%{http_code}' "$URL")
[[ "$code" == 200 ]] || { echo "sdk-load: $URL answered $code: $(cat "$TMP/answer.json")" >&2; exit 1; }
echo "sdk-load: server pid $SERVER port $PORT; answer: $(head -c 200 "$TMP/answer.json")"
echo "sdk-load: machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"

rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }  # utime + stime of the server
TICK=$(getconf CLK_TCK)
run_wrk() {  # label connections seconds
  local c0 c1
  c0=$(cpu_ticks)
  wrk -t2 -c"$2" -d"$3"s --latency "$URL" >"$TMP/wrk.txt"
  c1=$(cpu_ticks)
  local rps p99 p50 n
  rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$TMP/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk.txt")
  n=$(awk '/requests in/ {print $1}' "$TMP/wrk.txt")
  # The server's own CPU per request: what 2 idle cores would allow, whatever the load.
  local per
  per=$(awk -v t=$((c1 - c0)) -v hz="$TICK" -v n="$n" 'BEGIN { if (n > 0) printf "%.1f", 1e6 * t / hz / n; else print "-" }')
  echo "sdk-load: $1: $rps requests/s, p50 $p50, p99 $p99 ($2 connections, $3 s); server CPU $per us/request; $(grep -E 'requests in|Non-2xx|Socket errors' "$TMP/wrk.txt" | xargs)"
  if [[ -n "${VERBOSE:-}" ]]; then cat "$TMP/wrk.txt"; fi
}

wrk -t2 -c32 -d3s "$URL" >/dev/null  # warm-up
for i in $(seq 1 "$REPEATS"); do
  before=$(rss)
  ( for _ in $(seq 1 $((SECS / 5))); do sleep 5; rss; done >"$TMP/rss.txt" ) &
  sampler=$!
  run_wrk "run $i" 64 "$SECS"
  wait "$sampler" || true
  echo "sdk-load: run $i: RSS before ${before} KiB, during: $(xargs <"$TMP/rss.txt") KiB, after $(rss) KiB"
done

# 500 slow clients: each connects and sends one byte of its request a second.
python3 - "$PORT" >"$TMP/slow.txt" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
socks = []
for _ in range(500):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
print(f"{len(socks)} slow connections open", flush=True)
req = b"GET /locations HTTP/1.1\r\nHost: x\r\n"
for i in range(120):
    for s in list(socks):
        try:
            s.send(req[i % len(req):i % len(req) + 1])
        except OSError:
            socks.remove(s)
            socks.append(socket.create_connection(("127.0.0.1", port)))  # closed by the server's timeout: come back
    time.sleep(1)
PY
SLOW=$!
for _ in $(seq 1 100); do grep -q "slow connections open" "$TMP/slow.txt" 2>/dev/null && break; sleep 0.1; done
echo "sdk-load: $(cat "$TMP/slow.txt")"
run_wrk "with 500 slow clients" 16 20
echo "sdk-load: server RSS with slow clients: $(rss) KiB, threads: $(awk '/Threads/ {print $2}' "/proc/$SERVER/status")"
