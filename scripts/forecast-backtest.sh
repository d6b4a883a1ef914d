#!/usr/bin/env bash
# The backtest table of greenrun's own forecast (`greenrun forecast`) for every
# zone in ../shared/data: each zone's 2022 hourly Electricity Maps file is
# imported into a scratch store, the four models are trained on
# January–October and scored on one 48 h forecast a day over November–December
# (60 forecasts, never trained on). The forecast greenrun uses takes the best
# model per horizon band (chosen on this backtest). Then what it is worth to a
# scheduler: at each issue time one 1 h job due 12 h later, Flexible Start,
# planned on the forecast issued then and paid on the actuals, against the
# same jobs planned on the actuals. Prints two Markdown tables
# (docs/scheduling.md).
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

echo "| zone | seasonal-day | seasonal-week | weekly-profile | lag-calendar | by band | bands used | its MAE at 1 h / 24 h / 48 h |" >"$scratch/errors.md"
echo "|---|---:|---:|---:|---:|---:|---|---|" >>"$scratch/errors.md"
echo "| zone | on actuals | seasonal-day | seasonal-week | weekly-profile | lag-calendar | by band (used) | lost to forecast error |" >"$scratch/saving.md"
echo "|---|---:|---:|---:|---:|---:|---:|---:|" >>"$scratch/saving.md"
for f in "$data"/*/*_2022_hourly.csv; do
  "$greenrun" intensity import "$f" >/dev/null
  zone="$(basename "$f" _2022_hourly.csv)"
  [[ "$zone" == DE-LU ]] && zone=DE
  "$greenrun" forecast --zone "$zone" --from 2023-01-01T00:00:00Z --test-days 61 --horizon 48h --json >"$scratch/f.json"
  /usr/bin/python3 - "$scratch/f.json" "$scratch/errors.md" "$scratch/saving.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bt = d["backtest"]
models = {m["model"]: m for m in bt["models"]}
names = ("seasonal-day", "seasonal-week", "weekly-profile", "lag-calendar")
cells = []
for name in names:
    m = models[name]
    cell = f'{m["mae_g_per_kwh"]:.1f} ({m["mae_percent"]:.1f} %)'
    if m["worse_than_seasonal_naive"]:
        cell += " *"
    cells.append(f"**{cell}**" if name == d["model"] else cell)
bb = bt["by_band"]
steps = bb["mae_by_step_g_per_kwh"]
with open(sys.argv[2], "a") as out:
    out.write(f'| {d["zone"]} | ' + " | ".join(cells) + f' | {bb["mae_g_per_kwh"]:.1f} ({bb["mae_percent"]:.1f} %) | {d["used"]} | '
              f'{steps[0]:.1f} / {steps[23]:.1f} / {steps[-1]:.1f} |\n')
pl = bt["planning"]
on = pl["saving_on_forecast_percent"]
with open(sys.argv[3], "a") as out:
    out.write(f'| {d["zone"]} | {pl["saving_on_actuals_percent"]:.1f} | ' + " | ".join(f'{on[n]:.1f}' for n in names) +
              f' | {on["by-band"]:.1f} | {pl["saving_on_actuals_percent"] - on["by-band"]:.1f} |\n')
PY
done
echo "Mean absolute error, g/kWh (% of the test span's mean); bold: the best single model; *: worse than seasonal naive (seasonal-day)."
echo
cat "$scratch/errors.md"
echo
echo "Saving against running at once, % (60 daily 1 h jobs, 12 h window, Flexible Start, paid on the actuals), planned on:"
echo
cat "$scratch/saving.md"
