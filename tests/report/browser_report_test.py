#!/usr/bin/env python3
"""The HTML report in a real headless Chromium (Debian's chromium and
chromium-driver, driven by python3-selenium).

Makes real runs with the built CLI and the fake sensor against a scratch store
holding real hourly data for Germany (../shared/data, shifted to the runs' own
time; one run in France has none), writes `greenrun report --format html`, and
checks in the browser: no console errors, no injected script ran, every chart
holds the points it should (the power chart one per timeline.jsonl line), the
figures equal `greenrun runs summary --json`, every figure holding an estimate
says so; then prints the report to PDF with Chromium and counts the pages.

Run by ctest (tests/report/browser.cmake). Exit 77 (a skip, with the reason
printed) only when chromium, chromedriver or selenium is absent and CI is not
set; in CI their absence is a failure.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_common import (SKIP, Expect, Scratch, browser_tools, drawn_charts, new_driver,  # noqa: E402
                            shifted_germany, wait_for_charts)


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

    root = tempfile.mkdtemp(prefix="greenrun-browser-")
    try:
        return check(cli, shared, tools, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def check(cli, shared, tools, root):
    chromium = tools[0]
    g = Scratch(cli, root)
    csv = os.path.join(root, "DE_shifted.csv")
    shifted_germany(shared, csv)
    g.run("intensity", "import", csv)
    busy = "i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done"
    runs = [("bert", "train", "DE", busy + "; sleep 0.5"),
            ("bert", "eval", "DE", busy),
            ("gpt</script><script>window.pwned=1</script>", "train", "FR",
             busy + "; echo '</script><script>window.pwned=2</script><!--'")]
    outs = []
    for i, (project, phase, zone, script) in enumerate(runs):
        out = os.path.join(root, f"run{i}")
        g.run("run", "--sensors", "fake", "--interval", "100ms", "--zone", zone, "--project", project,
              "--phase", phase, "--out", out, "--", "sh", "-c", script)
        # `--out DIR` holds one folder per run, DIR/<run id>/.
        (sub,) = [e.path for e in os.scandir(out) if e.is_dir() and os.path.exists(os.path.join(e.path, "run.json"))]
        outs.append(sub)
    html = os.path.join(root, "report.html")
    g.run("report", "--format", "html", "--out", html)
    summary = json.loads(g.run("runs", "summary", "--json"))
    statement = json.loads(g.run("report", "--format", "json"))
    records = [json.load(open(os.path.join(o, "run.json"))) for o in outs]
    size = os.path.getsize(html)
    print(f"report.html: {size} bytes")

    driver = new_driver(tools)
    expect = Expect()

    try:
        driver.get("file://" + html)
        specs = json.loads(driver.execute_script("return document.getElementById('greenrun-data').textContent"))
        ids = [s["id"] for s in specs]
        wait_for_charts(driver, len(ids))
        logs = driver.get_log("browser")
        errors = [l for l in logs if l.get("level") in ("SEVERE", "ERROR")]
        expect(not errors, f"no console errors (got {errors})")
        expect(driver.execute_script("return window.pwned === undefined"), "no injected script ran")
        charts = drawn_charts(driver)
        expect(sorted(charts) == sorted(ids), f"every chart drawn: {sorted(charts)} vs {sorted(ids)}")
        by_id = {s["id"]: s for s in specs}

        # Power: one point per timeline.jsonl line for these short runs.
        for i, out in enumerate(outs):
            lines = sum(1 for l in open(os.path.join(out, "timeline.jsonl")) if l.strip())
            c = charts.get(f"power-{i}")
            expect(lines > 0 and c is not None and c["datasets"] and all(d["n"] == lines for d in c["datasets"]),
                   f"power-{i} holds {lines} points per component: {c and [d['n'] for d in c['datasets']]}")
        # Intensity: the stored hourly points around the German runs (+1 closing point); none for France.
        for i, (_, _, zone, _) in enumerate(runs):
            c = charts.get(f"intensity-{i}")
            n = len(by_id[f"intensity-{i}"]["points"])
            if zone == "DE":
                expect(n >= 30 and c["datasets"][0]["n"] == n + 1, f"intensity-{i} holds {n}+1 points")
            else:
                expect(n == 0, f"intensity-{i} (FR, no stored data) is empty and says so")
                expect(by_id[f"intensity-{i}"]["estimate"] != "", "the empty intensity figure says why")
        # The figures equal `runs summary --json`.
        bars = charts["by-project"]
        names = by_id["by-project"]["labels"]
        for gsum in summary:
            key = gsum["project"] or "(none)"
            expect(key in names, f"project {key!r} has a bar")
            if key in names:
                k = names.index(key)
                wh = bars["datasets"][0]["data"][k]
                co2 = bars["datasets"][1]["data"][k]
                expect(abs(wh * 3600 - gsum["job_energy_j"]) <= 1e-9 * max(1, gsum["job_energy_j"]),
                       f"{key}: energy bar {wh} Wh = {gsum['job_energy_j']} J")
                expect(abs(co2 - gsum["emissions_g"]) <= 1e-9 * max(1, gsum["emissions_g"]),
                       f"{key}: emissions bar {co2} = {gsum['emissions_g']} g")
        total_g = sum(x["emissions_g"] for x in summary)
        br = charts["breakdown"]["datasets"][0]["data"]
        expect(abs(br[0] + br[1] - total_g) <= 1e-6 * max(1, total_g),
               f"breakdown operational + PUE = {br[0] + br[1]} g, runs summary {total_g} g")
        expect(abs(statement["emissions_g"] - total_g) <= 1e-9 * max(1, total_g), "statement = runs summary")
        sentence = driver.execute_script("return document.getElementById('paper-sentence').textContent")
        expect(sentence == statement["statement"], "the page's statement is the JSON statement's")
        # Estimates are marked on every figure that holds one (the fake sensor: all energy figures).
        for s in specs:
            c = charts.get(s["id"])
            if s["estimate"]:
                title = c["title"] if isinstance(c["title"], list) else [c["title"]]
                expect(any("ESTIMATE" in t for t in title), f"{s['id']}: the chart title marks the estimate")
                shown = driver.execute_script(
                    "const e = document.querySelector('#fig-' + CSS.escape(arguments[0]) + ' .estimate');"
                    "return e ? e.offsetParent !== null && e.textContent : false", s["id"])
                expect(bool(shown) and "Estimate" in shown, f"{s['id']}: the caption shows the estimate")
            elif s["id"].startswith("power-") or s["id"].startswith("by-"):
                expect(False, f"{s['id']}: simulated energy but no estimate mark")
        expect(all(r["simulated"] for r in records), "the runs are simulated (fake sensor)")
    finally:
        driver.quit()

    # Printing to PDF yields pages.
    pdf = os.path.join(root, "report.pdf")
    p = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                        "--virtual-time-budget=5000", f"--print-to-pdf={pdf}", "file://" + html],
                       capture_output=True, text=True, timeout=180)
    data = open(pdf, "rb").read() if os.path.exists(pdf) else b""
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    print(f"report.pdf: {len(data)} bytes, {pages} pages")
    expect(data.startswith(b"%PDF") and pages >= 2, f"printing to PDF yields pages (got {pages}; {p.stderr[-500:]})")

    if expect.failures:
        print(f"{len(expect.failures)} check(s) failed")
        return 1
    print("browser report test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
