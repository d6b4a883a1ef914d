"""Carbon-aware queries from Python: intensity, emissions, plan, runs.

Each is one engine call (include/greenrun/queries.h, pricing.h, engine.h);
this file converts datetimes (timezone-aware, UTC) and wraps answers in
dataclasses."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import List, Optional, Sequence, Tuple, Union

from . import _greenrun
from ._quantity import Quantity, utc
from ._record import Record

Number = Union[int, float]


def _seconds(name: str, t: datetime) -> float:
    if not isinstance(t, datetime):
        raise TypeError(f"{name}: expected a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name}: expected a timezone-aware datetime (e.g. datetime.now(timezone.utc)), got {t}")
    return t.timestamp()


def _duration(name: str, d) -> float:
    if isinstance(d, timedelta):
        return d.total_seconds()
    if isinstance(d, bool) or not isinstance(d, (int, float)):
        raise TypeError(f"{name}: expected a timedelta or seconds, got {type(d).__name__}")
    return float(d)


@dataclass(frozen=True)
class IntensityPoint:
    start: datetime
    end: datetime
    g_per_kwh: float
    estimated: bool = False


@dataclass(frozen=True)
class Intensity:
    """A stored series over a window (empty when the store has none)."""
    zone: str
    location: str
    label: str
    points: List[IntensityPoint]


def intensity(zone: str, start: datetime, end: datetime, *, origin: str = "actual", signal: Optional[str] = None,
              store: Optional[str] = None) -> Intensity:
    """The stored intensity at ``zone`` (a zone id or a cloud region) over [start, end)."""
    if not isinstance(zone, str):
        raise TypeError(f"zone: expected a string, got {type(zone).__name__}")
    d = _greenrun.intensity(zone, _seconds("start", start), _seconds("end", end), origin, signal, store)
    return Intensity(d["zone"], d["location"], d["label"],
                     [IntensityPoint(utc(p["start"]), utc(p["end"]), p["g_per_kwh"], p["estimated"])
                      for p in d["points"]])


@dataclass(frozen=True)
class Emissions:
    """An energy priced over a window, as a run is priced."""
    zone: str
    emissions: Quantity      # g CO2e
    intensity_g_per_kwh: float
    source: str
    coverage: float          # share of the energy priced at time-resolved data
    marginal: Optional[Quantity] = None


def emissions(energy_kwh: Number, start: datetime, end: datetime, *, zone: Optional[str] = None,
              region: Optional[str] = None, pue: Number = 1.0, store: Optional[str] = None) -> Emissions:
    """The emissions of ``energy_kwh`` spent evenly over [start, end) at zone or region."""
    if isinstance(energy_kwh, bool) or not isinstance(energy_kwh, (int, float)):
        raise TypeError(f"energy_kwh: expected a number, got {type(energy_kwh).__name__}")
    if zone is not None and region is not None:
        raise ValueError("give one of zone and region")
    d = _greenrun.price_energy(float(energy_kwh) * 3.6e6, _seconds("start", start), _seconds("end", end), zone,
                               region, float(pue), store)
    marginal = Quantity(d["marginal_grams"], "g CO2e", "computed", "marginal") if d["marginal_grams"] is not None \
        else None
    return Emissions(d["zone"], Quantity(d["grams"], "g CO2e", "computed", d["source"]), d["g_per_kwh"], d["source"],
                     d["coverage"], marginal)


@dataclass(frozen=True)
class PlanOption:
    mode: str
    emissions: Quantity
    baseline: Quantity
    saving_percent: float
    segments: List[Tuple[datetime, datetime]]

    @property
    def start(self) -> datetime:
        return self.segments[0][0]


@dataclass(frozen=True)
class PlansOnActuals:
    """The same plans paid on the stored actual data (a plan made on a forecast)."""
    label: str
    plans: List[PlanOption]


@dataclass(frozen=True)
class PlannedLocation:
    zone: str
    location: str
    forecast_label: str
    plans: List[PlanOption]
    # Set when the plans were made on something other than stored actual data
    # and the store has actual data covering the whole window.
    on_actuals: Optional[PlansOnActuals] = None


@dataclass(frozen=True)
class Plan:
    duration: timedelta
    power_w: float
    power_assumed: bool
    energy: Quantity
    start: datetime
    deadline: datetime
    locations: List[PlannedLocation]
    best_location: int
    best_plan: int
    warnings: List[str] = field(default_factory=list)

    @property
    def best(self) -> PlanOption:
        return self.locations[self.best_location].plans[self.best_plan]


def plan(zones: Union[str, Sequence[str]] = (), *, duration, regions: Sequence[str] = (),
         power_w: Optional[Number] = None, energy_kwh: Optional[Number] = None, start: Optional[datetime] = None,
         window=None, deadline: Optional[datetime] = None, modes: Sequence[str] = (), provider: str = "",
         plan_on: Optional[str] = None, store: Optional[str] = None) -> Plan:
    """The best start or run segments for a job (engine::plan, as `greenrun plan`).

    plan_on: "actual" or "forecast" plans on that stored series covering the
    window (as `greenrun plan --plan-on`); None: the forecast-loading policy.
    A plan made on anything but the stored actuals is also paid on them where
    they cover the window (PlannedLocation.on_actuals).
    """
    if isinstance(zones, str):
        zones = [zones]
    for name, v in (("power_w", power_w), ("energy_kwh", energy_kwh)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise TypeError(f"{name}: expected a number, got {type(v).__name__}")
    d = _greenrun.plan(list(zones), list(regions), _duration("duration", duration),
                       None if power_w is None else float(power_w),
                       None if energy_kwh is None else float(energy_kwh) * 3.6e6,
                       None if start is None else _seconds("start", start),
                       None if window is None else _duration("window", window),
                       None if deadline is None else _seconds("deadline", deadline), list(modes), provider,
                       plan_on, store)

    def options(plans, label):
        return [PlanOption(p["mode"], Quantity(p["emissions_g"], "g CO2e", "planned", label),
                           Quantity(p["baseline_g"], "g CO2e", "planned", "starting at once"), p["saving_percent"],
                           [(utc(a), utc(b)) for a, b in p["segments"]]) for p in plans]

    locs = []
    for l in d["locations"]:
        paid = l["on_actuals"]
        on_actuals = None if paid is None else PlansOnActuals(paid["label"], options(paid["plans"], paid["label"]))
        locs.append(PlannedLocation(l["zone"], l["location"], l["forecast_label"],
                                    options(l["plans"], l["forecast_label"]), on_actuals))
    return Plan(timedelta(seconds=d["duration_s"]), d["power_w"], d["power_assumed"],
                Quantity(d["energy_j"], "J", "assumed" if d["power_assumed"] else "given", "the job"),
                utc(d["from"]), utc(d["deadline"]), locs, d["best_location"], d["best_plan"], list(d["warnings"]))


def runs(*, project: Optional[str] = None, phase: Optional[str] = None, limit: int = 1000,
         store: Optional[str] = None) -> List[Record]:
    """Recorded runs, newest first (as `greenrun runs list`)."""
    return [Record(j["id"], j.get("out_dir", "") + "/run.json", j)
            for j in (json.loads(t) for t in _greenrun.find_runs(project, phase, limit, store))]
