"""What the browser tests share (tests/report/browser_*_test.py): finding
Debian's chromium, chromium-driver and python3-selenium (a skip, exit 77, only
outside CI), a scratch greenrun store, real German data shifted to now, and
reading the drawn charts back from window.greenrunCharts.
"""
import datetime
import os
import shutil
import subprocess
import sys
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


def browser_tools():
    """(chromium, chromedriver, webdriver module, Service class), or a skip / failure."""
    chromium = find_chromium()
    driver_path = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    if not chromium or not driver_path:
        skip_or_fail("chromium and chromium-driver are not installed (scripts/install-deps.sh installs them)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip_or_fail("python3-selenium is not installed for " + sys.executable)
    return chromium, driver_path, webdriver, Service


def new_driver(tools):
    chromium, driver_path, webdriver, Service = tools
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,2000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=opts)


def wait_for_charts(driver, count, bound_s=30):
    """Waits (bounded, not a timing assumption) until `count` charts are drawn."""
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        ready = driver.execute_script("return window.greenrunCharts ? Object.keys(window.greenrunCharts).length : 0")
        if ready == count:
            return
        time.sleep(0.1)


def drawn_charts(driver):
    """{id: {labels, title, datasets: [{label, n, data}]}} as Chart.js holds them."""
    return driver.execute_script("""
      const out = {};
      for (const [id, c] of Object.entries(window.greenrunCharts || {})) {
        out[id] = {labels: (c.data.labels || []).length,
                   title: c.options.plugins.title.text,
                   datasets: c.data.datasets.map(d => ({label: d.label, n: d.data.length,
                     data: d.data.map(p => (p && typeof p === 'object') ? p.y : p)}))};
      }
      return out;""")


class Expect:
    def __init__(self):
        self.failures = []

    def __call__(self, cond, what):
        if not cond:
            self.failures.append(what)
            print("FAILED: " + what)


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


GERMANY_2023 = ("electricitymaps-hourly", "green-dcc", "DE-LU_2023_hourly.csv")


def shifted_germany(shared, path, hours=72, skip=0, before_now=12):
    """`hours` of Germany's 2023 hourly data from row `skip`, moved to start
    `before_now` hours before the current hour. Returns [(start, g/kWh)] of the
    life-cycle column as written."""
    src = os.path.join(shared, *GERMANY_2023)
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    t = now - datetime.timedelta(hours=before_now)
    out_points = []
    with open(src) as f, open(path, "w") as out:
        header = f.readline()
        out.write(header)
        column = header.strip().split(",").index("Carbon Intensity gCO₂eq/kWh (LCA)") \
            if "Carbon Intensity gCO₂eq/kWh (LCA)" in header else None
        for _ in range(skip):
            f.readline()
        for _ in range(hours):
            line = f.readline()
            out.write(t.strftime("%Y-%m-%d %H:00:00") + line[line.index(","):])
            if column is not None:
                out_points.append((t, float(line.strip().split(",")[column])))
            t += datetime.timedelta(hours=1)
    return out_points
