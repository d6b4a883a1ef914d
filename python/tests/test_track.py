"""greenrun.track from Python: the context manager, the decorator,
notebook-style start/stop, phases, marks, live figures, failures and bad
input. Fake sensors and a scratch store (conftest.py)."""
import json
import os
import time
import warnings

import pytest

import greenrun
from conftest import runs_json


def busy(seconds_of_work=0.05):
    # Some CPU time so the job's share is not zero.
    x = 0
    for i in range(int(200000 * seconds_of_work / 0.05)):
        x += i * i
    return x


def timeline(record):
    with open(os.path.join(record.out_dir, "timeline.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def test_context_manager_writes_a_record_the_cli_lists(scratch, cli):
    with greenrun.track(project="py", phase="training", zone="DE", interval=0.02) as run:
        busy()
    rec = run.record
    assert rec is not None
    assert rec.data["project"] == "py" and rec.data["phase"] == "training"
    assert rec.data["zone"] == "DE" and rec.data["sensors"] == "fake"
    assert rec.data["exit_status"] == 0
    assert rec.energy.unit == "J" and rec.energy.method == "simulated"
    assert rec.data["intervals"] >= 1
    # CodeCarbon's emissions.csv and greenrun_runs.csv are appended in the runs folder.
    assert os.path.exists(os.path.join(os.path.dirname(rec.out_dir), "emissions.csv"))
    rows = runs_json(cli)
    assert [r["id"] for r in rows] == [rec.id]


def test_decorator_records_each_call(scratch, cli):
    @greenrun.track(project="deco", zone="FR", interval=0.02)
    def work(n):
        busy()
        return n * 2

    assert work(2) == 4
    assert work(3) == 6
    rows = runs_json(cli)
    assert len(rows) == 2 and all(r["project"] == "deco" for r in rows)


def test_bare_decorator(scratch, cli):
    @greenrun.track
    def work():
        return busy()

    work()
    assert len(runs_json(cli)) == 1


def test_notebook_style_start_and_stop(scratch, cli):
    t = greenrun.Tracker(project="nb", zone="DE", interval=0.02)
    t.start()
    busy()  # "another cell"
    e = t.energy
    assert e.unit == "J" and e.method == "simulated" and e.value >= 0
    assert "simulated" in str(e)
    em = t.emissions
    assert em.unit == "g CO2e"
    rec = t.stop()
    assert rec is not None and rec.id in [r["id"] for r in runs_json(cli)]
    assert t.stop() is rec  # a second stop changes nothing


def test_phases_overlap_and_marks_reach_the_timeline(scratch):
    with greenrun.track(zone="DE", interval=0.02) as run:
        with run.phase("train"):
            busy()
            with run.phase("eval"):
                busy()
                run.mark("epoch", 3)
        run.mark("done")
    rec = run.record
    phases = {p["name"]: p for p in rec.tracker["phases"]}
    assert set(phases) == {"train", "eval"}
    assert phases["train"]["start"] <= phases["eval"]["start"] <= phases["eval"]["end"] <= phases["train"]["end"]
    assert 0 <= phases["eval"]["job_j"] <= phases["train"]["job_j"] + 1e-9
    assert [(m["name"], m.get("value")) for m in rec.tracker["marks"]] == [("epoch", 3.0), ("done", None)]
    marks = [m for line in timeline(rec) for m in line.get("marks", [])]
    names = [m["name"] for m in marks]
    assert names.count("epoch") == 1 and names.count("done") == 1
    assert names.count("phase_begin") == 2 and names.count("phase_end") == 2


def test_phase_energy_adds_up_to_the_job_energy_for_a_phase_covering_the_run(scratch):
    with greenrun.track(zone="DE", interval=0.02) as run:
        with run.phase("all"):
            busy(0.2)
    rec = run.record
    lines = timeline(rec)
    job = sum(sum(v for v in line.get("job_joules", {}).values()) for line in lines)
    (phase,) = rec.tracker["phases"]
    assert phase["job_j"] <= job + 1e-9


def test_an_exception_is_recorded_and_propagates(scratch, cli):
    t = greenrun.track(zone="DE", interval=0.02)
    with pytest.raises(ZeroDivisionError):
        with t:
            busy()
            1 / 0
    rec = t.record
    assert rec.data["exit_status"] == 1
    assert any("ZeroDivisionError" in w for w in rec.warnings)
    assert len(runs_json(cli)) == 1


def test_keyboard_interrupt_is_recorded(scratch):
    t = greenrun.track(zone="DE", interval=0.02)
    with pytest.raises(KeyboardInterrupt):
        with t:
            raise KeyboardInterrupt
    assert t.record.data["exit_status"] == 130
    assert any("KeyboardInterrupt" in w for w in t.record.warnings)


def test_bad_input_raises_the_cli_messages(scratch):
    with pytest.raises(TypeError, match="interval: expected a number, got str"):
        greenrun.track(interval="1s")
    with pytest.raises(TypeError, match="project: expected a string"):
        greenrun.track(project=3)
    with pytest.raises(ValueError, match="give one of zone and region"):
        greenrun.track(zone="DE", region="aws:eu-central-1")
    with pytest.raises(ValueError, match="pue: expected a number from 1.0"):
        greenrun.track(pue=0.5).start()
    with pytest.raises(ValueError, match="interval: expected 10ms to 60s"):
        greenrun.track(interval=120).start()
    with pytest.raises(ValueError, match="NOPE"):
        greenrun.track(zone="NOPE").start()
    with pytest.raises(ValueError, match="--sensors: expected auto, rapl"):
        greenrun.track(sensors="magic").start()
    with greenrun.track(zone="DE", interval=0.02) as run:
        with pytest.raises(TypeError, match="value: expected a number"):
            run.mark("epoch", "three")
        with pytest.raises(ValueError, match="already open"):
            with run.phase("a"):
                with run.phase("a"):
                    pass


def test_a_store_that_cannot_be_written_warns_once_and_the_script_goes_on(scratch, monkeypatch):
    blocker = scratch / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GREENRUN_STORE", str(blocker / "greenrun.db"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with greenrun.track(zone="DE", interval=0.02, out_dir=str(scratch / "out")) as run:
            busy()
            run.mark("still running")
    msgs = [str(w.message) for w in caught if issubclass(w.category, greenrun.GreenrunWarning)]
    # Either nothing could start (one warning) or the run was written to run.json with
    # the store's failure as a warning: never an exception.
    if run.record is None:
        assert len(msgs) == 1
    else:
        assert any("store" in w for w in run.record.warnings)


def test_callbacks_receive_the_record_and_samples(scratch):
    got, samples = [], []
    with greenrun.track(zone="DE", interval=0.02, callback=got.append, on_sample=samples.append) as run:
        # Wait (bounded: 10 s) for the sampling thread's first callback.
        for _ in range(1000):
            if samples:
                break
            time.sleep(0.01)
    assert got == [run.record]
    assert samples and {"start", "end", "job_j", "machine_j", "method"} <= set(samples[0])
