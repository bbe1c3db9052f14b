"""The HTML player in real headless Chromium (Debian's chromium + chromedriver, driven by
Selenium), opened from ``file://``: the controls and keys move ``data-step``, hovering and
focusing a cell marks exactly the cells the engine's gather trace links to it, the console
stays clean, two players on one page keep their own state. Skips (with the reason) when
the browser, its driver or Selenium is missing; ``.ci/run`` installs them. Nothing here
downloads a browser."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

import deconv_anim as da
from deconv_anim.presets import REFERENCE_NAMES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = "/usr/bin/chromedriver"

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:  # pragma: no cover - the test extra is missing
    webdriver = None

REASON = ("selenium is not installed (pip install '.[test]')" if webdriver is None else
          "no chromium (apt-get install chromium chromium-driver; .ci/run does)"
          if CHROMIUM is None else
          f"no chromedriver at {DRIVER} (apt-get install chromium-driver; .ci/run does)"
          if not Path(DRIVER).exists() else None)
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="deconv-anim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                "--window-size=1400,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_players(browser, tmp_path: Path, *fragments: str, name: str = "page") -> list:
    page = tmp_path / f"{name}.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    + "".join(fragments) + "</body></html>", encoding="utf-8")
    browser.get_log("browser")  # drop anything earlier
    browser.get(page.as_uri())
    return browser.find_elements(By.CSS_SELECTOR, "[data-deconv-anim]")


def open_file(browser, path: Path):
    browser.get_log("browser")
    browser.get(path.as_uri())
    return browser.find_element(By.CSS_SELECTOR, "[data-deconv-anim]")


def step(root) -> int:
    return int(root.get_attribute("data-step"))


def press(root, action: str) -> None:
    root.find_element(By.CSS_SELECTOR, f"button[data-action={action}]").click()


def console_errors(browser) -> list:
    return [entry for entry in browser.get_log("browser")
            if entry["level"] in ("SEVERE", "WARNING")]


def expected_links(spec, taps: bool = False) -> dict[str, set[str]]:
    """Every op cell's linked cells (``taps``: the kernel cells of those links instead),
    from the engine's gather trace."""
    links: dict[str, set[str]] = {}
    for s in da.trace(spec, "gather"):
        out = f"output:{s.cell[0]},{s.cell[1]}"
        links.setdefault(out, set())
        for kr, kc, ir, ic in s.taps[:, :4].tolist():
            cell = f"input:{ir},{ic}"
            links[out].add(f"{kr},{kc}" if taps else cell)
            links.setdefault(cell, set()).add(f"{kr},{kc}" if taps else out)
    rows, cols = spec.input_size
    for r in range(rows):
        for c in range(cols):
            links.setdefault(f"input:{r},{c}", set())
    return links


HOVER_ALL = """
const root = arguments[0], out = {};
const seen = [...new Set([...root.querySelectorAll('[data-cell]')]
                          .map(e => e.getAttribute('data-cell')))];
for (const key of seen) {
  const el = root.querySelector(`[data-cell='${key}']`);
  el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
  const hovered = [...root.querySelectorAll('[data-hover]')].map(e => e.getAttribute('data-cell'));
  const marked = [...root.querySelectorAll('[data-linked]')];
  const linked = marked.filter(e => e.hasAttribute('data-cell'))
                       .map(e => e.getAttribute('data-cell'));
  const taps = marked.filter(e => e.hasAttribute('data-tap')).map(e => e.getAttribute('data-tap'));
  out[key] = {hovered, linked, taps, other: marked.length - linked.length - taps.length};
}
root.querySelector('svg').dispatchEvent(new MouseEvent('mouseleave'));
out['#left'] = root.querySelectorAll('[data-linked],[data-hover]').length;
return out;
"""


def check_every_link(browser, root, spec) -> None:
    expected, taps = expected_links(spec), expected_links(spec, taps=True)
    panels = len(root.find_elements(By.CSS_SELECTOR, "[data-panel]"))
    got = browser.execute_script(HOVER_ALL, root)
    assert got.pop("#left") == 0
    assert set(got) == set(expected)
    for key, marks in got.items():
        assert marks["hovered"] == [key] * panels, key
        linked = marks["linked"]
        assert set(linked) == expected[key], key
        assert len(linked) == panels * len(expected[key]), key  # marked in every panel
        assert set(marks["taps"]) == taps[key], key  # the kernel cells of those links
        assert len(marks["taps"]) == panels * len(taps[key]) and marks["other"] == 0, key


