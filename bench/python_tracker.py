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
def other_threads_cpu():
    # CPU time (schedstat, ns) of every thread but the main one: the sampling thread.
    total = 0
    for tid in os.listdir("/proc/self/task"):
        if int(tid) == os.getpid():
            continue
        with open(f"/proc/self/task/{tid}/schedstat") as f:
            total += int(f.read().split()[0])
    return total / 1e9
seconds, track = float(sys.argv[1]), sys.argv[2] == "1"
import greenrun
before = rss_kb()
t0 = time.perf_counter()
t = greenrun.Tracker(project="bench", zone="DE", interval=1.0) if track else None
if t: t.start()
started = time.perf_counter() - t0
time.sleep(1.5)
after = rss_kb()
time.sleep(seconds - 1.5)
thread_cpu = other_threads_cpu()
t1 = time.perf_counter()
if t: t.stop()
stopped = time.perf_counter() - t1
u = resource.getrusage(resource.RUSAGE_SELF)
print(u.ru_utime + u.ru_stime, after - before, thread_cpu, started, stopped)
'''


def tracked(seconds, track):
    out = subprocess.run([sys.executable, "-c", CHILD, str(seconds), "1" if track else "0"], check=True,
                         capture_output=True, text=True).stdout.split()
    return [float(x) for x in out]


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
        on, off = [], []
        for _ in range(a.runs):
            on.append(tracked(a.seconds, True))
            off.append(tracked(a.seconds, False))
        med = lambda rows, i: statistics.median(r[i] for r in rows)  # noqa: E731
        added = med(on, 0) - med(off, 0)
        print(f"tracker at 1 s for {a.seconds:g} s (median of {a.runs}; sensors "
              f"{os.environ.get('GREENRUN_SENSORS', 'auto')}):")
        print(f"  whole process: +{added:.3f} CPU-s = {100 * added / a.seconds:.3f} % of a core, "
              f"start and stop included (start {1000 * med(on, 3):.0f} ms wall with the extension's first load, "
              f"stop {1000 * med(on, 4):.0f} ms: pricing, run.json, the store row)")
        print(f"  sampling thread: {1000 * med(on, 2):.2f} CPU-ms = {100 * med(on, 2) / a.seconds:.4f} % of a core")
        print(f"  RSS: +{med(on, 1) / 1024:.1f} MB after start and the first sample")


if __name__ == "__main__":
    main()
