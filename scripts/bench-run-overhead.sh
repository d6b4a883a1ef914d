#!/usr/bin/env bash
# greenrun's own cost while it watches a workload: CPU time (user+sys of the
# greenrun process only, children excluded) and peak RSS, read from
# /proc/<greenrun pid>/stat and /status just before greenrun exits — taken by
# a watcher that samples /proc of greenrun every 0.5 s and keeps the last
# values (the child's CPU time is never counted: it lives in other /proc
# entries, and cutime/cstime are excluded).
#
# Usage: scripts/bench-run-overhead.sh [GREENRUN] [SECONDS] [REPEATS]
#   GREENRUN  path to a Release build of greenrun (default build/release/apps/greenrun/greenrun)
#   SECONDS   workload length (default 60)
#   REPEATS   runs per interval (default 3; the median is reported)
# The workload is `sleep SECONDS` so the machine stays quiet and greenrun's
# own cost is what is measured; the sampling work does not depend on the
# workload's CPU use (it reads the same files either way).
set -euo pipefail
GREENRUN=${1:-build/release/apps/greenrun/greenrun}
SECONDS_=${2:-60}
REPEATS=${3:-3}
TICK=$(getconf CLK_TCK)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

measure() {  # interval -> "cpu_seconds peak_rss_kib"
  local interval=$1
  GREENRUN_STORE="$TMP/greenrun.db" GREENRUN_NO_METADATA=1 \
    "$GREENRUN" run --sensors auto --interval "$interval" --out "$TMP/out-$interval" -- sleep "$SECONDS_" \
    2>"$TMP/summary.txt" &
  local pid=$!
  local ticks=0 hwm=0
  while kill -0 "$pid" 2>/dev/null; do
    if read -r line < "/proc/$pid/stat" 2>/dev/null; then
      # fields after the command name: utime is field 14, stime 15
      local rest=${line##*) }
      set -- $rest
      ticks=$(( ${12} + ${13} ))
      hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "$hwm")
    fi
    sleep 0.5
  done
  wait "$pid" || true
  awk -v t="$ticks" -v hz="$TICK" -v h="$hwm" 'BEGIN { printf "%.3f %d\n", t / hz, h }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "greenrun: $GREENRUN; workload: sleep $SECONDS_; repeats: $REPEATS; CLK_TCK $TICK"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for interval in 1s 100ms; do
  : > "$TMP/cpu" ; : > "$TMP/rss"
  for _ in $(seq "$REPEATS"); do
    read -r cpu rss < <(measure "$interval")
    echo "$cpu" >> "$TMP/cpu"; echo "$rss" >> "$TMP/rss"
    echo "  interval $interval: cpu ${cpu}s, peak RSS ${rss} KiB"
  done
  cpu=$(median < "$TMP/cpu"); rss=$(median < "$TMP/rss")
  awk -v i="$interval" -v c="$cpu" -v r="$rss" -v s="$SECONDS_" \
    'BEGIN { printf "median at %s: %.3f CPU-s over %d s = %.3f %% of one core; peak RSS %.1f MB\n", i, c, s, 100 * c / s, r / 1024 }'
done
