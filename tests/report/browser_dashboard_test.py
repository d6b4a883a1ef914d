#!/usr/bin/env python3
"""The dashboard of `greenrun serve` in a real headless Chromium (Debian's
chromium and chromium-driver, driven by python3-selenium).

A scratch store holds real hourly data for Germany (../shared/data, shifted so
that "now" falls on an hour with a cleaner one ahead), three recorded runs
(one whose project tries to inject a script), and one carbon-aware run that
is waiting for its start in another greenrun process. `greenrun serve` is
started on a free loopback port. The test loads its page and checks: no
console errors, no injected script ran, the intensity chart holds the stored
points ahead and marks the best window found by a brute-force search over the
CSV here, the project bars equal `greenrun runs summary --json`, the waiting
run is listed with its state, and estimates are marked.

Run by ctest (tests/report/browser.cmake). Exit 77 (a skip, with the reason
printed) only when chromium, chromedriver or selenium is absent and CI is not
set; in CI their absence is a failure.
"""
import datetime
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_common import (GERMANY_2023, SKIP, Expect, Scratch, browser_tools, drawn_charts,  # noqa: E402
                            new_driver, shifted_germany, wait_for_charts)

BEFORE_NOW = 12  # hours of data before now


def wait_until(what, check, bound_s=60):
    """Polls `check` until it returns a true value, at most bound_s (a bound, not a timing assumption)."""
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what} after {bound_s} s")


def pick_offset(shared):
    """The first row offset at which "now" is at least 20 % dirtier than some hour within the next 20:
    a 1 h job asked to start within 20 h then waits."""
    with open(os.path.join(shared, *GERMANY_2023)) as f:
        header = f.readline().strip().split(",")
        col = header.index("Carbon Intensity gCO₂eq/kWh (LCA)")
        values = [float(line.split(",")[col]) for line in f]
    for skip in range(0, len(values) - 72):
        now = values[skip + BEFORE_NOW]
        if min(values[skip + BEFORE_NOW + 1: skip + BEFORE_NOW + 20]) < 0.8 * now:
            return skip
    raise AssertionError("no hour in the file has a cleaner one ahead")


