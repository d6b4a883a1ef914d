"""Figures with their unit and method: greenrun never hands out a bare float
without saying what it is and how it was obtained."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from . import _greenrun


@dataclass(frozen=True)
class Quantity:
    """A figure with its unit and how it was obtained.

    ``method`` is ``measured`` (a hardware counter), ``integrated`` (power
    samples), ``estimated`` (a model), ``simulated`` (the fake sensor), or
    ``predicted``; ``source`` says more (the intensity used, the model)."""

    value: float
    unit: str
    method: str
    source: str = ""

    @property
    def kwh(self) -> float:
        """An energy in kWh (REQUIRES: unit J)."""
        if self.unit != "J":
            raise ValueError(f"kwh: expected an energy in J, this is {self.unit}")
        return self.value / 3.6e6

    @property
    def kg(self) -> float:
        """A mass in kg CO2e (REQUIRES: unit g CO2e)."""
        if self.unit != "g CO2e":
            raise ValueError(f"kg: expected a mass in g CO2e, this is {self.unit}")
        return self.value / 1e3

    def __str__(self) -> str:
        if self.unit == "J":
            text = _greenrun.format_energy(self.value)
        elif self.unit == "g CO2e":
            text = _greenrun.format_mass(self.value) + " CO2e"
        else:
            text = f"{self.value:g} {self.unit}"
        return f"{text} ({self.method})"


@dataclass(frozen=True)
class Range:
    """A prediction: the central value and its interval, in ``unit``."""

    low: float
    mid: float
    high: float
    unit: str

    @classmethod
    def of(cls, d: dict, unit: str) -> "Range":
        return cls(d["low"], d["mid"], d["high"], unit)

    def __str__(self) -> str:
        fmt = {"J": _greenrun.format_energy, "g CO2e": lambda g: _greenrun.format_mass(g) + " CO2e"}.get(
            self.unit, lambda v: f"{v:.1f} {self.unit}")
        return f"{fmt(self.mid)} ({fmt(self.low)} to {fmt(self.high)})"


def utc(text_or_seconds) -> datetime:
    """A timezone-aware UTC datetime from run.json's text or Unix seconds."""
    if isinstance(text_or_seconds, (int, float)):
        return datetime.fromtimestamp(text_or_seconds, tz=timezone.utc)
    text = str(text_or_seconds).replace("Z", "+00:00")
    return datetime.fromisoformat(text).astimezone(timezone.utc)
