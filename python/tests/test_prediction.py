"""The prediction (engine::predict_epochs, greenrun/prediction.h) on scripted
per-epoch energy: a warm-up epoch, a slower validation epoch every few
epochs, noise. Each job's epochs are generated from a printed seed; the
prediction after k epochs is compared with the job's true total, and with
Carbontracker's rule (mean of the first k epochs x N)."""
import random

import pytest

import greenrun
from greenrun import _greenrun


def scripted(n, seed, warmup=1.0, validation_every=0, validation_factor=1.0, noise=0.02, base=100.0):
    rng = random.Random(seed)
    epochs = []
    for i in range(n):
        f = 1.0 + rng.gauss(0, noise)
        if i == 0:
            f *= warmup
        if validation_every and (i + 1) % validation_every == 0:
            f *= validation_factor
        epochs.append((10.0 * f, base * f))  # (seconds, joules)
    return epochs


CASES = [
    # name, generator kwargs, k, allowed error of ours (%)
    ("steady", dict(), 3, 3.0),
    ("warm-up 2.5x", dict(warmup=2.5), 4, 4.0),
    ("validation every 5th, 1.6x", dict(validation_every=5, validation_factor=1.6), 5, 6.0),
    ("warm-up 3x and validation every 4th, 1.5x", dict(warmup=3.0, validation_every=4, validation_factor=1.5), 8, 6.0),
]


@pytest.mark.parametrize("name,kw,k,allowed", CASES, ids=[c[0] for c in CASES])
def test_prediction_error_on_scripted_jobs(name, kw, k, allowed):
    n = 60
    for seed in range(20):
        epochs = scripted(n, seed, **kw)
        true_j = sum(j for _, j in epochs)
        p = _greenrun.predict_epochs(epochs[:k], n)
        err = 100 * (p["job_j"]["mid"] - true_j) / true_j
        naive = 100 * (p["naive_job_j"]["mid"] - true_j) / true_j
        print(f"{name} seed={seed} k={k}: ours {err:+.1f} %, Carbontracker's rule {naive:+.1f} %; {p['method']}")
        assert abs(err) <= allowed, (name, seed, err, p["method"])
        assert p["job_j"]["low"] <= p["job_j"]["mid"] <= p["job_j"]["high"]
        if kw.get("warmup", 1.0) > 2:
            assert p["warmup_excluded"] == 1
            assert abs(err) < abs(naive)


def test_the_interval_covers_the_truth_in_most_scripted_jobs():
    n, k, covered, total = 40, 6, 0, 0
    for seed in range(50):
        epochs = scripted(n, 1000 + seed, noise=0.05)
        true_j = sum(j for _, j in epochs)
        p = _greenrun.predict_epochs(epochs[:k], n)
        covered += p["job_j"]["low"] <= true_j <= p["job_j"]["high"]
        total += 1
    print(f"90 % interval covered the truth in {covered}/{total} jobs (seeds 1000-1049)")
    assert covered >= 0.8 * total


def test_bad_prediction_input():
    with pytest.raises(ValueError, match="at least one measured epoch"):
        _greenrun.predict_epochs([], 10)
    with pytest.raises(ValueError, match="epochs: expected at least the 3 epochs"):
        _greenrun.predict_epochs([(1, 1)] * 3, 2)


def test_a_tracked_job_records_its_prediction_and_outcome(scratch):
    with greenrun.track(zone="DE", interval=0.02, epochs=4, epochs_before_pred=2) as run:
        reports = []
        for _ in range(4):
            x = sum(i * i for i in range(60000))
            reports.append(run.epoch_end())
    assert reports[0].prediction is None and reports[1].prediction is not None
    p = reports[1].prediction
    assert p.epochs_total == 4 and p.after_epochs == 2
    assert p.energy.unit == "J" and p.emissions.unit == "g CO2e"
    assert "mean of epoch" in p.method
    rec = run.record.prediction
    assert rec["after_epochs"] == 2
    out = rec["outcome"]
    assert out["complete"] and out["epochs"] == 4
    assert {"duration", "energy", "emissions"} <= set(out["error_percent"])


def test_a_budget_stops_the_block_and_the_record_says_so(scratch):
    done = []
    with greenrun.track(zone="DE", interval=0.02, epochs=1000, epochs_before_pred=1, budget_kg=1e-12) as run:
        for e in range(1000):
            sum(i * i for i in range(20000))
            run.epoch_end()
            done.append(e)
    assert len(done) < 1000
    budget = run.record.tracker["budget"]
    # The first epoch whose prediction could be priced (a very short first
    # epoch may show no CPU time yet, hence no energy and no emissions).
    assert budget["exceeded_at_epoch"] == len(done) + 1
    assert any("budget" in w for w in run.record.warnings)
