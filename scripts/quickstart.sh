#!/usr/bin/env bash
# greenrun's main job on its embedded defaults, from a fresh Debian 12 machine:
# installs what is missing, builds the release CLI, then
#   1. imports the shared Electricity Maps data (when ../shared/data is there)
#      into a fresh demo store and prints per-zone annual statistics;
#   2. measures a sample workload with `greenrun run` and prints its summary;
#   3. accounts the emissions of that energy timeline with `greenrun emissions`;
#   4. plans a 6 h, 300 W job with `greenrun plan` (Flexible Start and Pause and Resume).
# Everything it writes goes under build/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target greenrun -j "$(nproc)"
gr="$root/build/release/apps/greenrun/greenrun"
demo="$root/build/quickstart"
rm -rf "$demo"
mkdir -p "$demo"
export GREENRUN_STORE="$demo/greenrun.db"
data="${GREENRUN_SHARED_DATA:-$root/../shared/data}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

zone=DE
from=2023-06-01T00:00:00Z
if [[ -d "$data/electricitymaps-hourly" ]]; then
  step "Import real hourly carbon intensity (Electricity Maps, ODbL) into $GREENRUN_STORE"
  "$gr" intensity import "$data"/electricitymaps-hourly/*/*.csv
  "$gr" intensity import --signal direct "$data"/electricitymaps-hourly/*/*.csv
  step "Annual statistics per zone"
  "$gr" intensity stats
else
  echo "quickstart: $data not found; using the embedded annual means and typical profiles only" >&2
fi

step "Measure a sample workload (about 5 s of CPU work) with greenrun run"
"$gr" run --zone "$zone" --project quickstart --phase demo --interval 500ms --out "$demo/run" -- \
  sh -c 'i=0; end=$(( $(date +%s) + 5 )); while [ "$(date +%s)" -lt "$end" ]; do i=$((i+1)); done; echo "work units: $i"'

step "Emissions of that energy timeline"
"$gr" emissions --energy "$demo/run/timeline.jsonl" --zone "$zone" --pue 1.2

step "Plan a 6 h, 300 W training job in $zone starting $from within 24 h"
"$gr" plan --zone "$zone" --duration 6h --power 300W --window 24h --mode both --from "$from"
