"""The ``player`` section of ``bench.py``: the HTML player of a 64x64-output figure
(conv, kernel 3, padding same: 4,096 steps) in headless Chromium.

Per load of the file (``file://``, a fresh navigation each time, interleaved with an empty
page so a machine that slows down slows both):

* **first paint**: ``performance.now()`` in the first ``requestAnimationFrame`` callback
  after the player's script has run (a hook installed before the page's own scripts asks
  for frames until the root is ``data-ready``), from the navigation's start; the same for
  an empty page is the browser's own floor, and the difference is what the player costs;
* **init**: the script's own run (its ``deconv-anim init`` performance measure);
* **cells**: the per-cell elements made after the first paint (``deconv-anim cells``,
  from the first chunk to the last);
* **step / hover**: after ``data-built``, 60 clicks on *next* and 60 ``mouseover`` of
  cells spread over both grids, each timed with ``performance.now()`` around the
  synchronous handler: the 95th percentile.

With ``--base DIR`` (an older tree) its file is measured the same way, interleaved.
Skipped, saying why, without Selenium, Chromium or ``/usr/bin/chromedriver``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DRIVER = "/usr/bin/chromedriver"
FIGURE = ["--op", "conv", "--size", "64", "--kernel", "3", "--padding", "same"]

HOOK = """
window.__daBench = {raf: null};
(function () {
  function frame() {
    if (document.querySelector('[data-ready]')) {
      window.__daBench.raf = performance.now();
      setTimeout(function () { window.__daBench.done = true; }, 0);
    } else requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
})();
"""

LOADED = """
const b = window.__daBench, root = document.querySelector('[data-deconv-anim]');
const building = root && root.querySelector('[data-cells]') && !root.hasAttribute('data-built');
if (!b || !b.done || building) return null;
const m = name => (performance.getEntriesByName(name)[0] || {duration: null}).duration;
return {raf: b.raf, init: m('deconv-anim init'), cells: m('deconv-anim cells')};
"""

TIMED = """
const root = arguments[0], times = {step: [], hover: []};
const toggle = root.querySelector('[data-action=toggle]');
if (root.getAttribute('data-playing') === 'true') toggle.click();
const next = root.querySelector('[data-action=next]');
for (let i = 0; i < 60; i++) {
  const a = performance.now(); next.click(); times.step.push(performance.now() - a);
}
const cells = root.querySelectorAll('[data-cell]');
for (let i = 0; i < 60; i++) {
  const el = cells[(i * 997) % cells.length], a = performance.now();
  el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
  times.hover.push(performance.now() - a);
}
const p95 = xs => xs.sort((x, y) => x - y)[Math.floor(xs.length * 0.95)];
return {step: p95(times.step), hover: p95(times.hover)};
"""


def browser():
    """A headless Chromium driven by Selenium, or the reason there is none."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None, "selenium is not installed"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or not Path(DRIVER).exists():
        return None, "no chromium or chromedriver (apt-get install chromium chromium-driver)"
    profile = tempfile.mkdtemp(prefix="deconv-anim-bench-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOK})
    return driver, profile


def load(driver, path: Path) -> dict:
    driver.get("about:blank")
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        got = driver.execute_script(LOADED)
        if got:
            return got
        time.sleep(0.02)
    raise RuntimeError(f"{path}: the player did not start")


def median(xs: list) -> str:
    xs = [x for x in xs if x is not None]
    return f"{statistics.median(xs):.1f}" if xs else "-"


def player(repeat: int, work: Path, base: Path | None = None, table=None) -> None:
    driver, profile = browser()
    if driver is None:
        print(f"\n### player: skipped ({profile})")
        return
    trees = {"after": Path(__file__).resolve().parents[1] / "src"}
    if base is not None and (base / "src" / "deconv_anim").is_dir():
        trees = {"before": base / "src", **trees}
    files = {"empty page": work / "empty.html"}
    files["empty page"].write_text("<!DOCTYPE html><html><body><div data-deconv-anim "
                                   "data-ready>x</div></body></html>")
    for tree, src in trees.items():
        out = work / f"player-{tree}.html"
        subprocess.run([sys.executable, "-m", "deconv_anim", "render", *FIGURE, "-o", str(out)],
                       check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(src)})
        files[tree] = out
    results: dict[str, list[dict]] = {name: [] for name in files}
    try:
        for _ in range(max(3, repeat)):
            for name, path in files.items():  # interleaved
                got = load(driver, path)
                if name != "empty page":
                    root = driver.find_element("css selector", "[data-deconv-anim]")
                    got.update(driver.execute_script(TIMED, root))
                results[name].append(got)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    floor = statistics.median(r["raf"] for r in results["empty page"])
    rows = []
    for name, runs in results.items():
        raf = statistics.median(r["raf"] for r in runs)
        size = "" if name == "empty page" else f"{files[name].stat().st_size:,}"
        rows.append([name, size, f"{raf:.1f}", f"{raf - floor:.1f}" if name != "empty page"
                     else "-", median([r.get("init") for r in runs]),
                     median([r.get("cells") for r in runs]),
                     median([r.get("step") for r in runs]), median([r.get("hover") for r in runs])])
    assert table is not None
    table(f"HTML player, conv 64x64 padding same (4,096 steps), headless Chromium, ms "
          f"(median of {max(3, repeat)} loads, interleaved)",
          ["file", "bytes", "first paint", "over the empty page", "init", "cells (after paint)",
           "step p95", "hover p95"], rows)
