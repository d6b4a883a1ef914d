"""The checkpoint contract from Python: greenrun.checkpoint_requested and
on_checkpoint, alone and under `greenrun run --pause-mode checkpoint` with
examples/checkpointing_job.py (which uses them)."""
import os
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import greenrun

REPO = Path(__file__).resolve().parents[2]


def test_checkpoint_requested_turns_true_on_the_signal_and_calls_back():
    called = []
    assert greenrun.checkpoint_requested() is False
    greenrun.on_checkpoint(lambda: called.append(True))
    os.kill(os.getpid(), signal.SIGUSR1)
    assert greenrun.checkpoint_requested() is True
    assert called == [True]


def test_bad_checkpoint_arguments():
    with pytest.raises(ValueError, match="signal: expected a signal name"):
        greenrun.checkpoint_requested("NOSUCH")
    with pytest.raises(TypeError, match="on_checkpoint: expected a callable"):
        greenrun.on_checkpoint(3)


def test_the_example_checkpoints_and_resumes_under_greenrun_run(scratch, cli):
    # An hourly forecast for DE from two hours ago: clean hours one apart, so
    # the job (about 1 h 12 min of schedule at time scale 3600) must pause.
    hour = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    pattern = [900, 900, 100, 900, 100, 900]
    lines = ["time,value"]
    for i in range(-2, 30):
        t = hour + timedelta(hours=i)
        lines.append(f"{t.strftime('%Y-%m-%dT%H:%M:%SZ')},{pattern[(i + 2) % len(pattern)]}")
    (scratch / "forecast.csv").write_text("\n".join(lines) + "\n")
    cli("intensity", "import", "--format", "generic-csv", "--zone", "DE", "--origin", "forecast", "--step", "1h",
        str(scratch / "forecast.csv"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    p = cli("run", "--zone", "DE", "--sensors", "fake", "--interval", "100ms", "--out", str(scratch / "out"),
            "--time-scale", "3600", "--pause-resume", "--max-delay", "200%", "--expected-duration", "2h",
            "--pause-mode", "checkpoint", "--grace", "5s", "--", sys.executable,
            str(REPO / "examples" / "checkpointing_job.py"), "--units", "24", "--unit-seconds", "0.05",
            "--checkpoint", str(scratch / "ck.json"), "--log", str(scratch / "log.txt"), env=env, timeout=300)
    log = (scratch / "log.txt").read_text()
    assert "checkpoint pid=" in log, log + p.stderr
    assert "total=24" in log, log
