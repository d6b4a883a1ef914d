#!/usr/bin/env bash
# The backtest table of greenrun's own forecast (`greenrun forecast`) for every
# zone in ../shared/data: each zone's 2022 hourly Electricity Maps file is
# imported into a scratch store, the four models are trained on
# January–October and scored on one 48 h forecast a day over November–December
# (61 forecasts, never trained on). Prints a Markdown table (docs/scheduling.md).
#
#   scripts/forecast-backtest.sh [BUILD_DIR]     (default build/release, else build/quick)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-}"
if [[ -z "$build" ]]; then
  for b in build/release build/rel build/quick build/ci; do [[ -x "$here/$b/apps/greenrun/greenrun" ]] && { build="$b"; break; }; done
fi
greenrun="$here/${build:?no build found: give BUILD_DIR}/apps/greenrun/greenrun"
data="${GREENRUN_SHARED_DATA:-$here/../shared/data}/electricitymaps-hourly"
[[ -d "$data" ]] || { echo "forecast-backtest.sh: no shared data at $data" >&2; exit 1; }
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export GREENRUN_STORE="$scratch/greenrun.db" XDG_CONFIG_HOME="$scratch/config" GREENRUN_NO_METADATA=1

echo "| zone | seasonal-day | seasonal-week | weekly-profile | lag-calendar | used | its MAE at 1 h / 24 h / 48 h |"
echo "|---|---:|---:|---:|---:|---|---|"
for f in "$data"/*/*_2022_hourly.csv; do
  "$greenrun" intensity import "$f" >/dev/null
  zone="$(basename "$f" _2022_hourly.csv)"
  [[ "$zone" == DE-LU ]] && zone=DE
  "$greenrun" forecast --zone "$zone" --from 2023-01-01T00:00:00Z --test-days 61 --horizon 48h --json >"$scratch/f.json"
  /usr/bin/python3 - "$scratch/f.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
models = {m["model"]: m for m in d["backtest"]["models"]}
cells = []
for name in ("seasonal-day", "seasonal-week", "weekly-profile", "lag-calendar"):
    m = models[name]
    cell = f'{m["mae_g_per_kwh"]:.1f} ({m["mae_percent"]:.1f} %)'
    cells.append(f"**{cell}**" if name == d["model"] else cell)
steps = models[d["model"]]["mae_by_step_g_per_kwh"]
print(f'| {d["zone"]} | ' + " | ".join(cells) + f' | {d["model"]} | {steps[0]:.1f} / {steps[23]:.1f} / {steps[-1]:.1f} |')
PY
done
