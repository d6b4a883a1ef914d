"""CodeCarbon's API on greenrun: ``from greenrun.compat.codecarbon import
EmissionsTracker`` instead of ``from codecarbon import EmissionsTracker``.

The run is measured and recorded by greenrun (run.json, the store, `greenrun
runs list`), and CodeCarbon's emissions.csv is written as CodeCarbon 3.3
writes it: its 38 columns in its order and units (energies in kWh already
multiplied by PUE, emissions in kg CO2e, powers in W, RAM in GB of 1024^3
bytes). Where greenrun does not know a figure (coordinates, GPU and RAM
utilisation, RAM used) the cell is empty, never an invented number; where it
differs from CodeCarbon is listed in docs/python-migration.md.
"""
from __future__ import annotations

import csv
import functools
import json
import os
import platform
import uuid
from datetime import datetime
from typing import Optional

from .. import _greenrun
from .._tracker import Tracker
from . import _unused

CSV_COLUMNS = [
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate",
    "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed",
    "water_consumed", "country_name", "country_iso_code", "region", "cloud_provider", "cloud_region", "os",
    "python_version", "codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude",
    "latitude", "ram_total_size", "tracking_mode", "cpu_utilization_percent", "gpu_utilization_percent",
    "ram_utilization_percent", "ram_used_gb", "on_cloud", "pue", "wue",
]

# CodeCarbon arguments with a meaning here, and those accepted without one.
_USED = {"project_name", "measure_power_secs", "output_dir", "output_file", "save_to_file", "tracking_mode",
         "log_level", "pue", "wue", "country_iso_code", "region", "cloud_provider", "cloud_region",
         "experiment_id", "on_csv_write", "allow_multiple_runs"}
_KNOWN_UNUSED = {"api_call_interval", "api_endpoint", "api_key", "output_methods", "save_to_api", "save_to_logger",
                 "logging_logger", "save_to_prometheus", "save_to_logfire", "prometheus_url", "output_handlers",
                 "gpu_ids", "emissions_endpoint", "experiment_name", "electricitymaps_api_token",
                 "logger_preamble", "force_cpu_power", "force_ram_power", "force_mode_cpu_load",
                 "rapl_include_dram", "rapl_prefer_psys", "country_2letter_iso_code", "co2_signal_api_token"}


