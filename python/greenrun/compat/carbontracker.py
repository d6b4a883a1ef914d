"""Carbontracker's API on greenrun: ``from greenrun.compat.carbontracker
import CarbonTracker`` instead of ``from carbontracker.tracker import
CarbonTracker``.

epoch_start()/epoch_end()/stop() as Carbontracker's; after
``epochs_before_pred`` epochs it prints the consumption so far and greenrun's
prediction for all ``epochs`` (with an interval and how it was computed,
docs/python.md), and after ``monitor_epochs`` it stops measuring. With
``log_dir`` the lines also go to ``<log_dir>/<prefix>carbontracker_output.log``
and the run's details to ``<prefix>carbontracker.log``. The run itself is a
greenrun run: run.json, the store, `greenrun runs list`.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Optional

from .._tracker import Tracker
from . import _unused

_KNOWN_UNUSED = {"update_interval", "interpretable", "stop_and_confirm", "ignore_errors", "components",
                 "devices_by_pid", "verbose", "decimal_precision", "api_keys", "sim_cpu", "sim_cpu_tdp",
                 "sim_cpu_util", "sim_gpu", "sim_gpu_watts", "sim_gpu_util"}


class CarbonTracker:
    def __init__(self, epochs: int, epochs_before_pred: int = 1, monitor_epochs: int = -1,
                 log_dir: Optional[str] = None, log_file_prefix: str = "", **others):
        unknown = set(others) - _KNOWN_UNUSED
        if unknown:
            raise TypeError(f"CarbonTracker: unexpected argument {sorted(unknown)[0]!r}")
        used_with_default = {k for k, v in others.items()
                             if not (k in ("interpretable",) and v is True) and not (k == "verbose" and v == 1)}
        _unused.report("carbontracker", used_with_default,
                       "greenrun measures with its own sensors (no simulated components, no pausing to confirm)")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0:
            raise ValueError(f"epochs: expected a positive integer, got {epochs!r}")
        if epochs_before_pred == -1:
            epochs_before_pred = epochs
        if monitor_epochs == -1 or monitor_epochs > epochs:
            monitor_epochs = epochs
        if monitor_epochs <= 0:
            raise ValueError(f"monitor_epochs: expected -1 or a positive integer, got {monitor_epochs!r}")
        self.epochs = epochs
        self.epochs_before_pred = epochs_before_pred
        self.monitor_epochs = monitor_epochs
        self._log_dir = log_dir
        self._prefix = log_file_prefix
        self._epoch = 0
        self._tracker: Optional[Tracker] = None
        self._done = False
        self._args = dict(project="carbontracker", epochs=epochs, epochs_before_pred=epochs_before_pred,
                          interval=1.0)
        if log_dir:
            os.makedirs(log_dir, exist_ok=True)
            stamp = time.strftime("%Y-%m-%dT%H%M%SZ", time.gmtime())
            self._out_log = os.path.join(log_dir, f"{log_file_prefix}{stamp}_carbontracker_output.log")
            self._std_log = os.path.join(log_dir, f"{log_file_prefix}{stamp}_carbontracker.log")

    def _say(self, text: str, detail: bool = False) -> None:
        if not detail:
            print("CarbonTracker: " + text, file=sys.stderr, flush=True)
        if self._log_dir:
            with open(self._std_log if detail else self._out_log, "a", encoding="utf-8") as f:
                f.write(text + "\n")

    def epoch_start(self) -> None:
        if self._done:
            return
        if self._tracker is None:
            self._tracker = Tracker(**self._args).start()
        self._tracker.epoch_start()

    def epoch_end(self) -> None:
        if self._done or self._tracker is None:
            return
        ep = self._tracker.epoch_end()
        self._epoch += 1
        if ep is not None:
            self._say(f"epoch {ep.epoch}: {ep.duration_s:.1f} s, {ep.energy}", detail=True)
            if ep.prediction is not None and self._epoch == self.epochs_before_pred:
                live = self._tracker.live() or {}
                em = self._tracker.emissions
                self._say(f"\nActual consumption for {self._epoch} epoch(s):\n"
                          f"\tTime:\t{live.get('elapsed_s', 0):.1f} s\n\tEnergy:\t{self._tracker.energy}\n"
                          f"\tCO2eq:\t{em}")
                p = ep.prediction
                self._say(f"\nPredicted consumption for {p.epochs_total} epoch(s):\n"
                          f"\tTime:\t{p.duration.mid:.1f} s ({p.duration.low:.1f} to {p.duration.high:.1f})\n"
                          f"\tEnergy:\t{p.energy}\n\tCO2eq:\t{p.emissions}\n"
                          f"\tHow:\t{p.method}; emissions: {p.emissions_method}")
        if self._epoch >= self.monitor_epochs:
            self.stop()

    def stop(self) -> None:
        if self._done:
            return
        self._done = True
        if self._tracker is None:
            return
        record = self._tracker.stop()
        if record is not None:
            self._say(f"\nActual consumption for {self._epoch} epoch(s): {record.energy}, "
                      f"{record.emissions if record.emissions else 'emissions not computed'}; "
                      f"greenrun run {record.id} ({record.out_dir})")

    def set_api_keys(self, api_dict) -> None:
        _unused.report("carbontracker", ["set_api_keys"], "greenrun reads provider keys from its own config")
