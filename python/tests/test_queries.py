"""greenrun.intensity / emissions / plan / runs over a real series
(../shared/data: Electricity Maps' hourly DE 2023, imported with the CLI)."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import greenrun

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "electricitymaps-hourly" / "green-dcc" / \
    "DE-LU_2023_hourly.csv"
T0 = datetime(2023, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def de_store(scratch, cli):
    if not DATA.exists():
        pytest.skip(f"{DATA} is absent (the shared data folder is not here)")
    cli("intensity", "import", str(DATA))
    return scratch


def test_intensity_returns_points_with_aware_datetimes(de_store):
    s = greenrun.intensity("DE", T0, T0 + timedelta(hours=3))
    assert s.zone == "DE" and s.label
    assert [p.start for p in s.points] == [T0 + timedelta(hours=i) for i in range(3)]
    assert all(p.start.tzinfo is not None and p.end - p.start == timedelta(hours=1) for p in s.points)
    assert s.points[0].g_per_kwh == pytest.approx(185.8)  # the file's first LCA value


def test_emissions_prices_energy_as_a_run_is_priced(de_store):
    e = greenrun.emissions(1.0, T0, T0 + timedelta(hours=1), zone="DE")
    assert e.emissions.unit == "g CO2e"
    assert e.emissions.value == pytest.approx(185.8)
    assert e.coverage == pytest.approx(1.0)
    with_pue = greenrun.emissions(1.0, T0, T0 + timedelta(hours=1), zone="DE", pue=1.5)
    assert with_pue.emissions.value == pytest.approx(1.5 * 185.8)


def test_plan_finds_a_start_no_worse_than_at_once(de_store):
    p = greenrun.plan("DE", duration=timedelta(hours=2), power_w=300, start=T0, window=timedelta(hours=12),
                      modes=["flexible-start"], provider="store")
    best = p.best
    assert best.emissions.value <= best.baseline.value + 1e-9
    assert T0 <= best.start <= T0 + timedelta(hours=12)
    assert best.start.tzinfo is not None
    assert p.energy.unit == "J" and p.energy.value == pytest.approx(300 * 7200)


def test_plan_on_a_stored_forecast_is_also_paid_on_the_actuals(de_store, cli):
    # A forecast for DE whose only clean hour is 03:00; the store holds the real 2023 actuals.
    f = de_store / "forecast.csv"
    f.write_text("time,value\n" + "".join(f"2023-05-01T0{h}:00:00Z,{10 if h == 3 else 500}\n" for h in range(7)))
    cli("intensity", "import", str(f), "--format", "generic-csv", "--zone", "DE", "--origin", "forecast")
    start = datetime(2023, 5, 1, tzinfo=timezone.utc)
    job = dict(duration=timedelta(hours=1), power_w=1000, start=start, window=timedelta(hours=6),
               modes=["flexible-start"])
    on_forecast = greenrun.plan("DE", plan_on="forecast", **job)
    (loc,) = on_forecast.locations
    assert loc.plans[0].start == start + timedelta(hours=3)
    assert loc.plans[0].emissions.value == pytest.approx(10)  # 1 kWh at the forecast's 10 g/kWh
    assert loc.on_actuals is not None and "stored actual data" in loc.on_actuals.label
    paid = loc.on_actuals.plans[0]
    assert paid.start == loc.plans[0].start, "the same plan, paid on the actuals"
    # What the actuals say 1 kWh at 03:00 emits: plan on them with no choice of start.
    at_3 = greenrun.plan("DE", plan_on="actual", duration=timedelta(hours=1), power_w=1000,
                         start=start + timedelta(hours=3), window=timedelta(hours=1), modes=["flexible-start"])
    assert at_3.locations[0].on_actuals is None, "planned on the actuals already"
    assert paid.emissions.value == pytest.approx(at_3.locations[0].plans[0].baseline.value)
    with pytest.raises(ValueError, match="plan_on: expected actual or forecast, got hindsight"):
        greenrun.plan("DE", plan_on="hindsight", **job)
    with pytest.raises(ValueError, match="expected actual or forecast, got typical"):
        greenrun.plan("DE", plan_on="typical", **job)
    with pytest.raises(ValueError, match="cannot be given with --forecast-provider"):
        greenrun.plan("DE", plan_on="actual", provider="uk", **job)


def test_bad_query_input(de_store):
    with pytest.raises(ValueError, match="timezone-aware"):
        greenrun.intensity("DE", datetime(2023, 1, 1), datetime(2023, 1, 2))
    with pytest.raises(TypeError, match="start: expected a datetime"):
        greenrun.intensity("DE", "2023-01-01", T0)
    with pytest.raises(ValueError):
        greenrun.intensity("NOPE", T0, T0 + timedelta(hours=1))
    with pytest.raises(ValueError, match="start before end"):
        greenrun.emissions(1.0, T0, T0, zone="DE")


def test_runs_lists_tracked_runs(scratch):
    with greenrun.track(project="q", zone="DE", interval=0.02):
        sum(i for i in range(10000))
    (r,) = greenrun.runs(project="q")
    assert r.data["project"] == "q" and r.started.tzinfo is not None
