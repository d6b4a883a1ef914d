"""CodeCarbon's API on greenrun: ``from greenrun.compat.codecarbon import
EmissionsTracker`` instead of ``from codecarbon import EmissionsTracker``.

The run is measured and recorded by greenrun (run.json, the store, `greenrun
runs list`), and CodeCarbon's emissions.csv is written as CodeCarbon 3.3
writes it: its 38 columns in its order and units (energies in kWh already
multiplied by PUE, emissions in kg CO2e, powers in W, RAM in GB of 1024^3
bytes), by the engine's writer (the same one that appends every greenrun run
to the runs folder's emissions.csv). Where greenrun does not know a figure
(GPU and RAM utilisation, RAM used) the cell is empty, never an invented
number; where it differs from CodeCarbon is listed in
docs/python-migration.md.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import platform
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
         "pue", "wue", "country_iso_code", "cloud_provider", "cloud_region", "allow_multiple_runs"}
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
            raise ValueError(f'tracking_mode: expected "machine" or "process", got "{tracking_mode}"')
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
        if experiment_id:
            _unused.report("codecarbon", ["experiment_id"], "an id on CodeCarbon's API; the column stays empty")
        if on_csv_write == "update":
            _unused.report("codecarbon", ["on_csv_write=update"], "each run appends its own row")
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
        if not self._save_to_file:
            data = record.data
            grams = ((data.get("emissions") or {}).get("machine") or {}).get("total", {}).get("grams") \
                if self._mode == "machine" else (data.get("emissions_average") or {}).get("job_g")
            self.final_emissions = None if grams is None else grams / 1e3
            return self.final_emissions
        try:
            row = write_row(record, self._output, self._mode, self._wue)
        except Exception as e:  # the run is recorded; only the CSV failed
            _unused.report("codecarbon", None, f"{self._output} not written: {e}")
            return None
        self.final_emissions_data = row
        self.final_emissions = float(row["emissions"]) if row["emissions"] else None
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


# ---- emissions.csv: written by the engine (runner/codecarbon_csv.h), the
# same code that appends every greenrun run to the runs folder's emissions.csv.

def write_row(record, path: str, tracking_mode: str, wue: float) -> dict:
    """Appends the record's CodeCarbon row to ``path``; returns it as a dict."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    w = _greenrun.append_codecarbon_row(record.path, path, tracking_mode, float(wue), platform.python_version())
    if w["note"]:
        _unused.report("codecarbon", None, w["note"])
    return next(csv.DictReader(io.StringIO(w["header"] + "\n" + w["row"] + "\n")))