class EmissionsTracker:
    """CodeCarbon's EmissionsTracker: start()/stop() (kg CO2e), flush(),
    start_task()/stop_task(), and use as a context manager."""

    _offline = False

    def __init__(self, project_name: str = "codecarbon", measure_power_secs: float = 15,
                 output_dir: str = ".", output_file: str = "emissions.csv", save_to_file: bool = True,
                 tracking_mode: str = "machine", log_level=None, pue: float = 1.0, wue: float = 0.0,
                 country_iso_code: Optional[str] = None, region: Optional[str] = None,
                 cloud_provider: Optional[str] = None, cloud_region: Optional[str] = None,
                 experiment_id: Optional[str] = None, on_csv_write: str = "append",
                 allow_multiple_runs: bool = True, **others):
        unknown = set(others) - _KNOWN_UNUSED
        if unknown:
            raise TypeError(f"EmissionsTracker: unexpected argument {sorted(unknown)[0]!r}")
        _unused.report("codecarbon", others, "no API, logger, Prometheus or power override in greenrun's drop-in; "
                                             "greenrun's sensors and store are used")
        if tracking_mode not in ("machine", "process"):
            raise ValueError(f'tracking_mode: expected "machine" or "process", got {tracking_mode!r}')
        if on_csv_write not in ("append", "update"):
            raise ValueError(f'on_csv_write: expected "append" or "update", got {on_csv_write!r}')
        if isinstance(measure_power_secs, bool) or not isinstance(measure_power_secs, (int, float)):
            raise TypeError(f"measure_power_secs: expected a number, got {type(measure_power_secs).__name__}")
        zone = None
        greenrun_region = None
        if cloud_provider and cloud_region:
            greenrun_region = f"{cloud_provider.lower()}:{cloud_region}"
        elif cloud_provider or cloud_region:
            raise ValueError("cloud_provider and cloud_region go together")
        elif country_iso_code:
            zone = country_iso_code.upper()
            if region:
                _unused.report("codecarbon", ["region"], f"priced at the country {zone}; greenrun has no mapping "
                                                         f"from CodeCarbon's sub-national regions")
        self.project_name = project_name
        self._interval = min(60.0, max(0.01, float(measure_power_secs)))
        if float(measure_power_secs) > 60:
            _unused.report("codecarbon", ["measure_power_secs"], "greenrun samples at most every 60 s; 60 s is used")
        self._output = os.path.join(output_dir, output_file)
        self._save_to_file = save_to_file
        self._mode = tracking_mode
        self._pue = float(pue)
        self._wue = float(wue)
        self._experiment_id = experiment_id or ""
        self._on_csv_write = on_csv_write
        self._country = country_iso_code
        self._cloud = (cloud_provider or "", cloud_region or "")
        self._tracker_args = dict(project=project_name, zone=zone, region=greenrun_region, interval=self._interval,
                                  pue=self._pue)
        if log_level is not None:
            _unused.report("codecarbon", ["log_level"], "greenrun writes no log; warnings go through Python's warnings")
        self._tracker: Optional[Tracker] = None
        self._tasks = {}
        self.final_emissions = None
        self.final_emissions_data = None

    # ---- CodeCarbon's methods

    def start(self) -> None:
        if self._tracker is not None:
            return
        self._tracker = Tracker(**self._tracker_args).start()

    def stop(self) -> Optional[float]:
        """Stops, writes emissions.csv (save_to_file) and returns kg CO2e
        (None when nothing could be measured)."""
        if self._tracker is None:
            return None
        record = self._tracker.stop()
        self._tracker = None
        if record is None:
            return None
        row = csv_row(record, self._mode, self._pue, self._wue, self.project_name, self._experiment_id,
                      self._country, self._cloud)
        self.final_emissions_data = row
        if self._save_to_file:
            write_csv(self._output, row, self._on_csv_write)
        self.final_emissions = row["emissions"] if row["emissions"] != "" else None
        return self.final_emissions

    def flush(self) -> Optional[float]:
        """Emissions so far in kg CO2e (measured without stopping)."""
        if self._tracker is None:
            return None
        q = self._tracker.emissions
        return None if q.method == "unavailable" else q.kg

    def start_task(self, task_name: str = "") -> None:
        if self._tracker is None:
            self.start()
        name = task_name or f"task-{len(self._tasks) + 1}"
        self._tasks[name] = self._tracker.phase(name)
        self._tasks[name].__enter__()

    def stop_task(self, task_name: str = "") -> dict:
        name = task_name or (list(self._tasks)[-1] if self._tasks else "")
        cm = self._tasks.pop(name, None)
        if cm is not None:
            cm.__exit__(None, None, None)
        return {"task_name": name, "note": "the task's energy is in run.json's tracker.phases when the run stops"}

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False


class OfflineEmissionsTracker(EmissionsTracker):
    """CodeCarbon's offline tracker: country_iso_code (ISO 3166 alpha-3) or a
    cloud provider and region says where the energy is priced."""

    _offline = True


def track_emissions(fn=None, /, **kwargs):
    """``@track_emissions`` or ``@track_emissions(project_name=..., ...)``."""
    offline = kwargs.pop("offline", False)

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kw):
            tracker = (OfflineEmissionsTracker if offline else EmissionsTracker)(**kwargs)
            tracker.start()
            try:
                return func(*args, **kw)
            finally:
                tracker.stop()
        return wrapper

    return decorate(fn) if fn is not None else decorate


# ---- emissions.csv

