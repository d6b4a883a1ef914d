#!/usr/bin/env bash
# The worked study of docs/scheduling.md, rerunnable with one command:
#   scripts/study.sh [BUILD_DIR] [extra simulate flags, e.g. --markdown]
# Imports the Electricity Maps hourly files of ../shared/data into a temporary
# store and runs `greenrun simulate` over calendar year 2022 (the year all 13
# zones share) with the Dodge et al. protocol: 11 presets x 8 windows x both
# algorithms, 5 start times per month (days 1,7,13,19,25 at 00:00 UTC).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build/h}"
shift || true
bin="$build/apps/greenrun/greenrun"
data="${GREENRUN_SHARED_DATA:-$here/../shared/data}/electricitymaps-hourly"
[[ -x "$bin" ]] || { echo "study.sh: build greenrun first (expected $bin)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
store="$tmp/study.db"
"$bin" --store "$store" intensity import "$data"/green-dcc/*.csv "$data"/decarbonization-potential/*.csv >/dev/null
zones=(AU-NSW CA-ON DE ES GB IN-WE JP-TK NO SG US-CAL-CISO US-MIDA-PJM US-NY-NYIS US-TEX-ERCO)
args=()
for z in "${zones[@]}"; do args+=(--zone "$z"); done
"$bin" --store "$store" simulate "${args[@]}" --presets all \
  --windows 6h,12h,18h,24h,25%,50%,75%,100% --algorithms flexible,pause-resume \
  --starts monthly:1,7,13,19,25@00:00 --from 2022-01-01 --to 2023-01-01 "${@:---markdown}"
