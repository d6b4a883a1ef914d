"""Fixtures: a scratch store and config per test, the fake sensors (no
hardware needed), no cloud metadata lookups, and the greenrun CLI
($GREENRUN_CLI, set by scripts/test-python.sh) for `runs list` and `run`."""
import json
import os
import shutil
import subprocess
import sys

import pytest


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    for var in ("GREENRUN_ZONE", "GREENRUN_TIME_SCALE", "GREENRUN_FORECAST_PROVIDER", "GREENRUN_CONFIG",
                "RANK", "LOCAL_RANK", "WORLD_SIZE", "SLURM_PROCID", "SLURM_LOCALID", "SLURM_NTASKS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GREENRUN_STORE", str(tmp_path / "greenrun.db"))
    monkeypatch.setenv("GREENRUN_SENSORS", "fake")
    monkeypatch.setenv("GREENRUN_NO_METADATA", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def cli():
    path = os.environ.get("GREENRUN_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("GREENRUN_CLI is not set to the greenrun binary (scripts/test-python.sh sets it)")

    def run(*args, check=True, **kw):
        p = subprocess.run([path, *args], capture_output=True, text=True, **kw)
        if check and p.returncode != 0:
            raise AssertionError(f"greenrun {' '.join(args)}: exit {p.returncode}\n{p.stderr}")
        return p

    return run


def runs_json(cli):
    """`greenrun runs list --json`, parsed."""
    return json.loads(cli("runs", "list", "--json").stdout)


def python_script(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def run_python(path, *args, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    e["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, env=e, timeout=timeout)
