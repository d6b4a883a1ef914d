"""A finished run as greenrun recorded it (run.json, docs/formats.md)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from ._quantity import Quantity, Range, utc


@dataclass(frozen=True)
class Prediction:
    """The whole job predicted from its first epochs (docs/python.md)."""

    after_epochs: int
    epochs_total: int
    duration: Range  # seconds
    energy: Range  # J, the job's attributed energy
    emissions: Range  # g CO2e
    method: str
    emissions_method: str
    warmup_excluded: int = 0
    confidence: float = 0.9

    @classmethod
    def of(cls, d: dict) -> "Prediction":
        return cls(d["after_epochs"], d["epochs_total"], Range.of(d["duration_s"], "s"), Range.of(d["job_j"], "J"),
                   Range.of(d["emissions_g"], "g CO2e"), d["method"], d["emissions_method"],
                   d.get("warmup_excluded", 0), d.get("confidence", 0.9))

    def __str__(self) -> str:
        return (f"predicted for {self.epochs_total} epochs after {self.after_epochs}: "
                f"duration {self.duration}, energy {self.energy}, emissions {self.emissions} "
                f"[{int(self.confidence * 100)} % interval; {self.method}; emissions: {self.emissions_method}]")


@dataclass(frozen=True)
class Epoch:
    """One finished epoch (Tracker.epoch_end) and, once enough are known, the prediction."""

    epoch: int
    duration_s: float
    energy: Quantity
    prediction: Optional[Prediction]
    over_budget: bool


@dataclass(frozen=True)
class Record:
    """run.json of a finished run; ``data`` is the whole file."""

    id: str
    path: str
    data: dict = field(repr=False)

    @classmethod
    def load(cls, path: str) -> "Record":
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return cls(data["id"], path, data)

    @property
    def out_dir(self) -> str:
        return self.data["out_dir"]

    @property
    def started(self) -> datetime:
        return utc(self.data["started"])

    @property
    def ended(self) -> datetime:
        return utc(self.data["ended"])

    @property
    def duration_s(self) -> float:
        return self.data["duration_s"]

    @property
    def energy(self) -> Quantity:
        """The job's attributed energy (the process tree's share)."""
        return Quantity(self.data["job_energy_j"], "J", self.data["method"], "job share (docs/formats.md)")

    @property
    def machine_energy(self) -> Quantity:
        return Quantity(self.data["machine_energy_j"], "J", self.data["method"], "whole machine")

    @property
    def emissions(self) -> Optional[Quantity]:
        """Operational emissions of the job energy with PUE; None when not computed (see warnings)."""
        avg = self.data.get("emissions_average")
        if not avg:
            return None
        return Quantity(avg["job_g"], "g CO2e", self.data["method"], avg["source"])

    @property
    def warnings(self) -> list:
        return list(self.data.get("warnings", []))

    @property
    def tracker(self) -> dict:
        return self.data.get("tracker", {})

    @property
    def prediction(self) -> Optional[dict]:
        """The first prediction and its comparison with the outcome, as recorded."""
        return self.tracker.get("prediction")

    def __str__(self) -> str:
        em = self.emissions
        return f"run {self.id}: {self.energy}, {em if em else 'emissions not computed'} ({self.out_dir})"