def test_controls_and_keys_move_the_step(browser, tmp_path):
    path = tmp_path / "dilation.html"
    da.animate("dilation").save(path)
    root = open_file(browser, path)
    assert root.get_attribute("data-steps") == "9" and step(root) == 0
    assert root.get_attribute("data-playing") == "true"  # plays like the GIF
    press(root, "toggle")
    assert root.get_attribute("data-playing") == "false"
    start = step(root)
    press(root, "next")
    assert step(root) == start + 1
    press(root, "prev")
    assert step(root) == start
    press(root, "last")
    assert step(root) == 9  # the held clean final frame, as --frame counts it
    readout = root.find_element(By.CSS_SELECTOR, "[data-readout]").text
    assert readout.startswith("finished: 9 steps")
    for part in ("window", "target", "links"):  # nothing of a step on the final frame
        el = root.find_element(By.CSS_SELECTOR, f"[data-part={part}]")
        assert el.get_attribute("visibility") == "hidden", part
    press(root, "next")
    assert step(root) == 9  # nothing past the final frame
    press(root, "prev")
    assert step(root) == 8
    assert root.find_element(By.CSS_SELECTOR, "[data-part=window]").get_attribute(
        "visibility") == "visible"
    press(root, "first")
    assert step(root) == 0
    press(root, "prev")
    assert step(root) == 0
    scrub = root.find_element(By.CSS_SELECTOR, "input[type=range][data-action=scrub]")
    browser.execute_script("arguments[0].value = 5; arguments[0].dispatchEvent("
                           "new Event('input', {bubbles: true}))", scrub)
    assert step(root) == 5
    readout = root.find_element(By.CSS_SELECTOR, "[data-readout]").text
    assert readout.startswith("step 6 / 9")
    root.send_keys(Keys.ARROW_RIGHT)
    assert step(root) == 6
    root.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert step(root) == 4
    root.send_keys(Keys.END)
    assert step(root) == 9
    root.send_keys(Keys.HOME)
    assert step(root) == 0
    root.send_keys(Keys.SPACE)
    assert root.get_attribute("data-playing") == "true"
    root.send_keys(Keys.SPACE)
    assert root.get_attribute("data-playing") == "false"
    assert console_errors(browser) == []


def test_plays_at_the_gifs_pace_and_loops(browser, tmp_path):
    fragment = da.animate("no_padding_no_strides", duration=200).to_html()
    (root,) = open_players(browser, tmp_path, fragment)
    seen = set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(seen) < 5:
        seen.add(step(root))
        time.sleep(0.03)
    assert seen == {0, 1, 2, 3, 4}  # 4 steps, then the final frame
    wrapped = False
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not wrapped:  # after the last, the first again
        wrapped = step(root) == 0
        time.sleep(0.03)
    assert wrapped
    assert console_errors(browser) == []


@pytest.mark.parametrize("name", ["padding_strides", "output_padding", "dilation",
                                  "scatter_overlap", "both_views"])
def test_hover_links_are_the_engines_taps(browser, tmp_path, name):
    anim = da.animate(name)
    path = tmp_path / f"{name}.html"
    anim.save(path)
    root = open_file(browser, path)
    press(root, "toggle")
    check_every_link(browser, root, anim.config.spec)
    # a real pointer too, on one output and one input cell
    expected = expected_links(anim.config.spec)
    for key in ("output:0,0", "input:1,1"):
        cell = root.find_element(By.CSS_SELECTOR, f"[data-cell='{key}']")
        ActionChains(browser).move_to_element(cell).perform()
        linked = {e.get_attribute("data-cell")
                  for e in root.find_elements(By.CSS_SELECTOR, "[data-cell][data-linked]")}
        assert linked == expected[key]
    assert console_errors(browser) == []


def test_focus_and_pin(browser, tmp_path):
    (root,) = open_players(browser, tmp_path, da.animate("numbers_conv").to_html())
    press(root, "toggle")
    cell = root.find_element(By.CSS_SELECTOR, "[data-cell='output:1,1']")
    browser.execute_script("arguments[0].focus()", cell)
    assert cell.get_attribute("data-hover") is not None
    assert root.find_elements(By.CSS_SELECTOR, "[data-linked]")
    assert "out[1, 1] = " in root.find_element(By.CSS_SELECTOR, "[data-readout]").text
    ActionChains(browser).move_to_element(cell).click().perform()
    assert root.get_attribute("data-pinned") == "output:1,1"
    other = root.find_element(By.CSS_SELECTOR, "[data-cell='input:0,0']")
    ActionChains(browser).move_to_element(other).perform()
    assert other.get_attribute("data-hover") is None  # the pin holds
    assert console_errors(browser) == []


def test_two_players_on_one_page_are_independent(browser, tmp_path):
    fragment = da.animate("padding_strides").to_html()
    first, second = open_players(browser, tmp_path, fragment, fragment)
    for root in (first, second):
        press(root, "toggle")
    press(first, "first")
    press(second, "first")
    press(first, "next")
    press(first, "next")
    assert (step(first), step(second)) == (2, 0)
    press(second, "last")
    assert (step(first), step(second)) == (2, 9)
    cell = first.find_element(By.CSS_SELECTOR, "[data-cell='output:0,0']")
    ActionChains(browser).move_to_element(cell).perform()
    assert first.find_elements(By.CSS_SELECTOR, "[data-linked]")
    assert not second.find_elements(By.CSS_SELECTOR, "[data-linked]")
    assert console_errors(browser) == []