def best_window(points, now, window, horizon):
    """Brute force: the start in {now} + hour starts in (now, now + horizon - window] with the least
    time-weighted mean over [s, s + window); the earliest on a tie."""
    def value_at(t):
        for start, g in points:
            if start <= t < start + datetime.timedelta(hours=1):
                return g
        return None
    starts = [now] + [s for s, _ in points if now < s and s + window <= now + horizon]
    best = None
    for s in starts:
        vals = [value_at(s + datetime.timedelta(minutes=m)) for m in range(int(window.total_seconds() // 60))]
        if any(v is None for v in vals):
            continue
        mean = sum(vals) / len(vals)
        if best is None or mean < best[1] - 1e-9:
            best = (s, mean)
    return best


def main():
    cli = os.environ.get("GREENRUN_CLI")
    shared = os.environ.get("GREENRUN_SHARED_DATA", os.path.join(os.path.dirname(__file__), "../../../shared/data"))
    if not cli or not os.access(cli, os.X_OK):
        print("FAIL: set GREENRUN_CLI to the built greenrun")
        return 1
    if not os.path.isdir(shared):
        print(f"SKIP: needs ../shared/data (set GREENRUN_SHARED_DATA); not found at {shared}")
        return SKIP
    tools = browser_tools()
    root = tempfile.mkdtemp(prefix="greenrun-dashboard-")
    procs = []
    try:
        return check(cli, shared, tools, root, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(root, ignore_errors=True)


def check(cli, shared, tools, root, procs):
    g = Scratch(cli, root)
    csv = os.path.join(root, "DE_shifted.csv")
    skip = pick_offset(shared)
    points = shifted_germany(shared, csv, hours=72, skip=skip, before_now=BEFORE_NOW)
    print(f"Germany 2023 from row {skip}, {BEFORE_NOW} h before now")
    g.run("intensity", "import", csv)
    for i, (project, zone) in enumerate([("bert", "DE"), ("bert", "DE"),
                                         ("gpt</script><script>window.pwned=1</script>", "FR")]):
        g.run("run", "--sensors", "fake", "--interval", "100ms", "--zone", zone, "--project", project,
              "--out", os.path.join(root, f"run{i}"), "--", "true")
    summary = json.loads(g.run("runs", "summary", "--json"))

    # A carbon-aware run waiting for its start, in its own greenrun process.
    waiting = subprocess.Popen(
        [cli, "run", "--sensors", "fake", "--zone", "DE", "--start-within", "20h", "--expected-duration", "1h",
         "--expected-power", "100W", "--project", "waiting-job", "--out", os.path.join(root, "live"), "--", "true"],
        env=g.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs.append(waiting)
    live_dir = os.path.join(root, "live")

    def waiting_state():
        if waiting.poll() is not None:
            raise AssertionError(f"the carbon-aware run ended instead of waiting: {waiting.stderr.read()}")
        for f in glob.glob(os.path.join(live_dir, "*.json")):
            try:
                doc = json.load(open(f))
            except (OSError, ValueError):
                continue  # replaced while read
            if doc.get("state") == "waiting":
                return doc
        return None
    live = wait_until("the run's live-status file to say waiting", waiting_state)

    serve = subprocess.Popen([cli, "serve", "--listen", "127.0.0.1:0", "--refresh", "0"], env=g.env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs.append(serve)
    line = serve.stdout.readline()
    m = re.search(r"listening on (http://\S+)", line)
    if not m:
        raise AssertionError(f"greenrun serve did not start: {line!r} {serve.stderr.read() if serve.poll() else ''}")
    url = m.group(1) + "/"

    driver = new_driver(tools)
    expect = Expect()
    try:
        driver.get(url)
        specs = json.loads(driver.execute_script("return document.getElementById('greenrun-data').textContent"))
        ids = [s["id"] for s in specs]
        wait_for_charts(driver, len(ids))
        errors = [entry for entry in driver.get_log("browser") if entry.get("level") in ("SEVERE", "ERROR")]
        expect(not errors, f"no console errors (got {errors})")
        expect(driver.execute_script("return window.pwned === undefined"), "no injected script ran")
        charts = drawn_charts(driver)
        expect(sorted(charts) == sorted(ids), f"every chart drawn: {sorted(charts)} vs {sorted(ids)}")
        expect(ids == ["zone-0", "projects"], f"one zone (DE) and the projects: {ids}")
        by_id = {s["id"]: s for s in specs}

        # The zone: the stored points overlapping [now, now + 24 h) (+1 closing point), and the best window.
        now_ms = int(driver.execute_script("return document.getElementById('as-of').dataset.nowMs"))
        now = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.timezone.utc)
        horizon = datetime.timedelta(hours=24)
        ahead = [(s, v) for s, v in points if s + datetime.timedelta(hours=1) > now and s < now + horizon]
        zone = by_id.get("zone-0", {})
        expect(len(zone.get("points", [])) == len(ahead),
               f"zone-0 holds the {len(ahead)} stored points ahead (got {len(zone.get('points', []))})")
        expect([p[1] for p in zone.get("points", [])] == [v for _, v in ahead], "zone-0's values are the CSV's")
        c = charts.get("zone-0")
        expect(c is not None and c["datasets"][0]["n"] == len(ahead) + 1, "zone-0 draws every point (+1 closing)")
        best = best_window(points, now, datetime.timedelta(hours=1), horizon)
        spans = zone.get("spans", [])
        expect(len(spans) == 1 and spans[0]["kind"] == "best-start", f"one best-window span: {spans}")
        if spans and best:
            expect(spans[0]["start_ms"] == int(best[0].timestamp() * 1000),
                   f"best window starts at {best[0]} (brute force), page says {spans[0]['start_ms']}")
            caption = driver.execute_script("return document.querySelector('#fig-zone-0 figcaption').textContent")
            expect(f"{best[1]:.0f} g/kWh" in caption, f"the caption gives the best mean {best[1]:.0f}: {caption}")
        expect(zone.get("estimate") == "", "stored data ahead is not marked an estimate")

        # The projects: bars equal `runs summary --json`; fake-sensor energy is marked.
        bars = charts.get("projects")
        names = by_id["projects"]["labels"]
        for s in summary:
            key = s["project"] or "(none)"
            expect(key in names, f"project {key!r} has a bar")
            if key in names and bars:
                k = names.index(key)
                wh, co2 = bars["datasets"][0]["data"][k], bars["datasets"][1]["data"][k]
                expect(abs(wh * 3600 - s["job_energy_j"]) <= 1e-9 * max(1, s["job_energy_j"]),
                       f"{key}: energy bar {wh} Wh = {s['job_energy_j']} J")
                expect(abs(co2 - s["emissions_g"]) <= 1e-9 * max(1, s["emissions_g"]),
                       f"{key}: emissions bar {co2} g = {s['emissions_g']} g")
        expect(by_id["projects"]["estimate"] != "", "the projects figure marks the simulated energy")
        title = bars["title"] if bars and isinstance(bars["title"], list) else [bars and bars["title"]]
        expect(any("ESTIMATE" in (t or "") for t in title), "the projects chart's title marks the estimate")

        # The runs: three recorded, one waiting in another process.
        recent = driver.execute_script("return document.querySelectorAll('#recent-runs tr[data-run]').length")
        expect(recent == 3, f"three recorded runs listed (got {recent})")
        state = driver.execute_script(
            "const r = document.querySelector('#live-runs tr[data-run=\"' + arguments[0] + '\"]');"
            "return r ? r.querySelector('.state').textContent + '|' + r.textContent : ''", live["id"])
        expect(state.startswith("waiting|") and "waiting-job" in state and "flexible" in state,
               f"the waiting run is listed with its state: {state!r}")
    finally:
        driver.quit()

    if expect.failures:
        print(f"{len(expect.failures)} check(s) failed")
        return 1
    print("browser dashboard test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
