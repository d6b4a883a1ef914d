#!/usr/bin/env python3
"""Benchmarks of the Python package (docs/benchmarks.md):

  * `import greenrun`: wall time of a fresh interpreter importing it, minus
    a fresh interpreter importing nothing; median of --runs;
  * a tracker at 1 s on an idle process of --seconds: the CPU time it adds
    (the process's user+system time with the tracker minus without, as a
    share of one core) and the RSS it adds (VmRSS after start and one sample
    minus before), median of --runs.

Run with the package importable (PYTHONPATH=build/.../python-stage or an
installed venv) and GREENRUN_SENSORS as wanted:

  PYTHONPATH=build/quick/python-stage python3 bench/python_tracker.py --runs 5 --seconds 20
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def wall(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t


CHILD = r'''
import os, resource, sys, time
def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
seconds, track = float(sys.argv[1]), sys.argv[2] == "1"
import greenrun
before = rss_kb()
t = greenrun.Tracker(project="bench", zone="DE", interval=1.0) if track else None
if t: t.start()
time.sleep(1.2)
after = rss_kb()
time.sleep(seconds - 1.2)
if t: t.stop()
u = resource.getrusage(resource.RUSAGE_SELF)
print(u.ru_utime + u.ru_stime, after - before)
'''


def tracked(seconds, track):
    out = subprocess.run([sys.executable, "-c", CHILD, str(seconds), "1" if track else "0"], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=20.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        os.environ.setdefault("GREENRUN_STORE", os.path.join(d, "greenrun.db"))
        os.environ.setdefault("GREENRUN_NO_METADATA", "1")
        base = [wall([sys.executable, "-c", "pass"]) for _ in range(a.runs)]
        imp = [wall([sys.executable, "-c", "import greenrun"]) for _ in range(a.runs)]
        print(f"import greenrun: {1000 * (statistics.median(imp) - statistics.median(base)):.1f} ms "
              f"(median of {a.runs}; interpreter alone {1000 * statistics.median(base):.1f} ms)")
        cpu_on, cpu_off, rss = [], [], []
        for _ in range(a.runs):
            c1, r1 = tracked(a.seconds, True)
            c0, _ = tracked(a.seconds, False)
            cpu_on.append(c1)
            cpu_off.append(c0)
            rss.append(r1)
        added = statistics.median(cpu_on) - statistics.median(cpu_off)
        print(f"tracker at 1 s for {a.seconds:g} s: +{added:.3f} CPU-s = {100 * added / a.seconds:.3f} % of a core; "
              f"+{statistics.median(rss) / 1024:.1f} MB RSS (median of {a.runs}; "
              f"sensors {os.environ.get('GREENRUN_SENSORS', 'auto')})")


if __name__ == "__main__":
    main()
