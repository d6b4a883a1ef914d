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
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


def skip_or_fail(reason):
    if os.environ.get("CI"):
        print("FAIL (CI must run this test): " + reason)
        sys.exit(1)
    print("SKIP: " + reason)
    sys.exit(SKIP)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Scratch:
    def __init__(self, cli, root):
        self.cli = cli
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GREENRUN_")}
        self.env.update({
            "GREENRUN_STORE": os.path.join(root, "greenrun.db"),
            "GREENRUN_NO_METADATA": "1",
            "XDG_CONFIG_HOME": os.path.join(root, "config"),
            "XDG_CACHE_HOME": os.path.join(root, "cache"),
        })

    def run(self, *args):
        p = subprocess.run([self.cli, *args], env=self.env, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError(f"greenrun {' '.join(args)} exited {p.returncode}: {p.stderr}")
        return p.stdout


def shifted_germany(shared, path):
    """72 h of Germany's 2023 hourly data, moved to start 12 h before now."""
    src = os.path.join(shared, "electricitymaps-hourly", "green-dcc", "DE-LU_2023_hourly.csv")
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    t = now - datetime.timedelta(hours=12)
    with open(src) as f, open(path, "w") as out:
        out.write(f.readline())
        for _ in range(72):
            line = f.readline()
            out.write(t.strftime("%Y-%m-%d %H:00:00") + line[line.index(","):])
            t += datetime.timedelta(hours=1)


def main():
    cli = os.environ.get("GREENRUN_CLI")
    shared = os.environ.get("GREENRUN_SHARED_DATA", os.path.join(os.path.dirname(__file__), "../../../shared/data"))
    if not cli or not os.access(cli, os.X_OK):
        print("FAIL: set GREENRUN_CLI to the built greenrun")
        return 1
    if not os.path.isdir(shared):
        print(f"SKIP: needs ../shared/data (set GREENRUN_SHARED_DATA); not found at {shared}")
        return SKIP
    chromium = find_chromium()
    driver_path = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    if not chromium or not driver_path:
        skip_or_fail("chromium and chromium-driver are not installed (scripts/install-deps.sh installs them)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_or_fail("python3-selenium is not installed for " + sys.executable)

    root = tempfile.mkdtemp(prefix="greenrun-browser-")
    try:
        return check(cli, shared, chromium, driver_path, root, webdriver, Service)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def check(cli, shared, chromium, driver_path, root, webdriver, Service):
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

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,2000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)
            print("FAILED: " + what)

    try:
        driver.get("file://" + html)
        specs = json.loads(driver.execute_script("return document.getElementById('greenrun-data').textContent"))
        ids = [s["id"] for s in specs]
        deadline = time.monotonic() + 30  # a bound, not a timing assumption
        while time.monotonic() < deadline:
            ready = driver.execute_script(
                "return window.greenrunCharts ? Object.keys(window.greenrunCharts).length : 0")
            if ready == len(ids):
                break
            time.sleep(0.1)
        logs = driver.get_log("browser")
        errors = [l for l in logs if l.get("level") in ("SEVERE", "ERROR")]
        expect(not errors, f"no console errors (got {errors})")
        expect(driver.execute_script("return window.pwned === undefined"), "no injected script ran")
        charts = driver.execute_script("""
          const out = {};
          for (const [id, c] of Object.entries(window.greenrunCharts || {})) {
            out[id] = {labels: (c.data.labels || []).length,
                       title: c.options.plugins.title.text,
                       datasets: c.data.datasets.map(d => ({label: d.label, n: d.data.length,
                         data: d.data.map(p => (p && typeof p === 'object') ? p.y : p)}))};
          }
          return out;""")
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

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("browser report test: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