def _mean_cpu_utilisation(out_dir: str) -> str:
    total, seconds = 0.0, 0.0
    try:
        with open(os.path.join(out_dir, "timeline.jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                if "cpu_utilisation" in d:
                    total += d["cpu_utilisation"] * d["duration_s"]
                    seconds += d["duration_s"]
    except (OSError, ValueError):
        return ""
    return f"{100 * total / seconds:.1f}" if seconds > 0 else ""


def csv_row(record, mode: str, pue: float, wue: float, project: str, experiment_id: str, country, cloud) -> dict:
    """One emissions.csv row, as CodeCarbon writes it, from a greenrun record."""
    d = record.data
    secs = d["duration_s"]
    share = "machine_j" if mode == "machine" else "job_j"
    comp = {c["component"]: c[share] for c in d.get("components", [])}
    cpu_j, gpu_j, ram_j = comp.get("cpu", 0.0), comp.get("gpu", 0.0), comp.get("dram", 0.0)
    if mode == "machine":
        machine = (d.get("emissions") or {}).get("machine") or {}
        grams = (machine.get("total") or {}).get("grams")
    else:
        grams = (d.get("emissions_average") or {}).get("job_g")
    kwh = lambda j: j / 3.6e6 * pue  # noqa: E731  CodeCarbon's energies include PUE
    energy = kwh(cpu_j) + kwh(gpu_j) + kwh(ram_j)
    zone = d.get("zone", "")
    info = _greenrun.zone_info(zone) if zone else None
    iso3 = zone if info and info["kind"] == "country" else (country.upper() if country else "")
    host = d.get("host", {})
    gpu_count = host.get("gpu_count", 0)
    ended = datetime.fromisoformat(d["ended"].replace("Z", "+00:00")).astimezone()
    return {
        "timestamp": ended.strftime("%Y-%m-%dT%H:%M:%S"),
        "project_name": project,
        "run_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "greenrun:" + record.id)),
        "experiment_id": experiment_id,
        "duration": secs,
        "emissions": "" if grams is None else grams / 1e3,
        "emissions_rate": "" if grams is None or secs <= 0 else grams / 1e3 / secs,
        "cpu_power": cpu_j / secs if secs > 0 else 0.0,
        "gpu_power": gpu_j / secs if secs > 0 else 0.0,
        "ram_power": ram_j / secs if secs > 0 else 0.0,
        "cpu_energy": kwh(cpu_j),
        "gpu_energy": kwh(gpu_j),
        "ram_energy": kwh(ram_j),
        "energy_consumed": energy,
        "water_consumed": energy * wue,
        "country_name": info["name"] if info else "",
        "country_iso_code": iso3,
        "region": "",
        "cloud_provider": cloud[0].lower(),
        "cloud_region": cloud[1],
        "os": platform.platform(),
        "python_version": platform.python_version(),
        "codecarbon_version": "greenrun-" + _greenrun.version(),
        "cpu_count": host.get("cpu_count", ""),
        "cpu_model": host.get("cpu_model", ""),
        "gpu_count": gpu_count,
        "gpu_model": f"{gpu_count} x {host['gpu_model']}" if gpu_count and host.get("gpu_model") else "",
        "longitude": "",
        "latitude": "",
        "ram_total_size": host.get("ram_total_gb", 0.0) * 1e9 / 1024 ** 3,
        "tracking_mode": mode,
        "cpu_utilization_percent": _mean_cpu_utilisation(record.out_dir),
        "gpu_utilization_percent": "",
        "ram_utilization_percent": "",
        "ram_used_gb": "",
        "on_cloud": "Y" if cloud[0] else "N",
        "pue": pue,
        "wue": wue,
    }


def write_csv(path: str, row: dict, on_csv_write: str = "append") -> None:
    """Appends (or, with "update", replaces the row of the same run_id) as
    CodeCarbon does; a file with other columns is moved to .bak first."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    rows = []
    if os.path.exists(path):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != CSV_COLUMNS:
                f.close()
                os.replace(path, path + ".bak")
            else:
                rows = list(reader)
    if on_csv_write == "update":
        rows = [r for r in rows if r["run_id"] != row["run_id"]]
    rows.append(row)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow(r)
