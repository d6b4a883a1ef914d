"""The drop-ins on scripts written for CodeCarbon and Carbontracker: each
script below is the original API's usage, and only its import line is
changed (CodeCarbon and Carbontracker are not installable here: no PyPI)."""
import csv
import json
import os

import pytest

from conftest import python_script, run_python, runs_json

CODECARBON_SCRIPT = '''
from codecarbon import EmissionsTracker, OfflineEmissionsTracker, track_emissions

def train():
    return sum(i * i for i in range(300000))

tracker = OfflineEmissionsTracker(project_name="cc-demo", country_iso_code="FRA", measure_power_secs=1,
                                  output_dir="out", log_level="error", save_to_api=False)
tracker.start()
train()
emissions = tracker.stop()
print("EMISSIONS", emissions)

with EmissionsTracker(project_name="cc-ctx", output_dir="out", tracking_mode="process") as t:
    train()

@track_emissions(project_name="cc-deco", output_dir="out", offline=True, country_iso_code="DEU")
def job():
    train()

job()
'''

CARBONTRACKER_SCRIPT = '''
from carbontracker.tracker import CarbonTracker

max_epochs = 4
tracker = CarbonTracker(epochs=max_epochs, epochs_before_pred=2, monitor_epochs=-1, log_dir="logs",
                        verbose=2, components="all")
for epoch in range(max_epochs):
    tracker.epoch_start()
    sum(i * i for i in range(150000))
    tracker.epoch_end()
tracker.stop()
'''


def swap_import(script, old, new):
    assert old in script
    return script.replace(old, new, 1)


CODECARBON_COLUMNS = (
    "timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,"
    "cpu_energy,gpu_energy,ram_energy,energy_consumed,water_consumed,country_name,country_iso_code,region,"
    "cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,"
    "longitude,latitude,ram_total_size,tracking_mode,cpu_utilization_percent,gpu_utilization_percent,"
    "ram_utilization_percent,ram_used_gb,on_cloud,pue,wue").split(",")


def test_codecarbon_script_runs_with_one_import_changed(scratch, cli):
    script = swap_import(CODECARBON_SCRIPT, "from codecarbon import", "from greenrun.compat.codecarbon import")
    p = run_python(python_script(scratch, "cc.py", script))
    assert p.returncode == 0, p.stderr
    # Arguments without a meaning here are reported, once each.
    assert p.stderr.count("accepted but not used: save_to_api") == 1
    kg = float(p.stdout.split("EMISSIONS")[1].split()[0])
    with open(scratch / "out" / "emissions.csv", newline="") as f:
        header = f.readline().strip().split(",")
        f.seek(0)
        rows = list(csv.DictReader(f))
    assert header == CODECARBON_COLUMNS
    assert [r["project_name"] for r in rows] == ["cc-demo", "cc-ctx", "cc-deco"]
    first = rows[0]
    assert float(first["emissions"]) == pytest.approx(kg)
    assert first["country_iso_code"] == "FRA" and first["country_name"]
    assert rows[2]["country_iso_code"] == "DEU"
    assert first["tracking_mode"] == "machine" and rows[1]["tracking_mode"] == "process"
    assert first["on_cloud"] == "N" and float(first["pue"]) == 1.0
    # Units: kWh, the parts add up, powers in W = energy / duration.
    runs = {r["project"]: r for r in runs_json(cli)}
    rec = runs["cc-demo"]
    cpu_j = next(c["machine_j"] for c in rec["components"] if c["component"] == "cpu")
    assert float(first["cpu_energy"]) == pytest.approx(cpu_j / 3.6e6)
    assert float(first["energy_consumed"]) == pytest.approx(
        float(first["cpu_energy"]) + float(first["gpu_energy"]) + float(first["ram_energy"]))
    assert float(first["cpu_power"]) == pytest.approx(cpu_j / float(first["duration"]))
    assert float(first["emissions_rate"]) == pytest.approx(float(first["emissions"]) / float(first["duration"]))
    assert set(runs) == {"cc-demo", "cc-ctx", "cc-deco"}


def test_codecarbon_moves_a_file_with_other_columns_aside(scratch):
    from greenrun.compat.codecarbon import OfflineEmissionsTracker
    path = scratch / "emissions.csv"
    path.write_text("a,b\n1,2\n")
    t = OfflineEmissionsTracker(country_iso_code="DEU", output_dir=str(scratch), measure_power_secs=0.05)
    t.start()
    sum(i for i in range(20000))
    t.stop()
    assert (scratch / "emissions.csv.bak").read_text() == "a,b\n1,2\n"
    assert path.read_text().splitlines()[0] == ",".join(CODECARBON_COLUMNS)


def test_codecarbon_bad_arguments(scratch):
    from greenrun.compat.codecarbon import EmissionsTracker
    with pytest.raises(TypeError, match="unexpected argument 'no_such_argument'"):
        EmissionsTracker(no_such_argument=1)
    with pytest.raises(ValueError, match="tracking_mode"):
        EmissionsTracker(tracking_mode="gpu")


def test_carbontracker_script_runs_with_one_import_changed(scratch, cli):
    script = swap_import(CARBONTRACKER_SCRIPT, "from carbontracker.tracker import",
                         "from greenrun.compat.carbontracker import")
    p = run_python(python_script(scratch, "ct.py", script), env={"GREENRUN_ZONE": "DE"})
    assert p.returncode == 0, p.stderr
    assert "Predicted consumption for 4 epoch(s)" in p.stderr
    assert "accepted but not used: components" in p.stderr
    logs = os.listdir(scratch / "logs")
    assert any(n.endswith("_carbontracker_output.log") for n in logs)
    assert any(n.endswith("_carbontracker.log") for n in logs)
    (rec,) = runs_json(cli)
    pred = rec["tracker"]["prediction"]
    assert pred["after_epochs"] == 2 and pred["outcome"]["complete"]
    assert len(rec["tracker"]["epochs"]) == 4