def test_fallback_image_is_replaced(browser, tmp_path):
    text = da.animate("dilation")._repr_mimebundle_()["text/html"]
    (root,) = open_players(browser, tmp_path, text)
    assert not root.find_elements(By.CSS_SELECTOR, "img[data-fallback]")
    assert root.find_element(By.CSS_SELECTOR, "[data-player]").is_displayed()
    assert console_errors(browser) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_every_reference_figure_links_exactly(browser, tmp_path, name):
    anim = da.animate(name)
    path = tmp_path / f"{name}.html"
    anim.save(path)
    root = open_file(browser, path)
    press(root, "toggle")
    for action in ("next", "last", "prev", "first"):
        press(root, action)
    check_every_link(browser, root, anim.config.spec)
    assert console_errors(browser) == []


@pytest.mark.slow
@pytest.mark.parametrize("overrides", [
    {"values": True, "view": "scatter"}, {"values": True, "labels": True},
    {"overlap": True, "layout": "flat"}, {"view": "both", "values": True},
])
def test_options_link_exactly(browser, tmp_path, overrides):
    anim = da.animate("padding_strides_odd_transposed", **overrides)
    (root,) = open_players(browser, tmp_path, anim.to_html())
    press(root, "toggle")
    press(root, "last")
    check_every_link(browser, root, anim.config.spec)
    assert console_errors(browser) == []


def timeline_state(panel, step: int) -> dict[str, tuple[str, str]]:
    """The output cells' numbers and fills after ``step``, from the timeline."""
    from deconv_anim.svg import _hex

    state = {f"{s.cell[0]},{s.cell[1]}": (s.text or "", _hex(s.fill))
             for s in panel.timeline.start}
    for s in panel.timeline.steps[:step + 1]:
        for c in s.changes:
            state[f"{c.cell[0]},{c.cell[1]}"] = (c.text or "", _hex(c.fill))
    return state


SHOWN = """
const g = arguments[0].querySelectorAll('[data-panel]')[arguments[1]], out = {};
g.querySelectorAll('[data-cell^=output]').forEach(el => {
  const rc = el.getAttribute('data-cell').slice(7);
  const num = g.querySelector(`[data-num='${rc}']`);
  out[rc] = [num ? num.textContent : '', el.getAttribute('fill')];
});
return out;
"""


@pytest.mark.parametrize("name", ["numbers_scatter", "both_views"])
def test_output_cells_show_the_timelines_state(browser, tmp_path, name):
    from deconv_anim.animation import prepare

    anim = da.animate(name)
    figure = prepare(anim.config).figure
    (root,) = open_players(browser, tmp_path, anim.to_html())
    press(root, "toggle")
    scrub = root.find_element(By.CSS_SELECTOR, "input[type=range][data-action=scrub]")
    last = anim.frame_count - 1  # the final frame's position
    total = anim.step_count
    for target in (last, 3, 0, last // 2, last // 2 + 1, last - 1):  # forward, back, jumps
        browser.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent("
                               "new Event('input', {bubbles: true}))", scrub, target)
        assert step(root) == target
        for n, panel in enumerate(figure.panels):
            shown = browser.execute_script(SHOWN, root, n)
            n_steps = len(panel.timeline)  # on the GIF's clock: step i from floor(i T / n)
            at = (n_steps - 1 if target == total else
                  max(i for i in range(n_steps) if i * total // n_steps <= target))
            expected = timeline_state(panel, at)
            assert {k: tuple(v) for k, v in shown.items()} == expected, (target, n)
    assert console_errors(browser) == []


TIMINGS = """
const root = arguments[0], times = {step: [], hover: []};
root.querySelector('[data-action=toggle]').click();
const next = root.querySelector('[data-action=next]');
for (let i = 0; i < 40; i++) {
  const a = performance.now(); next.click(); times.step.push(performance.now() - a);
}
const cells = root.querySelectorAll('[data-cell]');
for (let i = 0; i < 40; i++) {
  const el = cells[(i * 997) % cells.length], a = performance.now();
  el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
  times.hover.push(performance.now() - a);
}
const median = xs => xs.sort((x, y) => x - y)[xs.length >> 1];
return {step: median(times.step), hover: median(times.hover)};
"""


@pytest.mark.slow
def test_a_4096_step_figure_answers_within_a_frame(browser, tmp_path):
    """The performance target: a 64x64 output (4,096 steps), a step or a hover answered
    within 16 ms (medians; the script's own work, measured with performance.now())."""
    path = tmp_path / "big.html"
    da.animate(op="conv", size=66, kernel=3).save(path)
    root = open_file(browser, path)
    assert root.get_attribute("data-steps") == "4096"
    times = browser.execute_script(TIMINGS, root)
    assert times["step"] < 16 and times["hover"] < 16, times
    assert console_errors(browser) == []
